r"""Where the scripted commands write, and what they exit with.

Data goes to stdout; narration (what is happening), warnings and errors go to
stderr, so `bytez-tui instances --json | jq` never sees a progress line. A live
progress indicator is drawn on stderr only when stderr is a terminal.

Every line and fragment passes through `bytez_tui.text.printable` on its way out:
text from the server (a model id, an error body, a stream) never reaches the
terminal as a control sequence. JSON is written as JSON, with C1 controls escaped.

Exit codes (for the README):

| code | meaning |
|---|---|
| 0 | success |
| 1 | the API refused or failed the request |
| 2 | usage: bad flags, `--params`, prompt, query or URL; `delete` needs `--yes` |
| 3 | worth retrying: rate limited, 5xx, unreachable, timed out, stream cut off |
| 4 | authentication: no API key, or the key was refused (401/403) |
| 5 | `--wait` gave up after `--timeout` (the last state seen is still on stdout) |
| 130 | interrupted by Ctrl+C during `run` or `--wait` (output so far kept) |
| 141 | stdout was closed early (`\| head`); nothing more is written |

Details: 0 also for `status` of a model without an instance, `delete` of a model
without one, and Ctrl+C ending `instances --watch`. 1 covers a failed boot
(`load --wait`), a failed job, an error fragment in a stream, a model error (422),
out of credits, an unreadable answer, "no" at the `delete` prompt, stdout that
cannot be written (closed, or the disk full), and an unexpected error (reported
as "unexpected error (please report)"; `BYTEZ_TUI_DEBUG=1` shows the traceback). 2 covers an
unreadable config file and `delete` without `--yes` when stdin is not a terminal.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from typing import Any, TextIO

from bytez_tui.errors import AuthError, BytezError, Transient
from bytez_tui.text import json_safe, printable

__all__ = [
    "EXIT_API",
    "EXIT_AUTH",
    "EXIT_BROKEN_PIPE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_RETRYABLE",
    "EXIT_TIMEOUT",
    "EXIT_USAGE",
    "Output",
    "OutputFailed",
    "exit_code",
]

EXIT_OK = 0
EXIT_API = 1
EXIT_USAGE = 2
EXIT_RETRYABLE = 3
EXIT_AUTH = 4
EXIT_TIMEOUT = 5
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_CLEAR = "\x1b[H\x1b[J"
"""Cursor home, then erase to the end of the screen (a redraw, like `watch`)."""


def exit_code(error: BytezError) -> int:
    """The exit code for an error the client raised."""
    if isinstance(error, AuthError):
        return EXIT_AUTH
    if isinstance(error, Transient):
        return EXIT_RETRYABLE
    return EXIT_API


class Output:
    """The two streams of a command, and the progress line.

    Args:
        prog: Prefix of error lines, such as `bytez-tui load`.
        quiet: Drop narration (errors and data are still written).
        stdout: Where data goes (default `sys.stdout`).
        stderr: Where narration goes (default `sys.stderr`).
    """

    def __init__(
        self,
        *,
        prog: str = "bytez-tui",
        quiet: bool = False,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self.prog = prog
        """Prefix of error lines."""
        self.quiet = quiet
        """Narration is dropped."""
        # Python sets sys.stdout to None when the command runs with fd 1 closed (`>&-`).
        self.stdout: TextIO | None = stdout or sys.stdout
        """The data stream (None when it was closed before the command started)."""
        self.stderr: TextIO = stderr or sys.stderr or open(os.devnull, "w")  # noqa: SIM115
        """The narration stream."""
        self.progress_enabled = not quiet and _isatty(self.stderr)
        """A live progress line is drawn (stderr is a terminal)."""
        self._progress_shown = False
        self._started = time.monotonic()
        self._data_open_line = False

    # --- stdout ----------------------------------------------------------------------

    @property
    def stdout_is_tty(self) -> bool:
        """Whether stdout is a terminal."""
        return _isatty(self.stdout)

    def line(self, text: str = "") -> None:
        """Write one line of data and flush it."""
        self.fragment(text + "\n")

    def fragment(self, text: str) -> None:
        """Write data as it arrives (no newline added) and flush it at once."""
        self._write(printable(text))

    def redraw(self, text: str) -> None:
        """Clear a terminal screen and write `text` in its place (`instances --watch`)."""
        self._write(_CLEAR + printable(text))

    def end_line(self) -> None:
        """End the data with a newline if the last fragment did not."""
        if self._data_open_line:
            self.fragment("\n")

    def json(self, value: Any) -> None:
        """Write one JSON document on one line; a non-finite number is written as null.

        `Infinity` and `NaN` are not JSON: `jq` and most parsers refuse them.
        """
        try:
            text = json.dumps(value, ensure_ascii=False, default=str, allow_nan=False)
        except ValueError:
            text = json.dumps(_finite(value), ensure_ascii=False, default=str)
        self._write(json_safe(text) + "\n")

    def _write(self, text: str) -> None:
        if not text:
            return
        self.clear_progress()
        if self.stdout is None:
            raise OutputFailed("stdout is closed")
        try:
            self.stdout.write(text)
            self.stdout.flush()
        except BrokenPipeError:
            raise  # the reader left (`| head`): exit 141, quietly
        except (OSError, ValueError) as exc:  # ENOSPC, EBADF; ValueError: closed file
            raise OutputFailed(getattr(exc, "strerror", None) or str(exc)) from None
        self._data_open_line = not text.endswith("\n")

    # --- stderr ----------------------------------------------------------------------

    def warn(self, text: str) -> None:
        """A warning the user must see (stderr, even with --quiet)."""
        self._err(f"{self.prog}: warning: {text}")

    def narrate(self, text: str) -> None:
        """Say what is happening (stderr; dropped with --quiet)."""
        if not self.quiet:
            self._err(text)

    def error(self, text: str) -> None:
        """Report a failure (stderr, always)."""
        self._err(f"{self.prog}: {text}")

    def progress(self, text: str) -> None:
        """Redraw the progress line on a terminal; does nothing otherwise."""
        if not self.progress_enabled:
            return
        frame = _SPINNER[int((time.monotonic() - self._started) * 10) % len(_SPINNER)]
        self.stderr.write(f"\r\x1b[2K{frame} {printable(text, one_line=True)}")
        self.stderr.flush()
        self._progress_shown = True

    def clear_progress(self) -> None:
        """Erase the progress line, if one is drawn."""
        if self._progress_shown:
            self.stderr.write("\r\x1b[2K")
            self.stderr.flush()
            self._progress_shown = False

    def _err(self, text: str) -> None:
        self.clear_progress()
        if (
            self.stdout is not None
            and self._data_open_line
            and self.stdout_is_tty
            and _isatty(self.stderr)
        ):
            # Keep narration off the end of a partial data line on a shared terminal.
            self.stdout.write("\n")
            self.stdout.flush()
            self._data_open_line = False
        self.stderr.write(printable(text) + "\n")
        self.stderr.flush()


def _finite(value: Any) -> Any:
    """`value` with every non-finite float replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


class OutputFailed(Exception):
    """Data could not be written to stdout (closed, or the disk is full): exit 1."""


def _isatty(stream: TextIO | None) -> bool:
    if stream is None:
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
