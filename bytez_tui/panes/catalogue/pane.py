"""The catalogue pane: every model, filtered as you type, with its cost and actions.

Stale-while-revalidate: `start` paints the cached catalogue at once; once that frame is
out, the `_fetch` worker asks the API in the background, and what comes back replaces the
rows and is cached by the `_save_cache` thread worker. The cache module, and the network,
wait for the first frame. The filter and the sort are kept by a `CatalogueView`
(`bytez_tui.catalogue.view`): the pane hands it what is typed and clicked, and shows the
rows it gives, keeping the cursor on the same model through every change.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive

from bytez_tui.catalogue.index import SORT_KEYS, CatalogueIndex, SortKey
from bytez_tui.catalogue.view import CatalogueView
from bytez_tui.clock import Clock
from bytez_tui.connection import Connection
from bytez_tui.errors import BytezError
from bytez_tui.messages import OpenPlayground, RequestJob, RequestLoad
from bytez_tui.panes.base import Pane, PaneMessage
from bytez_tui.panes.catalogue.filter_field import CatalogueFilter
from bytez_tui.panes.catalogue.header import CatalogueHeader, columns_for
from bytez_tui.panes.catalogue.keys import BINDINGS, PALETTE
from bytez_tui.panes.catalogue.status import CatalogueStatus
from bytez_tui.panes.catalogue.table import CatalogueTable

if TYPE_CHECKING:
    from bytez_tui.config import Settings
    from bytez_tui.models import Instance
    from bytez_tui.panes.catalogue.details import CatalogueDetails

__all__ = ["CataloguePane"]


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
    class CatalogueLoaded(PaneMessage):
        """Rows are on screen: from the cache, then again after each refresh.

        The ids come sorted by `str.lower` (`index.lowered` holds them lowercased, in
        the same order), so a completer can bisect them without sorting 100,000 names.
        """

        models: Sequence[str]
        """Every model id, sorted case-insensitively."""
        ram_gb: Sequence[float | None]
        """RAM per model, in the order of `models`."""
        fresh: bool
        """True when fetched just now, False when read from the cache."""
        index: CatalogueIndex
        """The whole catalogue as columns (`lowered`, `bench` …), in the order of `models`."""

    @dataclass
    class SortChanged(PaneMessage):
        """The user sorted the table another way (the screen remembers it)."""

        key: SortKey | None
        """The column sorted by (None: the API's order)."""
        descending: bool
        """Largest first."""

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
        self.view = CatalogueView()
        """The catalogue, the filter and the sort, and the rows they give."""
        self._started = False
        """`start` was called: the first load is under way or over."""

    # --- composition --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield CatalogueFilter(
            on_value=self._filter_typed,
            on_submit=self._filter_submitted,
            leave_keys=self.settings.keys_for("leave-field", "escape"),
            cursor_blink=self.settings.cursor_blink,
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
    def filter_input(self) -> CatalogueFilter:
        return self.query_one(CatalogueFilter)

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
        return self.view.index

    @property
    def settled(self) -> bool:
        """The first load is over (from cache, network, or failed) and no refresh runs."""
        return self._started and not self.view.freshness.refreshing

    @property
    def shown(self) -> list[str]:
        """The ids of the rows shown, in order."""
        index = self.view.index
        return [] if index is None else [index.names[row] for row in self.table.rows]

    @property
    def highlighted(self) -> str | None:
        """The id of the highlighted model."""
        row, index = self.table.highlighted, self.view.index
        return None if row is None or index is None else index.names[row]

    def on_mount(self) -> None:
        self.status.show_view(self.view)
        if self.screen.focused is None:
            self.screen.set_focus(self.table)  # now, so that the first frame has its keys

    # --- watchers -----------------------------------------------------------------------

    def watch_running(self, running: frozenset[str]) -> None:
        self.table.running = running
        self._context_changed(self.view.query.uses_running)

    def watch_tracked(self, tracked: frozenset[str]) -> None:
        self.table.tracked = tracked
        self._context_changed(self.view.query.uses_tracked)

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
        index = self.view.index
        row = None if index is None else index.find(model)
        if index is None or row is None:
            self.notify(f"{model} is not in the catalogue", severity="warning")
            return False
        if row not in self.table.rows:
            self.filter_input.value = ""
        self.table.show(index, self.table.rows, keep=row)
        self.table.focus()
        return True

    def sort_by(self, key: str | None, descending: bool) -> None:
        """Sort as a previous run left it (a column this version lacks is ignored)."""
        if key is None or key in SORT_KEYS:
            self._sort(key, descending)

    def show_catalogue(self, index: CatalogueIndex, *, fetched_at: datetime, cached: bool) -> None:
        """Replace the catalogue on screen, keeping the filter, sort and highlighted model."""
        keep = self.highlighted
        index = index.sorted_by("id")  # a no-op for the cache and the refresh
        # v2's Task column and server prices, and completion of its task names, if it has them
        self.header.show_columns(columns_for(index))
        self.filter_input.offer_tasks(index.task_names if index.has_tasks else None)
        self.view.set_index(index)
        self.view.fetched(fetched_at, from_cache=cached)
        self.status.show_freshness(self.view.freshness)
        self.table.empty_text = "No model matches this filter. Clear it with ctrl+u in the filter."
        self._show_rows(keep=keep)
        self.post_message(
            self.CatalogueLoaded(self, index.names, index.ram, fresh=not cached, index=index)
        )

    # --- context and details ------------------------------------------------------------

    def _context_changed(self, affects_filter: bool) -> None:
        if affects_filter:  # filter from scratch: the running or tracked models changed
            self.view.invalidate()
            self._show_rows(keep=self.table.highlighted)
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

    # --- filter and sort ----------------------------------------------------------------

    def _filter_typed(self, text: str) -> None:
        """Filter by what is typed; an invalid word is left out, and the status says why."""
        valid = self.view.set_text(text)
        self.filter_input.set_class(not valid, "-invalid")
        self._show_rows()

    def _show_rows(self, *, keep: str | int | None = None) -> None:
        """Filter and sort into the table, keeping the cursor on `keep` (a row or an id)."""
        view = self.view
        rows = view.update(running=self.running, tracked=self.tracked)
        if view.index is not None:
            row = view.index.find(keep) if isinstance(keep, str) else keep
            self.table.show(view.index, rows, keep=row)
        self.status.show_view(view)

    def _sort(self, key: SortKey | None, descending: bool, *, by_user: bool = False) -> None:
        """Sort by `key` (None: the catalogue's own order), keeping the highlighted model;
        `by_user`: tell the screen, which remembers it."""
        self.view.set_sort(key, descending)
        self.header.show_sort(key, descending)
        self._show_rows(keep=self.table.highlighted)
        if by_user:
            self.post_message(self.SortChanged(self, key, descending))

    # --- handlers -----------------------------------------------------------------------

    def _filter_submitted(self) -> None:
        self.screen.set_focus(self.table)

    @on(CatalogueHeader.SortClicked)
    def _sort_clicked(self, message: CatalogueHeader.SortClicked) -> None:
        """Sort by a clicked column title; a second click reverses the order."""
        view, key = self.view, message.key
        self._sort(key, not view.descending if key == view.sort else False, by_user=True)

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
        """Sort by the next column (id, RAM, cost, id…), smallest first."""
        self._sort(self.view.next_sort(), False, by_user=True)

    def action_reverse_sort(self) -> None:
        """Reverse the order of the current sort, keeping the highlighted model."""
        self._sort(self.view.sort, not self.view.descending, by_user=True)

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
        from bytez_tui.catalogue.cache import catalogue_key, load_cached

        if self._started:
            return
        self._started = True
        self._refresh_started()
        cached = load_cached(catalogue_key(self.settings.store_key, self.api.dialect))

        def drawn() -> None:
            self.refresh_catalogue()
            if then is not None:
                then()

        if cached is None:
            drawn()
        else:
            self.show_catalogue(cached.index, fetched_at=cached.fetched_at, cached=True)
            self.table.call_after_paint(drawn)

    def key_changed(self) -> None:
        self.refresh_catalogue()

    def refresh_catalogue(self) -> None:
        """Fetch the catalogue in the background; the rows on screen stay until it lands."""
        self._refresh_started()
        self._fetch()

    def _refresh_started(self) -> None:
        self.view.refresh_started()
        self.status.show_freshness(self.view.freshness)

    # --- workers ------------------------------------------------------------------------

    @work(
        exclusive=True,
        group="catalogue-refresh",
        exit_on_error=False,
        description="Refreshing catalogue",
    )
    async def _fetch(self) -> None:
        from bytez_tui.catalogue.cache import fetched_index, release_freed_memory

        try:
            models = await self.call_api(lambda client: client.list_models())
        except BytezError as error:
            self.view.refresh_ended(error)
            self.status.show_freshness(self.view.freshness)
            if self.index is None:  # with rows on screen, the status line says it
                self.table.empty_text = f"Could not load the catalogue: {error.message}. R retries."
                self.table.refresh()
                self.report(error, title="Catalogue")
            return
        fetched_at = self.clock.now()
        # In a thread, so keys keep flowing between GIL slices.
        index = await asyncio.to_thread(fetched_index, models)
        del models
        await asyncio.to_thread(release_freed_memory)
        self.view.refresh_ended()  # shown with the rows, next
        self.show_catalogue(index, fetched_at=fetched_at, cached=False)
        self._save_cache(index, fetched_at)

    @work(
        exclusive=True,
        group="catalogue-cache",
        exit_on_error=False,
        description="Saving catalogue cache",
        thread=True,
    )
    def _save_cache(self, index: CatalogueIndex, fetched_at: datetime) -> None:
        from bytez_tui.catalogue.cache import catalogue_key, release_freed_memory, save_cache

        key = catalogue_key(self.settings.store_key, self.api.dialect)  # known by now
        try:
            save_cache(index, fetched_at=fetched_at, store_key=key)
        except OSError as error:
            self.app.call_from_thread(
                self.notify, f"Could not cache the catalogue: {error}", severity="warning"
            )
        # The refresh is over (the other panes have the new catalogue by now, and the
        # old one is gone): what it freed can go back.
        release_freed_memory()
