"""The jobs pane: the job tracker."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Static

from bytez_tui.panes.base import Pane

__all__ = ["JobsPane"]


class JobsPane(Pane):
    """Placeholder until the pane is built."""

    BINDINGS: ClassVar[list[BindingType]] = []
    PALETTE: ClassVar[list[tuple[str, str, str]]] = []
    """(title, help, action name) entries offered in the command palette."""

    def compose(self) -> ComposeResult:
        yield Static("the job tracker")

    def track(self, model: str) -> None:
        """Request a job for `model` and follow it."""
