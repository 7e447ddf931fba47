"""`InstancesPane`: what is running (and costing money) right now.

Every request is a `@work` method of the pane: the list read every
`settings.instances_refresh` s (`_read_list`), each boot's status every `BOOT_POLL` s until
it ends (`_poll_boot`), a load, a delete; `Poller`s time the repeated ones on the pane's
clock. Each answer is applied to the `InstanceBook` (`bytez_tui.local.instances`), which
also words what the user is told; the rows are drawn from it in an `InstanceList`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from bytez_tui.errors import BytezError, Unsupported
from bytez_tui.local.instances import (
    BOOT_POLL,
    BOOT_TIMEOUT,
    GONE_KEEP,
    InstanceBook,
    Listed,
    LoadChoice,
    boot_answer,
    capacity_refusal,
    delete_question,
    deleted_notice,
    explain_load_error,
    load_placeholder,
    needs_status,
)
from bytez_tui.messages import InstanceDeleted, LoadAccepted, OpenPlayground, RequestLoad
from bytez_tui.models import Instance
from bytez_tui.panes.base import Pane, PaneMessage
from bytez_tui.panes.instances.keys import BINDINGS, PALETTE
from bytez_tui.panes.instances.listing import EmptyNote, InstanceList
from bytez_tui.panes.instances.row import InstanceHeader, InstanceRow
from bytez_tui.panes.polling import Poller, Pollers, PollOutcome
from bytez_tui.widgets.plain import plain
from bytez_tui.widgets.rows import RowFilter, RowList

if TYPE_CHECKING:
    from bytez_tui.clock import Clock
    from bytez_tui.config import Settings
    from bytez_tui.connection import Connection

__all__ = ["BOOT_POLL", "BOOT_TIMEOUT", "GONE_KEEP", "InstancesPane"]

_MANAGED = "Capacity is managed by Bytez"


class InstancesPane(Pane):
    """Running instances with live expiry countdowns and what they cost."""

    BINDINGS: ClassVar[list[BindingType]] = list(BINDINGS)
    PALETTE: ClassVar[list[tuple[str, str, str]]] = list(PALETTE)
    """(title, help, action name) entries offered in the command palette."""

    ram_gb: reactive[Mapping[str, float | None]] = reactive(dict, init=False)
    """Model id → RAM in GB, from the catalogue (the screen sets it): costs need it."""

    @dataclass
    class InstancesChanged(PaneMessage):
        """The server's list of instances changed (or was read again)."""

        instances: tuple[Instance, ...]
        """Every instance the server listed, booting and failed ones included."""

    @dataclass
    class InstanceReady(PaneMessage):
        """A load that was being followed reached RUNNING."""

        model: str
        """The Hugging Face id."""

    def __init__(
        self,
        *,
        api: Connection,
        clock: Clock,
        settings: Settings,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(api=api, clock=clock, settings=settings, name=name, id=id, classes=classes)
        self.book = InstanceBook()
        """The instances shown: every answer is applied here, and the rows drawn from it."""
        self._list_poller: Poller | None = None
        self._boots = Pollers()
        """The boots followed, by model."""

    def compose(self) -> ComposeResult:
        yield Static(
            "⏸ Live updates paused: nothing is requested, countdowns keep ticking. P resumes.",
            id="instances-paused",
            classes="paused-banner",
            markup=False,
        )
        yield Static("", id="instances-notice", markup=False)
        yield RowFilter(
            lambda: self.rows,
            leave_keys=self.settings.keys_for("leave-field", "escape"),
            cursor_blink=self.settings.cursor_blink,
            id="instances-filter",
        )
        yield InstanceHeader(id="instances-header", classes="table-header")
        yield InstanceList(now=self.api.server_now, id="instances-rows")
        yield EmptyNote(id="instances-empty", classes="empty")
        yield Static("", id="instances-summary", markup=False)

    def on_mount(self) -> None:
        self.set_class(True, "-empty")
        self.watch(self.app, "app_focus", self._nudge, init=False)
        self.set_interval(1.0, self._tick)
        self._start_reading()

    def on_unmount(self) -> None:
        if self._list_poller is not None:
            self._list_poller.stop()
        self._boots.stop_all()

    # --- public ------------------------------------------------------------------------

    @property
    def rows(self) -> InstanceList:
        """The list of instance rows."""
        return self.query_one("#instances-rows", InstanceList)

    @property
    def row_filter(self) -> RowFilter:
        return self.query_one("#instances-filter", RowFilter)

    @property
    def loaded(self) -> bool:
        """The list has been read at least once."""
        return self.book.loaded

    @property
    def instances(self) -> tuple[Instance, ...]:
        """The instances the server lists now (not the vanished ones)."""
        return self.book.live

    @property
    def settled(self) -> bool:
        """Nothing in flight: every poller waits on the clock and no load or delete runs."""
        busy = any(
            worker.group in ("instances-load", "instances-delete") and worker.is_running
            for worker in self.app.workers
            if worker.node is self
        )
        listing = self._list_poller is None or self._list_poller.waiting
        return not busy and listing and self._boots.waiting

    def row(self, model: str) -> InstanceRow | None:
        """The row for `model`, if listed."""
        return self.rows.row(model)

    def start_load(self, model: str, choice: LoadChoice) -> None:
        """Load `model` as chosen in the dialog, then follow it until it settles."""
        self._load(model, choice)

    def key_changed(self) -> None:
        self.refresh_now()

    def refresh_now(self) -> None:
        """Read the list again now (also while paused); on a server found to have no
        instance routes, ask afresh whether it has them now."""
        if self.book.unsupported:
            self.book.unsupported = False
            self._start_reading()
        elif self._list_poller is not None:
            self._list_poller.poke()

    @property
    def focus_target(self) -> Widget:
        return self.rows

    # --- events ------------------------------------------------------------------------

    def watch_paused(self, paused: bool) -> None:
        self.set_class(paused, "-paused")
        self._nudge()

    def watch_ram_gb(self, ram_gb: Mapping[str, float | None]) -> None:
        self.book.ram_known(ram_gb)
        self._draw()

    @on(RowList.Highlighted, "#instances-rows")
    def _highlighted(self, event: RowList.Highlighted) -> None:
        event.stop()

    # --- actions -----------------------------------------------------------------------

    def action_load(self) -> None:
        """Open the load dialog: for the highlighted model if it is gone or failed."""
        if self.book.unsupported:
            self.notify(capacity_refusal("load"), title=_MANAGED, markup=False)
            return
        entry = self._under_cursor()
        gone = entry is not None and (entry.gone or entry.instance.is_failed)
        model = entry.model if entry is not None and gone else ""
        self.post_message(RequestLoad(model, self.ram_gb.get(model)))

    def action_delete(self) -> None:
        """Stop the highlighted instance, after saying what it has cost."""
        entry = self._under_cursor()
        if entry is None:
            return
        if entry.gone:
            self.book.drop(entry.model)
            self._draw()
            return
        from bytez_tui.screens.confirm import ConfirmDialog

        now = self.api.server_now()
        model = entry.model
        cost = entry.cost(now)
        body = delete_question(entry.uptime(now), cost, entry.ram_gb)

        def confirmed(answer: bool | None) -> None:
            if answer:
                self._delete(model, cost)

        self.app.push_screen(
            ConfirmDialog(title=f"Delete {model}?", body=body, confirm="Delete"), confirmed
        )

    def action_playground(self) -> None:
        """Open the highlighted model in the playground."""
        row = self.rows.highlighted_row
        if row is not None:
            self.post_message(OpenPlayground(row.key))

    def action_refresh(self) -> None:
        """Refresh the list, and every boot followed, now."""
        self.refresh_now()
        self._boots.poke_all()

    def action_copy(self) -> None:
        """Copy the highlighted model id."""
        row = self.rows.highlighted_row
        if row is not None:
            self.app.copy_to_clipboard(row.key)

    # --- workers -----------------------------------------------------------------------

    @work(
        group="instances-refresh",
        exclusive=False,
        exit_on_error=False,
        description="Refreshing the instance list",
    )
    async def _read_list(self) -> PollOutcome:
        """One read of the list (the list poller's), vague entries replaced by their status."""
        try:
            items = await self.call_api(lambda client: client.instances())
        except Unsupported:
            self._capacity_managed()
            return None  # the route is gone: asking again would only fail again
        except BytezError as error:
            return error
        try:
            detailed = [
                (await self._status(item.model) or item) if needs_status(item) else item
                for item in items
            ]
        except BytezError as error:
            return error
        if self.is_mounted:
            self._listed(detailed)
        return self.settings.instances_refresh

    @work(
        group="instances-boot",
        exclusive=False,  # one worker per model followed
        exit_on_error=False,
        description="Following a boot",
    )
    async def _poll_boot(self, model: str, deadline: float) -> PollOutcome:
        """One status poll of a followed boot (its poller's), until the boot ends."""
        try:
            instance = await self._status(model)
        except BytezError as error:
            return error
        if not self.is_mounted:
            return None
        self.book.status(model, instance, now=self.api.server_now())
        self._draw()
        if instance is None:  # the server has no instance of it (the row says gone)
            self._boots.forget(model)
            return None
        answer = boot_answer(model, instance, timed_out=self.clock.monotonic() >= deadline)
        if answer is None:
            return BOOT_POLL
        self._boots.forget(model)
        self.notify(answer.message, title=answer.title, severity=answer.severity, markup=False)
        if instance.is_running:
            self.post_message(self.InstanceReady(self, model))
        return None

    @work(group="instances-load", exclusive=False, exit_on_error=False, description="Loading")
    async def _load(self, model: str, choice: LoadChoice) -> None:
        """Load `model`, then follow its boot (also when a load of it is under way)."""
        following = "started"
        try:
            await self.call_api(
                lambda client: client.load(
                    model,
                    concurrency=choice.concurrency,
                    expiration_period_seconds=choice.expiration_seconds,
                )
            )
            self.post_message(LoadAccepted(model, self.api.server_now(), choice.expiration_seconds))
        except Unsupported:
            self._capacity_managed()
            self.notify(capacity_refusal("load", model), title=_MANAGED, markup=False)
            return
        except BytezError as error:
            answer = explain_load_error(model, error)
            self.notify(answer.message, title=answer.title, severity=answer.severity, markup=False)
            if answer.refresh:
                self.refresh_now()
            if not answer.follow:
                return
            following = "loading"
        now = self.api.server_now()
        self.book.loading(load_placeholder(model, choice, status=following, now=now))
        self._draw()
        self.rows.select(model)
        self.notify(f"Loading {model}: following its boot", title="Load started", markup=False)
        self._follow(model, announce=True)

    @work(group="instances-delete", exclusive=False, exit_on_error=False, description="Deleting")
    async def _delete(self, model: str, cost: float | None) -> None:
        """Stop the instance of `model`; the toast says what it cost (`cost`, if known)."""
        try:
            stopped = await self.call_api(lambda client: client.delete(model))
        except Unsupported:
            self._capacity_managed()
            return
        except BytezError as error:
            self.report(error, title=f"Deleting {model} failed")
            return
        self.book.deleted(model)
        self._draw()
        self.post_message(InstanceDeleted(model, self.api.server_now()))
        notice = deleted_notice(model, stopped=stopped, cost=cost)
        self.notify(notice, title="Instance stopped", markup=False)

    async def _status(self, model: str) -> Instance | None:
        return await self.call_api(lambda client: client.status(model))

    # --- polling -----------------------------------------------------------------------

    def _start_reading(self) -> None:
        """Start the list poller (on mount, and when asked afresh after `unsupported`)."""
        self._list_poller = Poller(
            self, self._read_list, name="instances", on_error=self._list_failed
        ).start()

    def _follow(self, model: str, *, announce: bool) -> None:
        """Follow the boot of `model`, unless it is followed already; `announce`: ask at
        once (a load just started) rather than after `BOOT_POLL`."""
        if self._boots.running(model):
            return
        deadline = self.clock.monotonic() + BOOT_TIMEOUT

        def failed(error: BytezError, wait: float) -> None:
            self._notice(f"⚠ Following {model}: {error.message} (retry in {wait:.0f} s)")

        self._boots.start(
            Poller(
                self,
                lambda: self._poll_boot(model, deadline),
                name=model,
                on_error=failed,
                first_delay=0.0 if announce else BOOT_POLL,
            )
        )

    def _nudge(self) -> None:
        """Have every poller re-read the pause and focus state."""
        if self._list_poller is not None:
            self._list_poller.nudge()
        self._boots.nudge_all()

    def _list_failed(self, error: BytezError, wait: float) -> None:
        if self.book.unreadable_now() == 1:
            self.report(error, title="Instance list")
        shown = "the last list shown" if self.book.loaded else "no list yet"
        # No figure here: it would go stale; the header counts down to the retry.
        self._notice(f"⚠ {error.message} ({shown}; retrying by itself, r now)")

    # --- drawing -----------------------------------------------------------------------

    def _listed(self, items: list[Instance]) -> None:
        """The list was read: apply it, follow what boots, and draw."""
        self.book.listed(items, now=self.api.server_now(), following=self._boots)
        self._notice("")
        self.set_class(False, "-capacity-managed")  # the routes may answer again
        for item in items:
            if item.is_booting and self.book.get(item.model) is not None:
                self._follow(item.model, announce=False)
        self.post_message(self.InstancesChanged(self, tuple(items)))
        self._draw()

    def _capacity_managed(self) -> None:
        """The server has no instance routes: say plainly why the pane is empty."""
        if not self.is_mounted:
            return
        self.book.capacity_managed()
        self._notice("")
        self.set_class(True, "-empty")
        self.set_class(True, "-capacity-managed")
        self.post_message(self.InstancesChanged(self, ()))

    def _notice(self, text: str) -> None:
        """Show a one-line notice over the list (none: hide it), and what the book knows."""
        notice = self.query_one("#instances-notice", Static)
        notice.update(plain(text))
        notice.display = bool(text)
        self.query_one(EmptyNote).show_book(self.book)

    def _under_cursor(self) -> Listed | None:
        """The book's entry for the row under the cursor."""
        row = self.rows.highlighted_row
        return None if row is None else self.book.get(row.key)

    def _tick(self) -> None:
        now = self.api.server_now()
        if self.book.expire(now):
            self._draw()
        self.rows.tick(now)

    def _draw(self) -> None:
        """Draw the book: the rows, the summary line, and whether the pane is empty."""
        self.rows.show(self.book.entries)
        self.set_class(not self.book, "-empty")
        self.query_one("#instances-summary", Static).update(self.book.summary())
