"""The widgets of one chat turn: what the user said, and a reply with its footer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Markdown, Static

from bytez_tui.local.conversations import Turn
from bytez_tui.panes.playground.status import reply_footer
from bytez_tui.text import printable

__all__ = ["ReplyView", "UserTurnView", "turn_view"]


class UserTurnView(Static):
    """What the user said, as plain text."""

    def __init__(self, turn: Turn) -> None:
        super().__init__(printable(turn.content), markup=False, classes="turn -user")
        self.turn = turn
        """The turn shown."""


class ReplyView(Vertical):
    """A reply: its Markdown, then a footer with how it ended and its stats."""

    def __init__(self, turn: Turn | None = None) -> None:
        super().__init__(classes="turn -reply")
        self.turn = turn
        """The stored turn (None while it streams)."""

    def compose(self) -> ComposeResult:
        turn = self.turn
        yield Markdown(printable(turn.content) if turn is not None else "", open_links=False)
        footer = Static("", markup=False, classes="reply-footer")
        if turn is not None:
            footer.update(reply_footer(turn))
        yield footer

    def on_mount(self) -> None:
        if self.turn is not None:
            self.ended(self.turn)

    @property
    def markdown(self) -> Markdown:
        return self.query_one(Markdown)

    @property
    def footer(self) -> Static:
        return self.query_one(".reply-footer", Static)

    def ended(self, turn: Turn) -> None:
        """Show how the reply ended."""
        self.turn = turn
        for outcome in ("done", "stopped", "failed"):
            self.set_class(turn.outcome == outcome, f"-{outcome}")
        self.footer.update(reply_footer(turn))


def turn_view(turn: Turn) -> UserTurnView | ReplyView:
    """The widget that shows a stored turn."""
    return ReplyView(turn) if turn.role == "assistant" else UserTurnView(turn)
