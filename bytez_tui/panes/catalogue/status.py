"""The line under the filter: how many models match, the sort, and how fresh the data is."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from bytez_tui.catalogue.view import CatalogueView, Freshness
from bytez_tui.clock import Clock
from bytez_tui.format import ago
from bytez_tui.widgets.plain import plain

__all__ = ["CatalogueStatus"]

_SORT_NAMES = {"id": "id", "ram": "RAM", "cost": "cost", None: "catalogue order"}


class CatalogueStatus(Horizontal):
    """ "N of M models · sorted by …" on the left, "updated 3 h ago" on the right.

    The age is re-read every 30 s; the rest changes only when told.

    Args:
        clock: For the age of the data.
    """

    def __init__(self, *, clock: Clock, id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._freshness = Freshness()

    def compose(self) -> ComposeResult:
        yield Static(id="catalogue-count", markup=False)
        yield Static(id="catalogue-freshness", markup=False)

    def on_mount(self) -> None:
        self.set_interval(30, self._show_freshness)
        self._show_freshness()

    def show_view(self, view: CatalogueView) -> None:
        """Show how many of `view`'s models match, its sort, or why its filter is invalid."""
        self.show_count(
            shown=None if view.index is None else len(view.rows),
            total=0 if view.index is None else len(view.index),
            sort=view.sort,
            descending=view.descending,
            error=None if view.error is None else view.error.message,
        )

    def show_count(
        self,
        *,
        shown: int | None,
        total: int,
        sort: str | None,
        descending: bool,
        error: str | None,
    ) -> None:
        """Show the match count (None: nothing loaded) and sort, or why the filter is invalid."""
        count = self.query_one("#catalogue-count", Static)
        count.set_class(error is not None, "-invalid")
        if shown is None:
            count.update("")
            return
        matched = f"{shown:,} of {total:,} models"
        if error is not None:
            count.update(plain(f"⚠ {error} · still showing {matched}", one_line=True))
        else:
            arrow = "" if sort is None else (" ▼" if descending else " ▲")
            count.update(f"{matched} · sorted by {_SORT_NAMES.get(sort, sort)}{arrow}")

    def show_freshness(self, freshness: Freshness) -> None:
        """Say where the rows came from and when (the age is kept up to date)."""
        self._freshness = freshness
        self._show_freshness()

    def _show_freshness(self) -> None:
        label = self.query_one("#catalogue-freshness", Static)
        fresh = self._freshness
        error = fresh.error
        label.set_class(error is not None, "-stale")
        if fresh.fetched_at is None:
            if error is not None:
                label.update(
                    plain(f"✖ catalogue unavailable: {error.message} · R retries", one_line=True)
                )
            else:
                label.update("◌ fetching the catalogue…")
            return
        age = ago(fresh.fetched_at, self._clock.now())
        text = f"cached {age}" if fresh.from_cache else f"updated {age}"
        if fresh.refreshing:
            text += " · ↻ refreshing…"
        elif error is not None:
            text = f"⚠ refresh failed ({error.message}) · showing the catalogue {text}"
        label.update(plain(text, one_line=True))
