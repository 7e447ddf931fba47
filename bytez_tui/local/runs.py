"""What a run is made of, apart from any widget: the request and its live counters
(and a chat reply's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bytez_tui.local.history import Outcome, RunRecord, RunStats

__all__ = ["ReplyCounters", "RunRequest", "RunState"]


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
    chat: bool = False
    """A chat turn: once its model runs, it goes to the conversation, not the output."""
    input: str | dict[str, Any] | None = None
    """What is sent when the model's task reads the prompt into other fields (an image
    URL, a question and its context…; see `catalogue.tasks`); None sends the prompt."""

    @property
    def sent(self) -> str | dict[str, Any]:
        """The input to send: `input`, else the prompt."""
        return self.prompt if self.input is None else self.input


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
    cost_usd: float | None = None
    """What the server said the run cost (v2), when it did."""
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
            cost_usd=self.cost_usd,
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


@dataclass
class ReplyCounters:
    """The counters of a chat reply under way."""

    first: float | None = None
    """Seconds to the first fragment."""
    fragments: int = 0
    """Fragments received."""
    chars: int = 0
    """Characters received."""

    def stats(self, elapsed: float) -> RunStats:
        """The stats after `elapsed` seconds."""
        return RunStats(
            first_fragment=self.first,
            elapsed=max(0.0, elapsed),
            fragments=self.fragments,
            chars=self.chars,
        )
