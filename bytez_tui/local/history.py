"""The run history: one JSON object per line, appended after every run.

The file lives in platformdirs' user data dir and is only ever appended to, so a
crash mid-write costs at most the last line, and a line that cannot be read is
skipped rather than losing the rest. It is created readable by the owner only,
because prompts can be private.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from bytez_tui.config import data_dir

__all__ = ["HISTORY_FILE", "History", "Outcome", "Recall", "RunRecord", "RunStats", "history_path"]

HISTORY_FILE = "playground-history.jsonl"
"""The history's file name inside the user data dir."""

MAX_READ = 16 * 1024 * 1024
"""Only the newest this-many bytes of the file are read back (older runs stay on disk)."""

Outcome = Literal["done", "stopped", "failed"]
"""How a run ended."""


S = TypeVar("S")


def history_path() -> Path:
    """Where the history lives."""
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
        return cls(
            first_fragment=number("first_fragment"),
            elapsed=number("elapsed") or 0.0,
            fragments=int(number("fragments") or 0),
            chars=int(number("chars") or 0),
            inferences=None if inferences is None else int(inferences),
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


class History:
    """The append-only run history, with a cursor for recalling entries.

    The file is read once, on first use; later runs are appended to it and to
    the entries in memory.

    Args:
        path: The file (default: `history_path()`).
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or history_path()
        """The JSON-lines file."""
        self._entries: list[RunRecord] | None = None

    @property
    def entries(self) -> list[RunRecord]:
        """Every run, oldest first (read from disk on first use)."""
        if self._entries is None:
            self._entries = list(self._read())
        return self._entries

    def append(self, record: RunRecord) -> None:
        """Add a run to the file and to `entries`.

        Raises:
            OSError: The file cannot be written.
        """
        line = record.to_json() + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
            handle.write(line)
        if self._entries is not None:  # else the next read finds it in the file
            self._entries.append(record)

    def _read(self) -> list[RunRecord]:
        try:
            with self.path.open("rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                handle.seek(max(0, size - MAX_READ))
                data = handle.read()
        except FileNotFoundError:
            return []
        lines = data.decode("utf-8", errors="replace").splitlines()
        if size > MAX_READ:
            lines = lines[1:]  # the first line was cut by the seek
        records = []
        for line in lines:
            if not line.strip():
                continue
            try:
                record = RunRecord.from_json(json.loads(line))
            except ValueError:
                continue
            if record is not None:
                records.append(record)
        return records


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
