"""The Compare pane's shared fields: the prompt (the message, in chat mode), the params
every column starts from, the chat switch, and the system prompt chat mode sends first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Label, TextArea

from bytez_tui.widgets.text_editor import TextEditor
from bytez_tui.widgets.text_fields import TextInput
from bytez_tui.widgets.toggles import MarkedCheckbox

__all__ = ["CompareForm"]


class CompareForm(Vertical):
    """What every column shares, above the columns.

    Args:
        cursor_blink: Blink the text cursors.
        id: The widget's id.
    """

    def __init__(self, *, cursor_blink: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self._blink = cursor_blink

    def compose(self) -> ComposeResult:
        prompt = TextEditor(id="compare-prompt", soft_wrap=True, placeholder="Type a prompt…")
        prompt.cursor_blink = self._blink
        prompt.border_title = "Prompt (shared)"
        yield prompt
        with Horizontal(id="compare-params-row"):
            yield Label("Params", id="compare-params-label", markup=False)
            params = TextInput(
                placeholder='shared by every column, e.g. {"max_new_tokens": 64}',
                compact=True,
                id="compare-params",
            )
            params.cursor_blink = self._blink
            yield params
            yield MarkedCheckbox("chat", compact=True, id="compare-chat")
        system = TextInput(
            placeholder="System prompt (optional, sent first to every model)",
            compact=True,
            id="compare-system",
        )
        system.cursor_blink = self._blink
        system.display = False  # chat mode only
        yield system

    @property
    def prompt_area(self) -> TextArea:
        return self.query_one("#compare-prompt", TextArea)

    @property
    def params_input(self) -> Input:
        return self.query_one("#compare-params", Input)

    @property
    def system_input(self) -> Input:
        return self.query_one("#compare-system", Input)

    @property
    def chat_box(self) -> Checkbox:
        return self.query_one("#compare-chat", Checkbox)

    def show_chat(self, chat: bool) -> None:
        """Chat mode on (the prompt is a message; the system prompt shows) or off; the
        switch follows without saying it changed."""
        self.system_input.display = chat
        with self.chat_box.prevent(Checkbox.Changed):
            self.chat_box.value = chat
        self.prompt_area.border_title = "Message (shared)" if chat else "Prompt (shared)"
