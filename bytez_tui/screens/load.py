"""The load dialog shared by every pane: concurrency, expiry presets, projected cost."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["LoadChoice", "LoadDialog"]


@dataclass(frozen=True)
class LoadChoice:
    """What the user asked for."""

    concurrency: int
    """Parallel instances."""
    expiration_seconds: int
    """Idle timeout."""


class LoadDialog(ModalScreen[LoadChoice | None]):
    """Placeholder until the dialog is built."""

    def __init__(self, *, model: str, ram_gb: float | None) -> None:
        super().__init__()
        self.model = model
        self.ram_gb = ram_gb

    def compose(self) -> ComposeResult:
        yield Static(f"Load {self.model}")
