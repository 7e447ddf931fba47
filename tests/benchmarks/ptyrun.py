"""Run a benchmark's app in a real 120x40 pty and measure what it writes and how fast it
takes keys: the loop `bench_playground.py`, `bench_compare.py` and `bench_chat.py` share.

The benchmark script runs itself as the child (`script --child ARGS… MARKS`), which
starts its stream, then writes to the MARKS file a JSON object with the stream's `start`
and `end` (`time.time()`) and, when keys are typed, `keys`: for each key, when the app
saw it and when the frame after it was written (see `bench_playground.note_key`).
"""

from __future__ import annotations

import json
import os
import pty
import select
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["PtyRun", "run_in_pty"]

FIRST_KEY = 3.0
"""Seconds after the child starts before the first key is typed (after its first frame)."""
KEY_EVERY = 0.05
"""Seconds between typed keys."""


@dataclass
class PtyRun:
    """What one run in the pty gave."""

    reads: list[tuple[float, int]]
    """(`time.time()`, bytes) of each read of the terminal's output."""
    sent: dict[str, float]
    """Each key typed, and when (`time.perf_counter()`)."""
    marks: dict[str, Any]
    """What the child wrote to its marks file."""

    def bytes_per_second(self) -> float:
        """Bytes written to the terminal per second while the stream ran (its first half
        second, the first frames' catch-up, left out)."""
        start, end = float(self.marks["start"]) + 0.5, float(self.marks["end"])
        written = sum(size for when, size in self.reads if start <= when <= end)
        return written / (end - start)

    def key_medians(self) -> tuple[float, float]:
        """The median milliseconds from writing a key into the pty to the app seeing it
        ("handled") and to the next frame ("painted"); NaN without any."""
        handled, painted = [], []
        for key, times in self.marks["keys"].items():
            if key in self.sent:
                handled.append((times[0] - self.sent[key]) * 1000)
                if len(times) > 1:
                    painted.append((times[1] - self.sent[key]) * 1000)
        return (
            statistics.median(handled) if handled else float("nan"),
            statistics.median(painted) if painted else float("nan"),
        )


def run_in_pty(
    script: str, child_args: Sequence[str], *, keys: str = "", poll: float = 0.05
) -> PtyRun:
    """Run `script --child *child_args MARKS` in a 120x40 pty (256 colours) until it exits,
    reading everything it writes and typing `keys`, one every `KEY_EVERY` s.

    Args:
        script: The benchmark script (its `__file__`).
        child_args: The arguments after `--child`; the marks file's path goes last.
        keys: The keys to type, from `FIRST_KEY` s after the start.
        poll: The longest wait for output between checks (short while typing keys).
    """
    import fcntl
    import struct
    import termios

    marks = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
        os.environ.pop("COLORTERM", None)
        os.execv(sys.executable, [sys.executable, script, "--child", *child_args, marks])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    reads: list[tuple[float, int]] = []
    sent: dict[str, float] = {}
    first_key = time.perf_counter() + FIRST_KEY
    while True:
        now = time.perf_counter()
        if now >= first_key and len(sent) < len(keys) and now >= first_key + KEY_EVERY * len(sent):
            key = keys[len(sent)]
            os.write(fd, key.encode())
            sent[key] = time.perf_counter()
        ready, _, _ = select.select([fd], [], [], poll)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            reads.append((time.time(), len(data)))
        elif os.waitpid(pid, os.WNOHANG)[0]:
            break
    os.close(fd)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    window = json.loads(Path(marks).read_text())
    os.unlink(marks)
    return PtyRun(reads, sent, window)
