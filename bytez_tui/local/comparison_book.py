"""`ComparisonBook`: what the Compare pane knows about its comparison, kept without any UI.

The pane applies each step to the book (a comparison started, a column ended, a winner
marked, the history browsed) and draws the columns and the status line from it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Generic, TypeVar

from bytez_tui.comparing import ColumnRun, CompareRequest
from bytez_tui.local.comparisons import Comparison, ComparisonStore

__all__ = ["ComparisonBook"]

D = TypeVar("D")


class ComparisonBook(Generic[D]):
    """What the Compare pane knows: the comparison running or shown, each column's run,
    the columns still live, the request held while its models load, the winner, and the
    walk through the saved comparisons (keeping `D`, what was typed, to go back to).

    Args:
        store: Where finished comparisons are saved.
    """

    def __init__(self, store: ComparisonStore) -> None:
        self.store = store
        """The saved comparisons."""
        self.request: CompareRequest | None = None
        """The comparison run last (None once one from the history is shown)."""
        self.runs: dict[int, ColumnRun] = {}
        """Each taking part column's run, by column index."""
        self.live: set[int] = set()
        """The columns still streaming or waiting."""
        self.pending: tuple[CompareRequest, tuple[str, ...], frozenset[str]] | None = None
        """A request held while the load dialog is open: the models offered, and those
        already booting (which are waited for either way)."""
        self.shown: Comparison | None = None
        """The finished comparison on screen (saved), live or reopened."""
        self.winner: int | None = None
        """The column marked the winner (0 is A), if any."""
        self.position: int | None = None
        """The saved comparison shown from the history, newest first (None: none is)."""
        self.draft: D | None = None
        """What was typed before the history was browsed."""
        self._history: list[Comparison] | None = None

    def browse(self, step: int, current: D) -> Comparison | D | None:
        """Move `step` through the saved comparisons (1: older, -1: newer).

        Args:
            step: Which way.
            current: What is typed now (kept when the walk starts).

        Returns:
            The saved comparison to show, what was typed to put back (past the newest),
            or None (nothing to do).

        Raises:
            IndexError: There is no older comparison.
            OSError: The saved comparisons cannot be read.
        """
        if self._history is None:
            self._history = self.store.list()
        entries = self._history
        position = (-1 if self.position is None else self.position) + step
        if position >= len(entries):
            raise IndexError("No older comparisons in the history")
        if position < 0:
            if self.position is None or self.draft is None:
                return None
            self.position, self.shown, self.winner = None, None, None
            return self.draft
        if self.position is None:
            self.draft = current
        self.position = position
        self.request, self.shown = None, entries[position]
        self.winner = self.shown.winner
        return self.shown

    def begin(self, request: CompareRequest, now: float) -> list[ColumnRun]:
        """`request`'s columns start at `now`: their runs, in the order of its columns."""
        self.request, self.shown, self.winner = request, None, None
        self.position, self.draft, self._history = None, None, None
        self.runs = {
            index: ColumnRun(model, params, started=now) for index, model, params in request.columns
        }
        self.live = set(self.runs)
        return list(self.runs.values())

    def column_ended(self, index: int) -> None:
        """Column `index` ended (its run says how)."""
        self.live.discard(index)

    def ended(self, now: float) -> Comparison | None:
        """The comparison to save once no column is live (None: not yet, or none runs)."""
        request = self.request
        if self.live or request is None:
            return None
        return request.saved(tuple(self.runs[index].record(now) for index, _, _ in request.columns))

    def positions(self, comparison: Comparison) -> list[int]:
        """The column index of each of `comparison`'s columns, as on screen (reopened from
        the history, with no request, they fill the columns from A)."""
        if self.request is not None:
            return [index for index, _, _ in self.request.columns]
        return list(range(len(comparison.columns)))

    def mark_winner(self, index: int) -> Comparison | None:
        """Column `index` wins (again: no winner); the shown comparison as it is then to be
        saved, or None when nothing is shown or the column took no part."""
        shown = self.shown
        if shown is None:
            return None
        positions = self.positions(shown)
        if index not in positions:
            return None
        self.winner = None if self.winner == index else index
        winner = None if self.winner is None else positions.index(self.winner)
        self._history = None  # read again: the winner is saved with it
        return replace(shown, winner=winner)

    def reply(self, index: int) -> str:
        """Column `index`'s last reply: its text while it runs, else as shown."""
        if index in self.live:
            return self.runs[index].text
        shown = self.shown
        if shown is None:
            return ""
        positions = self.positions(shown)
        return shown.columns[positions.index(index)].output if index in positions else ""

    def clear(self) -> None:
        """Nothing shown: the next run starts a new comparison."""
        self.shown, self.winner, self.request = None, None, None
