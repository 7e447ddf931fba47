"""The run history: every playground run, appended as it ends, kept per API.

The runs live in the local database (`bytez_tui.local.database`), readable by the owner
only because prompts can be private; a record that cannot be read is skipped rather than
losing the rest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from bytez_tui.config import data_dir
from bytez_tui.local.database import LocalDataError, LocalStore
from bytez_tui.local.files import set_aside
from bytez_tui.text import read_json

__all__ = [
    "HISTORY_FILE",
    "MAX_RUNS",
    "History",
    "Outcome",
    "Recall",
    "RunRecord",
    "RunStats",
    "legacy_history_path",
]

HISTORY_FILE = "playground-history.jsonl"
"""The file name earlier versions kept the history in, inside the user data dir."""

MAX_RUNS = 5000
"""Only the newest this-many runs are read back (older runs stay in the database)."""

Outcome = Literal["done", "stopped", "failed"]
"""How a run ended."""


S = TypeVar("S")


def legacy_history_path() -> Path:
    """Where earlier versions kept the history (one JSON object per line)."""
    return data_dir() / HISTORY_FILE


@dataclass(frozen=True)
class RunStats:
    """What the stats line shows about a run."""

    first_fragment: float | None = None
    """Seconds from the request to the first fragment (None: nothing arrived)."""
    elapsed: float = 0.0
    """Seconds from the request to the end."""
    fragments: int = 0
    """Fragments received."""
    chars: int = 0
    """Characters received."""
    inferences: int | None = None
    """The instance's inference count after the run, when known."""
    cost_usd: float | None = None
    """What the server said the run cost, in USD (v2's `inference-*` headers)."""

    @property
    def chars_per_second(self) -> float | None:
        """Characters per second over the whole run (None when no time passed)."""
        return self.chars / self.elapsed if self.elapsed > 0 else None

    @classmethod
    def from_json(cls, data: object) -> RunStats:
        """Read stats written by an earlier version, tolerating missing fields."""
        if not isinstance(data, Mapping):
            return cls()

        def number(key: str) -> float | None:
            value = data.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float):
                return None
            return float(value)

        inferences = number("inferences")
        cost = number("cost_usd")
        return cls(
            first_fragment=number("first_fragment"),
            elapsed=number("elapsed") or 0.0,
            fragments=int(number("fragments") or 0),
            chars=int(number("chars") or 0),
            inferences=None if inferences is None else int(inferences),
            cost_usd=cost if cost is not None and cost >= 0 else None,
        )


@dataclass(frozen=True)
class RunRecord:
    """One run, as written to the history."""

    time: str
    """When the run started (ISO 8601, UTC)."""
    model: str
    """The model id."""
    prompt: str
    """The prompt as typed."""
    params: dict[str, Any] = field(default_factory=dict)
    """The params sent."""
    stream: bool = True
    """Whether the run was streamed."""
    output: str = ""
    """The output shown (without a hidden prompt echo)."""
    outcome: Outcome = "done"
    """How it ended."""
    error: str | None = None
    """The server's words, when it failed."""
    stats: RunStats = field(default_factory=RunStats)
    """Timings and counts."""

    def to_json(self) -> str:
        """One line of JSON."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: object) -> RunRecord | None:
        """Read one history entry; None if it is not one."""
        if not isinstance(data, Mapping):
            return None
        model, prompt = data.get("model"), data.get("prompt")
        if not isinstance(model, str) or not isinstance(prompt, str):
            return None
        params = data.get("params")
        outcome = data.get("outcome")
        error = data.get("error")
        output = data.get("output")
        return cls(
            time=str(data.get("time") or ""),
            model=model,
            prompt=prompt,
            params=dict(params) if isinstance(params, Mapping) else {},
            stream=data.get("stream") is not False,
            output=output if isinstance(output, str) else "",
            outcome=outcome if outcome in ("done", "stopped", "failed") else "done",
            error=error if isinstance(error, str) else None,
            stats=RunStats.from_json(data.get("stats")),
        )


class History(LocalStore):
    """The run history of one API, with every run appended as it ends.

    Runs live in the local database, so the dashboard and a second dashboard can both append
    and nothing is fused or lost. The newest `MAX_RUNS` are read, once, on first use; later
    runs are appended to the database and to the entries in memory. The
    `playground-history.jsonl` of earlier versions is moved in on first use (into the API
    that opens it first, as it was not kept per API).

    Args:
        store_key: The API, as `Settings.store_key` names it.
        database: The local database (default: the one in the user data dir).
    """

    _entries: list[RunRecord] | None = None
    """The newest runs once read (None: not yet)."""

    @property
    def entries(self) -> list[RunRecord]:
        """The newest runs, oldest first (read on first use).

        Raises:
            LocalDataError: The database cannot be read.
        """
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    def append(self, record: RunRecord) -> None:
        """Add a run to the database and to `entries`.

        Raises:
            LocalDataError: The database cannot be written.
        """
        self._migrate()
        with self.database.transaction() as connection:
            connection.execute(
                "INSERT INTO runs (store, record) VALUES (?, ?)", (self.store_key, record.to_json())
            )
        if self._entries is not None:  # else the next read finds it in the database
            self._entries.append(record)

    def _read(self) -> list[RunRecord]:
        self._migrate()
        rows = self.database.query(
            "SELECT record FROM runs WHERE store = ? ORDER BY id DESC LIMIT ?",
            (self.store_key, MAX_RUNS),
        )
        records = []
        for (text,) in reversed(rows):
            record = _parse(str(text))
            if record is not None:
                records.append(record)
        return records

    def _migrate(self) -> None:
        """Move the JSON-lines file of earlier versions in, then delete it. A file with
        lines that cannot be read is kept aside (`.damaged-<time>`) after its good lines
        are moved, with a notice."""
        legacy = legacy_history_path()
        if not legacy.is_file() or self.database.was_migrated(legacy):
            return
        try:
            lines = legacy.read_bytes().decode("utf-8", errors="replace").splitlines()
        except OSError as exc:
            raise LocalDataError(f"{legacy}: {exc}") from exc
        lines = [line for line in lines if line.strip()]
        records = [record for record in map(_parse, lines) if record is not None]
        with self.database.transaction() as connection:
            if connection.execute(
                "SELECT 1 FROM migrated WHERE source = ?", (str(legacy),)
            ).fetchone():
                return  # another process moved it in a moment ago
            connection.executemany(
                "INSERT INTO runs (store, record) VALUES (?, ?)",
                [(self.store_key, record.to_json()) for record in records],
            )
            connection.execute("INSERT INTO migrated (source) VALUES (?)", (str(legacy),))
        if len(records) == len(lines):
            legacy.unlink(missing_ok=True)
            return
        try:
            aside = set_aside(legacy)
        except OSError:
            return  # recorded as moved: it is not read again, and stays where it is
        self.database.notices.append(
            f"{len(lines) - len(records)} lines of the run history {legacy} could not be "
            f"read; the file was kept as {aside.name}."
        )


def _parse(line: str) -> RunRecord | None:
    try:
        return RunRecord.from_json(read_json(line))
    except ValueError:
        return None


class Recall(Generic[S]):
    """Walks the history with ctrl+up / ctrl+down without losing anything typed.

    As in a shell, what is on screen when the user moves away (the draft, or an
    edited recalled run) is kept for that position and shown again on return;
    `newer()` past the newest entry returns to the draft.

    Args:
        history: The history to walk.
    """

    def __init__(self, history: History) -> None:
        self.history = history
        """The history walked."""
        self.position: int | None = None
        """Index of the entry shown, or None while on the draft."""
        self._edits: dict[int | None, S] = {}
        self._shown: S | None = None

    def older(self) -> RunRecord | None:
        """Move to the entry before the one shown; None (and no move) at the oldest."""
        entries = self.history.entries
        position = len(entries) if self.position is None else self.position
        if position == 0:
            return None
        self.position = position - 1
        return entries[self.position]

    def newer(self) -> RunRecord | None:
        """Move to the next entry; None means back on the draft (or already there)."""
        if self.position is None:
            return None
        if self.position + 1 >= len(self.history.entries):
            self.position = None
            return None
        self.position += 1
        return self.history.entries[self.position]

    def step(self, *, older: bool, current: S) -> tuple[bool, RunRecord | None, S | None]:
        """Move one entry, remembering `current` (what is on screen) for where we were.

        Returns:
            (moved, record, saved): `saved` is what the user left at the new position,
            to be shown instead of `record`; on the draft `record` is None.
        """
        before = self.position
        record = self.older() if older else self.newer()
        if self.position == before:
            return False, None, None
        if before is None or current != self._shown:
            self._edits[before] = current
        return True, record, self._edits.get(self.position)

    def shown(self, state: S) -> None:
        """Tell the walk what is on screen after a step, to spot later edits."""
        self._shown = state

    def reset(self) -> None:
        """Back on the draft with nothing remembered (after a run)."""
        self.position = None
        self._edits.clear()
        self._shown = None
