"""What a run is made of, apart from any widget: the request, its live counters, the echo filter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bytez_tui.panes.playground.history import Outcome, RunRecord, RunStats

__all__ = ["EchoFilter", "RunRequest", "RunState"]


@dataclass(frozen=True)
class RunRequest:
    """A run the user asked for."""

    model: str
    """The model id."""
    prompt: str
    """The prompt text."""
    params: dict[str, Any]
    """The params to send."""
    stream: bool
    """Stream the answer."""
    time: str
    """When it was asked for (ISO 8601, UTC)."""


@dataclass
class RunState:
    """The counters of a run in progress; `record()` freezes them for the history."""

    request: RunRequest
    """What was asked."""
    started: float
    """`clock.monotonic()` when the request went out."""
    first_fragment: float | None = None
    """Seconds to the first fragment."""
    fragments: int = 0
    """Fragments received."""
    chars: int = 0
    """Characters shown."""
    inferences: int | None = None
    """The instance's inference count after the run."""
    outcome: Outcome = "stopped"
    """How it ended: stays "stopped" unless the run completes or fails."""
    error: str | None = None
    """The server's words on failure."""

    def stats(self, now: float) -> RunStats:
        """The stats as of `now` (a `clock.monotonic()` reading)."""
        return RunStats(
            first_fragment=self.first_fragment,
            elapsed=max(0.0, now - self.started),
            fragments=self.fragments,
            chars=self.chars,
            inferences=self.inferences,
        )

    def record(self, output: str, now: float) -> RunRecord:
        """The history entry for this run."""
        request = self.request
        return RunRecord(
            time=request.time,
            model=request.model,
            prompt=request.prompt,
            params=dict(request.params),
            stream=request.stream,
            output=output,
            outcome=self.outcome,
            error=self.error,
            stats=self.stats(now),
        )


class EchoFilter:
    """Drops a leading copy of the prompt from a stream, wherever the chunks split it.

    Older model containers send the prompt back as the first fragment; newer ones
    do not (API reference §3). Text is held back only while it could still be the
    start of the echo.

    Args:
        prompt: The prompt sent.
    """

    def __init__(self, prompt: str) -> None:
        self.prompt = prompt
        """The prompt to look for."""
        self.decided = not prompt
        """The echo has been removed, or ruled out."""
        self._head = ""

    def feed(self, fragment: str) -> str:
        """The part of `fragment` to show (possibly empty)."""
        if self.decided:
            return fragment
        head = self._head + fragment
        prompt = self.prompt
        if len(head) >= len(prompt):
            self.decided = True
            self._head = ""
            return head[len(prompt) :] if head.startswith(prompt) else head
        if prompt.startswith(head):
            self._head = head
            return ""
        self.decided = True
        self._head = ""
        return head

    def close(self) -> str:
        """What was held back when the stream ends early."""
        head, self._head = self._head, ""
        self.decided = True
        return head
