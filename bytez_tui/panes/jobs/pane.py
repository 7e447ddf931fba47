"""`JobsPane`: the job tracker.

The API has no "list my jobs": repeating `POST /model/job` is both the request and the
poll. Each tracked job has its own `Poller`, which starts the pane's `_poll_job` worker
(group `jobs-poll`) from 5 s to 60 s apart until the job is available or failed. The jobs
are kept by a `JobBook` (`bytez_tui.local.jobs`), to which each answer is applied, which
the rows are drawn from, and which saves them in the user data dir, so polling resumes
after a restart.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Static

from bytez_tui.catalogue.ids import is_model_id, model_id_from
from bytez_tui.errors import BytezError
from bytez_tui.format import plural
from bytez_tui.local.jobs import JobBook, JobStore, TrackedJob, failed_job, ready_notice
from bytez_tui.messages import RequestLoad, StartLoad
from bytez_tui.models import Job
from bytez_tui.osc import osc9
from bytez_tui.panes.base import Pane, PaneMessage
from bytez_tui.panes.jobs.field import AddJobField
from bytez_tui.panes.jobs.row import JobHeader, JobRow
from bytez_tui.panes.polling import Poller, Pollers, PollOutcome
from bytez_tui.textual_compat import write_to_terminal
from bytez_tui.widgets.rows import RowFilter, RowList

if TYPE_CHECKING:
    from bytez_tui.clock import Clock
    from bytez_tui.config import Settings
    from bytez_tui.connection import Connection

__all__ = ["JobsPane"]

_EMPTY = Content.from_markup(
    "No jobs tracked.\n\n"
    "Press [b]a[/] to ask Bytez to make any Hugging Face model available (org/name),\n"
    "or [b]a[/] on a catalogue row. Jobs are kept across restarts."
)


class JobsPane(Pane):
    """Jobs the user asked for, each polled until Bytez says the model is available."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "clear_filter",
            "Clear filter",
            id="jobs-clear-filter",
            tooltip="Show every row again (/ filters)",
        ),
        Binding("a", "add", "Add job", id="jobs-add", tooltip="Request a model by its id"),
        Binding(
            "l",
            "load",
            "Load",
            id="jobs-load",
            tooltip="Load the model now, or as soon as its job is available",
        ),
        Binding("x", "untrack", "Untrack", id="jobs-untrack", tooltip="Stop tracking this job"),
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
    class TrackedChanged(PaneMessage):
        """The set of tracked models changed."""

        models: frozenset[str]
        """Every model on the list."""
        pending: int = 0
        """How many of them are not available (or failed) yet."""

    @dataclass
    class JobReady(PaneMessage):
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
        self.store = store or JobStore(store_key=settings.store_key)
        """Where tracked jobs are kept."""
        self.book = JobBook(self.store)
        """The tracked jobs: every change is made here, and the rows drawn from it."""
        self._polls = Pollers()
        """One poller per unfinished job, by model."""

    def compose(self) -> ComposeResult:
        yield Static(
            "⏸ Live updates paused: no job is polled. P resumes.",
            id="jobs-paused",
            classes="paused-banner",
            markup=False,
        )
        yield AddJobField(
            on_submit=self._add, on_leave=lambda: self.set_class(False, "-adding"), id="jobs-add"
        )
        yield RowFilter(
            lambda: self.rows,
            leave_keys=self.settings.keys_for("leave-field", "escape"),
            cursor_blink=self.settings.cursor_blink,
            id="jobs-filter",
        )
        yield JobHeader(id="jobs-header", classes="table-header")
        yield RowList(id="jobs-rows")
        yield Static(_EMPTY, id="jobs-empty", classes="empty", markup=False)

    def on_mount(self) -> None:
        self.add_input.cursor_blink = self.settings.cursor_blink
        self.watch(self.app, "app_focus", self._polls.nudge_all, init=False)
        try:
            stored = self.book.load()
        except OSError as error:
            stored = []
            self.notify(
                str(error), title="Tracked jobs unavailable", severity="error", markup=False
            )
        for notice in self.store.take_notices():
            self.notify(notice, title="Tracked jobs", severity="warning", markup=False, timeout=15)
        for job in stored:
            self.rows.mount(JobRow(job, now=self.api.server_now, listed=self._listed))
            if not job.finished:
                self._start_polling(job.model)
        self._changed()

    def on_unmount(self) -> None:
        self._polls.stop_all()

    # --- public ------------------------------------------------------------------------

    @property
    def rows(self) -> RowList:
        """The list of job rows."""
        return self.query_one("#jobs-rows", RowList)

    @property
    def row_filter(self) -> RowFilter:
        return self.query_one("#jobs-filter", RowFilter)

    @property
    def add_input(self) -> Input:
        """The model id field shown by `a`."""
        return self.query_one("#jobs-add-input", Input)

    @property
    def jobs(self) -> dict[str, TrackedJob]:
        """Tracked jobs by model id (read-only view)."""
        return self.book.jobs

    @property
    def settled(self) -> bool:
        """Nothing in flight: every job's poller waits on the clock."""
        return self._polls.waiting

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
        existing = self.book.get(model)
        if existing is not None and existing.state != "failed":
            self.rows.select(model)
            self.notify(f"{model} is already tracked ({existing.state})", title="Jobs")
            return True
        job = TrackedJob(model=model, requested_at=self.api.server_now())
        self.book.put(job)
        row = self.rows.get_row(model)
        if isinstance(row, JobRow):
            row.show(job)
        else:
            self.rows.mount(JobRow(job, now=self.api.server_now, listed=self._listed))
        self.call_after_refresh(self.rows.select, model)
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
        self._polls.nudge_all()

    def _add(self, text: str) -> bool:
        """Track what was typed in the field; on success hide the field."""
        if not self.track(text):
            return False
        self.set_class(False, "-adding")
        self.rows.focus()
        return True

    # --- actions -----------------------------------------------------------------------

    def action_add(self) -> None:
        """Show the model id field."""
        self.set_class(True, "-adding")
        self.add_input.focus()

    def action_load(self) -> None:
        """Load the highlighted model now if available, else as soon as it is.

        For a job still under way the load dialog asks for the options now, and the load
        starts by itself when the model is ready: no dialog pops up over whatever the
        user is doing by then (unless today's spend is past the daily budget by then: every
        billed start asks again). Pressed again, `l` cancels that.
        """
        job = self._highlighted()
        if job is None:
            return
        if job.state == "available":
            self.post_message(RequestLoad(job.model))
        elif job.state == "failed":
            self.notify(f"The job for {job.model} failed: nothing to load", severity="warning")
        elif job.load_when_ready:
            self._update(replace(job, load_when_ready=False))
            self.notify(f"{job.model} will not be loaded automatically", title="Jobs")
        else:
            self.post_message(RequestLoad(job.model, when_ready=True))

    def load_when_ready(self, model: str, *, concurrency: int, expiration_seconds: int) -> bool:
        """Load `model` with these options once its job is done; False if it is done already.

        Args:
            model: A tracked model.
            concurrency: Parallel instances.
            expiration_seconds: Idle timeout.
        """
        job = self.book.get(model)
        if job is None or job.finished:
            return False
        self._update(
            replace(
                job,
                load_when_ready=True,
                load_concurrency=concurrency,
                load_expiration=expiration_seconds,
            )
        )
        self.notify(f"{model} will be loaded as soon as it is available", title="Jobs")
        return True

    def action_untrack(self) -> None:
        """Stop tracking the highlighted job."""
        job = self._highlighted()
        if job is not None:
            self._remove([job.model])
            self.notify(f"Stopped tracking {job.model}", title="Jobs")

    def action_clear_finished(self) -> None:
        """Remove every available or failed job."""
        done = [model for model, job in self.book.jobs.items() if job.finished]
        self._remove(done)
        self.notify(f"Cleared {plural(len(done), 'finished job')}", title="Jobs")

    def key_changed(self) -> None:
        self._polls.poke_all()

    def action_poll_now(self) -> None:
        """Poll every unfinished job now."""
        self._polls.poke_all()

    def action_copy(self) -> None:
        """Copy the highlighted model id."""
        job = self._highlighted()
        if job is not None:
            self.app.copy_to_clipboard(job.model)

    # --- polling -----------------------------------------------------------------------

    @work(group="jobs-poll", exclusive=False, exit_on_error=False, description="Polling a job")
    async def _poll_job(self, model: str) -> PollOutcome:
        """Ask about `model`'s job once (its poller's), and apply the answer to the book."""
        try:
            answer = await self.call_api(lambda client: client.job(model))
        except BytezError as error:
            refused = failed_job(model, error)
            if refused is None:
                return error
            answer = refused
        applied = self.book.answered(model, answer)
        if applied is None:  # untracked while the request was in flight
            return None
        job, became_ready = applied
        self._update(job)
        if became_ready:
            self._announce(job)
            self.post_message(self.JobReady(self, answer))
            if (planned := job.planned_load) is not None:
                self.post_message(StartLoad(job.model, *planned))
        if job.finished:
            self._polls.forget(model)
            return None
        return self.book.next_poll(model)

    def _start_polling(self, model: str) -> None:
        """Poll the job for `model` now and until it is finished, from a fresh backoff."""
        self.book.polling(model)

        def failed(error: BytezError, wait: float) -> None:
            self._show_retry(model, error, wait)

        self._polls.start(Poller(self, lambda: self._poll_job(model), name=model, on_error=failed))

    def _announce(self, job: TrackedJob) -> None:
        """Tell the user the job is ready: a toast, the bell, and a desktop notification."""
        self.notify(ready_notice(job), title="Job ready")
        self.app.bell()
        if self.settings.desktop_notifications:
            write_to_terminal(self.app, osc9(f"bytez-tui: {job.model} is available"))

    def _show_retry(self, model: str, error: BytezError, wait: float) -> None:
        row = self.rows.get_row(model)
        job = self.book.get(model)
        if isinstance(row, JobRow) and job is not None:
            row.show(job, note=f"⚠ {error.message} (retry in {wait:.0f} s)")

    # --- helpers -----------------------------------------------------------------------

    def _listed(self) -> bool:
        """Whether a model becomes available by being listed (v2) rather than by a job."""
        return self.api.dialect == "v2"

    def _highlighted(self) -> TrackedJob | None:
        row = self.rows.highlighted
        return self.book.get(row.key) if row is not None else None

    def _update(self, job: TrackedJob) -> None:
        self.book.put(job)  # a poll's answer is in the book already: the same job
        row = self.rows.get_row(job.model)
        if isinstance(row, JobRow):
            row.show(job)
        self._save()
        self._changed()  # pending may have changed

    def _remove(self, models: list[str]) -> None:
        self.book.remove(models)
        rows = []
        for model in models:
            self._polls.stop(model)
            row = self.rows.get_row(model)
            if row is not None:
                rows.append(row)
        self.rows.remove_rows(rows)
        self._save()
        self._changed()

    def _save(self) -> None:
        try:
            self.book.save()
        except OSError as error:
            self.notify(f"Could not save jobs: {error}", title="Jobs", severity="warning")

    def _changed(self) -> None:
        self.set_class(not self.book, "-empty")
        self.post_message(self.TrackedChanged(self, frozenset(self.book.jobs), self.book.pending))
