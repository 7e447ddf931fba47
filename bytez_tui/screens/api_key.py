"""Asks for an API key when there is none, or the server refused the one we have."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.validation import Length
from textual.widgets import Button, Checkbox, Input, Static

from bytez_tui.widgets.text_fields import TextInput
from bytez_tui.widgets.toggles import MarkedCheckbox

__all__ = ["ApiKeyScreen", "KeyEntry"]


@dataclass(frozen=True)
class KeyEntry:
    """The key the user typed and whether to keep it."""

    key: str
    """The API key."""
    save: bool
    """Write it to config.toml (mode 0600)."""


class ApiKeyScreen(Screen[KeyEntry | None]):
    """A password field, a save switch and a short explanation.

    Args:
        reason: Why we are asking (no key, or the server refused it).
        config_path: Where a saved key goes, shown to the user.
        cursor_blink: Blink the text cursor.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "quit_app", "Quit", id="key-quit", tooltip="Quit without a key"),
    ]

    def __init__(self, *, reason: str, config_path: str, cursor_blink: bool = False) -> None:
        super().__init__()
        self._reason = reason
        self._config_path = config_path
        self._blink = cursor_blink

    def compose(self) -> ComposeResult:
        with Vertical(id="key-dialog"):
            yield Static("[b]Bytez API key[/]", id="key-title")
            yield Static(self._reason, id="key-reason")
            yield TextInput(
                placeholder="paste your key (it is not shown)",
                password=True,
                id="key-input",
                validators=[
                    Length(minimum=8, failure_description="A key is at least 8 characters")
                ],
                validate_on=["submitted"],
            )
            yield Static("", id="key-error")
            yield MarkedCheckbox(
                f"Save to {self._config_path} (readable only by you)", True, id="key-save"
            )
            with Horizontal(id="key-buttons"):
                yield Button("Continue", variant="primary", id="key-continue")
                yield Button("Quit", id="key-cancel")
            yield Static(
                "[dim]Or set BYTEZ_API_KEY, or run [b]bytez-tui --demo[/] "
                "to try the offline emulator.[/]"
            )

    def on_mount(self) -> None:
        key_input = self.query_one(Input)
        key_input.cursor_blink = self._blink
        key_input.focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#key-continue")
    def _submit(self) -> None:
        key_input = self.query_one(Input)
        result = key_input.validate(key_input.value.strip())
        if result is not None and not result.is_valid:
            self.query_one("#key-error", Static).update(
                "⚠ " + "; ".join(result.failure_descriptions)
            )
            return
        save = self.query_one(Checkbox).value
        self.dismiss(KeyEntry(key_input.value.strip(), save))

    @on(Button.Pressed, "#key-cancel")
    def action_quit_app(self) -> None:
        self.app.exit()
