"""The playground's runs, apart from any widget: the request, its live counters (and a
chat reply's), and `RunBook`, the record keeper the pane applies every step of a run to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from bytez_tui.local.history import Outcome, Recall, RunRecord, RunStats

if TYPE_CHECKING:
    from bytez_tui.errors import BytezError
    from bytez_tui.local.history import History

__all__ = ["Fields", "ReplyCounters", "RunBook", "RunRequest", "RunState"]


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


class Fields(NamedTuple):
    """Everything the user can type or see, as kept while browsing the history."""

    model: str
    prompt: str
    params: dict[str, Any]
    stream: bool
    output: str


class RunBook:
    """What the playground knows about its runs: the one under way, the one waiting for
    its model to be RUNNING, the one offered a load, and the history with its walk.

    Args:
        history: Where every run is kept.
    """

    def __init__(self, history: History) -> None:
        self.history = history
        """Every run, on disk."""
        self.recall: Recall[Fields] = Recall(history)
        """The ctrl+up / ctrl+down walk through the history."""
        self.active: RunState | None = None
        """The run streaming (or waiting for its answer), if any."""
        self.waiting: RunRequest | None = None
        """The run waiting for its model to be RUNNING, if any."""
        self.offered: RunRequest | None = None
        """The run offered a load of its model ("Load and run"), if any."""

    def begin(self, request: RunRequest, now: float) -> RunState:
        """The request went out at `now` (a `clock.monotonic()` reading)."""
        self.waiting = None
        self.active = RunState(request, started=now)
        return self.active

    def end(self, run: RunState, output: str, now: float) -> tuple[RunRecord, OSError | None]:
        """`run` ended with `output` shown: it is kept in the history (first, so that it is
        never lost) and the walk starts again from the draft.

        Returns:
            The record, and why the history could not keep it (None: it did).
        """
        self.active = None
        self.recall.reset()
        record = run.record(output, now)
        try:
            self.history.append(record)
        except OSError as error:
            return record, error
        return record, None

    def offer_if_not_running(self, request: RunRequest, error: BytezError) -> bool:
        """`request` failed before any output: when the server said its model is not
        running, it is offered a load (True)."""
        if error.status == 409 and "not running" in error.message.lower():
            self.offered = request
            return True
        return False

    def wait_for(self, request: RunRequest) -> None:
        """`request` waits for its model to be RUNNING (its offer, if any, is taken)."""
        self.offered = None
        self.waiting = request

    def ready(self, model: str) -> RunRequest | None:
        """`model` is RUNNING: the run that waited for it, now to start, if any."""
        waiting = self.waiting
        if waiting is None or waiting.model != model:
            return None
        self.waiting = None
        return waiting

    def booting(self, model: str) -> bool:
        """A run waits for `model`, which the user is then told is booting."""
        return self.waiting is not None and self.waiting.model == model
