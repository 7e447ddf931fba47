"""`InstancesPane`: what is running (and costing money) right now.

`InstanceSync` (sync.py) makes every request: it reads `/model/instances` every
`settings.instances_refresh` seconds, follows each booting instance through
`/model/status` until it is RUNNING or FAILED, and loads and deletes. The pane turns
keys into those requests, applies the answers to its `InstanceBook`
(`bytez_tui.local.instances`), and draws the book in an `InstanceList` (listing.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from bytez_tui.local.instances import (
    CAPACITY_MANAGED,
    GONE_KEEP,
    InstanceBook,
    delete_question,
)
from bytez_tui.messages import OpenPlayground, RequestLoad
from bytez_tui.models import Instance
from bytez_tui.panes.base import Pane
from bytez_tui.panes.instances.listing import InstanceList
from bytez_tui.panes.instances.row import InstanceHeader, InstanceRow
from bytez_tui.panes.instances.sync import BOOT_POLL, BOOT_TIMEOUT, InstanceSync
from bytez_tui.widgets.plain import plain
from bytez_tui.widgets.rows import RowFilter, RowList

if TYPE_CHECKING:
    from bytez_tui.clock import Clock
    from bytez_tui.config import Settings
    from bytez_tui.connection import Connection
    from bytez_tui.screens.load import LoadChoice

__all__ = ["BOOT_POLL", "BOOT_TIMEOUT", "GONE_KEEP", "InstancesPane"]

_EMPTY = Content.from_markup(
    "Nothing is running, so nothing is billed.\n\n"
    "Press [b]l[/] to load a model, or [b]l[/] on a catalogue row."
)
_ASKING = Content("Asking Bytez which instances are running…")
"""Before the first answer: nothing is known yet (not even that nothing runs)."""
_UNKNOWN = Content.from_markup(
    "Unknown: the instance list could not be read, so what is running, and billed,\n"
    "is not known. It is tried again by itself; [b]r[/] tries now."
)
"""The list could not be read: unknown is not zero."""


class InstancesPane(Pane):
    """Running instances with live expiry countdowns and what they cost."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "clear_filter",
            "Clear filter",
            id="instances-clear-filter",
            tooltip="Show every row again (/ filters)",
        ),
        Binding("l", "load", "Load", id="instances-load", tooltip="Load a model (dialog)"),
        Binding(
            "d",
            "delete",
            "Delete",
            id="instances-delete",
            tooltip="Stop the instance (asks first, with the cost so far)",
        ),
        Binding(
            "p",
            "playground",
            "Playground",
            id="instances-playground",
            tooltip="Open the model in the playground",
        ),
        Binding(
            "r",
            "refresh",
            "Refresh",
            id="instances-refresh",
            show=False,
            tooltip="Refresh the list now",
        ),
        Binding(
            "c", "copy", "Copy id", id="instances-copy", show=False, tooltip="Copy the model id"
        ),
    ]
    PALETTE: ClassVar[list[tuple[str, str, str]]] = [
        ("Instances: refresh", "Ask the server for the instance list now", "refresh"),
        ("Instances: load a model", "Open the load dialog", "load"),
    ]
    """(title, help, action name) entries offered in the command palette."""

    ram_gb: reactive[Mapping[str, float | None]] = reactive(dict, init=False)
    """Model id → RAM in GB, from the catalogue (the screen sets it): costs need it."""

    @dataclass
    class InstancesChanged(Message):
        """The server's list of instances changed (or was read again)."""

        instances: tuple[Instance, ...]
        """Every instance the server listed, booting and failed ones included."""

    @dataclass
    class InstanceReady(Message):
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
        self._sync = InstanceSync(
            self,
            on_list=self._apply,
            on_loading=self._loading,
            on_status=self._boot_status,
            on_ready=lambda model: self.post_message(self.InstanceReady(model)),
            on_deleted=self._deleted_one,
            on_notice=self._notice,
            on_unsupported=self._capacity_managed,
        )
        self.book = InstanceBook()
        """The instances shown: every answer is applied here, and the rows drawn from it."""

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
        yield Static(_ASKING, id="instances-empty", classes="empty", markup=False)
        yield Static("", id="instances-summary", markup=False)

    def on_mount(self) -> None:
        self.set_class(True, "-empty")
        self.watch(self.app, "app_focus", self._sync.nudge, init=False)
        self.set_interval(1.0, self._tick)
        self._sync.start()

    def on_unmount(self) -> None:
        self._sync.stop()

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
        return self._sync.loaded

    @property
    def instances(self) -> tuple[Instance, ...]:
        """The instances the server lists now (not the vanished ones)."""
        return self.book.live

    @property
    def settled(self) -> bool:
        """Nothing in flight: every poller waits on the clock and no load or delete runs."""
        return self._sync.settled

    def row(self, model: str) -> InstanceRow | None:
        """The row for `model`, if listed."""
        return self.rows.row(model)

    def start_load(self, model: str, choice: LoadChoice) -> None:
        """Load `model` as chosen in the dialog, then follow it until it settles."""
        self._sync.load(model, choice)

    def key_changed(self) -> None:
        self.refresh_now()

    def refresh_now(self) -> None:
        """Read the list again now (also while paused)."""
        self._sync.refresh_now()

    @property
    def focus_target(self) -> Widget:
        return self.rows

    # --- events ------------------------------------------------------------------------

    def watch_paused(self, paused: bool) -> None:
        self.set_class(paused, "-paused")
        self._sync.nudge()

    def watch_ram_gb(self, ram_gb: Mapping[str, float | None]) -> None:
        self.book.ram_known(ram_gb)
        self._draw()

    @on(RowList.Highlighted, "#instances-rows")
    def _highlighted(self, event: RowList.Highlighted) -> None:
        event.stop()

    # --- actions -----------------------------------------------------------------------

    def action_load(self) -> None:
        """Open the load dialog: for the highlighted model if it is gone or failed."""
        if self._sync.unsupported:
            self._nothing_to_do("load")
            return
        row = self.rows.highlighted_row
        model = row.key if row is not None and (row.gone or row.instance.is_failed) else ""
        self.post_message(RequestLoad(model, self.ram_gb.get(model)))

    def action_delete(self) -> None:
        """Stop the highlighted instance, after saying what it has cost."""
        row = self.rows.highlighted_row
        if row is None:
            return
        entry = row.entry
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
                self._sync.delete(model, cost)

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
        self._sync.poke()

    def action_copy(self) -> None:
        """Copy the highlighted model id."""
        row = self.rows.highlighted_row
        if row is not None:
            self.app.copy_to_clipboard(row.key)

    # --- helpers -----------------------------------------------------------------------

    def _capacity_managed(self) -> None:
        """The server has no instance routes: say plainly why the pane is empty."""
        self._notice("")
        self.query_one("#instances-empty", Static).update(CAPACITY_MANAGED)
        self.set_class(True, "-empty")
        self.set_class(True, "-capacity-managed")
        self.post_message(self.InstancesChanged(()))

    def _nothing_to_do(self, what: str) -> None:
        self.notify(
            f"Nothing to {what}: this API starts a model on its first run and stops it when "
            "idle. Run it from the playground (4).",
            title="Capacity is managed by Bytez",
            markup=False,
        )

    def _notice(self, text: str) -> None:
        notice = self.query_one("#instances-notice", Static)
        notice.update(plain(text))
        notice.display = bool(text)
        self._show_empty()

    def _show_empty(self) -> None:
        """What the pane says when it lists no instance: that nothing runs only when the
        server's last answer said so; before any answer, or after a failed one, not."""
        sync = self._sync
        if sync.unsupported:
            return  # the pane says why it is empty: this API manages capacity itself
        text = _UNKNOWN if sync.unreadable else _EMPTY if sync.loaded else _ASKING
        self.query_one("#instances-empty", Static).update(text)

    def _apply(self, items: list[Instance]) -> None:
        self._notice("")
        if self.has_class("-capacity-managed"):  # the routes answer again
            self.set_class(False, "-capacity-managed")
            self.query_one("#instances-empty", Static).update(_EMPTY)
        self.book.listed(items, now=self.api.server_now(), following=self._sync)
        for item in items:
            if item.is_booting and self.book.get(item.model) is not None:
                self._sync.follow(item.model, announce=False)
        self.post_message(self.InstancesChanged(tuple(items)))
        self._draw()

    def _loading(self, placeholder: Instance) -> None:
        self.book.loading(placeholder)
        self._draw()
        self.rows.select(placeholder.model)

    def _boot_status(self, model: str, instance: Instance | None) -> None:
        self.book.status(model, instance, now=self.api.server_now())
        self._draw()

    def _deleted_one(self, model: str) -> None:
        self.book.deleted(model)
        self._draw()

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
