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
    """A reply: its Markdown, then a footer with how it ended and its stats.

    How it ended is a class on the footer (`-done`, `-stopped`, `-failed`), not on the
    view: a class change restyles every widget below it, which for a long reply is every
    block of its Markdown (~0.5 s of a 1 s conversation open, bench_chat.py).
    """

    def __init__(self, turn: Turn | None = None) -> None:
        super().__init__(classes="turn -reply")
        self.turn = turn
        """The stored turn (None while it streams)."""

    def compose(self) -> ComposeResult:
        turn = self.turn
        yield Markdown(printable(turn.content) if turn is not None else "", open_links=False)
        if turn is None:
            yield Static("", markup=False, classes="reply-footer")
        else:
            yield Static(reply_footer(turn), markup=False, classes=f"reply-footer -{turn.outcome}")

    @property
    def markdown(self) -> Markdown:
        return self.query_one(Markdown)

    @property
    def footer(self) -> Static:
        return self.query_one(".reply-footer", Static)

    def ended(self, turn: Turn) -> None:
        """Show how the reply ended."""
        self.turn = turn
        footer = self.footer
        for outcome in ("done", "stopped", "failed"):
            footer.set_class(turn.outcome == outcome, f"-{outcome}")
        footer.update(reply_footer(turn))


def turn_view(turn: Turn) -> UserTurnView | ReplyView:
    """The widget that shows a stored turn."""
    return ReplyView(turn) if turn.role == "assistant" else UserTurnView(turn)
