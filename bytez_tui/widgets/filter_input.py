"""A filter field (the catalogue's, and the `/` of every list): runs the filter inside its
own value watcher.

Filtering from an `Input.Changed` handler higher up waits for the message to travel and
usually misses a frame (~46 ms vs ~23 ms per keystroke at 100,000 models, see
docs/textual.md); calling back from the watcher repaints the table in the next frame.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from textual import events

from bytez_tui.widgets.text_fields import TextInput

__all__ = ["FilterInput"]


class FilterInput(TextInput):
    """An `Input` that hands every new value to `on_value` synchronously.

    Args:
        on_value: Called with the text after every change, before the next frame.
        on_submit: Called on enter and on a `leave_keys` key, before the next key is
            read, to move the focus on (a key typed right after goes there, not into the
            field).

    Tab takes the completion shown, if a `suggester` shows one (→ does too, as in any
    `Input`); otherwise it moves the focus on as usual.
        leave_keys: The keys that leave a text field (the app's `leave-field` binding).
        cursor_blink: Blink the cursor.
        placeholder: What the empty field says.
    """

    def __init__(
        self,
        *,
        on_value: Callable[[str], None],
        on_submit: Callable[[], None],
        leave_keys: Collection[str] = ("escape",),
        cursor_blink: bool = False,
        placeholder: str = "",
        id: str | None = None,
    ) -> None:
        super().__init__(placeholder=placeholder, id=id, compact=True)
        self._on_value = on_value
        self._on_submit = on_submit
        self._leave_keys = leave_keys
        self.cursor_blink = cursor_blink

    def watch_value(self, value: str) -> None:
        self._on_value(value)

    async def _on_key(self, event: events.Key) -> None:
        if self.screen.focused is not self:
            # Typed right after enter moved the focus on, but queued here before it moved:
            # skip the field's handler and let the key bubble to the new focus's bindings.
            event.prevent_default()
        elif event.key == "tab" and self.suggester is not None and self._accept_suggestion():
            event.stop()
            event.prevent_default()
        elif event.key == "enter" or event.key in self._leave_keys:
            # Handled here rather than by a binding: a binding runs once the key has
            # bubbled up to the app, by which time the keys typed after it were already
            # inserted into this field. Here the focus moves before the next key is read.
            event.stop()
            event.prevent_default()
            if event.key == "enter":
                await self.action_submit()
            else:
                self._on_submit()

    def _accept_suggestion(self) -> bool:
        """Take the completion shown at the end of the field (as → does); False if none."""
        before = self.value
        if self.cursor_at_end:
            self.action_cursor_right()
        return self.value != before

    async def action_submit(self) -> None:
        await super().action_submit()
        self._on_submit()
