"""`TextEditor`: a `TextArea` whose editing keys apply in the order they were typed.

See text_fields.py for why; this twin lives apart so that the catalogue, which the first
frame shows, does not import TextArea.
"""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from bytez_tui.widgets.text_fields import TextField, declines, run_own_binding

__all__ = ["TextEditor"]


class TextEditor(TextField, TextArea):
    """A `TextArea` whose editing keys apply in the order they were typed."""

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        return not declines(key) and super().check_consume_key(key, character)

    async def on_key(self, event: events.Key) -> None:
        # Textual calls each class's key handler down the MRO: the field's own `_on_key`
        # runs after this one unless a binding ran (which prevents it).
        await run_own_binding(self, event)
