"""The catalogue pane: every model, filtered as you type, with its cost and actions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive

from bytez_tui.clock import Clock
from bytez_tui.connection import Connection
from bytez_tui.errors import BytezError
from bytez_tui.messages import OpenPlayground, RequestJob, RequestLoad
from bytez_tui.panes.base import Pane
from bytez_tui.panes.catalogue.filter import FilterInput
from bytez_tui.panes.catalogue.header import CatalogueHeader
from bytez_tui.panes.catalogue.index import CatalogueIndex, SortKey
from bytez_tui.panes.catalogue.status import CatalogueStatus, Freshness
from bytez_tui.panes.catalogue.table import CatalogueTable
from bytez_tui.panes.catalogue.view import CatalogueView

if TYPE_CHECKING:
    from bytez_tui.app import BytezApp
    from bytez_tui.config import Settings
    from bytez_tui.models import Instance, ModelInfo
    from bytez_tui.panes.catalogue.details import CatalogueDetails

__all__ = ["CataloguePane"]


def _binding(
    key: str, action: str, description: str, tooltip: str, *, show: bool = True
) -> Binding:
    return Binding(
        key,
        action,
        description,
        id=f"catalogue-{action.replace('_', '-')}",
        tooltip=tooltip,
        show=show,
    )


def _sorted_index(models: list[ModelInfo]) -> CatalogueIndex:
    return CatalogueIndex.from_models(models).sorted_by("id")


class CataloguePane(Pane):
    """The searchable model catalogue.

    Paints the cached catalogue at once and refreshes it in the background
    (stale-while-revalidate); filters 100,000 models between two frames.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        _binding("enter", "toggle_details", "Details", "Show or hide the model's details"),
        _binding("j", "request_job", "Job", "Request a job for the model (Jobs pane tracks it)"),
        _binding("l", "load", "Load", "Load an instance of the model"),
        _binding("p", "playground", "Play", "Open the model in the playground"),
        _binding("c", "copy_id", "Copy id", "Copy the model id", show=False),
        _binding("s", "cycle_sort", "Sort", "Sort by id, RAM or cost (click a title to reverse)"),
        _binding("R", "refresh", "Refresh", "Fetch the catalogue again", show=False),
        _binding("down", "cursor_down", "Down", "Next model", show=False),
        _binding("up", "cursor_up", "Up", "Previous model", show=False),
    ]
    PALETTE: ClassVar[list[tuple[str, str, str]]] = [
        ("Catalogue: refresh", "Fetch the model catalogue again (R)", "refresh"),
        ("Catalogue: request a job", "Request a job for the highlighted model (j)", "request_job"),
        ("Catalogue: load model", "Load an instance of the highlighted model (l)", "load"),
        ("Catalogue: open in playground", "Open the highlighted model (p)", "playground"),
        ("Catalogue: copy model id", "Copy the highlighted model's id (c)", "copy_id"),
        ("Catalogue: cycle sort", "Sort by id, RAM or cost (s)", "cycle_sort"),
        (
            "Catalogue: details",
            "Show or hide the highlighted model's details (enter)",
            "toggle_details",
        ),
    ]
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
        self._view = CatalogueView()
        self._freshness = Freshness()
        self._started = False

    # --- composition --------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield FilterInput(
            on_value=self._filter_changed,
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
    def filter_input(self) -> FilterInput:
        return self.query_one(FilterInput)

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
        return self._view.index

    @property
    def settled(self) -> bool:
        """The first load is over (from cache, network, or failed) and no refresh runs."""
        return self._started and not self._freshness.refreshing

    @property
    def shown(self) -> list[str]:
        """The ids of the rows shown, in order."""
        index = self._view.index
        return [] if index is None else [index.names[row] for row in self.table.rows]

    @property
    def highlighted(self) -> str | None:
        """The id of the highlighted model."""
        row = self.table.highlighted
        index = self._view.index
        return None if row is None or index is None else index.names[row]

    @property
    def cache_key(self) -> str:
        """Which cache file: one per API, one for the demo."""
        return "demo" if self.settings.demo else self.settings.base_url

    def on_mount(self) -> None:
        self._show_status()
        if self.screen.focused is None:
            self.screen.set_focus(self.table)  # now, so that the first frame has its keys

    # --- watchers -----------------------------------------------------------------------

    def watch_running(self, running: frozenset[str]) -> None:
        self.table.running = running
        self._context_changed(self._view.query.uses_running)

    def watch_tracked(self, tracked: frozenset[str]) -> None:
        self.table.tracked = tracked
        self._context_changed(self._view.query.uses_tracked)

    def watch_instances(self) -> None:
        self._show_details()

    def watch_show_details(self, show: bool) -> None:
        self.details.display = show
        self._show_details()

    # --- public -------------------------------------------------------------------------

    def focus_filter(self) -> None:
        """Put the cursor in the filter.

        Focus moves at once (`Widget.focus` waits a turn of the queue), so keys typed
        right after `/` land in the filter, not on the table's bindings.
        """
        self.screen.set_focus(self.filter_input)

    def jump_to(self, model: str) -> bool:
        """Highlight `model`, clearing the filter if it hides it; False if unknown."""
        index = self._view.index
        row = None if index is None else index.find(model)
        if index is None or row is None:
            self.notify(f"{model} is not in the catalogue", severity="warning")
            return False
        if row not in self.table.rows:
            self.filter_input.value = ""
        self.table.show(index, self.table.rows, keep=row)
        self.table.focus()
        return True

    def show_catalogue(self, index: CatalogueIndex, *, fetched_at: datetime, cached: bool) -> None:
        """Replace the catalogue on screen, keeping the filter, sort and highlighted model."""
        keep = self.highlighted
        index = index.sorted_by("id")  # a no-op for the cache and the refresh
        self._view.set_index(index)
        self._set_freshness(fetched_at=fetched_at, from_cache=cached)
        self.table.empty_text = "No model matches this filter. Clear it with ctrl+u in the filter."
        self._apply(keep=keep)
        self.post_message(
            self.CatalogueLoaded(self, index.names, index.ram, fresh=not cached, index=index)
        )

    # --- filtering ----------------------------------------------------------------------

    def _filter_changed(self, text: str) -> None:
        valid = self._view.set_text(text)
        self.filter_input.set_class(not valid, "-invalid")
        if valid:
            self._apply()
        else:
            self._show_status()  # the reason; the rows of the last valid query stay

    def _context_changed(self, affects_filter: bool) -> None:
        if affects_filter:
            self._view.invalidate()
            self._apply(keep=self.table.highlighted)
        else:
            self.table.refresh()
            self._show_details()

    def _apply(self, *, keep: str | int | None = None) -> None:
        """Filter and sort into the table, keeping the cursor on `keep` (a row or an id)."""
        view = self._view
        rows = view.update(running=self.running, tracked=self.tracked)
        if view.index is not None:
            row = view.index.find(keep) if isinstance(keep, str) else keep
            self.table.show(view.index, rows, keep=row)
        self._show_status()

    # --- status -------------------------------------------------------------------------

    def _show_status(self) -> None:
        view = self._view
        self.query_one(CatalogueStatus).show_count(
            shown=None if view.index is None else len(view.rows),
            total=0 if view.index is None else len(view.index),
            sort=view.sort,
            descending=view.descending,
            error=None if view.error is None else view.error.message,
        )

    def _set_freshness(self, **changes: Any) -> None:
        self._freshness = replace(self._freshness, **changes)
        self.query_one(CatalogueStatus).show_freshness(self._freshness)

    def _show_details(self) -> None:
        if not self.show_details:
            return
        index, row = self._view.index, self.table.highlighted
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
        view = self._view
        self._set_sort(message.key, not view.descending if message.key == view.sort else False)

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
        row, index = self.table.highlighted, self._view.index
        if (model := self._model_or_warn()) is not None and row is not None and index:
            self.post_message(RequestLoad(model, index.ram[row]))

    def action_playground(self) -> None:
        if (model := self._model_or_warn()) is not None:
            self.post_message(OpenPlayground(model))

    def action_copy_id(self) -> None:
        if (model := self._model_or_warn()) is not None:
            cast("BytezApp", self.app).copy(model, what="model id")

    def action_cycle_sort(self) -> None:
        self._set_sort(self._view.next_sort(), False)

    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    def action_refresh(self) -> None:
        self.refresh_catalogue()

    def _set_sort(self, key: SortKey | None, descending: bool) -> None:
        self._view.set_sort(key, descending)
        self.header.show_sort(key, descending)
        self._apply(keep=self.table.highlighted)

    # --- loading ------------------------------------------------------------------------

    def start(self, then: Callable[[], object] | None = None) -> None:
        """Paint the cached catalogue; once it is drawn, refresh it and call `then`.

        The screen calls this after its first frame. The network (and the httpx import)
        wait for the frame with the cached rows.
        """
        from bytez_tui.panes.catalogue.cache import load_cached

        if self._started:
            return
        self._started = True
        self._set_freshness(refreshing=True)
        cached = load_cached(self.cache_key)

        def drawn() -> None:
            self.refresh_catalogue()
            if then is not None:
                then()

        if cached is None:
            drawn()
        else:
            self.show_catalogue(cached.index, fetched_at=cached.fetched_at, cached=True)
            self.table.call_after_paint(drawn)

    def refresh_catalogue(self) -> None:
        """Fetch the catalogue in the background; the rows on screen stay until it lands."""
        self._set_freshness(refreshing=True)
        self._fetch()

    @work(
        exclusive=True,
        group="catalogue-refresh",
        exit_on_error=False,
        description="Refreshing catalogue",
    )
    async def _fetch(self) -> None:
        try:
            models = await self.call_api(lambda client: client.list_models())
        except BytezError as error:
            self._set_freshness(refreshing=False, error=error)
            if self._view.index is None:  # with rows on screen, the status line says it
                self.table.empty_text = f"Could not load the catalogue: {error.message}. R retries."
                self.table.refresh()
                self.report(error, title="Catalogue")
            return
        fetched_at = self.clock.now()
        # ~40 ms at 100,000 models: in a thread, so keys keep flowing between GIL slices.
        index = await asyncio.to_thread(_sorted_index, models)
        self._set_freshness(refreshing=False, error=None)
        self.show_catalogue(index, fetched_at=fetched_at, cached=False)
        self._save(index, fetched_at)

    @work(
        exclusive=True,
        group="catalogue-cache",
        exit_on_error=False,
        thread=True,
        description="Saving catalogue cache",
    )
    def _save(self, index: CatalogueIndex, fetched_at: datetime) -> None:
        from bytez_tui.panes.catalogue.cache import save_cache

        try:
            save_cache(index, fetched_at=fetched_at, base_url=self.cache_key)
        except OSError as error:
            self.app.call_from_thread(
                self.notify, f"Could not cache the catalogue: {error}", severity="warning"
            )
