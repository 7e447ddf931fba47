"""The instances pane: running instances with expiry countdowns."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Static

from bytez_tui.panes.base import Pane
from bytez_tui.screens.load import LoadChoice

__all__ = ["InstancesPane"]


class InstancesPane(Pane):
    """Placeholder until the pane is built."""

    BINDINGS: ClassVar[list[BindingType]] = []
    PALETTE: ClassVar[list[tuple[str, str, str]]] = []
    """(title, help, action name) entries offered in the command palette."""

    def compose(self) -> ComposeResult:
        yield Static("running instances with expiry countdowns")

    def start_load(self, model: str, choice: LoadChoice) -> None:
        """Load `model` as chosen in the dialog, then follow it until it settles."""
