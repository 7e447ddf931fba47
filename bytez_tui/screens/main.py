"""The dashboard: a status line, the tab bar, the five panes, and the footer.

The panes are siblings: the tab bar marks one and the screen hides the others (how
they are held, shown and mounted late is `DeckScreen`'s part).

Panes never talk to each other: each posts a message, and this screen sets
attributes on, or calls methods of, the pane that should react.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import getters, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Static

from bytez_tui.clock import Clock
from bytez_tui.config import Settings
from bytez_tui.connection import Connection
from bytez_tui.local.ledger import Ledger
from bytez_tui.local.remembered import Remembered
from bytez_tui.messages import (
    InstanceDeleted,
    LoadAccepted,
    OpenPlayground,
    RequestJob,
    RequestLoad,
    RunEnded,
    StartLoad,
)
from bytez_tui.panes.base import Pane
from bytez_tui.panes.catalogue import CataloguePane
from bytez_tui.screens.deck import DeckScreen
from bytez_tui.screens.registry import (
    PANES,
    SHELL_BINDINGS,
    DashboardCommands,
    PaneEntry,
    pane_bindings,
)
from bytez_tui.widgets.footer import KeyFooter
from bytez_tui.widgets.pane_tabs import PaneTabs
from bytez_tui.widgets.spend_watch import SpendWatch
from bytez_tui.widgets.status_bar import StatusBar
from bytez_tui.widgets.text_fields import is_text_field

if TYPE_CHECKING:
    from bytez_tui.catalogue.index import CatalogueIndex
    from bytez_tui.models import Instance
    from bytez_tui.panes.compare import ComparePane
    from bytez_tui.panes.instances import InstancesPane
    from bytez_tui.panes.jobs import JobsPane
    from bytez_tui.panes.playground import PlaygroundPane

__all__ = ["PANES", "MainScreen", "PaneEntry"]


class MainScreen(DeckScreen):
    """The five panes and the routing between them.

    Args:
        api: The connection handed to every pane.
        clock: The time source.
        settings: The app's settings.
    """

    BINDINGS: ClassVar[list[BindingType]] = [*pane_bindings(), *SHELL_BINDINGS]
    COMMANDS = {DashboardCommands}

    class Started(Message):
        """Every pane is mounted and the cached catalogue is on screen."""

    @dataclass
    class PaneShown(Message):
        """A pane came to the front (the app remembers it across restarts)."""

        pane_id: str
        """The pane's id."""

    def __init__(
        self, *, api: Connection, clock: Clock, settings: Settings, remembered: Remembered
    ) -> None:
        known = remembered.pane in {entry.id for entry in PANES}
        shown = remembered.pane if known else "catalogue"
        super().__init__(api=api, clock=clock, settings=settings, shown=shown)
        self.remembered = remembered
        """What the last run left (the pane in front, the sort, the playground's draft);
        read again when a profile switch builds the panes anew."""
        self._ram: Mapping[str, float | None] = {}
        self._live: Mapping[str, Instance] = {}
        """Model id → its instance, failed ones left out (from the instances pane)."""

    def compose(self) -> ComposeResult:
        yield StatusBar(
            label=self.settings.header_label,
            masked_key=self.settings.masked_key,
            clock=self.clock,
            dialect=self.api.dialect,
        )
        if self.settings.demo:
            yield Static(
                "DEMO  offline emulator on this machine: nothing is billed, nothing leaves it",
                id="demo-banner",
                markup=False,
            )
        yield PaneTabs(
            [(entry.id, f"{n} {entry.title}") for n, entry in enumerate(PANES, 1)],
            active=self.shown_pane,
            short={entry.id: f"{n} {entry.short}" for n, entry in enumerate(PANES, 1)},
        )
        yield self.first_pane()
        yield KeyFooter()
        yield SpendWatch(
            ledger=Ledger(store_key=self.settings.store_key),
            now=self.api.server_now,
            budget=self.settings.daily_budget,
            notify_desktop=self.settings.desktop_notifications,
        )

    def on_mount(self) -> None:
        self.call_after_refresh(self._shown)

    def _shown(self) -> None:
        """The shell is on screen: the cached rows next, then the other panes."""
        self.catalogue.sort_by(self.remembered.sort, self.remembered.descending)
        self.catalogue.start(then=partial(self.call_later, self._mount_other_panes))

    async def _mount_other_panes(self) -> None:
        if not await self.mount_later_panes():
            return  # the app closed while the panes mounted: nothing left to route to
        # Before the routes: a model sent with `p` in the first moments wins over the draft's.
        self.playground.restore_draft(self.remembered.draft)
        self.run_waiting()
        self.show_pane(self.shown_pane)  # a pane chosen while it was mounting takes the focus
        self.post_message(self.Started())

    # --- typed accessors ----------------------------------------------------------------

    status_bar = getters.query_one(StatusBar)
    spend = getters.query_one(SpendWatch)
    tabs = getters.query_one(PaneTabs)

    def show_pane(self, pane_id: str) -> None:
        """Bring a pane to the front (its tab, if the pane is still being mounted).

        The pane takes the focus at once, so keys typed right after its number reach it.
        """
        self.post_message(self.PaneShown(pane_id))
        self.tabs.active = pane_id
        super().show_pane(pane_id)

    def key_changed(self, settings: Settings) -> None:
        """The user entered a new key: show it (masked) and let every pane read again.

        Args:
            settings: The app's settings, with the new key.
        """
        self.settings = settings
        self.status_bar.show_key(self.settings.masked_key)
        for pane in self.panes:
            pane.settings = self.settings
            pane.key_changed()

    async def use_api(self, api: Connection, settings: Settings, remembered: Remembered) -> None:
        """Show another API (a profile chosen): every pane is built again on it, with its
        own local data, as at start, and the pane, sort and draft the user had.

        Args:
            api: The connection to the other API.
            settings: The app's settings for it.
            remembered: The pane in front, the sort and the playground's draft now.
        """
        self.api, self.settings, self.remembered = api, settings, remembered
        self._ram, self._live = {}, {}
        await self.rebuild_panes()
        self._shown()

    def on_pane_tabs_chosen(self, message: PaneTabs.Chosen) -> None:
        self.show_pane(message.pane_id)

    # --- routing ------------------------------------------------------------------------

    @on(Pane.HealthChanged)
    def _health_changed(self, message: Pane.HealthChanged) -> None:
        self.status_bar.health = message.health

    @on(CataloguePane.CatalogueLoaded)
    def _catalogue_loaded(self, message: CataloguePane.CatalogueLoaded) -> None:
        from bytez_tui.catalogue.index import RamByModel

        ram = self._ram = RamByModel(message.models, message.ram_gb)
        self.spend.ram_known(ram.get)
        self.when_mounted(partial(self._share_catalogue, message.index, ram))

    def _share_catalogue(self, index: CatalogueIndex, ram: Mapping[str, float | None]) -> None:
        self.playground.catalogue_names = index.names
        self.playground.catalogue = index
        self.compare.catalogue_names = index.names
        self.instances.ram_gb = ram

    # The handlers below are named rather than decorated, so that the pane classes
    # need not be imported before the first frame.

    def on_playground_runs_busy_changed(self, message: PlaygroundPane.BusyChanged) -> None:
        self.tabs.set_spinning("playground", message.busy)

    def on_compare_pane_busy_changed(self, message: ComparePane.BusyChanged) -> None:
        self.tabs.set_spinning("compare", message.busy)

    def on_compare_pane_load_requested(self, message: ComparePane.LoadRequested) -> None:
        """One dialog for every model the comparison needs, with their total cost."""
        from bytez_tui.screens.load import LoadChoice, LoadDialog

        models = message.models

        def start(choice: LoadChoice | None) -> None:
            # One model: the usual dialog, where the model can be changed (then the
            # comparison does not wait for one it will never see loaded).
            loaded = choice is not None and (len(models) > 1 or choice.model in ("", models[0]))
            self.compare.load_chosen(loaded)
            if choice is not None:
                self.spend.confirm_past_budget(partial(load_all, choice))

        def load_all(choice: LoadChoice) -> None:
            for model in models if len(models) > 1 else [choice.model or models[0]]:
                self.instances.start_load(model, choice)

        dialog = LoadDialog(
            model=models[0],
            ram_gb=self._ram.get(models[0]),
            ram_of=self._ram.get,
            models=models if len(models) > 1 else (),
        )
        self.app.push_screen(dialog, lambda choice: self.when_mounted(partial(start, choice)))

    def on_jobs_pane_tracked_changed(self, message: JobsPane.TrackedChanged) -> None:
        self.catalogue.tracked = frozenset(message.models)
        self.tabs.set_badge("jobs", f"({message.pending} pending)" if message.pending else "")

    def on_instances_pane_instances_changed(self, message: InstancesPane.InstancesChanged) -> None:
        self.when_mounted(partial(self._share_instances, message.instances))

    def _share_instances(self, instances: tuple[Instance, ...]) -> None:
        self.spend.observed(instances, self._ram.get, self.api.bills_instance_time)
        live = {i.model: i for i in instances if not i.is_failed}
        self._live = live
        self.tabs.set_badge("instances", f"({len(live)})" if live else "")
        self.catalogue.instances = live
        self.catalogue.running = frozenset(live)
        running = frozenset(i.model for i in instances if i.is_running)
        self.playground.running_models = running
        self.compare.running_models = running

    # --- spend ------------------------------------------------------------------------

    @on(SpendWatch.Changed)
    def _spend_changed(self, message: SpendWatch.Changed) -> None:
        self.status_bar.spend = message.text

    @on(LoadAccepted)
    def _load_accepted(self, message: LoadAccepted) -> None:
        ram = self._ram.get(message.model)
        self.spend.loaded(message.model, message.at, ram, message.expiration_seconds)

    @on(InstanceDeleted)
    def _instance_deleted(self, message: InstanceDeleted) -> None:
        self.spend.deleted(message.model, message.at)

    @on(RunEnded)
    def _run_ended(self, message: RunEnded) -> None:
        self.spend.ran(
            message.model, message.at, message.seconds, message.metering, message.outcome
        )

    def on_jobs_pane_job_ready(self, message: JobsPane.JobReady) -> None:
        """A model Bytez just made available may be new to the catalogue: fetch it again."""
        if message.job.model not in self._ram:
            self.catalogue.refresh_catalogue()

    def on_instances_pane_instance_ready(self, message: InstancesPane.InstanceReady) -> None:
        self.when_mounted(lambda: self.playground.instance_ready(message.model))

    @on(RequestJob)
    def _request_job(self, message: RequestJob) -> None:
        self.when_mounted(lambda: self.jobs.track(message.model))

    @on(OpenPlayground)
    def _open_playground(self, message: OpenPlayground) -> None:
        self.show_pane("playground")
        self.when_mounted(lambda: self.playground.open_model(message.model))

    @on(RequestLoad)
    def _request_load(self, message: RequestLoad) -> None:
        from bytez_tui.screens.load import LoadChoice, LoadDialog

        model = message.model
        ram_gb = message.ram_gb if message.ram_gb is not None else self._ram.get(model)
        # From any pane, a model whose job is still queued loads once it is available
        # (loading it now would be refused).
        when_ready = message.when_ready or self._job_pending(model)

        def start(choice: LoadChoice | None) -> None:
            # A cancelled dialog (or budget question) must disarm the playground's "load
            # and run": a run left waiting would start, billed, whenever the model was
            # loaded later.
            def chosen_for_run(loaded: str | None) -> None:
                if message.run_after:
                    self.playground.load_chosen(loaded)

            if choice is None:
                chosen_for_run(None)
                return
            chosen = choice.model or model
            if when_ready and chosen == model:
                armed = self.jobs.load_when_ready(
                    model,
                    concurrency=choice.concurrency,
                    expiration_seconds=choice.expiration_seconds,
                )
                if armed:
                    chosen_for_run(chosen)
                    return
                # The job finished while the dialog was open: load now.

            def load() -> None:
                chosen_for_run(chosen)
                self.instances.start_load(chosen, choice)

            self.spend.confirm_past_budget(load, declined=lambda: chosen_for_run(None))

        dialog = LoadDialog(
            model=model,
            ram_gb=ram_gb,
            ram_of=self._ram.get,
            running_of=self._running_state,
            when_ready=when_ready,
        )
        self.app.push_screen(dialog, lambda choice: self.when_mounted(partial(start, choice)))

    def _job_pending(self, model: str) -> bool:
        if self.mounting:
            return False  # the jobs pane is still mounting
        job = self.jobs.jobs.get(model)
        return job is not None and not job.finished

    def _running_state(self, model: str) -> str:
        """How `model`'s instance stands ("" when it has none), for the load dialog."""
        instance = self._live.get(model)
        return "" if instance is None else instance.status

    @on(StartLoad)
    def _start_load(self, message: StartLoad) -> None:
        from bytez_tui.screens.load import LoadChoice

        choice = LoadChoice(message.concurrency, message.expiration_seconds, message.model)
        # Chosen before the budget ran out, perhaps: past it, every billed start asks again.
        self.when_mounted(
            lambda: self.spend.confirm_past_budget(
                lambda: self.instances.start_load(message.model, choice)
            )
        )

    def watch_paused(self, paused: bool) -> None:
        self.refresh_bindings()  # the footer's P says Pause or Resume
        self.status_bar.paused = paused
        self.set_class(paused, "-paused")
        super().watch_paused(paused)

    # --- actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # False lets the key through to the focused widget and drops it from the footer:
        # in a text field 1-5 and `/` are text; under a dialog they wait for it to close.
        if action in ("show_pane", "find"):
            return self.app.screen is self and not is_text_field(self.focused)
        if action == "jump_to_pane":
            return self.app.screen is self
        if action == "toggle_pause":
            return not self.paused
        if action == "resume":
            return self.paused
        return True

    def action_show_pane(self, pane_id: str) -> None:
        self.show_pane(pane_id)

    def action_jump_to_pane(self, pane_id: str) -> None:
        self.show_pane(pane_id)

    def action_find(self) -> None:
        # The list in front takes `/`; where there is none, the catalogue's filter.
        shown = next((pane for pane in self.panes if pane.display), None)
        if shown is not None and shown.focus_filter():
            return
        self.show_pane("catalogue")
        self.catalogue.focus_filter()

    def action_help(self) -> None:
        from bytez_tui.screens.help import HelpScreen

        sections: list[tuple[str, Iterable[BindingType]]] = [
            ("Everywhere", self.app.BINDINGS),
            ("Dashboard", self.BINDINGS),
        ]
        sections += [(entry.title, entry.factory().BINDINGS) for entry in PANES]
        self.app.push_screen(HelpScreen(sections, dict(self.settings.keymap)))

    def action_resume(self) -> None:
        """Resume the live updates."""
        self.action_toggle_pause()

    def action_spend(self) -> None:
        self.spend.show_report()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self.notify("Live updates paused" if self.paused else "Live updates resumed")
