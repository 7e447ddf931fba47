"""`DeckScreen`: a screen holding the dashboard's panes like a deck, one shown at a time.

Only the first pane (the catalogue) is built for the first frame; the others (and their
imports) are mounted once the screen asks, after the cached rows are on screen, so
start-up costs what the user sees. What is routed to them before they exist waits in a
queue and runs, in order, once they have mounted.

The panes stay the screen's own children (the catalogue is in the DOM with the first
frame, as a pane inside a container would not be yet). `MainScreen` builds on this and
does the routing: which pane should react to what.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import getters
from textual.reactive import reactive
from textual.screen import Screen

from bytez_tui.clock import Clock
from bytez_tui.config import Settings
from bytez_tui.connection import Connection
from bytez_tui.panes.base import Pane
from bytez_tui.panes.catalogue import CataloguePane
from bytez_tui.screens.registry import (
    PANES,
    PANES_DIR,
    PaneEntry,
    compare_pane,
    instances_pane,
    jobs_pane,
    playground_pane,
)
from bytez_tui.textual_compat import read_stylesheets

if TYPE_CHECKING:
    from bytez_tui.panes.compare import ComparePane
    from bytez_tui.panes.instances import InstancesPane
    from bytez_tui.panes.jobs import JobsPane
    from bytez_tui.panes.playground import PlaygroundPane

__all__ = ["DeckScreen"]


class DeckScreen(Screen[None]):
    """The panes, in tab order, one of them displayed.

    Args:
        api: The connection handed to every pane.
        clock: The time source.
        settings: The app's settings.
        shown: The id of the pane in front (a pane mounted later is hidden unless it is
            this one).
    """

    paused: reactive[bool] = reactive(False, init=False)
    """Live polling is paused (every pane is told)."""

    def __init__(self, *, api: Connection, clock: Clock, settings: Settings, shown: str) -> None:
        super().__init__()
        self.api = api
        self.clock = clock
        self.settings = settings
        self.shown_pane = shown
        """The id of the pane in front."""
        self._waiting: list[Callable[[], object]] | None = []
        """Routes to the later panes, held until they mount (None once they have)."""

    def watch_paused(self, paused: bool) -> None:
        for pane in self.panes:
            pane.paused = paused

    # --- typed accessors ----------------------------------------------------------------

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
        """The panes mounted so far, in tab order."""
        return list(self.query(Pane))

    @property
    def mounting(self) -> bool:
        """The later panes are not mounted yet."""
        return self._waiting is not None

    # --- the deck -----------------------------------------------------------------------

    def first_pane(self) -> Pane:
        """The pane built for the first frame (for `compose`)."""
        return self._make_pane(PANES[0])

    def show_pane(self, pane_id: str) -> None:
        """Display `pane_id` (once mounted, if it is not yet) and give it the focus, so
        keys typed right after its number reach it."""
        self.shown_pane = pane_id
        for pane in self.panes:
            pane.display = pane.id == pane_id
            if pane.display:
                pane.take_focus()

    async def mount_later_panes(self) -> bool:
        """Mount the panes after the first; False when the app closed meanwhile."""
        others = PANES[1:]
        # The other panes' sheets are read only now: the first frame parses less CSS.
        read_stylesheets(self.app, [PANES_DIR / f"{entry.id}.tcss" for entry in others])
        last: Pane = self.catalogue
        for entry in others:
            pane = self._make_pane(entry)
            await self.mount(pane, after=last)
            last = pane
        return self.is_attached and last.is_attached

    def run_waiting(self) -> None:
        """Run, in order, the routes that waited for the later panes."""
        waiting, self._waiting = self._waiting or [], None
        for route in waiting:
            route()

    def when_mounted(self, route: Callable[[], object]) -> None:
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

    async def rebuild_panes(self) -> None:
        """Compose the screen again, its panes built anew (the later ones mounted late)."""
        self._waiting = []
        await self.recompose()

    def _make_pane(self, entry: PaneEntry) -> Pane:
        pane = entry.factory()(api=self.api, clock=self.clock, settings=self.settings, id=entry.id)
        pane.paused = self.paused
        pane.display = entry.id == self.shown_pane
        return pane
