"""What the dashboard remembers across restarts: the pane in front, the catalogue's sort and
the playground's draft (model, prompt, params, streaming on or off).

Plain Python (no UI). The dashboard keeps a `Remembered` in memory, replaces it as the user
changes something, and writes it with `StateFile.save` at most every `SAVE_EVERY` seconds and
once more on the way out. A write replaces the file atomically with mode 0600 (the draft is
the user's own text), so a crash or a `kill -9` leaves the last state written, never half of
one; at worst the last `SAVE_EVERY` seconds of typing are lost.

Reading is tolerant: a value of the wrong shape is forgotten on its own (the rest is kept),
and a file that is not JSON at all is set aside as `<name>.damaged-<time>` with a notice,
and the dashboard starts from the defaults.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from bytez_tui.config import data_dir
from bytez_tui.local.files import set_aside, write_private
from bytez_tui.text import read_json

__all__ = [
    "SAVE_EVERY",
    "STATE_FILE",
    "Draft",
    "Remembered",
    "StateFile",
    "StateKeeper",
]

STATE_FILE = "dashboard-state.json"
"""The file's name in the user data dir."""

SAVE_EVERY = 0.5
"""Seconds between two writes while the user types: what a kill can lose at most."""

_VERSION = 1

_T = TypeVar("_T")


@dataclass(frozen=True)
class Draft:
    """What was typed in the playground, run or not."""

    model: str = ""
    """The model field."""
    prompt: str = ""
    """The prompt (in chat mode, the message being written)."""
    params: Mapping[str, str | bool] = field(default_factory=dict)
    """The params panel exactly as typed, valid or not (quick fields, `do_sample`, `json`)."""
    stream: bool = True
    """Stream the answer."""

    @classmethod
    def from_json(cls, data: object) -> Draft:
        """The draft in `data`; what has the wrong shape is left at its default."""
        if not isinstance(data, dict):
            return cls()
        params = data.get("params")
        return cls(
            model=_typed(data.get("model"), str, ""),
            prompt=_typed(data.get("prompt"), str, ""),
            params={
                key: value
                for key, value in (params.items() if isinstance(params, dict) else ())
                if isinstance(key, str) and isinstance(value, str | bool)
            },
            stream=_typed(data.get("stream"), bool, True),
        )

    def to_json(self) -> dict[str, Any]:
        """The draft as JSON values."""
        return {
            "model": self.model,
            "prompt": self.prompt,
            "params": dict(self.params),
            "stream": self.stream,
        }


@dataclass(frozen=True)
class Remembered:
    """The dashboard's state worth keeping across restarts."""

    pane: str = "catalogue"
    """The id of the pane in front."""
    sort: str | None = "id"
    """The catalogue's sort column (None: the API's order; the pane ignores a column it
    does not have)."""
    descending: bool = False
    """The catalogue is sorted largest first."""
    draft: Draft = field(default_factory=Draft)
    """The playground's draft."""

    @classmethod
    def from_json(cls, data: object) -> Remembered:
        """The state in `data`; each value of the wrong shape is left at its default.

        Raises:
            ValueError: `data` is not a JSON object at all.
        """
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        sort = data.get("sort", "id")
        return cls(
            pane=_typed(data.get("pane"), str, "catalogue"),
            sort=sort if sort is None or isinstance(sort, str) else "id",
            descending=_typed(data.get("descending"), bool, False),
            draft=Draft.from_json(data.get("draft")),
        )

    def to_json(self) -> dict[str, Any]:
        """The state as JSON values."""
        return {
            "version": _VERSION,
            "pane": self.pane,
            "sort": self.sort,
            "descending": self.descending,
            "draft": self.draft.to_json(),
        }


class StateFile:
    """The file that holds `Remembered` between runs.

    Args:
        path: The file (default: `STATE_FILE` in the user data dir).
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / STATE_FILE
        """The file."""
        self.read_only = False
        """The file exists but could not be read (permissions): it is never overwritten."""

    def load(self) -> tuple[Remembered, str | None]:
        """What the last run left, and a notice for the user when it could not be read.

        A missing file is a first run (the defaults, no notice). A file that is not JSON
        is renamed aside, so that nothing overwrites it, and the defaults are used.
        """
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Remembered(), None
        except UnicodeDecodeError:
            reason = "not UTF-8 text"
        except OSError as error:
            self.read_only = True
            return Remembered(), (
                f"{self.path} could not be read ({error.strerror or error}); the last pane, "
                "sort and playground draft start afresh and are not kept this time."
            )
        else:
            try:
                return Remembered.from_json(read_json(text)), None
            except ValueError as error:
                reason = str(error).split(":", 1)[0]  # json's "…: line 1 column 2 (char 1)"
        try:
            aside = set_aside(self.path)
        except OSError as error:
            return Remembered(), (
                f"{self.path} could not be read ({reason}), nor set aside ({error}); "
                "starting afresh."
            )
        return Remembered(), (
            f"{self.path} could not be read ({reason}); it was kept as {aside.name}, and "
            "the last pane, sort and playground draft start afresh."
        )

    def save(self, state: Remembered, *, durable: bool = False) -> None:
        """Replace the file with `state`, atomically and owner-only.

        Args:
            state: What to keep.
            durable: Flush to the disk first (on the way out). While the user types the
                atomic rename is enough against a crash or a kill; an fsync twice a second
                would cost the interface more than a power cut would cost the user.

        Raises:
            OSError: The file cannot be written.
        """
        if self.read_only:
            return
        text = json.dumps(state.to_json(), ensure_ascii=False, indent=1) + "\n"
        write_private(self.path, text, durable=durable, errors="surrogatepass")


class StateKeeper:
    """The remembered state in memory, and whether the file is behind it.

    The dashboard calls `change` as the user goes, and `save` when its timer fires
    (at most every `SAVE_EVERY` s) and on the way out.

    Args:
        file: Where the state is kept (`StateFile()` by default).
    """

    def __init__(self, file: StateFile | None = None) -> None:
        self.file = file or StateFile()
        """Where the state is kept."""
        self.state, notice = self.file.load()
        self.notice = notice
        """What the user should be told about the file read at start (None: nothing)."""
        self.dirty = False
        """The state changed since it was last written."""
        self._failed = False

    def change(self, **changes: Any) -> bool:
        """Replace some of the state (`pane=…`, `draft=…`); True when that changed it."""
        state = replace(self.state, **changes)
        if state == self.state:
            return False
        self.state, self.dirty = state, True
        return True

    def save(self, *, durable: bool = False) -> str | None:
        """Write the state if it changed; the error to tell the user, the first time only.

        Args:
            durable: Flush to the disk first (on the way out).
        """
        if not self.dirty:
            return None
        try:
            self.file.save(self.state, durable=durable)
        except OSError as error:
            if self._failed:
                return None
            self._failed = True
            return f"{self.file.path}: {error.strerror or error}"
        self.dirty = False
        return None


def _typed(value: object, kind: type[_T], default: _T) -> _T:
    return value if isinstance(value, kind) else default
