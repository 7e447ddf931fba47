"""The dashboard: a status line, the tab bar, the five panes, and the footer.

The panes are siblings: the tab bar marks one and the screen hides the others.

Panes never talk to each other: each posts a message, and this screen sets
attributes on, or calls methods of, the pane that should react.

Only the catalogue is built for the first frame; the other panes (and their
imports) are mounted right after it, so start-up costs what the user sees.
What the screen routes to them before they exist waits in a queue and runs,
in order, once they have mounted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import getters, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
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
from bytez_tui.screens.registry import (
    PANES,
    PANES_DIR,
    SHELL_BINDINGS,
    DashboardCommands,
    PaneEntry,
    compare_pane,
    instances_pane,
    jobs_pane,
    pane_bindings,
    playground_pane,
)
from bytez_tui.textual_compat import read_stylesheets
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


class MainScreen(Screen[None]):
    """The five panes and the routing between them.

    Args:
        api: The connection handed to every pane.
        clock: The time source.
        settings: The app's settings.
    """

    BINDINGS: ClassVar[list[BindingType]] = [*pane_bindings(), *SHELL_BINDINGS]
    COMMANDS = {DashboardCommands}

    paused: reactive[bool] = reactive(False, init=False)
    """Live polling is paused."""

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
        super().__init__()
        self.api = api
        self.clock = clock
        self.settings = settings
        self.remembered = remembered
        """What the last run left (the pane in front, the sort, the playground's draft);
        read again when a profile switch builds the panes anew."""
        self._ram: Mapping[str, float | None] = {}
        self._live: Mapping[str, Instance] = {}
        """Model id → its instance, failed ones left out (from the instances pane)."""
        self._waiting: list[Callable[[], object]] | None = []
        """Routes to the later panes, held until they mount (None once they have)."""
        known = remembered.pane in {entry.id for entry in PANES}
        self._shown_pane = remembered.pane if known else "catalogue"
        """The pane in front (a pane mounted later is hidden unless it is this one)."""

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
            active=self._shown_pane,
            short={entry.id: f"{n} {entry.short}" for n, entry in enumerate(PANES, 1)},
        )
        yield self._make_pane(PANES[0])
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
        others = PANES[1:]
        # The other panes' sheets are read only now: the first frame parses less CSS.
        read_stylesheets(self.app, [PANES_DIR / f"{entry.id}.tcss" for entry in others])
        last: Pane = self.catalogue
        for entry in others:
            pane = self._make_pane(entry)
            await self.mount(pane, after=last)
            last = pane
        if not (self.is_attached and last.is_attached):
            return  # the app closed while the panes mounted: nothing left to route to
        # Before the routes: a model sent with `p` in the first moments wins over the draft's.
        self.playground.restore_draft(self.remembered.draft)
        waiting, self._waiting = self._waiting or [], None
        for route in waiting:
            route()
        self.show_pane(self._shown_pane)  # a pane chosen while it was mounting takes the focus
        self.post_message(self.Started())

    def _make_pane(self, entry: PaneEntry) -> Pane:
        pane = entry.factory()(api=self.api, clock=self.clock, settings=self.settings, id=entry.id)
        pane.paused = self.paused
        pane.display = entry.id == self._shown_pane
        return pane

    def _to_panes(self, route: Callable[[], object]) -> None:
        """Run `route` now, or once the later panes have mounted if they have not yet.

        A key pressed in the catalogue in the first moments (`p`, `a`, `l`) must not
        reach for a pane that does not exist yet.
        """
        if self._waiting is not None:
            self._waiting.append(route)
            return
        # While the app closes (`exit` detaches every node; shutdown stops the app
        # running), its panes go before the last messages are handled: nothing to route.
        if not (self.app.is_running and self.is_attached):
            return
        route()

    # --- typed accessors ----------------------------------------------------------------

    status_bar = getters.query_one(StatusBar)
    spend = getters.query_one(SpendWatch)
    tabs = getters.query_one(PaneTabs)
    catalogue = getters.query_one(CataloguePane)

    @property
    def jobs(self) -> JobsPane:
        return self.query_one(jobs_pane())

    @property
    def instances(self) -> InstancesPane:
        return self.query_one(instances_pane())

    @property
    def playground(self) -> PlaygroundPane:
        return self.query_one(playground_pane())

    @property
    def compare(self) -> ComparePane:
        return self.query_one(compare_pane())

    @property
    def panes(self) -> list[Pane]:
        """The five panes, in tab order."""
        return list(self.query(Pane))

    def show_pane(self, pane_id: str) -> None:
        """Bring a pane to the front (its tab, if the pane is still being mounted).

        The pane takes the focus at once, so keys typed right after its number reach it.
        """
        self._shown_pane = pane_id
        self.post_message(self.PaneShown(pane_id))
        self.query_one(PaneTabs).active = pane_id
        for pane in self.panes:
            pane.display = pane.id == pane_id
            if pane.display:
                pane.take_focus()

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
        self._ram, self._live, self._waiting = {}, {}, []
        await self.recompose()
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
        self._to_panes(partial(self._share_catalogue, message.index, ram))

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
        self.app.push_screen(dialog, lambda choice: self._to_panes(partial(start, choice)))

    def on_jobs_pane_tracked_changed(self, message: JobsPane.TrackedChanged) -> None:
        self.catalogue.tracked = frozenset(message.models)
        self.tabs.set_badge("jobs", f"({message.pending} pending)" if message.pending else "")

    def on_instances_pane_instances_changed(self, message: InstancesPane.InstancesChanged) -> None:
        self._to_panes(partial(self._share_instances, message.instances))

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
        self._to_panes(lambda: self.playground.instance_ready(message.model))

    @on(RequestJob)
    def _request_job(self, message: RequestJob) -> None:
        self._to_panes(lambda: self.jobs.track(message.model))

    @on(OpenPlayground)
    def _open_playground(self, message: OpenPlayground) -> None:
        self.show_pane("playground")
        self._to_panes(lambda: self.playground.open_model(message.model))

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
        self.app.push_screen(dialog, lambda choice: self._to_panes(partial(start, choice)))

    def _job_pending(self, model: str) -> bool:
        if self._waiting is not None:
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
        self._to_panes(
            lambda: self.spend.confirm_past_budget(
                lambda: self.instances.start_load(message.model, choice)
            )
        )

    def watch_paused(self, paused: bool) -> None:
        self.refresh_bindings()  # the footer's P says Pause or Resume
        self.status_bar.paused = paused
        self.set_class(paused, "-paused")
        for pane in self.panes:
            pane.paused = paused

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
        from bytez_tui.screens.spend import SpendScreen

        self.app.push_screen(
            SpendScreen(
                ledger=self.spend.ledger,
                now=self.api.server_now,
                budget=self.settings.daily_budget,
                set_budget=self._set_budget,
            )
        )

    def _set_budget(self, budget: float | None) -> str:
        """Save a new daily budget to config.toml and use it; returns why it failed, or ""."""
        from dataclasses import replace

        from bytez_tui.config import ConfigError, update_config

        try:
            update_config({"daily_budget": budget})
        except (OSError, ConfigError) as error:
            return f"not saved: {error}"
        self.settings = replace(self.settings, daily_budget=budget)
        self.spend.set_budget(budget)
        return ""

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self.notify("Live updates paused" if self.paused else "Live updates resumed")
