"""The conversations dialog: reopen, rename or delete a stored chat conversation."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from bytez_tui.local.conversations import Conversation, ConversationStore
from bytez_tui.text import printable

__all__ = ["ConversationsDialog"]


def _label(conversation: Conversation) -> str:
    when = conversation.updated[:16].replace("T", " ")
    title = printable(conversation.title, one_line=True) or "(untitled)"
    turns = f"{conversation.turn_count} turn{'' if conversation.turn_count == 1 else 's'}"
    return f"{title}\n  {printable(conversation.model, one_line=True)} · {turns} · {when}"


class ConversationsDialog(ModalScreen[Conversation | None]):
    """Every stored conversation of this API, the most recent first.

    `enter` reopens one (the dialog returns it, read whole), `r` renames it, `d` twice
    deletes it, `escape` closes.

    Args:
        store: Where the conversations are kept.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="conversations-close", tooltip="Close the list"),
        Binding("r", "rename", "Rename", id="conversations-rename", tooltip="Rename it"),
        Binding("d", "delete", "Delete", id="conversations-delete", tooltip="Delete it (twice)"),
    ]

    DEFAULT_CSS = """
    ConversationsDialog {
        align: center middle;
    }
    ConversationsDialog > Vertical {
        width: 80%;
        max-width: 100;
        height: 80%;
        border: round $border;
        background: $panel;
        padding: 0 1;
    }
    ConversationsDialog OptionList {
        height: 1fr;
    }
    ConversationsDialog #rename {
        display: none;
    }
    ConversationsDialog.-renaming #rename {
        display: block;
    }
    ConversationsDialog #conversations-hint {
        color: $text-muted;
    }
    """

    def __init__(self, store: ConversationStore) -> None:
        super().__init__()
        self.store = store
        self._conversations: list[Conversation] = []
        self._delete_armed: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Conversations"
            yield OptionList(id="conversations")
            yield Input(placeholder="New title (enter saves, escape cancels)", id="rename")
            yield Static(
                "enter: reopen · r: rename · d twice: delete · escape: close",
                id="conversations-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self._reload()

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    @property
    def rename_input(self) -> Input:
        return self.query_one("#rename", Input)

    @property
    def highlighted(self) -> Conversation | None:
        """The conversation under the cursor."""
        index = self.options.highlighted
        if index is None or not 0 <= index < len(self._conversations):
            return None
        return self._conversations[index]

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        chosen = self.highlighted
        if chosen is None:
            return
        try:
            self.dismiss(self.store.get(chosen.id))
        except OSError as error:
            self.notify(str(error), title="Not reopened", severity="error", markup=False)

    @on(OptionList.OptionHighlighted)
    def _moved(self) -> None:
        self._delete_armed = None

    @on(Input.Submitted, "#rename")
    def _renamed(self, event: Input.Submitted) -> None:
        chosen = self.highlighted
        if chosen is not None and event.value.strip():
            try:
                self.store.rename(chosen.id, event.value.strip())
            except OSError as error:
                self.notify(str(error), title="Not renamed", severity="error", markup=False)
        self._stop_renaming()
        self._reload()

    def action_close(self) -> None:
        """Close (or, while renaming, stop renaming)."""
        if self.has_class("-renaming"):
            self._stop_renaming()
            return
        self.dismiss(None)

    def action_rename(self) -> None:
        """Type a new title for the conversation under the cursor."""
        chosen = self.highlighted
        if chosen is None:
            return
        self.add_class("-renaming")
        self.rename_input.value = chosen.title
        self.rename_input.focus()

    def action_delete(self) -> None:
        """Delete the conversation under the cursor (the first press asks)."""
        chosen = self.highlighted
        if chosen is None:
            return
        if self._delete_armed != chosen.id:
            self._delete_armed = chosen.id
            self.notify("Press d again to delete this conversation", severity="warning")
            return
        self._delete_armed = None
        try:
            self.store.delete(chosen.id)
        except OSError as error:
            self.notify(str(error), title="Not deleted", severity="error", markup=False)
        self._reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("rename", "delete"):
            return not self.has_class("-renaming")  # the keys type in the title instead
        return True

    def _stop_renaming(self) -> None:
        self.remove_class("-renaming")
        self.options.focus()

    def _reload(self) -> None:
        index = self.options.highlighted
        try:
            self._conversations = self.store.list()
        except OSError as error:
            self.notify(str(error), title="Conversations unavailable", severity="error")
            self._conversations = []
        options = self.options
        options.clear_options()
        options.add_options(
            Option(Content(_label(conversation)), id=str(conversation.id))
            for conversation in self._conversations
        )
        if self._conversations:
            options.highlighted = min(index or 0, len(self._conversations) - 1)
        options.focus()
