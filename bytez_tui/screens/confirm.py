"""`ConfirmDialog`: a yes/no question; `y` confirms, `n` or escape declines."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from bytez_tui.widgets.plain import plain

__all__ = ["ConfirmDialog"]


class ConfirmDialog(ModalScreen[bool]):
    """Ask before doing something that can't be undone (or costs money).

    Dismisses with True when confirmed, False otherwise.

    Args:
        title: The question, e.g. "Delete org/name?".
        body: What will happen, in a sentence or two.
        confirm: The confirming button's word.
        cancel: The declining button's word.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Yes", id="confirm-yes", tooltip="Confirm"),
        Binding("n,escape", "cancel", "No", id="confirm-no", tooltip="Cancel"),
    ]

    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
    }
    ConfirmDialog > Vertical {
        width: 72;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        overflow-y: auto;
        padding: 1 2;
        border: round $error;
        background: $surface;
    }
    ConfirmDialog #confirm-title {
        text-style: bold;
        margin-bottom: 1;
    }
    ConfirmDialog #confirm-buttons {
        height: auto;
        margin-top: 1;
    }
    ConfirmDialog Button {
        margin-right: 2;
    }
    """

    def __init__(
        self, *, title: str, body: str, confirm: str = "Yes", cancel: str = "Cancel"
    ) -> None:
        super().__init__()
        self._title = title
        self._body = body
        self._confirm = confirm
        self._cancel = cancel

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain(self._title, one_line=True), id="confirm-title", markup=False)
            yield Static(plain(self._body), id="confirm-body", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(plain(f"{self._confirm} (y)"), variant="error", id="confirm-yes")
                yield Button(plain(f"{self._cancel} (n)"), id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def action_confirm(self) -> None:
        """Confirm."""
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_cancel(self) -> None:
        """Decline."""
        self.dismiss(False)
