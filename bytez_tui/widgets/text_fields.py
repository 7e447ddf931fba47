"""Text fields that apply every key in the order it was typed.

Textual's `Input` and `TextArea` insert a printable key as soon as it reaches them, but an
editing key bound on the field itself (backspace, delete, ctrl+u, the arrows…) runs only
once its event has bubbled up to the app, and the keys typed after it in the same burst
are inserted first. Over SSH a burst is common (keys arrive in one read): `gpt3⌫2` gave
`gpt3` and a stray `2` appended after it (Textualize/textual#6605, fixed upstream by
PR #6631; `tests/unit/test_textual_compat.py` notices when a release has it). These
fields run their own bindings as the key reaches them, so edits land in order
(`TextEditor`, the `TextArea` twin, is in text_editor.py: TextArea is not imported
before the first frame).
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input

from bytez_tui.textual_compat import ESC_DIGIT_KEYS

__all__ = ["TextField", "TextInput", "declines", "is_text_field", "run_own_binding"]


async def run_own_binding(widget: Widget, event: events.Key) -> bool:
    """Run the binding `widget` itself has for a non-printable key, now; True if it ran.

    Args:
        widget: The focused text field.
        event: The key it received (stopped when a binding ran).
    """
    if event.is_printable:
        return False
    active = widget.screen.active_bindings.get(event.key)
    if active is None or active.node is not widget or active.binding.priority:
        return False
    if not await widget.app.run_action(active.binding.action, widget):
        return False
    event.stop()
    event.prevent_default()
    return True


class TextField:
    """Marks a widget that takes typed text: one-key shortcuts (1-4, `/`, `q`) stand aside.

    A mixin rather than a check against `Input` and `TextArea`, so the shell can tell a
    text field without importing `TextArea` (the playground imports it after the first
    frame).
    """


def declines(key: str) -> bool:
    """True for keys a text field lets through although they carry a printable character.

    Alt+digit arrives as a character (`ESC_DIGIT_KEYS`): declining it lets the pane keys
    work from inside a field.
    """
    return key in _ESC_DIGITS


_ESC_DIGITS = frozenset(ESC_DIGIT_KEYS.values())


def is_text_field(widget: Widget | None) -> bool:
    """True if `widget` takes typed text (printable keys are text there, not commands)."""
    return isinstance(widget, TextField)


class TextInput(TextField, Input):
    """An `Input` whose editing keys apply in the order they were typed."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return not declines(key) and super().check_consume_key(key, character)

    async def on_key(self, event: events.Key) -> None:
        # Textual calls each class's key handler down the MRO: the field's own `_on_key`
        # runs after this one unless a binding ran (which prevents it).
        await run_own_binding(self, event)
