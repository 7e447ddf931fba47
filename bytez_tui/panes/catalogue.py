"""The catalogue pane: the searchable model catalogue."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Static

from bytez_tui.panes.base import Pane

__all__ = ["CataloguePane"]


class CataloguePane(Pane):
    """Placeholder until the pane is built."""

    BINDINGS: ClassVar[list[BindingType]] = []
    PALETTE: ClassVar[list[tuple[str, str, str]]] = []
    """(title, help, action name) entries offered in the command palette."""

    def compose(self) -> ComposeResult:
        yield Static("the searchable model catalogue")

    def focus_filter(self) -> None:
        """Put the cursor in the filter."""
