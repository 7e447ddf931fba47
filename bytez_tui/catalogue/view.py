"""What the catalogue table shows: the index, filtered by the query, in the sort order.

UI-free. It remembers the queries its rows answer, each narrowing the one before (what
was typed so far: `m`, `me`, `met`…). A query that narrows the last (one more letter,
one more word) filters its rows instead of the whole catalogue: ~1 ms instead of ~8 ms
at 100,000 models. A query that is one of them again (a letter erased) takes its rows
back at no cost, so erasing is as fast as typing; a query that narrows an earlier one
(a letter erased, another typed) filters that one's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bytez_tui.catalogue.index import SORT_KEYS, CatalogueIndex, SortKey
from bytez_tui.catalogue.query import Query, QueryError, compile_query, usable_part
from bytez_tui.errors import BytezError

__all__ = ["CatalogueView", "Freshness"]

_EMPTY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Freshness:
    """Where the catalogue on screen came from."""

    fetched_at: datetime | None = None
    """When the catalogue was fetched (None: nothing loaded yet)."""
    from_cache: bool = False
    """The rows were read from the cache."""
    refreshing: bool = False
    """A refresh is under way."""
    error: BytezError | None = None
    """Why the last refresh failed, if it did."""


class CatalogueView:
    """The filter and sort state of the table, the rows they give, and where the
    catalogue came from."""

    def __init__(self) -> None:
        self.index: CatalogueIndex | None = None
        """The catalogue (None until loaded)."""
        self.query = Query()
        """The last valid query."""
        self.error: QueryError | None = None
        """Why the text typed last is not a valid query (the rows stay those of `query`)."""
        self.sort: SortKey | None = "id"
        """The sort column; None keeps the index's own order."""
        self.descending = False
        """Largest first."""
        self.rows: Sequence[int] = []
        """The rows of `index` to show, in order."""
        self.freshness = Freshness()
        """Where the catalogue came from, and whether a refresh runs (or failed)."""
        self._answers: list[tuple[Query, Sequence[int]]] = []
        """Queries answered with their rows (the last is `rows`), each narrowing the one
        before it; cleared when the index, the sort or the running or tracked models
        change."""

    def set_index(self, index: CatalogueIndex) -> None:
        """Show another catalogue (call `update` next)."""
        self.index = index
        self._answers = []

    def fetched(self, fetched_at: datetime, *, from_cache: bool) -> None:
        """The catalogue shown was fetched at `fetched_at` (and read from the cache)."""
        self.freshness = replace(self.freshness, fetched_at=fetched_at, from_cache=from_cache)

    def refresh_started(self) -> None:
        """A refresh from the API is under way (the rows shown stay until it lands)."""
        self.freshness = replace(self.freshness, refreshing=True)

    def refresh_ended(self, error: BytezError | None = None) -> None:
        """The refresh is over: it failed with `error`, or succeeded (None)."""
        self.freshness = replace(self.freshness, refreshing=False, error=error)

    def set_text(self, text: str) -> bool:
        """Compile the filter text; False (and `error` set) when it is invalid.

        An invalid text still sets `query`, to the valid rest of it: the rows are those
        from before the bad word began, not those of its half-typed start.
        """
        try:
            query = compile_query(text)
        except QueryError as error:
            self.error = error
            self.query = usable_part(text)
            return False
        self.error = None
        self.query = query
        return True

    def set_sort(self, key: SortKey | None, descending: bool = False) -> None:
        """Sort by `key` (call `update` next)."""
        self.sort, self.descending = key, descending
        self._answers = []

    def next_sort(self) -> SortKey:
        """The sort after the current one: id, RAM, cost, id…"""
        if self.sort not in SORT_KEYS:
            return SORT_KEYS[0]
        return SORT_KEYS[(SORT_KEYS.index(self.sort) + 1) % len(SORT_KEYS)]

    def invalidate(self) -> None:
        """The running or tracked models changed: filter from scratch next time."""
        self._answers = []

    def update(
        self, *, running: frozenset[str] = _EMPTY, tracked: frozenset[str] = _EMPTY
    ) -> Sequence[int]:
        """Recompute `rows` for the current query and sort, and return them."""
        index = self.index
        if index is None:
            self.rows = []
            return self.rows
        query, answers = self.query, self._answers
        within: Sequence[int] | None = None
        # The latest answer first: the query most often narrows it or repeats one of
        # its forerunners (erasing).
        for depth in range(len(answers) - 1, -1, -1):
            answered, rows = answers[depth]
            if query.terms == answered.terms:
                del answers[depth + 1 :]
                self.rows = rows
                return rows
            if query.narrows(answered):
                del answers[depth + 1 :]
                within = rows
                break
        else:
            answers.clear()
            if self.sort is not None:
                within = index.order(self.sort, descending=self.descending)
        self.rows = query.filter(index, within=within, running=running, tracked=tracked)
        answers.append((query, self.rows))
        return self.rows
