"""`JobPolls`: each tracked job asked about until Bytez says it is available or failed.

The API has no "list my jobs": repeating `POST /model/job` is both the request and the
poll. Each job has its own `Poller` (group `jobs-poll`) that backs off from 5 s to 60 s;
a job that becomes available is announced with a toast, the bell and, when enabled, a
desktop notification.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bytez_tui.clock import backoff
from bytez_tui.errors import BadResponse, BytezError, NotFound
from bytez_tui.models import Job
from bytez_tui.osc import osc9
from bytez_tui.panes.polling import BACKOFF_CAP, BACKOFF_START, Poller, PollOutcome
from bytez_tui.textual_compat import write_to_terminal

if TYPE_CHECKING:
    from bytez_tui.local.jobs import JobBook, TrackedJob
    from bytez_tui.panes.base import Pane

__all__ = ["JobPolls"]


class JobPolls:
    """One `Poller` per unfinished tracked job.

    Args:
        pane: The pane that owns the poll workers and makes the requests.
        book: The tracked jobs, to which each answer is applied.
        on_update: Told each job the server's answer updated (in the book already).
        on_ready: Told, after the user, that a job became available (with the answer).
        on_retry: Told that a poll failed: the model, the error and the wait before the retry.
    """

    def __init__(
        self,
        pane: Pane,
        *,
        book: JobBook,
        on_update: Callable[[TrackedJob], None],
        on_ready: Callable[[TrackedJob, Job], None],
        on_retry: Callable[[str, BytezError, float], None],
    ) -> None:
        self._pane = pane
        self._book = book
        self._on_update = on_update
        self._on_ready = on_ready
        self._on_retry = on_retry
        self._pollers: dict[str, Poller] = {}
        self._polls: dict[str, int] = {}

    @property
    def waiting(self) -> bool:
        """Every job's poller waits on the clock: no request is in flight."""
        return all(poller.waiting for poller in self._pollers.values())

    def start(self, model: str) -> None:
        """Poll the job for `model` now and until it is finished, from a fresh backoff."""
        self.stop(model)
        self._polls[model] = 0

        async def poll() -> PollOutcome:
            try:
                return await self._poll(model)
            except BytezError as error:
                return error

        def failed(error: BytezError, wait: float) -> None:
            self._on_retry(model, error, wait)

        self._pollers[model] = Poller(
            self._pane,
            lambda: self._pane.run_worker(
                poll(),
                name=model,
                group="jobs-poll",
                description=f"Polling the job for {model}",
                exit_on_error=False,
                exclusive=False,
            ),
            name=model,
            on_error=failed,
        ).start()

    def stop(self, model: str) -> None:
        """Stop polling the job for `model` (a poll in flight is cancelled)."""
        self._polls.pop(model, None)
        poller = self._pollers.pop(model, None)
        if poller is not None:
            poller.stop()

    def stop_all(self) -> None:
        """Stop every poller (from the pane's `on_unmount`)."""
        for poller in self._pollers.values():
            poller.stop()

    def poke(self) -> None:
        """Poll every unfinished job now."""
        for poller in self._pollers.values():
            poller.poke()

    def nudge(self) -> None:
        """Have every poller re-read the pause and focus state."""
        for poller in self._pollers.values():
            poller.nudge()

    async def _poll(self, model: str) -> float | None:
        try:
            answer = await self._pane.call_api(lambda client: client.job(model))
        except (NotFound, BadResponse) as error:
            if error.status is None or error.status < 400:
                raise
            answer = Job(model, False, error.message, "failed", None, None, None)
        applied = self._book.answered(model, answer)
        if applied is None:  # untracked while the request was in flight
            return None
        job, became_ready = applied
        self._on_update(job)
        if became_ready:
            self._announce(job)
            self._on_ready(job, answer)
        if job.finished:
            self._pollers.pop(model, None)
            return None
        count = self._polls.get(model, 0) + 1
        self._polls[model] = count
        return backoff(count, start=BACKOFF_START, cap=BACKOFF_CAP, factor=1.5)

    def _announce(self, job: TrackedJob) -> None:
        pane = self._pane
        text = f"{job.model} is available"
        # With `l` already pressed (and the options chosen) the load starts by itself.
        armed = job.planned_load is not None
        hint = "loading it as chosen" if armed else "press l on the Jobs pane to load it"
        pane.notify(f"{text}: {hint}", title="Job ready")
        pane.app.bell()
        if pane.settings.desktop_notifications:
            write_to_terminal(pane.app, osc9(f"bytez-tui: {text}"))
