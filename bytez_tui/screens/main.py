"""The dashboard: a status line, the four panes as tabs, and the footer.

Panes never talk to each other: each posts a message, and this screen sets
attributes on, or calls methods of, the pane that should react.
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from bytez_tui.clock import Clock
from bytez_tui.config import Settings
from bytez_tui.connection import Connection
from bytez_tui.messages import OpenPlayground, RequestJob, RequestLoad
from bytez_tui.panes.base import Pane
from bytez_tui.panes.catalogue import CataloguePane
from bytez_tui.panes.instances import InstancesPane
from bytez_tui.panes.jobs import JobsPane
from bytez_tui.panes.playground import PlaygroundPane
from bytez_tui.widgets.status_bar import StatusBar

__all__ = ["PANES", "MainScreen"]

PANES: dict[str, tuple[str, type[Pane]]] = {
    "catalogue": ("Catalogue", CataloguePane),
    "jobs": ("Jobs", JobsPane),
    "instances": ("Instances", InstancesPane),
    "playground": ("Playground", PlaygroundPane),
}
"""Pane id → (tab title, class), in tab order."""


class MainScreen(Screen[None]):
    """The four panes and the routing between them.

    Args:
        api: The connection handed to every pane.
        clock: The time source.
        settings: The app's settings.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "P",
            "toggle_pause",
            "Pause",
            id="pause-live",
            tooltip="Pause or resume every live update (countdowns keep ticking)",
        ),
    ]

    paused: reactive[bool] = reactive(False)
    """Live polling is paused."""

    def __init__(self, *, api: Connection, clock: Clock, settings: Settings) -> None:
        super().__init__()
        self.api = api
        self.clock = clock
        self.settings = settings
        self._ram: dict[str, float | None] = {}

    def compose(self) -> ComposeResult:
        label = self.settings.label or urlsplit(self.settings.base_url).netloc
        yield StatusBar(label=label, masked_key=self.settings.masked_key, clock=self.clock)
        if self.settings.demo:
            yield Static(
                "DEMO  offline emulator on this machine: nothing is billed, nothing leaves it",
                id="demo-banner",
            )
        with TabbedContent(id="panes"):
            for number, (pane_id, (title, pane_class)) in enumerate(PANES.items(), start=1):
                with TabPane(f"{number} {title}", id=f"tab-{pane_id}"):
                    yield pane_class(
                        api=self.api, clock=self.clock, settings=self.settings, id=pane_id
                    )
        yield Footer()

    # --- typed accessors ----------------------------------------------------------------

    @property
    def status_bar(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def catalogue(self) -> CataloguePane:
        return self.query_one(CataloguePane)

    @property
    def jobs(self) -> JobsPane:
        return self.query_one(JobsPane)

    @property
    def instances(self) -> InstancesPane:
        return self.query_one(InstancesPane)

    @property
    def playground(self) -> PlaygroundPane:
        return self.query_one(PlaygroundPane)

    @property
    def panes(self) -> list[Pane]:
        """The four panes, in tab order."""
        return list(self.query(Pane))

    def show_pane(self, pane_id: str) -> Pane:
        """Bring a pane to the front and return it."""
        self.query_one(TabbedContent).active = f"tab-{pane_id}"
        pane = self.query_one(f"#{pane_id}", Pane)
        return pane

    @property
    def active_pane(self) -> Pane | None:
        active = self.query_one(TabbedContent).active
        return self.query_one(f"#{active.removeprefix('tab-')}", Pane) if active else None

    # --- routing ------------------------------------------------------------------------

    @on(Pane.HealthChanged)
    def _health_changed(self, message: Pane.HealthChanged) -> None:
        self.status_bar.health = message.health

    @on(RequestJob)
    def _request_job(self, message: RequestJob) -> None:
        self.jobs.track(message.model)

    @on(OpenPlayground)
    def _open_playground(self, message: OpenPlayground) -> None:
        self.show_pane("playground")
        self.playground.open_model(message.model)

    @on(RequestLoad)
    def _request_load(self, message: RequestLoad) -> None:
        from bytez_tui.screens.load import LoadChoice, LoadDialog

        model = message.model
        ram_gb = message.ram_gb if message.ram_gb is not None else self._ram.get(model)

        def start(choice: LoadChoice | None) -> None:
            if choice is not None:
                self.instances.start_load(model, choice)

        self.app.push_screen(LoadDialog(model=model, ram_gb=ram_gb), start)

    def watch_paused(self, paused: bool) -> None:
        self.status_bar.paused = paused
        self.set_class(paused, "-paused")
        for pane in self.panes:
            pane.paused = paused

    # --- actions ------------------------------------------------------------------------

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self.notify("Live updates paused" if self.paused else "Live updates resumed")
