"""Saved comparisons: one prompt run on two or three models side by side, kept per API.

A comparison is stored whole, as one row of JSON, in the local database beside the run
history: the prompt, the shared params, each column's model, params, text, outcome and
stats, and the column the user marked as the winner (if any). The Compare pane saves and
reopens them, and `bytez-tui compare` saves what it ran. `to_markdown` writes one as a
side-by-side Markdown table for export.

| table         | holds                                              |
|---------------|----------------------------------------------------|
| `comparisons` | one row per saved comparison: store, `Comparison`  |
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from bytez_tui.format import money
from bytez_tui.local.database import LocalStore
from bytez_tui.local.history import Outcome, RunStats
from bytez_tui.text import printable, read_json

__all__ = [
    "MAX_COLUMNS",
    "ColumnRecord",
    "Comparison",
    "ComparisonStore",
    "chat_transcript",
    "chat_turn",
]

MAX_COLUMNS = 3
"""A comparison runs on two or three models."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS comparisons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store TEXT NOT NULL,
    record TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class ColumnRecord:
    """One model's side of a comparison."""

    model: str
    """The model id."""
    params: dict[str, Any] = field(default_factory=dict)
    """The params sent to this model (the shared ones with the column's override)."""
    output: str = ""
    """The text that arrived (partial when stopped or failed)."""
    outcome: Outcome = "done"
    """How it ended."""
    error: str | None = None
    """Why it failed, in the server's words."""
    stats: RunStats = field(default_factory=RunStats)
    """Timings, counts and cost (of the last turn, in chat mode)."""
    replies: tuple[str, ...] = ()
    """Chat mode: this model's replies to the earlier user turns (`output` is the last)."""

    @classmethod
    def from_json(cls, data: object) -> ColumnRecord | None:
        """Read a stored column; None if it is not one."""
        if not isinstance(data, Mapping) or not isinstance(data.get("model"), str):
            return None
        params, output = data.get("params"), data.get("output")
        outcome, error = data.get("outcome"), data.get("error")
        return cls(
            model=str(data["model"]),
            params=dict(params) if isinstance(params, Mapping) else {},
            output=output if isinstance(output, str) else "",
            outcome=outcome if outcome in ("done", "stopped", "failed") else "done",
            error=error if isinstance(error, str) else None,
            stats=RunStats.from_json(data.get("stats")),
            replies=_strings(data.get("replies")),
        )


@dataclass(frozen=True)
class Comparison:
    """A prompt run on two or three models, with what each answered."""

    time: str
    """When it started (ISO 8601, UTC)."""
    prompt: str
    """The prompt, the same for every column."""
    params: dict[str, Any] = field(default_factory=dict)
    """The shared params (each column's own are in its record)."""
    columns: tuple[ColumnRecord, ...] = ()
    """The columns, left to right."""
    winner: int | None = None
    """The index of the column marked best, if any."""
    id: int = 0
    """Its row id (0 until saved)."""
    chat: bool = False
    """A shared conversation: `prompt` is its last user turn, `turns` the earlier ones."""
    system: str = ""
    """Chat mode: the system prompt, sent first to every model."""
    turns: tuple[str, ...] = ()
    """Chat mode: the user turns before `prompt` (each column's `replies` answer them)."""

    def messages(self, position: int) -> list[dict[str, str]]:
        """Chat mode: the conversation of column `position` as a message list, ending
        with its last reply (a reply that brought nothing is left out)."""
        column = self.columns[position]
        messages = [{"role": "system", "content": self.system}] if self.system else []
        for user, reply in zip(
            (*self.turns, self.prompt), (*column.replies, column.output), strict=False
        ):
            messages.append({"role": "user", "content": user})
            if reply:
                messages.append({"role": "assistant", "content": reply})
        return messages

    def transcript(self, position: int) -> str:
        """Chat mode: the conversation of column `position` as plain text, for its output."""
        column = self.columns[position]
        return chat_transcript(self.turns, column.replies) + chat_turn(self.prompt) + column.output

    def to_json(self) -> str:
        """The stored form: one line of JSON (without the row id)."""
        data = asdict(self)
        data.pop("id")
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: object, *, row_id: int = 0) -> Comparison | None:
        """Read a stored comparison, tolerating missing fields; None if it is not one."""
        if not isinstance(data, Mapping) or not isinstance(data.get("prompt"), str):
            return None
        raw = data.get("columns")
        columns = tuple(
            column
            for column in map(ColumnRecord.from_json, raw if isinstance(raw, list) else [])
            if column is not None
        )
        if not columns:
            return None
        params, winner = data.get("params"), data.get("winner")
        chosen = (
            winner
            if isinstance(winner, int)
            and not isinstance(winner, bool)
            and 0 <= winner < len(columns)
            else None
        )
        return cls(
            time=str(data.get("time") or ""),
            prompt=str(data["prompt"]),
            params=dict(params) if isinstance(params, Mapping) else {},
            columns=columns,
            winner=chosen,
            id=row_id,
            chat=data.get("chat") is True,
            system=str(data.get("system") or ""),
            turns=_strings(data.get("turns")),
        )

    @property
    def title(self) -> str:
        """One line for a list: when, the models, the prompt's first words."""
        models = " vs ".join(column.model.rpartition("/")[2] for column in self.columns)
        words = " ".join(self.prompt.split())
        words = words if len(words) <= 40 else words[:39].rstrip() + "…"
        return f"{self.time[:16].replace('T', ' ')}  {models}  {words}"

    def to_markdown(self) -> str:
        """The comparison as a Markdown document: the prompt, then a table with one column
        per model (its text, how it ended and its stats), the winner marked; control
        characters shown in caret notation, as on screen (a document to read)."""
        lines = ["# Comparison", "", f"{self.time}", ""]
        if self.chat:
            lines += _conversation_markdown(self)
        else:
            lines += ["## Prompt", "", self.prompt, ""]
        if self.params:
            shown = json.dumps(self.params, ensure_ascii=False)
            lines += ["## Params", "", f"`{_cell(shown)}`", ""]
        heads = []
        for index, column in enumerate(self.columns):
            mark = " 🏆 winner" if index == self.winner else ""
            heads.append(f"`{_cell(column.model)}`{mark}")
        lines.append("| | " + " | ".join(heads) + " |")
        lines.append("|---|" + "---|" * len(self.columns))
        rows: list[tuple[str, list[str]]] = [
            (
                "last reply" if self.chat else "answer",
                [_cell(column.output) or "—" for column in self.columns],
            ),
            ("outcome", [_cell(_outcome(column)) for column in self.columns]),
            ("first fragment", [_seconds(c.stats.first_fragment) for c in self.columns]),
            ("elapsed", [_seconds(c.stats.elapsed) for c in self.columns]),
            ("fragments", [f"{c.stats.fragments:,}" for c in self.columns]),
            ("chars/s", [_rate(c.stats) for c in self.columns]),
            ("cost", [money(c.stats.cost_usd) for c in self.columns]),
        ]
        if any(column.params != self.params for column in self.columns):
            rows.append(("params", [f"`{_cell(json.dumps(c.params))}`" for c in self.columns]))
        for name, cells in rows:
            lines.append(f"| **{name}** | " + " | ".join(cells) + " |")
        return printable("\n".join(lines) + "\n")


class ComparisonStore(LocalStore):
    """The saved comparisons of one API, in the local database.

    Args:
        store_key: The API, as `Settings.store_key` names it.
        database: The local database (default: the one in the user data dir).
    """

    SCHEMA = _SCHEMA

    def save(self, comparison: Comparison) -> Comparison:
        """Store a new comparison, or rewrite a saved one (its `id` is set).

        Returns:
            The comparison with its row id.

        Raises:
            LocalDataError: The database cannot be written.
        """
        self._schema()
        with self.database.transaction() as connection:
            if comparison.id:
                connection.execute(
                    "UPDATE comparisons SET record = ? WHERE id = ? AND store = ?",
                    (comparison.to_json(), comparison.id, self.store_key),
                )
                return comparison
            cursor = connection.execute(
                "INSERT INTO comparisons (store, record) VALUES (?, ?)",
                (self.store_key, comparison.to_json()),
            )
        return replace(comparison, id=int(cursor.lastrowid or 0))

    def list(self, limit: int = 200) -> list[Comparison]:
        """The newest comparisons first (at most `limit`); unreadable rows are skipped.

        Raises:
            LocalDataError: The database cannot be read.
        """
        self._schema()
        rows = self.database.query(
            "SELECT id, record FROM comparisons WHERE store = ? ORDER BY id DESC LIMIT ?",
            (self.store_key, limit),
        )
        found = (_parse(int(str(row_id)), str(record)) for row_id, record in rows)
        return [comparison for comparison in found if comparison is not None]

    def get(self, comparison: int) -> Comparison | None:
        """The saved comparison with this id (None if there is none, or it is unreadable).

        Raises:
            LocalDataError: The database cannot be read.
        """
        self._schema()
        rows = self.database.query(
            "SELECT record FROM comparisons WHERE id = ? AND store = ?",
            (comparison, self.store_key),
        )
        return _parse(comparison, str(rows[0][0])) if rows else None


def _parse(row_id: int, text: str) -> Comparison | None:
    try:
        return Comparison.from_json(read_json(text), row_id=row_id)
    except ValueError:
        return None


def _cell(text: str) -> str:
    """Text made to fit one Markdown table cell: pipes escaped, line breaks as `<br>`."""
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "\n")
    return text.strip().replace("\n", "<br>")


def _outcome(column: ColumnRecord) -> str:
    if column.outcome == "failed":
        return f"✗ failed: {column.error or 'unknown error'}"
    return "■ stopped" if column.outcome == "stopped" else "✓ done"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def _rate(stats: RunStats) -> str:
    rate = stats.chars_per_second
    return "—" if rate is None else f"{rate:,.0f}"


def chat_turn(user: str) -> str:
    """How a shared user turn heads its replies in a column's transcript."""
    return f"▸ {user.strip()}\n\n"


def chat_transcript(turns: tuple[str, ...], replies: tuple[str, ...]) -> str:
    """Earlier user turns, each followed by one column's reply, as plain text."""
    return "".join(
        chat_turn(user) + reply.rstrip() + "\n\n"
        for user, reply in zip(turns, replies, strict=False)
    )


def _conversation_markdown(comparison: Comparison) -> list[str]:
    """The shared conversation, turn by turn, each model's reply under the user's turn."""
    lines = ["## Conversation", ""]
    if comparison.system:
        lines += ["**System:**", "", comparison.system, ""]
    users = (*comparison.turns, comparison.prompt)
    for number, user in enumerate(users):
        lines += [f"### Turn {number + 1}", "", "**You:**", "", user, ""]
        for column in comparison.columns:
            replies = (*column.replies, column.output)
            reply = replies[number] if number < len(replies) else ""
            lines += [f"**`{column.model}`:**", "", reply or "—", ""]
    return lines


def _strings(value: object) -> tuple[str, ...]:
    return tuple(item for item in value if isinstance(item, str)) if isinstance(value, list) else ()
