"""Helpers to run `python -m bytez_tui <command>` in a subprocess against the emulator."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bytez_tui.emulator import EmulatorServer

ROOT = Path(__file__).resolve().parents[2]
"""The repository root: the subprocess imports the package from here."""
CLI_KEY = "cli-secret-key-98765"
"""The key handed to the subprocess; it must never appear in its output."""
DEADLINE = 15.0
"""Real seconds any one subprocess or condition may take before the test fails."""


@dataclass
class Result:
    """A finished command."""

    code: int
    stdout: str
    stderr: str


class Running:
    """A command still running: read its output as it comes, interrupt it."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.stdout = b""
        self.stderr = b""

    def read_until(self, predicate: Callable[[str, str], bool]) -> None:
        """Read stdout and stderr until `predicate(stdout, stderr)` holds (bounded)."""
        assert self.process.stdout is not None and self.process.stderr is not None
        streams = {self.process.stdout.fileno(): "stdout", self.process.stderr.fileno(): "stderr"}
        deadline = time.monotonic() + DEADLINE
        while not predicate(self.stdout.decode(errors="replace"), self.stderr.decode()):
            left = deadline - time.monotonic()
            assert left > 0, f"timed out; stdout={self.stdout!r} stderr={self.stderr!r}"
            ready, _, _ = select.select(list(streams), [], [], left)
            for fd in ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    streams.pop(fd)
                    continue
                name = streams[fd]
                setattr(self, name, getattr(self, name) + chunk)
            if not streams:
                break

    def interrupt(self) -> Result:
        """Send SIGINT (Ctrl+C) and collect the rest."""
        self.process.send_signal(signal.SIGINT)
        return self.finish()

    def finish(self) -> Result:
        """Wait for the end and collect the rest of the output."""
        out, err = self.process.communicate(timeout=DEADLINE)
        stdout = (self.stdout + (out or b"")).decode(errors="replace")
        stderr = (self.stderr + (err or b"")).decode(errors="replace")
        assert CLI_KEY not in stdout + stderr
        return Result(self.process.returncode, stdout, stderr)


class Cli:
    """Runs the command line with an isolated config/cache and the emulator's URL."""

    def __init__(self, emulator: EmulatorServer) -> None:
        self.emulator = emulator
        self.env = {
            **os.environ,
            "BYTEZ_API_KEY": CLI_KEY,
            "BYTEZ_BASE_URL": emulator.url,
            "PYTHONPATH": str(ROOT),
            "COLUMNS": "120",
        }

    def argv(self, args: tuple[str, ...], python_flags: tuple[str, ...] = ()) -> list[str]:
        """The full command line."""
        return [sys.executable, *python_flags, "-m", "bytez_tui", *args]

    def __call__(
        self,
        *args: str,
        input: str | None = None,
        python_flags: tuple[str, ...] = (),
        **env: str,
    ) -> Result:
        """Run to completion; stdin is `input`, or /dev/null; `env` adds variables."""
        process = subprocess.run(
            self.argv(args, python_flags),
            input=input,
            stdin=subprocess.DEVNULL if input is None else None,
            capture_output=True,
            text=True,
            env={**self.env, **env},
            cwd=ROOT,
            timeout=DEADLINE,
        )
        assert CLI_KEY not in process.stdout + process.stderr
        return Result(process.returncode, process.stdout, process.stderr)

    def start(self, *args: str, **popen: Any) -> Running:
        """Start in the background with piped stdout/stderr."""
        popen.setdefault("stdin", subprocess.DEVNULL)
        popen.setdefault("stdout", subprocess.PIPE)
        popen.setdefault("stderr", subprocess.PIPE)
        process = subprocess.Popen(
            self.argv(args),
            env=self.env,
            cwd=ROOT,
            **popen,
        )
        return Running(process)


def read_terminal(leader: int, predicate: Callable[[bytes], bool]) -> bytes:
    """Read a pty's output until `predicate(everything_so_far)` holds (bounded)."""
    seen = b""
    deadline = time.monotonic() + DEADLINE
    while not predicate(seen):
        left = deadline - time.monotonic()
        assert left > 0, f"timed out; terminal showed {seen!r}"
        ready, _, _ = select.select([leader], [], [], left)
        if ready:
            seen += os.read(leader, 65536)
    return seen


def wait_for(condition: Callable[[], bool]) -> None:
    """Poll `condition` until it holds (bounded by `DEADLINE`)."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.01)
