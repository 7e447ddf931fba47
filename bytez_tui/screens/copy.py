"""`CopyDialog`: the copied text, selected, for when the terminal's clipboard can't be reached."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

from bytez_tui.config import data_dir
from bytez_tui.local.files import write_private

__all__ = ["CopyDialog"]


class CopyDialog(ModalScreen[None]):
    """Shows `text` selected in a read-only box, and can save it to a private file.

    Args:
        text: What was copied.
        what: What it is, e.g. "model id".
        reason: Why the dialog is up, in a sentence.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="copy-close", tooltip="Close"),
        Binding("ctrl+s", "save", "Save", id="copy-save", tooltip="Save the text to a file"),
    ]

    DEFAULT_CSS = """
    CopyDialog {
        align: center middle;
    }
    CopyDialog > Vertical {
        width: 80;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 1;
        border: round $primary;
        background: $surface;
    }
    CopyDialog #copy-title {
        text-style: bold;
    }
    CopyDialog TextArea {
        height: auto;
        max-height: 12;
        min-height: 3;
    }
    CopyDialog #copy-buttons {
        height: auto;
    }
    CopyDialog Button {
        margin-right: 2;
    }
    """

    def __init__(self, text: str, *, what: str, reason: str) -> None:
        super().__init__()
        self.text = text
        """The copied text."""
        self._what = what
        self._reason = reason

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Copy the {self._what}", id="copy-title", markup=False)
            yield Static(self._reason, id="copy-reason", markup=False)
            yield TextArea(self.text, read_only=True, soft_wrap=True, id="copy-text")
            with Horizontal(id="copy-buttons"):
                yield Button("Save to file (ctrl+s)", id="copy-save", compact=True)
                yield Button("Close (esc)", id="copy-close", variant="primary", compact=True)

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.select_all()

    @on(Button.Pressed, "#copy-save")
    def action_save(self) -> None:
        """Write the text to a new file (0600) in the data dir and say where."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = data_dir() / "copied" / f"{stamp}-{self._what.replace(' ', '-')}.txt"
        try:
            write_private(path, self.text)
        except OSError as error:
            self.notify(str(error), title="Not saved", severity="error", markup=False)
            return
        self.notify(f"Saved to {path}", title="Saved", markup=False)
        self.dismiss(None)

    @on(Button.Pressed, "#copy-close")
    def action_close(self) -> None:
        """Close."""
        self.dismiss(None)
