"""The catalogue pane: every model, filtered as you type, with its cost and actions.

Where the rows come from (the cache, then the API) is `CatalogueLoader`'s (loader.py);
how they are filtered and sorted into the table is `CatalogueBrowser`'s (browse.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive

from bytez_tui.catalogue.index import SORT_KEYS, CatalogueIndex, SortKey
from bytez_tui.clock import Clock
from bytez_tui.connection import Connection
from bytez_tui.messages import OpenPlayground, RequestJob, RequestLoad
from bytez_tui.panes.base import Pane
from bytez_tui.panes.catalogue.browse import CatalogueBrowser
from bytez_tui.panes.catalogue.header import CatalogueHeader, columns_for
from bytez_tui.panes.catalogue.keys import BINDINGS, PALETTE
from bytez_tui.panes.catalogue.loader import CatalogueLoader
from bytez_tui.panes.catalogue.status import CatalogueStatus
from bytez_tui.panes.catalogue.table import CatalogueTable
from bytez_tui.widgets.filter_input import FilterInput

if TYPE_CHECKING:
    from bytez_tui.config import Settings
    from bytez_tui.models import Instance
    from bytez_tui.panes.catalogue.details import CatalogueDetails

__all__ = ["CataloguePane"]

_PLACEHOLDER = "Filter: words  org:NAME  ram<8  cost<0.5  bench  -bench  running"
_TASKS_PLACEHOLDER = "Filter: words  task:NAME (tab completes)  org:NAME  ram<8  cost<0.5  running"


class CataloguePane(Pane):
    """The searchable model catalogue.

    Paints the cached catalogue at once and refreshes it in the background
    (stale-while-revalidate); filters 100,000 models between two frames.
    """

    BINDINGS: ClassVar[list[BindingType]] = list(BINDINGS)
    PALETTE: ClassVar[list[tuple[str, str, str]]] = list(PALETTE)
    """(title, help, action name) entries offered in the command palette."""

    running: reactive[frozenset[str]] = reactive(frozenset(), init=False)
    """Models with a live instance (set by the screen)."""
    tracked: reactive[frozenset[str]] = reactive(frozenset(), init=False)
    """Models tracked as jobs (set by the screen)."""
    instances: reactive[Mapping[str, Instance]] = reactive(dict, init=False)
    """Live instances by model, for the details panel (set by the screen)."""
    show_details: reactive[bool] = reactive(False, init=False)
    """The details panel is open."""

    @dataclass
    class CatalogueLoaded(Message):
        """Rows are on screen: from the cache, then again after each refresh.

        The ids come sorted by `str.lower` (`index.lowered` holds them lowercased, in
        the same order), so a completer can bisect them without sorting 100,000 names.
        """

        pane: CataloguePane
        """The pane."""
        models: Sequence[str]
        """Every model id, sorted case-insensitively."""
        ram_gb: Sequence[float | None]
        """RAM per model, in the order of `models`."""
        fresh: bool
        """True when fetched just now, False when read from the cache."""
        index: CatalogueIndex
        """The whole catalogue as columns (`lowered`, `bench` …), in the order of `models`."""

        @property
        def control(self) -> CataloguePane:
            return self.pane

    @dataclass
    class SortChanged(Message):
        """The user sorted the table another way (the screen remembers it)."""

        pane: CataloguePane
        """The pane."""
        key: SortKey | None
        """The column sorted by (None: the API's order)."""
        descending: bool
        """Largest first."""

        @property
        def control(self) -> CataloguePane:
            return self.pane

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
        self._browser = CatalogueBrowser(self)
        self._loader = CatalogueLoader(self)

    # --- composition --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield FilterInput(
            on_value=self._browser.set_text,
            on_submit=self._filter_submitted,
            leave_keys=self.settings.keys_for("leave-field", "escape"),
            cursor_blink=self.settings.cursor_blink,
            placeholder=_PLACEHOLDER,
            id="catalogue-filter",
        )
        yield CatalogueStatus(clock=self.clock, id="catalogue-info")
        with Horizontal(id="catalogue-body"):
            with Vertical(id="catalogue-list"):
                yield CatalogueHeader()
                yield CatalogueTable()

    @property
    def table(self) -> CatalogueTable:
        return self.query_one(CatalogueTable)

    @property
    def focus_target(self) -> CatalogueTable:
        return self.table

    @property
    def header(self) -> CatalogueHeader:
        return self.query_one(CatalogueHeader)

    @property
    def filter_input(self) -> FilterInput:
        return self.query_one(FilterInput)

    @property
    def status(self) -> CatalogueStatus:
        return self.query_one(CatalogueStatus)

    @property
    def details(self) -> CatalogueDetails:
        """The details panel, built when first asked for (the first frame does without)."""
        from bytez_tui.panes.catalogue import details as panel

        for found in self.query(panel.CatalogueDetails):
            return found
        details = panel.CatalogueDetails(clock=self.clock, id="catalogue-details")
        details.display = False
        self.query_one("#catalogue-body").mount(details)
        return details

    @property
    def index(self) -> CatalogueIndex | None:
        """The catalogue on screen, None until loaded."""
        return self._browser.view.index

    @property
    def settled(self) -> bool:
        """The first load is over (from cache, network, or failed) and no refresh runs."""
        return self._loader.started and not self.status.freshness.refreshing

    @property
    def shown(self) -> list[str]:
        """The ids of the rows shown, in order."""
        return self._browser.shown

    @property
    def highlighted(self) -> str | None:
        """The id of the highlighted model."""
        return self._browser.highlighted

    def on_mount(self) -> None:
        self.status.show_view(self._browser.view)
        if self.screen.focused is None:
            self.screen.set_focus(self.table)  # now, so that the first frame has its keys

    # --- watchers -----------------------------------------------------------------------

    def watch_running(self, running: frozenset[str]) -> None:
        self.table.running = running
        self._context_changed(self._browser.view.query.uses_running)

    def watch_tracked(self, tracked: frozenset[str]) -> None:
        self.table.tracked = tracked
        self._context_changed(self._browser.view.query.uses_tracked)

    def watch_instances(self) -> None:
        self._show_details()

    def watch_show_details(self, show: bool) -> None:
        self.details.display = show
        self._show_details()

    # --- public -------------------------------------------------------------------------

    def focus_filter(self) -> bool:
        """Put the cursor in the filter.

        Focus moves at once (`Widget.focus` waits a turn of the queue), so keys typed
        right after `/` land in the filter, not on the table's bindings.
        """
        self.screen.set_focus(self.filter_input)
        return True

    def jump_to(self, model: str) -> bool:
        """Highlight `model`, clearing the filter if it hides it; False if unknown."""
        return self._browser.jump_to(model)

    def sort_by(self, key: str | None, descending: bool) -> None:
        """Sort as a previous run left it (a column this version lacks is ignored)."""
        if key is None or key in SORT_KEYS:
            self._browser.sort(key, descending)

    def show_catalogue(self, index: CatalogueIndex, *, fetched_at: datetime, cached: bool) -> None:
        """Replace the catalogue on screen, keeping the filter, sort and highlighted model."""
        keep = self.highlighted
        index = index.sorted_by("id")  # a no-op for the cache and the refresh
        self._show_columns(index)
        self._browser.view.set_index(index)
        self.status.update_freshness(fetched_at=fetched_at, from_cache=cached)
        self.table.empty_text = "No model matches this filter. Clear it with ctrl+u in the filter."
        self._browser.apply(keep=keep)
        self.post_message(
            self.CatalogueLoaded(self, index.names, index.ram, fresh=not cached, index=index)
        )

    # --- context and details ------------------------------------------------------------

    def _show_columns(self, index: CatalogueIndex) -> None:
        """Show v2's Task column and server prices, and complete its task names, when
        the catalogue has them."""
        self.header.show_columns(columns_for(index))
        field = self.filter_input
        if index.has_tasks:
            from bytez_tui.panes.catalogue.completion import TaskSuggester

            field.suggester = TaskSuggester(index.task_names)
            field.placeholder = _TASKS_PLACEHOLDER
        else:
            field.suggester = None
            field.placeholder = _PLACEHOLDER

    def _context_changed(self, affects_filter: bool) -> None:
        if affects_filter:
            self._browser.refilter()
        else:
            self.table.refresh()
            self._show_details()

    def _show_details(self) -> None:
        if not self.show_details:
            return
        index, row = self.index, self.table.highlighted
        model = None if index is None or row is None else index.model(row)
        name = model.name if model else ""
        self.details.show_model(
            model,
            instance=self.instances.get(name),
            running=name in self.running,
            tracked=name in self.tracked,
        )

    # --- handlers -----------------------------------------------------------------------

    def _filter_submitted(self) -> None:
        self.screen.set_focus(self.table)

    @on(CatalogueHeader.SortClicked)
    def _sort_clicked(self, message: CatalogueHeader.SortClicked) -> None:
        self._browser.sort_clicked(message.key)
        self._sort_changed()

    @on(CatalogueTable.Highlighted)
    def _highlighted(self) -> None:
        self._show_details()

    @on(CatalogueTable.Selected)
    def _selected(self) -> None:
        self.show_details = True

    # --- actions ------------------------------------------------------------------------

    def _model_or_warn(self) -> str | None:
        model = self.highlighted
        if model is None:
            self.notify("No model is highlighted", severity="warning")
        return model

    def action_toggle_details(self) -> None:
        self.show_details = not self.show_details

    def action_request_job(self) -> None:
        if (model := self._model_or_warn()) is not None:
            self.post_message(RequestJob(model))

    def action_load(self) -> None:
        row, index = self.table.highlighted, self.index
        if (model := self._model_or_warn()) is not None and row is not None and index:
            self.post_message(RequestLoad(model, index.ram[row]))

    def action_playground(self) -> None:
        if (model := self._model_or_warn()) is not None:
            self.post_message(OpenPlayground(model))

    def action_copy_id(self) -> None:
        if (model := self._model_or_warn()) is not None:
            self.app.copy_to_clipboard(model)

    def action_cycle_sort(self) -> None:
        self._browser.cycle_sort()
        self._sort_changed()

    def action_reverse_sort(self) -> None:
        self._browser.reverse_sort()
        self._sort_changed()

    def _sort_changed(self) -> None:
        view = self._browser.view
        self.post_message(self.SortChanged(self, view.sort, view.descending))

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    def action_refresh(self) -> None:
        self.refresh_catalogue()

    # --- loading ------------------------------------------------------------------------

    def start(self, then: Callable[[], object] | None = None) -> None:
        """Paint the cached catalogue; once it is drawn, refresh it and call `then`.

        The screen calls this after its first frame. The network (and the httpx import)
        wait for the frame with the cached rows.
        """
        self._loader.start(then)

    def key_changed(self) -> None:
        self.refresh_catalogue()

    def refresh_catalogue(self) -> None:
        """Fetch the catalogue in the background; the rows on screen stay until it lands."""
        self._loader.refresh()
