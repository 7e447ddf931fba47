"""The playground's model row: the model field with completion, the model's state, and the
stream and chat toggles."""

from __future__ import annotations

from collections.abc import Sequence, Set

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox, Input, Label, Static

from bytez_tui.panes.playground.completion import ModelInput, ModelSuggester, NameIndex
from bytez_tui.widgets.toggles import MarkedCheckbox

__all__ = ["ModelRow"]


class ModelRow(Horizontal):
    """The model field (completing running models first, then the catalogue), the
    chosen model's state, and the stream and chat toggles.

    Args:
        cursor_blink: Whether the model field's cursor blinks.
        id: The widget's id.
    """

    def __init__(self, *, cursor_blink: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self._cursor_blink = cursor_blink
        self._suggester = ModelSuggester()

    def compose(self) -> ComposeResult:
        yield Label("Model", id="model-label", markup=False)
        model = ModelInput(
            placeholder="org/name (tab or → completes)",
            suggester=self._suggester,
            compact=True,
            id="model",
        )
        model.cursor_blink = self._cursor_blink
        yield model
        yield Static("", id="model-state", markup=False)
        # Out of the Tab path (model → prompt → params): a Tab that missed the prompt
        # landed here and each typed space toggled it. ctrl+f or a click toggles it.
        stream = MarkedCheckbox("stream", value=True, compact=True, id="stream")
        stream.can_focus = False
        yield stream
        chat = MarkedCheckbox("chat", compact=True, id="chat-mode")
        chat.can_focus = False  # ctrl+t or a click, like "stream"
        yield chat

    @property
    def model_input(self) -> Input:
        return self.query_one("#model", Input)

    @property
    def stream_box(self) -> Checkbox:
        return self.query_one("#stream", Checkbox)

    @property
    def chat_box(self) -> Checkbox:
        return self.query_one("#chat-mode", Checkbox)

    def set_running(self, running: Set[str]) -> None:
        """Complete these models first."""
        self._suggester.set_running(running)

    def set_catalogue(self, names: Sequence[str]) -> None:
        """Complete from these model ids (indexed in a thread: 100k names take a moment)."""
        self._index_catalogue(names)

    def show_state(self, *, running: bool, booting: bool) -> None:
        """Say whether the chosen model is running or booting (or nothing)."""
        state = self.query_one("#model-state", Static)
        state.update("● running" if running else "◌ booting" if booting else "")
        state.set_class(running, "-running")
        state.set_class(booting, "-booting")

    @work(thread=True, exclusive=True, group="playground-index", exit_on_error=False)
    def _index_catalogue(self, names: Sequence[str]) -> None:
        index = NameIndex(names)
        self.app.call_from_thread(self._suggester.set_catalogue, index)
