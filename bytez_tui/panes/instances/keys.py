"""The instances pane's keys and command-palette entries (each rebindable by its id)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

__all__ = ["BINDINGS", "PALETTE"]

BINDINGS: list[BindingType] = [
    Binding(
        "escape",
        "clear_filter",
        "Clear filter",
        id="instances-clear-filter",
        tooltip="Show every row again (/ filters)",
    ),
    Binding("l", "load", "Load", id="instances-load", tooltip="Load a model (dialog)"),
    Binding(
        "d",
        "delete",
        "Delete",
        id="instances-delete",
        tooltip="Stop the instance (asks first, with the cost so far)",
    ),
    Binding(
        "p",
        "playground",
        "Playground",
        id="instances-playground",
        tooltip="Open the model in the playground",
    ),
    Binding(
        "r",
        "refresh",
        "Refresh",
        id="instances-refresh",
        show=False,
        tooltip="Refresh the list now",
    ),
    Binding("c", "copy", "Copy id", id="instances-copy", show=False, tooltip="Copy the model id"),
]

PALETTE: list[tuple[str, str, str]] = [
    ("Instances: refresh", "Ask the server for the instance list now", "refresh"),
    ("Instances: load a model", "Open the load dialog", "load"),
]
"""(title, help, action name) entries offered in the command palette."""
