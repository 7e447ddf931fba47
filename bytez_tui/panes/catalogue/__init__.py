"""The catalogue pane and its UI-free parts (index, query language, cache).

`query`, `index` and `cache` import neither Textual nor httpx, so the CLI can use them
without paying for the UI: this package imports the pane only when it is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bytez_tui.panes.catalogue.pane import CataloguePane

__all__ = ["CataloguePane"]


def __getattr__(name: str) -> Any:
    if name == "CataloguePane":
        from bytez_tui.panes.catalogue.pane import CataloguePane

        return CataloguePane
    raise AttributeError(name)
