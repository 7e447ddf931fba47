"""Command palette provider: jump to a model by name over the catalogue in memory.

Textual's fuzzy matcher costs ~10 µs a candidate, far too slow for 100,000 ids; the
provider narrows by substring first (a few ms) and scores only the first hits.
"""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider

from bytez_tui.catalogue.index import CatalogueIndex
from bytez_tui.panes.catalogue.pane import CataloguePane
from bytez_tui.widgets.plain import escaped

__all__ = ["ModelProvider"]

_MAX_HITS = 40


class ModelProvider(Provider):
    """Offers `Go to model: org/name` for the models whose id contains what is typed."""

    def _pane(self) -> CataloguePane | None:
        panes = self.screen.query(CataloguePane)
        return panes.first() if panes else None

    async def search(self, query: str) -> Hits:
        pane = self._pane()
        index: CatalogueIndex | None = None if pane is None else pane.index
        needle = query.strip().lower()
        if pane is None or index is None or not needle:
            return
        matcher = self.matcher(query)
        rows: list[int] = []
        for row, name in enumerate(index.lowered):
            if needle in name:
                rows.append(row)
                if len(rows) >= _MAX_HITS:
                    break
        for row in rows:
            name = index.names[row]
            # `highlight` reads its text as markup: a model named `aaa/[/INST]-model` is
            # escaped first, or it is an unbalanced closing tag and the hit is lost.
            yield Hit(
                max(matcher.match(name), 0.5),
                matcher.highlight(escaped(f"Go to model {name}")),
                partial(self._jump, pane, name),
                text=f"Go to model {name}",
                help="Highlight it in the catalogue",
            )

    def _jump(self, pane: CataloguePane, name: str) -> None:
        show_pane = getattr(self.screen, "show_pane", None)
        if callable(show_pane):
            show_pane("catalogue")
        pane.jump_to(name)
