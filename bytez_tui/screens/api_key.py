"""Asks for an API key when there is none, or the server refused the one we have."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.validation import Length
from textual.widgets import Button, Checkbox, Input, Static

from bytez_tui.errors import AuthError, BytezError
from bytez_tui.widgets.plain import plain
from bytez_tui.widgets.text_fields import TextInput
from bytez_tui.widgets.toggles import MarkedCheckbox

__all__ = ["TINY_HEIGHT", "ApiKeyScreen", "KeyEntry"]

TINY_HEIGHT = 20
"""Below this many rows the key dialog drops its borders and gaps to fit whole."""


class _SaveBox(MarkedCheckbox, inherit_bindings=False):
    """The save switch: space toggles it, enter submits the form (it used to toggle)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", "Toggle", show=False),
    ]


@dataclass(frozen=True)
class KeyEntry:
    """The key the user typed and whether to keep it."""

    key: str
    """The API key."""
    save: bool
    """Write it to config.toml (mode 0600)."""
    unchecked: str = ""
    """Why the server could not say whether it accepts the key ("" when it did)."""


class ApiKeyScreen(Screen[KeyEntry | None]):
    """A password field, a save switch and a short explanation.

    Args:
        reason: Why we are asking (no key, or the server refused it).
        config_path: Where a saved key goes, shown to the user.
        cursor_blink: Blink the text cursor.
        check: Asks the server whether it accepts a key (raises `AuthError` when it
            refuses); None takes any key as typed.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "quit_app", "Quit", id="key-quit", tooltip="Quit without a key"),
        Binding("enter", "submit", "Continue", id="key-submit", show=False, tooltip="Continue"),
    ]

    def __init__(
        self,
        *,
        reason: str,
        config_path: str,
        cursor_blink: bool = False,
        check: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__()
        self._reason = reason
        self._config_path = config_path
        self._blink = cursor_blink
        self._check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="key-dialog"):
            yield Static(Content.from_markup("[b]Bytez API key[/]"), id="key-title", markup=False)
            yield Static(plain(self._reason), id="key-reason", markup=False)
            yield TextInput(
                placeholder="paste your key (it is not shown)",
                password=True,
                id="key-input",
                validators=[
                    Length(minimum=8, failure_description="A key is at least 8 characters")
                ],
                validate_on=["submitted"],
            )
            yield Static("", id="key-error", markup=False)
            yield _SaveBox(
                plain(f"Save to {self._config_path} (readable only by you)"), True, id="key-save"
            )
            with Horizontal(id="key-buttons"):
                yield Button("Continue", variant="primary", id="key-continue")
                yield Button("Quit", id="key-cancel")
            yield Static(
                Content.from_markup(
                    "[dim]Or set BYTEZ_API_KEY, or run [b]bytez-tui --demo[/] "
                    "to try the offline emulator.[/]"
                ),
                markup=False,
            )

    def on_mount(self) -> None:
        key_input = self.query_one(Input)
        key_input.cursor_blink = self._blink
        key_input.focus()

    def on_resize(self, event: events.Resize) -> None:
        # At 60x15 the dialog scrolled its title and the reason (why a key is asked for,
        # why the last one was refused) out of sight; without borders and gaps it fits.
        tiny = event.size.height < TINY_HEIGHT
        self.set_class(tiny, "-tiny")
        for field in self.query(Input):
            field.compact = tiny
        for button in self.query(Button):
            button.compact = tiny
        for box in self.query(Checkbox):
            box.compact = tiny

    @on(Input.Submitted)
    @on(Button.Pressed, "#key-continue")
    def action_submit(self) -> None:
        """Check the key typed, then use it (and save it, if asked)."""
        key_input = self.query_one(Input)
        result = key_input.validate(key_input.value.strip())
        if result is not None and not result.is_valid:
            self._show_error("⚠ " + "; ".join(result.failure_descriptions))
            return
        entry = KeyEntry(key_input.value.strip(), self.query_one(Checkbox).value)
        if self._check is None:
            self.dismiss(entry)
            return
        self._show_error("… asking the server whether it accepts this key")
        self._check_key(entry)

    @work(exclusive=True, group="key-check", exit_on_error=False, description="Checking key")
    async def _check_key(self, entry: KeyEntry) -> None:
        # Checked before it is saved or used: a refused key must not overwrite a good one.
        assert self._check is not None
        try:
            await self._check(entry.key)
        except AuthError as error:
            self._show_error(f"⚠ The server refused this key ({error.message}); it was not saved.")
            return
        except BytezError as error:
            self.dismiss(KeyEntry(entry.key, entry.save, unchecked=error.message))
            return
        self.dismiss(entry)

    def _show_error(self, text: str) -> None:
        self.query_one("#key-error", Static).update(plain(text))

    @on(Button.Pressed, "#key-cancel")
    def action_quit_app(self) -> None:
        # Not a success: a script that starts the dashboard learns that no key was given.
        self.app.exit(return_code=1, message="bytez-tui: no API key, nothing to show")
