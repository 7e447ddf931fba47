"""`CatalogueBrowser`: the catalogue as the table shows it, filtered and sorted.

A `CatalogueView` (UI-free) holds the query and the sort; the browser shows the rows it
gives in the table, keeping the cursor on the same model through every change, the sort
in the header and the count (or why the filter is invalid) in the status line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bytez_tui.catalogue.view import CatalogueView

if TYPE_CHECKING:
    from bytez_tui.catalogue.index import SortKey
    from bytez_tui.panes.catalogue.pane import CataloguePane

__all__ = ["CatalogueBrowser"]


class CatalogueBrowser:
    """The filter and sort of the catalogue pane's table.

    Args:
        pane: The pane whose table, header, status line and filter field show the view.
    """

    def __init__(self, pane: CataloguePane) -> None:
        self.view = CatalogueView()
        """The catalogue, the query and the sort, and the rows they give."""
        self._pane = pane

    @property
    def shown(self) -> list[str]:
        """The ids of the rows shown, in order."""
        index = self.view.index
        return [] if index is None else [index.names[row] for row in self._pane.table.rows]

    @property
    def highlighted(self) -> str | None:
        """The id of the highlighted model."""
        row = self._pane.table.highlighted
        index = self.view.index
        return None if row is None or index is None else index.names[row]

    def set_text(self, text: str) -> None:
        """Filter by what is typed; an invalid word is left out, and the status says why."""
        valid = self.view.set_text(text)
        self._pane.filter_input.set_class(not valid, "-invalid")
        self.apply()

    def refilter(self) -> None:
        """Filter from scratch: the running or tracked models the query uses changed."""
        self.view.invalidate()
        self.apply(keep=self._pane.table.highlighted)

    def apply(self, *, keep: str | int | None = None) -> None:
        """Filter and sort into the table, keeping the cursor on `keep` (a row or an id)."""
        pane, view = self._pane, self.view
        rows = view.update(running=pane.running, tracked=pane.tracked)
        if view.index is not None:
            row = view.index.find(keep) if isinstance(keep, str) else keep
            pane.table.show(view.index, rows, keep=row)
        pane.status.show_view(view)

    def sort(self, key: SortKey | None, descending: bool) -> None:
        """Sort by `key` (None: the catalogue's own order), keeping the highlighted model."""
        self.view.set_sort(key, descending)
        self._pane.header.show_sort(key, descending)
        self.apply(keep=self._pane.table.highlighted)

    def sort_clicked(self, key: SortKey | None) -> None:
        """Sort by a clicked column title; a second click reverses the order."""
        self.sort(key, not self.view.descending if key == self.view.sort else False)

    def reverse_sort(self) -> None:
        """Reverse the order of the current sort, keeping the highlighted model."""
        self.sort(self.view.sort, not self.view.descending)

    def cycle_sort(self) -> None:
        """Sort by the next column (id, RAM, cost, id…), smallest first."""
        self.sort(self.view.next_sort(), False)

    def jump_to(self, model: str) -> bool:
        """Highlight `model`, clearing the filter if it hides it; False if unknown."""
        pane, index = self._pane, self.view.index
        row = None if index is None else index.find(model)
        if index is None or row is None:
            pane.notify(f"{model} is not in the catalogue", severity="warning")
            return False
        if row not in pane.table.rows:
            pane.filter_input.value = ""
        pane.table.show(index, pane.table.rows, keep=row)
        pane.table.focus()
        return True
