"""The Compare pane's board: the columns' tabs, the three columns and the status line, and
the comparison run on them from its start to its end.

The pane checks what was typed and hands the request to the board (`check`). The board
asks whether the models run (the pane offers one load for those that do not), starts
each column, redraws their stats while they stream, and when the last one ends saves the
comparison in the history; it also marks a winner, empties the columns, and puts a saved
comparison back on screen. What it knows is kept by the pane's `ComparisonBook`, handed
down to it.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.worker import Worker

from bytez_tui.comparing import LETTERS, CompareRequest, Typed, check_models
from bytez_tui.local.comparison_book import ComparisonBook
from bytez_tui.local.comparisons import Comparison
from bytez_tui.panes.base import call_api, worker_failed
from bytez_tui.panes.compare.column import ColumnSetup, CompareColumn
from bytez_tui.panes.compare.columns import CompareColumns
from bytez_tui.panes.compare.status import CompareStatus
from bytez_tui.widgets.pane_tabs import PaneTabs

if TYPE_CHECKING:
    from bytez_tui.api import BytezClient
    from bytez_tui.models import Instance

__all__ = ["CompareBoard"]

STATS_RATE = 4.0
"""Stats line redraws per second while columns stream."""


class CompareBoard(Vertical):
    """The columns (behind their tabs in a narrow terminal) and the line under them.

    Args:
        book: The pane's record of the comparison running or shown.
        setup: What every column is built with (the board uses its connection and clock).
        id: The widget's id.
    """

    @dataclass
    class LoadRequested(Message):
        """These models are not running: ask the user to load them all (one dialog), and
        answer with `load_chosen`."""

        board: CompareBoard
        models: tuple[str, ...]

        @property
        def control(self) -> CompareBoard:
            return self.board

    @dataclass
    class Began(Message):
        """The columns of `request` started."""

        board: CompareBoard
        request: CompareRequest

        @property
        def control(self) -> CompareBoard:
            return self.board

    @dataclass
    class CheckEnded(Message):
        """The models' check ended, or the load was declined (the run may not be busy)."""

        board: CompareBoard

        @property
        def control(self) -> CompareBoard:
            return self.board

    def __init__(
        self,
        book: ComparisonBook[Typed],
        setup: ColumnSetup,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.book = book
        """The comparison running or shown, each column's run, and the saved ones."""
        self.running_models: Set[str] = frozenset()
        """Ids of the models with a RUNNING instance (set by the pane)."""
        self._setup = setup
        self._api = setup.api
        self._clock = setup.clock
        self._checker: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        tabs = PaneTabs([(f"column-{i}", letter) for i, letter in enumerate(LETTERS)], active="")
        tabs.id = "compare-tabs"
        yield tabs
        yield CompareColumns(self._setup, id="columns")
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

    @property
    def busy(self) -> bool:
        """A column streams or waits, or the models are being checked."""
        checking = self._checker is not None and not self._checker.is_finished
        return bool(self.book.live) or self.book.pending is not None or checking

    # --- what the pane calls ------------------------------------------------------------

    def set_front(self, front: int) -> None:
        """Bring column `front` forward, and its tab (a narrow terminal shows one column)."""
        self.tabs.active = f"column-{front}"
        self.column_row.set_front(front)

    def check(self, request: CompareRequest) -> None:
        """Run `request` once its models are known to run (`LoadRequested` for those that
        do not; the others begin at once)."""
        self._checker = self._check(request)

    def load_chosen(self, loaded: bool) -> None:
        """The load dialog closed: the models were loaded (each column then runs once its
        model is RUNNING), or not (nothing runs)."""
        pending, self.book.pending = self.book.pending, None
        if pending is None:
            return
        request, missing, booting = pending
        if loaded:
            self._begin(request, waiting=set(missing) | booting)
        else:
            self.status_line.show_blocked(f"{', '.join(missing)} not loaded")
            self.post_message(self.CheckEnded(self))

    def stop(self) -> None:
        """Stop the check and every column: each keeps what arrived."""
        self.book.pending = None
        self.workers.cancel_group(self, "compare-check")
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

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker_failed(self, event)
        if event.worker is self._checker:
            self.post_message(self.CheckEnded(self))

    # --- workers ------------------------------------------------------------------------

    @work(exclusive=True, group="compare-check", exit_on_error=False, description="Checking")
    async def _check(self, request: CompareRequest) -> None:
        """Ask whether each model runs (v1); offer one load for those that do not."""
        missing: list[str] = []
        booting: set[str] = set()
        if self._api.dialect != "v2":  # v2 starts a model on its first run
            self.status_line.show_checking()
            missing, booting = await check_models(
                [model for _, model, _ in request.columns],
                running=self.running_models,
                status=lambda model: call_api(self, self._api, partial(_status, model=model)),
                is_v2=lambda: self._api.dialect == "v2",
            )
        if missing:
            self.book.pending = (request, tuple(missing), frozenset(booting))
            self.status_line.show_missing(missing)
            self.post_message(self.LoadRequested(self, tuple(missing)))
            return
        self._begin(request, waiting=booting)

    # --- helpers ------------------------------------------------------------------------

    def _begin(self, request: CompareRequest, *, waiting: Set[str]) -> None:
        """Start every column of `request` (those in `waiting` once their model runs)."""
        runs = self.book.begin(request, self._clock.monotonic())
        self.column_row.begin(request, runs, waiting)
        for index, _, _ in request.columns:
            self.tabs.set_spinning(f"column-{index}", True)
        self._stats_timer.resume()
        self.status_line.show_running()
        self.show_states()
        self.post_message(self.Began(self, request))

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


async def _status(client: BytezClient, *, model: str) -> Instance | None:
    return await client.status(model)
