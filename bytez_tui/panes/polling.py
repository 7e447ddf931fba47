"""`Poller`: repeat a request on the pane's clock, with backoff, pause and focus awareness.

Each poll is one of the pane's `@work` methods (with its own group), so it shows up in the
worker list, is cancelled with its pane, and `app.workers.wait_for_complete()` returns once
the poll is done. The wait *between* polls is not a worker: it is a plain task sleeping on
`pane.clock`, so a test steps it by advancing a `FixedClock`, and a waiting poller never
holds up `wait_for_complete()` (one worker looping over its sleeps would).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

from textual.worker import Worker, WorkerCancelled, WorkerFailed

from bytez_tui.clock import backoff as clock_backoff
from bytez_tui.errors import BytezError, RateLimited

if TYPE_CHECKING:
    from bytez_tui.panes.base import Pane

__all__ = [
    "BACKOFF_CAP",
    "BACKOFF_START",
    "BLURRED_FACTOR",
    "PollOutcome",
    "Poller",
    "Pollers",
    "backoff",
]

BACKOFF_START = 5.0
"""Seconds before the first retry after a failure."""
BACKOFF_CAP = 60.0
"""The longest wait between retries."""
BLURRED_FACTOR = 4.0
"""Waits are this many times longer while the terminal says it is not focused."""

PollOutcome: TypeAlias = float | BytezError | None
"""What one poll worker returns: the seconds until the next poll, None when done, or the
`BytezError` that failed it (returned, not raised: the pane's worker sink would show it)."""


def backoff(failures: int) -> float:
    """The wait after `failures` failed polls in a row: doubling from `BACKOFF_START` up to
    `BACKOFF_CAP` (`clock.backoff`)."""
    return clock_backoff(failures, start=BACKOFF_START, cap=BACKOFF_CAP)


class Poller:
    """Starts a `poll` worker until one returns None, waiting between them on the pane's clock.

    `poll` starts one of the pane's `@work` methods, whose result is a `PollOutcome`: the
    seconds to wait before the next poll, or None when done. A `BytezError` it returns is
    handed to `on_error` with the wait before the retry: the backoff, or the server's
    Retry-After for a 429. Nothing is requested while the pane is paused, and waits
    stretch by `BLURRED_FACTOR` while the app is not focused.

    Args:
        pane: The pane whose clock, pause and focus time the polls.
        poll: Starts one poll (a `@work` method of the pane).
        name: What the poller's waiting task is called (for example the model id).
        on_error: Told about each failure and the wait before the retry.
        first_delay: Seconds before the first poll.
    """

    def __init__(
        self,
        pane: Pane,
        poll: Callable[[], Worker[PollOutcome]],
        *,
        name: str,
        on_error: Callable[[BytezError, float], None] | None = None,
        first_delay: float = 0.0,
    ) -> None:
        self.pane = pane
        self.name = name
        self.failures = 0
        """Failures in a row."""
        self._poll = poll
        self._on_error = on_error
        self._first_delay = first_delay
        self._signal = asyncio.Event()
        self._poked = False
        self._task: asyncio.Task[None] | None = None
        self._worker: Worker[PollOutcome] | None = None
        self._waiting = False

    @property
    def running(self) -> bool:
        """Whether the poller is still going."""
        return self._task is not None and not self._task.done()

    @property
    def waiting(self) -> bool:
        """Whether the poller is between polls (or finished): the clock decides what's next."""
        return not self.running or self._waiting

    def start(self) -> Poller:
        """Start polling (from the pane's event loop)."""
        if not self.running:
            self._task = asyncio.create_task(self._run(), name=f"poller:{self.name}")
        return self

    def stop(self) -> None:
        """Stop polling and cancel a poll in flight."""
        if self._task is not None:
            self._task.cancel()
        if self._worker is not None:
            self._worker.cancel()

    def poke(self) -> None:
        """Poll now, even while paused, and forget the backoff."""
        self._poked = True
        self.failures = 0
        self._signal.set()

    def nudge(self) -> None:
        """Re-read the pause and focus state (call when either changes)."""
        self._signal.set()

    async def _run(self) -> None:
        delay = self._first_delay
        while True:
            await self._wait(delay)
            self._worker = self._poll()
            try:
                outcome = await self._worker.wait()
            except WorkerCancelled:
                return
            except WorkerFailed:
                # The pane's worker sink has reported it; retry later.
                self.failures += 1
                delay = backoff(self.failures)
                continue
            finally:
                self._worker = None
            if isinstance(outcome, BytezError):
                self.failures += 1
                delay = backoff(self.failures)
                if isinstance(outcome, RateLimited) and outcome.retry_after is not None:
                    delay = max(outcome.retry_after, 1.0)
                health = self.pane.api.retrying(delay)
                self.pane.post_message(self.pane.HealthChanged(health))
                if self._on_error is not None:
                    self._on_error(outcome, delay)
                continue
            self.failures = 0
            if outcome is None:
                return
            delay = outcome

    async def _wait(self, delay: float) -> None:
        clock = self.pane.clock
        start = clock.monotonic()
        while True:
            if self._poked:
                self._poked = False
                return
            if self.pane.paused:
                await self._sleep(None)
                continue
            factor = 1.0 if self.pane.app.app_focus else BLURRED_FACTOR
            remaining = start + delay * factor - clock.monotonic()
            if remaining <= 0:
                return
            await self._sleep(remaining)

    async def _sleep(self, seconds: float | None) -> None:
        """Sleep `seconds` of clock time (forever if None), or until nudged."""
        tasks: set[asyncio.Future[Any]] = {asyncio.ensure_future(self._signal.wait())}
        if seconds is not None:
            tasks.add(asyncio.ensure_future(self.pane.clock.sleep(seconds)))
        self._waiting = True
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._waiting = False
            for task in tasks:
                task.cancel()
        self._signal.clear()


class Pollers:
    """A pane's pollers by name (a model id): poked, nudged, stopped and waited on together."""

    def __init__(self) -> None:
        self._pollers: dict[str, Poller] = {}

    def __contains__(self, name: object) -> bool:
        """Whether a poller of that name was started and not forgotten."""
        return name in self._pollers

    @property
    def waiting(self) -> bool:
        """Every poller waits on the clock (or is finished): no poll is in flight."""
        return all(poller.waiting for poller in self._pollers.values())

    def running(self, name: str) -> bool:
        """Whether the poller `name` is still going."""
        poller = self._pollers.get(name)
        return poller is not None and poller.running

    def start(self, poller: Poller) -> None:
        """Start `poller` in place of the one of its name (which is stopped)."""
        self.stop(poller.name)
        self._pollers[poller.name] = poller.start()

    def stop(self, name: str) -> None:
        """Stop the poller `name` (a poll in flight is cancelled) and forget it."""
        poller = self._pollers.pop(name, None)
        if poller is not None:
            poller.stop()

    def forget(self, name: str) -> None:
        """Forget the poller `name`, from its own last poll (stopping it would cancel that)."""
        self._pollers.pop(name, None)

    def stop_all(self) -> None:
        """Stop every poller (from the pane's `on_unmount`)."""
        for poller in self._pollers.values():
            poller.stop()

    def poke_all(self) -> None:
        """Have every poller poll now, even while paused."""
        for poller in self._pollers.values():
            poller.poke()

    def nudge_all(self) -> None:
        """Have every poller re-read the pause and focus state."""
        for poller in self._pollers.values():
            poller.nudge()
