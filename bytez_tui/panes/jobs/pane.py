"""`JobsPane`: the job tracker.

The API has no "list my jobs": repeating `POST /model/job` is both the request and the
poll. Each tracked job has its own `Poller` (group `jobs-poll`) that backs off from 5 s to
60 s until the job is available or failed; the list is kept in the user data dir so
polling resumes after a restart.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.validation import Function
from textual.widget import Widget
from textual.widgets import Input, Static

from bytez_tui.errors import BadResponse, BytezError, NotFound
from bytez_tui.messages import RequestLoad
from bytez_tui.models import Job
from bytez_tui.panes.base import Pane
from bytez_tui.panes.jobs.notify import osc9
from bytez_tui.panes.jobs.row import JobHeader, JobRow
from bytez_tui.panes.jobs.store import JobStore, TrackedJob, is_model_id, model_id_from
from bytez_tui.panes.polling import BACKOFF_CAP, BACKOFF_START, Poller
from bytez_tui.widgets.rows import RowList

if TYPE_CHECKING:
    from bytez_tui.app import BytezApp
    from bytez_tui.clock import Clock
    from bytez_tui.config import Settings
    from bytez_tui.connection import Connection

__all__ = ["JobsPane"]

_EMPTY = (
    "No jobs tracked.\n\n"
    "Press [b]a[/] to ask Bytez to make any Hugging Face model available (org/name),\n"
    "or [b]j[/] on a catalogue row. Jobs are kept across restarts."
)


class JobsPane(Pane):
    """Jobs the user asked for, each polled until Bytez says the model is available."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add job", id="jobs-add", tooltip="Request a model by its id"),
        Binding(
            "l",
            "load",
            "Load",
            id="jobs-load",
            tooltip="Load the model now, or as soon as its job is available",
        ),
        Binding("x", "untrack", "Stop", id="jobs-untrack", tooltip="Stop tracking this job"),
        Binding(
            "X",
            "clear_finished",
            "Clear done",
            id="jobs-clear",
            show=False,
            tooltip="Remove every finished job from the list",
        ),
        Binding("r", "poll_now", "Poll", id="jobs-poll", show=False, tooltip="Poll every job now"),
        Binding("c", "copy", "Copy id", id="jobs-copy", show=False, tooltip="Copy the model id"),
    ]
    PALETTE: ClassVar[list[tuple[str, str, str]]] = [
        ("Jobs: request a model", "Ask Bytez to make a Hugging Face model available", "add"),
        (
            "Jobs: clear finished",
            "Remove available and failed jobs from the list",
            "clear_finished",
        ),
        ("Jobs: poll now", "Ask about every unfinished job now", "poll_now"),
    ]
    """(title, help, action name) entries offered in the command palette."""

    @dataclass
    class TrackedChanged(Message):
        """The set of tracked models changed."""

        models: frozenset[str]
        """Every model on the list."""

    @dataclass
    class JobReady(Message):
        """A tracked job became available."""

        job: Job
        """The server's answer."""

    def __init__(
        self,
        *,
        api: Connection,
        clock: Clock,
        settings: Settings,
        store: JobStore | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(api=api, clock=clock, settings=settings, name=name, id=id, classes=classes)
        self.store = store or JobStore(base_url=settings.base_url)
        """Where tracked jobs are kept."""
        self._jobs: dict[str, TrackedJob] = {}
        self._pollers: dict[str, Poller] = {}
        self._polls: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        yield Static(
            "⏸ Live updates paused: no job is polled. P resumes.",
            id="jobs-paused",
            classes="paused-banner",
        )
        with Horizontal(id="jobs-add"):
            yield Static("Model id ", id="jobs-add-label")
            yield Input(
                placeholder="org/name, e.g. openai-community/gpt2",
                id="jobs-add-input",
                compact=True,
                validators=[
                    Function(lambda text: is_model_id(model_id_from(text)), "expected org/name")
                ],
                validate_on=["submitted"],
            )
            yield Static("", id="jobs-add-error")
        yield JobHeader(id="jobs-header", classes="table-header")
        yield RowList(id="jobs-rows")
        yield Static(_EMPTY, id="jobs-empty", classes="empty")

    def on_mount(self) -> None:
        self.add_input.cursor_blink = self.settings.cursor_blink
        self.watch(self.app, "app_focus", self._nudge_all, init=False)
        for job in self.store.load():
            self._jobs[job.model] = job
            self.rows.mount(JobRow(job, now=self.api.server_now))
            if not job.finished:
                self._start_polling(job.model)
        self._changed()

    def on_unmount(self) -> None:
        for poller in self._pollers.values():
            poller.stop()

    # --- public ------------------------------------------------------------------------

    @property
    def rows(self) -> RowList:
        """The list of job rows."""
        return self.query_one("#jobs-rows", RowList)

    @property
    def add_input(self) -> Input:
        """The model id field shown by `a`."""
        return self.query_one("#jobs-add-input", Input)

    @property
    def jobs(self) -> dict[str, TrackedJob]:
        """Tracked jobs by model id (read-only view)."""
        return dict(self._jobs)

    @property
    def settled(self) -> bool:
        """Nothing in flight: every job's poller waits on the clock."""
        return all(poller.waiting for poller in self._pollers.values())

    def track(self, model: str) -> bool:
        """Request a job for `model` and follow it.

        Returns:
            Whether `model` is (now) tracked; False if it is not an `org/name` id.
        """
        model = model_id_from(model)
        if not is_model_id(model):
            self.notify(
                f"{model!r} is not a Hugging Face model id (expected org/name)",
                title="Not tracked",
                severity="error",
            )
            return False
        existing = self._jobs.get(model)
        if existing is not None and existing.state != "failed":
            self.rows.select(model)
            self.notify(f"{model} is already tracked ({existing.state})", title="Jobs")
            return True
        job = TrackedJob(model=model, requested_at=self.api.server_now())
        self._jobs[model] = job
        row = self.rows.get_row(model)
        if isinstance(row, JobRow):
            row.show(job)
        else:
            self.rows.mount(JobRow(job, now=self.api.server_now))
        self.call_after_refresh(self.rows.select, model)
        self._polls[model] = 0
        self._save()
        self._changed()
        self._start_polling(model)
        self.notify(f"Asked Bytez to make {model} available", title="Job requested")
        return True

    @property
    def focus_target(self) -> Widget:
        return self.rows

    # --- events ------------------------------------------------------------------------

    def watch_paused(self, paused: bool) -> None:
        self.set_class(paused, "-paused")
        self._nudge_all()

    @on(Input.Submitted, "#jobs-add-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.query_one("#jobs-add-error", Static)
        if event.validation_result is not None and not event.validation_result.is_valid:
            error.update("⚠ expected org/name")
            return
        error.update("")
        if self.track(event.value):
            event.input.value = ""
            self.set_class(False, "-adding")
            self.rows.focus()

    @on(Input.Blurred, "#jobs-add-input")
    def _left_field(self, event: Input.Blurred) -> None:
        if not event.value.strip():
            self.set_class(False, "-adding")
            self.query_one("#jobs-add-error", Static).update("")

    # --- actions -----------------------------------------------------------------------

    def action_add(self) -> None:
        """Show the model id field."""
        self.set_class(True, "-adding")
        self.add_input.focus()

    def action_load(self) -> None:
        """Load the highlighted model now if available, else as soon as it is."""
        job = self._highlighted()
        if job is None:
            return
        if job.state == "available":
            self.post_message(RequestLoad(job.model))
        elif job.state == "failed":
            self.notify(f"The job for {job.model} failed: nothing to load", severity="warning")
        else:
            job = replace(job, load_when_ready=not job.load_when_ready)
            self._update(job)
            self.notify(
                f"{job.model} will open the load dialog when available"
                if job.load_when_ready
                else f"{job.model} will not be loaded automatically",
                title="Jobs",
            )

    def action_untrack(self) -> None:
        """Stop tracking the highlighted job."""
        job = self._highlighted()
        if job is not None:
            self._remove([job.model])
            self.notify(f"Stopped tracking {job.model}", title="Jobs")

    def action_clear_finished(self) -> None:
        """Remove every available or failed job."""
        done = [model for model, job in self._jobs.items() if job.finished]
        self._remove(done)
        self.notify(f"Cleared {len(done)} finished job(s)", title="Jobs")

    def action_poll_now(self) -> None:
        """Poll every unfinished job now."""
        for poller in self._pollers.values():
            poller.poke()

    def action_copy(self) -> None:
        """Copy the highlighted model id."""
        job = self._highlighted()
        if job is not None:
            cast("BytezApp", self.app).copy(job.model, what="model id")

    # --- polling -----------------------------------------------------------------------

    def _start_polling(self, model: str) -> None:
        old = self._pollers.pop(model, None)
        if old is not None:
            old.stop()

        async def poll() -> float | None:
            return await self._poll(model)

        def failed(error: BytezError, wait: float) -> None:
            self._show_retry(model, error, wait)

        self._pollers[model] = Poller(
            self,
            poll,
            group="jobs-poll",
            name=model,
            description=f"Polling the job for {model}",
            on_error=failed,
        ).start()

    async def _poll(self, model: str) -> float | None:
        try:
            answer = await self.call_api(lambda client: client.job(model))
        except (NotFound, BadResponse) as error:
            if error.status is None or error.status < 400:
                raise
            answer = Job(model, False, error.message, "failed", None, None, None)
        job = self._jobs.get(model)
        if job is None:  # untracked while the request was in flight
            return None
        job = job.updated(answer)
        became_ready = job.state == "available" and not job.notified
        if became_ready:
            job = replace(job, notified=True)
        self._update(job)
        if became_ready:
            self._announce(job, answer)
        if job.finished:
            self._pollers.pop(model, None)
            return None
        count = self._polls.get(model, 0) + 1
        self._polls[model] = count
        nominal = min(BACKOFF_CAP, BACKOFF_START * 1.5 ** (count - 1))
        return nominal * random.uniform(0.8, 1.0)

    def _announce(self, job: TrackedJob, answer: Job) -> None:
        text = f"{job.model} is available"
        # With `l` already pressed the load dialog opens by itself: don't ask for `l` again.
        hint = (
            "opening the load dialog"
            if job.load_when_ready
            else "press l on the Jobs pane to load it"
        )
        self.notify(f"{text}: {hint}", title="Job ready")
        self.app.bell()
        if self.settings.desktop_notifications:
            driver = self.app._driver  # noqa: SLF001 - Textual has no public raw-write API
            if driver is not None:
                driver.write(osc9(f"bytez-tui: {text}"))
        self.post_message(self.JobReady(answer))
        if job.load_when_ready:
            self.post_message(RequestLoad(job.model))

    def _show_retry(self, model: str, error: BytezError, wait: float) -> None:
        row = self.rows.get_row(model)
        job = self._jobs.get(model)
        if isinstance(row, JobRow) and job is not None:
            row.show(job, note=f"⚠ {error.message} (retry in {wait:.0f} s)")

    # --- helpers -----------------------------------------------------------------------

    def _highlighted(self) -> TrackedJob | None:
        row = self.rows.highlighted
        return self._jobs.get(row.key) if row is not None else None

    def _update(self, job: TrackedJob) -> None:
        self._jobs[job.model] = job
        row = self.rows.get_row(job.model)
        if isinstance(row, JobRow):
            row.show(job)
        self._save()

    def _remove(self, models: list[str]) -> None:
        rows = []
        for model in models:
            self._jobs.pop(model, None)
            poller = self._pollers.pop(model, None)
            if poller is not None:
                poller.stop()
            row = self.rows.get_row(model)
            if row is not None:
                rows.append(row)
        self.rows.remove_rows(rows)
        self._save()
        self._changed()

    def _save(self) -> None:
        try:
            self.store.save(self._jobs.values())
        except OSError as error:
            self.notify(f"Could not save jobs: {error}", title="Jobs", severity="warning")

    def _changed(self) -> None:
        self.set_class(not self._jobs, "-empty")
        self.post_message(self.TrackedChanged(frozenset(self._jobs)))

    def _nudge_all(self) -> None:
        for poller in self._pollers.values():
            poller.nudge()
