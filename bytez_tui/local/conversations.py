"""Chat conversations: a system prompt and turns, kept per API in the local database.

Each turn is one row, appended in its own transaction, so the dashboard and `bytez-tui chat`
can add to the same conversation at once and neither loses the other's turns (the local
database queues writers; see `bytez_tui.local.database`). Replies keep how they ended: a
reply that was stopped, or cut off by an error, keeps the text that arrived.

| table           | holds                                                        |
|-----------------|--------------------------------------------------------------|
| `conversations` | one row per conversation: store, model, title, system prompt |
| `turns`         | one row per turn, in order: role, content, the reply's record |
| `chat_modes`    | the models the playground opens in chat mode, per store      |
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from bytez_tui.local.database import LocalStore
from bytez_tui.local.history import Outcome, RunStats
from bytez_tui.text import printable, read_json

__all__ = [
    "CHAT_TASKS",
    "TITLE_LENGTH",
    "Conversation",
    "ConversationStore",
    "Role",
    "Turn",
    "code_blocks",
    "title_from",
]

Role = Literal["user", "assistant"]
"""Who said a turn (the system prompt is kept on the conversation)."""

CHAT_TASKS = frozenset(
    {"chat", "text-generation", "audio-text-to-text", "image-text-to-text", "video-text-to-text"}
)
"""Tasks whose models take a message list (v1 as `input`, v2 as `messages`)."""

TITLE_LENGTH = 60
"""A title made from the first message is cut to this many characters."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store TEXT NOT NULL,
    model TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    system TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_by_store ON conversations (store, updated);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation INTEGER NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    record TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns (conversation, id);
CREATE TABLE IF NOT EXISTS chat_modes (
    store TEXT NOT NULL,
    model TEXT NOT NULL,
    PRIMARY KEY (store, model)
);
"""


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n(.*?)^ {0,3}\1[`~]*[ \t]*$", re.M | re.S)


def code_blocks(markdown: str) -> list[str]:
    """The contents of the fenced code blocks in `markdown`, in order (without the fences)."""
    return [match[2] for match in _FENCE.finditer(markdown)]


def title_from(text: str) -> str:
    """A one-line title from a message: its first words, cut to `TITLE_LENGTH`."""
    words = " ".join(text.split())
    return words if len(words) <= TITLE_LENGTH else words[: TITLE_LENGTH - 1].rstrip() + "…"


@dataclass(frozen=True)
class Turn:
    """One message of a conversation."""

    role: Role
    """`user` or `assistant`."""
    content: str
    """The text (Markdown source for replies; never markup to the terminal)."""
    time: str = ""
    """When it was sent or began to arrive (ISO 8601, UTC)."""
    outcome: Outcome = "done"
    """How a reply ended: `done`, `stopped` (escape) or `failed` (error or cut stream)."""
    error: str | None = None
    """What went wrong, for a failed reply."""
    stats: RunStats | None = None
    """A reply's timings and counts."""
    cost: float | None = None
    """A reply's cost in USD, where the server reported it."""
    id: int = 0
    """Its row id (0 until stored); later turns have larger ids."""

    def record(self) -> str:
        """Everything but role and content, as JSON for the `record` column."""
        data: dict[str, Any] = {"time": self.time, "outcome": self.outcome}
        if self.error is not None:
            data["error"] = self.error
        if self.stats is not None:
            data["stats"] = asdict(self.stats)
        if self.cost is not None:
            data["cost"] = self.cost
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_row(cls, row_id: int, role: str, content: str, record: str) -> Turn:
        """Read a stored turn, tolerating a record that cannot be read."""
        try:
            data = read_json(record)
        except ValueError:
            data = {}
        if not isinstance(data, Mapping):
            data = {}
        outcome = data.get("outcome")
        error, cost, stats = data.get("error"), data.get("cost"), data.get("stats")
        return cls(
            role="assistant" if role == "assistant" else "user",
            content=content,
            time=str(data.get("time") or ""),
            outcome=outcome if outcome in ("done", "stopped", "failed") else "done",
            error=error if isinstance(error, str) else None,
            stats=RunStats.from_json(stats) if isinstance(stats, Mapping) else None,
            cost=float(cost)
            if isinstance(cost, int | float) and not isinstance(cost, bool)
            else None,
            id=row_id,
        )


@dataclass(frozen=True)
class Conversation:
    """A conversation with one model."""

    id: int
    """Its row id, which `bytez-tui chat --continue ID` takes."""
    model: str
    """The model id."""
    title: str
    """What the list shows (the first message, until renamed)."""
    system: str
    """The system prompt ('' for none)."""
    created: str
    """When it began (ISO 8601, UTC)."""
    updated: str
    """When a turn was last added (ISO 8601, UTC)."""
    turns: tuple[Turn, ...] = field(default_factory=tuple)
    """The turns, oldest first (empty in a listing)."""
    turn_count: int = 0
    """How many turns it has (also filled in a listing)."""

    def messages(self, *, upto: int | None = None) -> list[dict[str, str]]:
        """The message list to send: the system prompt, then each turn with text.

        A reply that was stopped or cut off goes with the text that arrived, as the user
        saw it; one that brought nothing is left out.

        Args:
            upto: Only turns before this index.
        """
        messages = [{"role": "system", "content": self.system}] if self.system else []
        for turn in self.turns[:upto]:
            if turn.role == "assistant" and not turn.content:
                continue
            messages.append({"role": turn.role, "content": turn.content})
        return messages

    def to_markdown(self) -> str:
        """The whole conversation as a Markdown document (for export).

        A document to read (`cat`, a pager, a viewer), so control characters are shown in
        caret notation, as on screen: a reply holding `ESC ]0;` must not retitle the window
        of whoever prints the file.
        """
        lines = [
            f"# {self.title or 'Conversation'}",
            "",
            f"Model `{self.model}`, {self.created}",
            "",
        ]
        if self.system:
            lines += ["## System", "", self.system, ""]
        for turn in self.turns:
            head = "## You" if turn.role == "user" else "## Reply"
            if turn.outcome == "stopped":
                head += " (stopped)"
            elif turn.outcome == "failed":
                head += f" (failed: {turn.error or 'unknown error'})"
            lines += [head, "", turn.content, ""]
        return printable("\n".join(lines))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (with the turns, when read whole)."""
        data: dict[str, Any] = {
            "id": self.id,
            "model": self.model,
            "title": self.title,
            "system": self.system,
            "created": self.created,
            "updated": self.updated,
            "turns": self.turn_count,
        }
        if self.turns:
            data["messages"] = [
                {"role": turn.role, "content": turn.content, "outcome": turn.outcome}
                | ({"error": turn.error} if turn.error else {})
                for turn in self.turns
            ]
        return data


class ConversationStore(LocalStore):
    """The conversations of one API, in the local database.

    Every method reads or writes the database at once (nothing is cached), so what one
    process writes the other sees on its next call.

    Args:
        store_key: The API, as `Settings.store_key` names it.
        database: The local database (default: the one in the user data dir).
    """

    SCHEMA = _SCHEMA

    def create(self, model: str, *, time: str, system: str = "", title: str = "") -> Conversation:
        """Start a conversation (with no turns yet).

        Raises:
            LocalDataError: The database cannot be written.
        """
        self._schema()
        with self.database.transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO conversations (store, model, title, system, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (self.store_key, model, title, system, time, time),
            )
            row_id = int(cursor.lastrowid or 0)
        return Conversation(row_id, model, title, system, time, time)

    def append(self, conversation: int, turn: Turn) -> Turn:
        """Add a turn at the end; the first user turn names an untitled conversation.

        Returns:
            The turn with its row id.

        Raises:
            KeyError: No such conversation (it was deleted meanwhile).
            LocalDataError: The database cannot be written.
        """
        self._schema()
        with self.database.transaction() as connection:
            found = connection.execute(
                "SELECT title FROM conversations WHERE id = ? AND store = ?",
                (conversation, self.store_key),
            ).fetchone()
            if found is None:
                raise KeyError(conversation)
            cursor = connection.execute(
                "INSERT INTO turns (conversation, role, content, record) VALUES (?, ?, ?, ?)",
                (conversation, turn.role, turn.content, turn.record()),
            )
            title = found[0] or (title_from(turn.content) if turn.role == "user" else "")
            connection.execute(
                "UPDATE conversations SET updated = ?, title = ? WHERE id = ?",
                (turn.time or _now_text(connection), title, conversation),
            )
        return replace(turn, id=int(cursor.lastrowid or 0))

    def update(self, turn: Turn) -> None:
        """Rewrite a stored turn (a reply that ended after it was first stored).

        Raises:
            LocalDataError: The database cannot be written.
        """
        self._schema()
        with self.database.transaction() as connection:
            connection.execute(
                "UPDATE turns SET content = ?, record = ? WHERE id = ?",
                (turn.content, turn.record(), turn.id),
            )

    def truncate(self, conversation: int, *, from_turn: int) -> None:
        """Delete the turn with row id `from_turn` and every later one (to resend or
        regenerate).

        Raises:
            LocalDataError: The database cannot be written.
        """
        self._schema()
        with self.database.transaction() as connection:
            connection.execute(
                "DELETE FROM turns WHERE conversation = ? AND id >= ?", (conversation, from_turn)
            )

    def get(self, conversation: int) -> Conversation | None:
        """The conversation with all its turns (None if there is no such one).

        Raises:
            LocalDataError: The database cannot be read.
        """
        self._schema()
        rows = self.database.query(
            "SELECT id, model, title, system, created, updated FROM conversations"
            " WHERE id = ? AND store = ?",
            (conversation, self.store_key),
        )
        if not rows:
            return None
        turns = tuple(
            Turn.from_row(int(str(row_id)), str(role), str(content), str(record))
            for row_id, role, content, record in self.database.query(
                "SELECT id, role, content, record FROM turns WHERE conversation = ? ORDER BY id",
                (conversation,),
            )
        )
        return replace(_conversation(rows[0], len(turns)), turns=turns)

    def list(self) -> list[Conversation]:
        """Every conversation of this API, the most recently updated first (no turns).

        Raises:
            LocalDataError: The database cannot be read.
        """
        self._schema()
        rows = self.database.query(
            "SELECT c.id, c.model, c.title, c.system, c.created, c.updated,"
            " (SELECT COUNT(*) FROM turns t WHERE t.conversation = c.id)"
            " FROM conversations c WHERE c.store = ? ORDER BY c.updated DESC, c.id DESC",
            (self.store_key,),
        )
        return [_conversation(row[:6], int(str(row[6]))) for row in rows]

    def latest(self, model: str | None = None) -> Conversation | None:
        """The most recently updated conversation (with `model`, if given), read whole."""
        for conversation in self.list():
            if model is None or conversation.model == model:
                return self.get(conversation.id)
        return None

    def rename(self, conversation: int, title: str) -> None:
        """Give a conversation a new title.

        Raises:
            LocalDataError: The database cannot be written.
        """
        self._schema()
        with self.database.transaction() as connection:
            connection.execute(
                "UPDATE conversations SET title = ? WHERE id = ? AND store = ?",
                (title, conversation, self.store_key),
            )

    def set_system(self, conversation: int, system: str) -> None:
        """Change a conversation's system prompt.

        Raises:
            LocalDataError: The database cannot be written.
        """
        self._schema()
        with self.database.transaction() as connection:
            connection.execute(
                "UPDATE conversations SET system = ? WHERE id = ? AND store = ?",
                (system, conversation, self.store_key),
            )

    def delete(self, conversation: int) -> bool:
        """Delete a conversation and its turns; False if there was none.

        Raises:
            LocalDataError: The database cannot be written.
        """
        self._schema()
        with self.database.transaction() as connection:
            cursor = connection.execute(
                "DELETE FROM conversations WHERE id = ? AND store = ?",
                (conversation, self.store_key),
            )
            if cursor.rowcount:
                connection.execute("DELETE FROM turns WHERE conversation = ?", (conversation,))
        return bool(cursor.rowcount)

    def chat_mode(self, model: str) -> bool:
        """Whether the playground opens `model` in chat mode."""
        self._schema()
        return bool(
            self.database.query(
                "SELECT 1 FROM chat_modes WHERE store = ? AND model = ?", (self.store_key, model)
            )
        )

    def set_chat_mode(self, model: str, on: bool) -> None:
        """Remember whether the playground opens `model` in chat mode.

        Raises:
            LocalDataError: The database cannot be written.
        """
        self._schema()
        with self.database.transaction() as connection:
            if on:
                connection.execute(
                    "INSERT OR IGNORE INTO chat_modes (store, model) VALUES (?, ?)",
                    (self.store_key, model),
                )
            else:
                connection.execute(
                    "DELETE FROM chat_modes WHERE store = ? AND model = ?",
                    (self.store_key, model),
                )


def _conversation(row: tuple[object, ...], count: int) -> Conversation:
    row_id, model, title, system, created, updated = row
    return Conversation(
        id=int(str(row_id)),
        model=str(model),
        title=str(title),
        system=str(system),
        created=str(created),
        updated=str(updated),
        turn_count=count,
    )


def _now_text(connection: Any) -> str:
    (now,) = connection.execute("SELECT strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')").fetchone()
    return str(now)
