"""The Compare pane's board: the columns' tabs, the three columns and the status line, and
the comparison run on them from its start to its end.

The pane checks what was typed and that the models run, then hands the request to the
board (`begin`). The board starts each column, redraws their stats while they stream,
and when the last one ends saves the comparison in the history; it also marks a winner,
empties the columns, and puts a saved comparison back on screen. What it knows is kept by
the pane's `ComparisonBook`, handed down to it.
"""

from __future__ import annotations

from collections.abc import Set

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.suggester import Suggester

from bytez_tui.clock import Clock
from bytez_tui.comparing import LETTERS, CompareRequest, Typed
from bytez_tui.connection import Connection
from bytez_tui.local.comparison_book import ComparisonBook
from bytez_tui.local.comparisons import Comparison
from bytez_tui.panes.compare.column import CompareColumn
from bytez_tui.panes.compare.columns import CompareColumns
from bytez_tui.panes.compare.status import CompareStatus
from bytez_tui.widgets.pane_tabs import PaneTabs

__all__ = ["CompareBoard"]

STATS_RATE = 4.0
"""Stats line redraws per second while columns stream."""


class CompareBoard(Vertical):
    """The columns (behind their tabs in a narrow terminal) and the line under them.

    Args:
        book: The pane's record of the comparison running or shown.
        api: The app's connection to the API.
        clock: The time source.
        suggester: The model completion shared by the columns.
        cursor_blink: Blink the text cursors.
        hide_echo: Drop a leading copy of the prompt from a stream.
        id: The widget's id.
    """

    def __init__(
        self,
        book: ComparisonBook[Typed],
        *,
        api: Connection,
        clock: Clock,
        suggester: Suggester,
        cursor_blink: bool,
        hide_echo: bool,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.book = book
        """The comparison running or shown, each column's run, and the saved ones."""
        self.running_models: Set[str] = frozenset()
        """Ids of the models with a RUNNING instance (set by the pane)."""
        self._api = api
        self._clock = clock
        self._suggester = suggester
        self._blink = cursor_blink
        self._hide_echo = hide_echo

    def compose(self) -> ComposeResult:
        tabs = PaneTabs([(f"column-{i}", letter) for i, letter in enumerate(LETTERS)], active="")
        tabs.id = "compare-tabs"
        yield tabs
        yield CompareColumns(
            api=self._api,
            clock=self._clock,
            suggester=self._suggester,
            cursor_blink=self._blink,
            hide_echo=self._hide_echo,
            id="columns",
        )
        yield CompareStatus(id="compare-status")

    def on_mount(self) -> None:
        self._stats_timer = self.set_interval(1 / STATS_RATE, self._show_progress, pause=True)

    # --- typed accessors ----------------------------------------------------------------

    @property
    def tabs(self) -> PaneTabs:
        return self.query_one(PaneTabs)

    @property
    def column_row(self) -> CompareColumns:
        return self.query_one(CompareColumns)

    @property
    def columns(self) -> list[CompareColumn]:
        """The three columns, A to C."""
        return self.column_row.columns

    @property
    def status_line(self) -> CompareStatus:
        return self.query_one(CompareStatus)

    # --- what the pane calls ------------------------------------------------------------

    def set_front(self, front: int) -> None:
        """Bring column `front` forward, and its tab (a narrow terminal shows one column)."""
        self.tabs.active = f"column-{front}"
        self.column_row.set_front(front)

    def begin(self, request: CompareRequest, *, waiting: Set[str]) -> None:
        """Start every column of `request` (those in `waiting` once their model runs)."""
        runs = self.book.begin(request, self._clock.monotonic())
        self.column_row.begin(request, runs, waiting)
        for index, _, _ in request.columns:
            self.tabs.set_spinning(f"column-{index}", True)
        self._stats_timer.resume()
        self.status_line.show_running()
        self.show_states()

    def stop(self) -> None:
        """Stop every column: each keeps what arrived."""
        self.column_row.stop()

    def mark_winner(self, index: int) -> None:
        """Mark a column the winner (again: no winner), and save it with the comparison."""
        marked = self.book.mark_winner(index)
        if marked is None:
            self.notify(f"Column {LETTERS[index]} took no part", severity="warning")
            return
        try:
            self.book.shown = shown = self.book.store.save(marked)
        except OSError as error:
            shown = marked  # as saved before but for its winner: the same id, said the same
            self.notify(str(error), title="Winner not saved", severity="error", markup=False)
        self.show_states()
        self.status_line.show_saved(shown, self.book.winner)

    def clear(self, *, chat: bool) -> None:
        """Empty the columns' outputs: the next run starts a new comparison."""
        self.column_row.clear()
        self.book.clear()
        self.show_states()
        self.status_line.show_idle(chat=chat)

    def show_comparison(self, comparison: Comparison) -> None:
        """Put a saved comparison in the columns, as it was run."""
        self.column_row.show_comparison(comparison)
        self.status_line.show_reopened(comparison)

    def show_states(self) -> None:
        """Badge each column's model and tab (running, booting, the winner)."""
        labels = self.column_row.show_states(self.running_models, self.book.winner)
        for index, label in labels.items():
            self.tabs.set_badge(f"column-{index}", label)

    # --- events -------------------------------------------------------------------------

    @on(CompareColumn.Waiting)
    def _column_waiting(self) -> None:
        self.show_states()

    @on(CompareColumn.Ended)
    def _column_ended(self, message: CompareColumn.Ended) -> None:
        # Not stopped: the pane says what is busy once the board has taken it in.
        index = message.column.index
        self.book.column_ended(index)
        self.tabs.set_spinning(f"column-{index}", False)
        if not self.book.live:
            self._all_ended()

    # --- helpers ------------------------------------------------------------------------

    def _all_ended(self) -> None:
        """The last column ended: save the comparison as one entry of the history."""
        self._stats_timer.pause()
        comparison = self.book.ended(self._clock.monotonic())
        if comparison is None:
            return
        try:
            self.book.shown = self.book.store.save(comparison)
        except OSError as error:
            self.book.shown = comparison
            self.notify(str(error), title="Not saved to history", severity="warning")
        self.status_line.show_saved(self.book.shown, self.book.winner)

    def _show_progress(self) -> None:
        runs = self.book.runs
        live = {index: runs[index] for index in self.book.live}
        self.column_row.show_progress(live, self._clock.monotonic())
