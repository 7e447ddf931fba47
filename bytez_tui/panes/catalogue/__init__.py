"""The catalogue pane: the table, the filter, the header, the details and the palette.

What it shows (the index, the query language, the cache) lives in `bytez_tui.catalogue`.
"""

from __future__ import annotations

from bytez_tui.panes.catalogue.pane import CataloguePane

__all__ = ["CataloguePane"]
