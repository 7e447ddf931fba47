"""`InstancesPane`: what is running (and costing money) right now.

The list comes from `/model/instances` every `settings.instances_refresh` seconds (a
`Poller` in group `instances-refresh`); a booting instance is followed through
`/model/status` every 5 s (group `instances-boot`) until it is RUNNING or FAILED.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from bytez_tui.errors import BytezError
from bytez_tui.format import money
from bytez_tui.messages import OpenPlayground, RequestLoad
from bytez_tui.models import Instance
from bytez_tui.panes.base import Pane
from bytez_tui.panes.instances.row import InstanceHeader, InstanceRow
from bytez_tui.panes.instances.texts import delete_question, explain_load_error, summary
from bytez_tui.panes.polling import Poller
from bytez_tui.widgets.rows import RowList

if TYPE_CHECKING:
    from bytez_tui.api import BytezClient
    from bytez_tui.app import BytezApp
    from bytez_tui.clock import Clock
    from bytez_tui.config import Settings
    from bytez_tui.connection import Connection
    from bytez_tui.screens.load import LoadChoice

__all__ = ["BOOT_POLL", "BOOT_TIMEOUT", "GONE_KEEP", "InstancesPane"]

BOOT_POLL = 5.0
"""Seconds between status polls of a booting instance (the official clients' interval)."""
BOOT_TIMEOUT = 15 * 60.0
"""Give up following a boot after this long (the official clients did too)."""
GONE_KEEP = 10 * 60.0
"""How long a vanished instance stays listed, dimmed, so the user sees why it went."""

_EMPTY = (
    "Nothing is running, so nothing is billed.\n\n"
    "Press [b]l[/] to load a model, or [b]l[/] on a catalogue row."
)


async def _status(client: BytezClient, *, model: str) -> Instance | None:
    return await client.status(model)


class InstancesPane(Pane):
    """Running instances with live expiry countdowns and what they cost."""

    BINDINGS: ClassVar[list[BindingType]] = [
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
        self.loaded = False
        """The list has been read at least once."""
        self._list_poller: Poller | None = None
        self._boot_pollers: dict[str, Poller] = {}
        self._deleted: set[str] = set()
        self._list_failures = 0

    def compose(self) -> ComposeResult:
        yield Static(
            "⏸ Live updates paused: nothing is requested, countdowns keep ticking. P resumes.",
            id="instances-paused",
            classes="paused-banner",
        )
        yield Static("", id="instances-notice", markup=False)
        yield InstanceHeader(id="instances-header", classes="table-header")
        yield RowList(id="instances-rows")
        yield Static(_EMPTY, id="instances-empty", classes="empty")
        yield Static("", id="instances-summary")

    def on_mount(self) -> None:
        self.set_class(True, "-empty")
        self.watch(self.app, "app_focus", self._nudge_all, init=False)
        self.set_interval(1.0, self._tick)
        self._list_poller = Poller(
            self,
            self._poll_list,
            group="instances-refresh",
            name="instances",
            description="Refreshing the instance list",
            on_error=self._list_failed,
        ).start()

    def on_unmount(self) -> None:
        for poller in [self._list_poller, *self._boot_pollers.values()]:
            if poller is not None:
                poller.stop()

    # --- public ------------------------------------------------------------------------

    @property
    def rows(self) -> RowList:
        """The list of instance rows."""
        return self.query_one("#instances-rows", RowList)

    @property
    def instances(self) -> tuple[Instance, ...]:
        """The instances the server lists now (not the vanished ones)."""
        return tuple(
            row.instance for row in self.rows.rows if isinstance(row, InstanceRow) and not row.gone
        )

    @property
    def settled(self) -> bool:
        """Nothing in flight: every poller waits on the clock and no load or delete runs."""
        pollers = [self._list_poller, *self._boot_pollers.values()]
        busy = any(
            worker.group in ("instances-load", "instances-delete") and worker.is_running
            for worker in self.app.workers
            if worker.node is self
        )
        return not busy and all(poller is None or poller.waiting for poller in pollers)

    def row(self, model: str) -> InstanceRow | None:
        """The row for `model`, if listed."""
        row = self.rows.get_row(model)
        return row if isinstance(row, InstanceRow) else None

    def start_load(self, model: str, choice: LoadChoice) -> None:
        """Load `model` as chosen in the dialog, then follow it until it settles."""
        self.run_worker(
            self._load(model, choice),
            name=model,
            group="instances-load",
            description=f"Loading {model}",
            exit_on_error=False,
            exclusive=False,
        )

    def refresh_now(self) -> None:
        """Read the list again now (also while paused)."""
        if self._list_poller is not None:
            self._list_poller.poke()

    @property
    def focus_target(self) -> Widget:
        return self.rows

    # --- events ------------------------------------------------------------------------

    def watch_paused(self, paused: bool) -> None:
        self.set_class(paused, "-paused")
        self._nudge_all()

    def watch_ram_gb(self, ram_gb: Mapping[str, float | None]) -> None:
        for row in self._rows():
            if ram_gb.get(row.key) is not None:
                row.show(row.instance, ram_gb[row.key])
        self._summarise()

    @on(RowList.Highlighted, "#instances-rows")
    def _highlighted(self, event: RowList.Highlighted) -> None:
        event.stop()

    # --- actions -----------------------------------------------------------------------

    def action_load(self) -> None:
        """Open the load dialog: for the highlighted model if it is gone or failed."""
        row = self._highlighted_row()
        model = row.key if row is not None and (row.gone or row.instance.is_failed) else ""
        self.post_message(RequestLoad(model, self.ram_gb.get(model)))

    def action_delete(self) -> None:
        """Stop the highlighted instance, after saying what it has cost."""
        row = self._highlighted_row()
        if row is None:
            return
        if row.gone:
            self._drop(row.key)
            return
        from bytez_tui.screens.confirm import ConfirmDialog

        now = self.api.server_now()
        model = row.key
        cost = row.cost(now)
        body = delete_question(row.uptime(now), cost, row.ram_gb)

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.run_worker(
                    self._delete(model, cost),
                    name=model,
                    group="instances-delete",
                    description=f"Deleting {model}",
                    exit_on_error=False,
                    exclusive=False,
                )

        self.app.push_screen(
            ConfirmDialog(title=f"Delete {model}?", body=body, confirm="Delete"), confirmed
        )

    def action_playground(self) -> None:
        """Open the highlighted model in the playground."""
        row = self._highlighted_row()
        if row is not None:
            self.post_message(OpenPlayground(row.key))

    def action_refresh(self) -> None:
        """Refresh the list now."""
        self.refresh_now()
        for poller in self._boot_pollers.values():
            poller.poke()

    def action_copy(self) -> None:
        """Copy the highlighted model id."""
        row = self._highlighted_row()
        if row is not None:
            cast("BytezApp", self.app).copy(row.key, what="model id")

    # --- workers -----------------------------------------------------------------------

    async def _poll_list(self) -> float:
        items = await self.call_api(lambda client: client.instances())
        detailed: list[Instance] = []
        for item in items:
            if item.status.upper() == "UNKNOWN" or (item.is_running and item.expires_at is None):
                detail = await self.call_api(partial(_status, model=item.model))
                item = detail or item
            detailed.append(item)
        if self.is_mounted:
            self._apply(detailed)
        return self.settings.instances_refresh

    async def _load(self, model: str, choice: LoadChoice) -> None:
        following = "started"
        try:
            await self.call_api(
                lambda client: client.load(
                    model,
                    concurrency=choice.concurrency,
                    expiration_period_seconds=choice.expiration_seconds,
                )
            )
        except BytezError as error:
            answer = explain_load_error(model, error)
            self.notify(answer.message, title=answer.title, severity=answer.severity, markup=False)
            if answer.refresh:
                self.refresh_now()
            if not answer.follow:
                return
            following = "loading"
        self._deleted.discard(model)
        placeholder = Instance(
            model,
            following,
            choice.concurrency,
            0,
            choice.expiration_seconds,
            None,
            self.api.server_now(),
            None,
            None,
        )
        self._upsert(placeholder)
        self.rows.select(model)
        self.notify(f"Loading {model}: following its boot", title="Load started", markup=False)
        self._follow_boot(model, announce=True)

    async def _delete(self, model: str, cost: float | None) -> None:
        try:
            stopped = await self.call_api(lambda client: client.delete(model))
        except BytezError as error:
            self.report(error, title=f"Deleting {model} failed")
            return
        self._deleted.add(model)
        self._drop(model)
        if stopped:
            spent = f": about {money(cost)} billed" if cost is not None else ""
            self.notify(f"Deleted {model}{spent}", title="Instance stopped", markup=False)
        else:
            self.notify(f"{model} was already gone", title="Instance stopped", markup=False)

    # --- boot following ----------------------------------------------------------------

    def _follow_boot(self, model: str, *, announce: bool) -> None:
        if model in self._boot_pollers and self._boot_pollers[model].running:
            return
        deadline = self.clock.monotonic() + BOOT_TIMEOUT

        async def poll() -> float | None:
            instance = await self.call_api(lambda client: client.status(model))
            if not self.is_mounted:
                return None
            if instance is None:
                row = self.row(model)
                if row is not None:
                    row.mark_gone(self.api.server_now())
                self._boot_pollers.pop(model, None)
                return None
            self._upsert(instance)
            if instance.is_running:
                self._boot_pollers.pop(model, None)
                self.notify(f"{model} is running", title="Instance ready", markup=False)
                self.post_message(self.InstanceReady(model))
                return None
            if instance.is_failed:
                self._boot_pollers.pop(model, None)
                self.notify(
                    f"{model} failed to start: {instance.error or instance.status}",
                    title="Load failed",
                    severity="error",
                    markup=False,
                )
                return None
            if self.clock.monotonic() >= deadline:
                self._boot_pollers.pop(model, None)
                self.notify(
                    f"{model} is still {instance.status} after 15 min: no longer following it "
                    "(r refreshes)",
                    title="Slow boot",
                    severity="warning",
                    markup=False,
                )
                return None
            return BOOT_POLL

        def failed(error: BytezError, wait: float) -> None:
            self._notice(f"⚠ Following {model}: {error.message} (retry in {wait:.0f} s)")

        self._boot_pollers[model] = Poller(
            self,
            poll,
            group="instances-boot",
            name=model,
            description=f"Following the boot of {model}",
            on_error=failed,
            first_delay=0.0 if announce else BOOT_POLL,
        ).start()

    # --- helpers -----------------------------------------------------------------------

    def _list_failed(self, error: BytezError, wait: float) -> None:
        self._list_failures += 1
        if self._list_failures == 1:
            self.report(error, title="Instance list")
        shown = "the last list shown" if self.loaded else "no list yet"
        self._notice(f"⚠ {error.message} ({shown}; retrying in {wait:.0f} s, r now)")

    def _notice(self, text: str) -> None:
        notice = self.query_one("#instances-notice", Static)
        notice.update(text)
        notice.display = bool(text)

    def _apply(self, items: list[Instance]) -> None:
        now = self.api.server_now()
        self.loaded = True
        self._list_failures = 0
        self._notice("")
        listed = {item.model for item in items}
        for item in items:
            if item.model in self._deleted:
                continue
            self._upsert(item)
            if item.is_booting:
                self._follow_boot(item.model, announce=False)
        for row in self._rows():
            if row.key not in listed and not row.gone and row.key not in self._boot_pollers:
                row.mark_gone(now)
        self._deleted &= listed
        self.post_message(self.InstancesChanged(tuple(items)))
        self._summarise()

    def _upsert(self, instance: Instance) -> None:
        row = self.row(instance.model)
        ram_gb = self.ram_gb.get(instance.model)
        if row is None:
            self.rows.mount(InstanceRow(instance, ram_gb=ram_gb, now=self.api.server_now))
            self.call_after_refresh(self.rows.sync_cursor)
        else:
            row.gone_at = None
            row.show(instance, ram_gb)
        self.set_class(False, "-empty")
        self._summarise()

    def _drop(self, model: str) -> None:
        row = self.row(model)
        if row is not None:
            self.rows.remove_rows([row])
        self.set_class(not [r for r in self._rows() if r.key != model], "-empty")
        self._summarise(exclude=model)

    def _rows(self) -> list[InstanceRow]:
        return [row for row in self.rows.rows if isinstance(row, InstanceRow)]

    def _highlighted_row(self) -> InstanceRow | None:
        row = self.rows.highlighted
        return row if isinstance(row, InstanceRow) else None

    def _tick(self) -> None:
        now = self.api.server_now()
        for row in self._rows():
            if row.gone_at is not None and now - row.gone_at > timedelta(seconds=GONE_KEEP):
                self._drop(row.key)
            else:
                row.tick(now)

    def _summarise(self, exclude: str = "") -> None:
        rows = [row for row in self._rows() if row.key != exclude]
        self.query_one("#instances-summary", Static).update(summary(rows))

    def _nudge_all(self) -> None:
        for poller in [self._list_poller, *self._boot_pollers.values()]:
            if poller is not None:
                poller.nudge()
