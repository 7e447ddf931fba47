"""`JobRow`: one tracked job as a row of small cells."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timezone

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.css.query import NoMatches

from bytez_tui.format import duration
from bytez_tui.local.jobs import TrackedJob
from bytez_tui.widgets.countdown import Elapsed
from bytez_tui.widgets.rows import Cell, Row
from bytez_tui.widgets.status_badge import StatusBadge

__all__ = ["LISTED_NOTE", "JobHeader", "JobRow", "clock_time"]

LISTED_NOTE = "available once listed"
"""What a waiting job's row adds in v2, where availability is the model being listed."""


def clock_time(when: datetime | None) -> str:
    """A local time of day, `14:00:05` (the row's tooltip gives it in UTC)."""
    return "—" if when is None else when.astimezone().strftime("%H:%M:%S")


class JobHeader(Horizontal):
    """The column titles."""

    def compose(self) -> ComposeResult:
        yield Cell("Model", classes="job-model")
        yield Cell("State", classes="job-state")
        yield Cell("Server says", classes="job-message")
        yield Cell("Requested", classes="job-requested")
        yield Cell("Queued/took", classes="job-elapsed")


class JobRow(Row):
    """A tracked job: model, state, the server's words, when, and how long.

    Args:
        job: The job.
        now: The server's current time, for the live "queued for".
        listed: Whether the API makes a model available by listing it (v2), which the
            row then says while the job waits.
    """

    def __init__(
        self,
        job: TrackedJob,
        *,
        now: Callable[[], datetime],
        listed: Callable[[], bool] = lambda: False,
    ) -> None:
        super().__init__(job.model)
        self.job = job
        """The job as last shown."""
        self._note: str | None = None
        self._ready = False
        self._now = now
        self._listed = listed

    def compose(self) -> ComposeResult:
        with Horizontal(classes="job-cells"):
            yield Cell(self.job.model, classes="job-model")
            yield StatusBadge(classes="job-state")
            yield Cell(classes="job-message")
            yield Cell(classes="job-requested")
            yield Elapsed(None, now=self._now, classes="job-elapsed")

    def on_mount(self) -> None:
        self._ready = True
        with suppress(NoMatches):  # the app may be closing while the row mounts
            self.show(self.job, note=self._note)

    def show(self, job: TrackedJob, *, note: str | None = None) -> None:
        """Show `job`; `note` replaces the server's words (a retry notice)."""
        self.job = job
        self._note = note
        if not self._ready:
            return  # on_mount shows it
        self.query_one(StatusBadge).status = job.state
        message = note or job.message or ("request accepted" if job.answered else "asking Bytez…")
        if not note and job.answered and not job.finished and self._listed():
            # v2 has no job to follow: the model is available once list/models has it.
            message = f"{message} · {LISTED_NOTE}"
        if job.load_when_ready and not job.finished:
            message = f"→ {_planned_load(job)} when ready · {message}"
        self.query_one(".job-message", Cell).show(message)
        requested = self.query_one(".job-requested", Cell)
        requested.show(clock_time(job.requested_at))
        if job.requested_at is not None:
            stamp = job.requested_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
            requested.tooltip = f"Requested {stamp} UTC"
        elapsed = self.query_one(Elapsed)
        elapsed.since = None if job.state == "failed" else job.start_time or job.requested_at
        elapsed.until = job.end_time if job.finished else None
        for state in ("requested", "queued", "available", "failed", "unknown"):
            self.set_class(job.state == state, f"-{state}")
        self.set_class(note is not None, "-retrying")


def _planned_load(job: TrackedJob) -> str:
    """The load armed for when the job is done, e.g. `loads ×1, 30 min idle`."""
    if job.planned_load is None:
        return "loads"  # armed by an older version, without the options
    concurrency, seconds = job.planned_load
    idle = f"{seconds // 60} min" if seconds % 60 == 0 else duration(seconds)
    return f"loads ×{concurrency}, {idle} idle"
