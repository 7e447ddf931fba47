"""The widgets of chat turns: what the user said, a reply with its footer, and the
scrolling list of the turns shown (`TurnsView`).

A long reply is drawn as several `Markdown` widgets, cut where one top-level block ends
and the next begins (`BlockSplitter`). Textual lays a `Markdown` out again as a whole
whenever a block is added to it, so a reply streamed into one widget cost more per frame
the longer it grew; a piece that is finished keeps its layout cached.

A finished piece still costs every frame while the reply streams: Textual places every
widget of the screen again whenever one of them changes size, and a reply of 12,000
characters is ~500 widgets (~25 ms of layout for a frame that adds a word to it), and the
earlier turns shown add theirs. So while a reply streams and the conversation follows its
end, the turns and the finished pieces out of view are parked (`TurnsView.park`): hidden,
a blank as high as they were in their place (`ParkedBlank`), which took that frame to
~5 ms.
They come back when the reader scrolls up, and when the reply ends.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Markdown, Static

from bytez_tui.local.conversations import Turn
from bytez_tui.panes.playground.status import reply_footer
from bytez_tui.text import printable

__all__ = [
    "PIECE_LINES",
    "SHOWN_TURNS",
    "BlockSplitter",
    "ParkedBlank",
    "ReplyView",
    "TurnsView",
    "UserTurnView",
    "split_blocks",
    "turn_view",
]

PIECE_LINES = 40
"""Lines of Markdown a piece of a reply holds at least before the next one may start."""

SHOWN_TURNS = 10
"""Turns drawn when a conversation opens. Each reply is a `Markdown` widget of its own,
and mounting one with a code block and a table costs ~70 ms here: 200 turns took ~15 s,
40 took 2.7 s (bench_chat.py). The rest stay in the store and in the export."""
FIRST_TURNS = 4
"""Of those, the turns drawn before the first frame (they fill a 40-row terminal); the
others are added above them one per frame afterwards, so the conversation shows at once."""

_CONTINUES = frozenset(" \t-*+>0123456789")
"""First characters of a line that may carry on the block above it (an indented or lazy
continuation, a list item, a quote): no cut before such a line."""


class BlockSplitter:
    """Cuts a Markdown text, as it streams in, where a piece can be drawn on its own.

    A cut goes before a line that follows a blank line outside a fenced code block and
    starts a block of its own: not indented, not a list item or quote that could belong to
    the block above. Each piece holds at least `min_lines` lines. Reference links defined
    in one piece and used in another are the one thing a cut can change.

    Args:
        min_lines: Lines a piece holds before the next may start.
    """

    def __init__(self, min_lines: int = PIECE_LINES) -> None:
        self.min_lines = min_lines
        self._lines = 0
        self._line = ""
        self._after_blank = False
        self._fence: str | None = None

    def feed(self, text: str) -> list[str]:
        """Cut `text` (what arrived next): the first item continues the current piece,
        each further item starts a new one."""
        pieces = [""]
        for segment in text.splitlines(keepends=True):
            if (
                not self._line
                and self._after_blank
                and self._fence is None
                and self._lines >= self.min_lines
                and segment.strip()
                and segment[0] not in _CONTINUES
            ):
                pieces.append("")
                self._lines = 0
            pieces[-1] += segment
            self._line += segment
            if segment.endswith(("\n", "\r")):
                self._end_line(self._line)
                self._line = ""
        return pieces

    def _end_line(self, line: str) -> None:
        self._lines += 1
        body = line.strip()
        self._after_blank = not body
        indent = len(line) - len(line.lstrip(" "))
        if indent > 3 or body[:3] not in ("```", "~~~"):
            return
        marker = body[: len(body) - len(body.lstrip(body[0]))]
        if self._fence is None:
            self._fence = marker
        elif marker.startswith(self._fence) and body == marker:
            self._fence = None


def split_blocks(text: str, min_lines: int = PIECE_LINES) -> list[str]:
    """`text` cut as `BlockSplitter` cuts it while it streams."""
    return [piece for piece in BlockSplitter(min_lines).feed(text) if piece] or [""]


def _out_of_view(widgets: list[Widget], rows: int) -> int:
    """How many of `widgets` (a container's last children, in order), from the first,
    lie wholly above the container's last `rows` rows, by their last laid-out sizes (a
    widget not laid out yet counts as empty, which parks fewer, never more)."""
    below = widgets[-1].outer_size.height + widgets[-1].styles.margin.bottom
    for index in range(len(widgets) - 2, -1, -1):
        if below >= rows:
            return index + 1
        widget = widgets[index]
        gap = max(widget.styles.margin.bottom, widgets[index + 1].styles.margin.top)
        below += widget.outer_size.height + gap
    return 0


class ParkedBlank(Widget):
    """Stands in for widgets taken out of the layout: as high as they were, margins and
    all, so that what follows them stays where it was."""

    def __init__(self) -> None:
        super().__init__(classes="parked")
        self.display = False
        self.parked: list[Widget] = []
        """The widgets it stands in for, in order."""
        self.rows = 0
        """Its height."""

    def hold(self, widgets: list[Widget], following: Widget) -> None:
        """Hide `widgets` (the next ones after those it holds) and grow by what they took
        up above `following`."""
        rows = widgets[0].styles.margin.top
        for widget, below in zip(widgets, [*widgets[1:], following], strict=True):
            gap = max(widget.styles.margin.bottom, below.styles.margin.top)
            rows += widget.outer_size.height + gap
        self.rows += rows - following.styles.margin.top
        self.styles.height = self.rows
        self.display = True
        for widget in widgets:
            widget.display = False
        self.parked.extend(widgets)

    def release(self) -> None:
        """Show the widgets it stood in for, and hide."""
        for widget in self.parked:
            widget.display = True
        self.parked = []
        self.rows = 0
        self.display = False


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
        if turn is None:
            yield ParkedBlank()
        for piece in split_blocks(printable(turn.content) if turn is not None else ""):
            yield Markdown(piece, open_links=False)
        if turn is None:
            yield Static("", markup=False, classes="reply-footer")
        else:
            yield Static(reply_footer(turn), markup=False, classes=f"reply-footer -{turn.outcome}")

    @property
    def pieces(self) -> list[Markdown]:
        """The pieces of the reply, in order."""
        return list(self.query_children(Markdown))

    @property
    def markdown(self) -> Markdown:
        """The last piece of the reply (the one a streaming reply grows)."""
        return self.query_children(Markdown).last()

    @property
    def source(self) -> str:
        """The Markdown shown, all pieces together."""
        return "".join(piece.source for piece in self.pieces)

    async def next_piece(self) -> Markdown:
        """Start a new piece of a streaming reply, after the others; returns it.

        The pieces before it are finished: their text is all appended.
        """
        piece = Markdown("", open_links=False)
        await self.mount(piece, before=self.footer)
        return piece

    def park(self, rows: int) -> None:
        """Park the finished pieces that lie wholly above the reply's last `rows` rows
        (the last piece, which grows, stays)."""
        pieces = [piece for piece in self.pieces if piece.display]
        shown: list[Widget] = [*pieces, self.footer]
        count = min(_out_of_view(shown, rows), len(pieces) - 1)
        if count > 0:
            self.query_one(ParkedBlank).hold(shown[:count], shown[count])

    def unpark(self) -> None:
        """Show the parked pieces again."""
        for blank in self.query_children(ParkedBlank):
            blank.release()

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


class TurnsView(VerticalScroll, can_focus=True):
    """The turns of the conversation shown, oldest first, the end kept in view."""

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._reveal: list[Turn] = []
        """Turns to show that are not drawn yet, oldest first (they go in above)."""

    async def show(self, turns: Sequence[Turn]) -> None:
        """Draw the last `SHOWN_TURNS` of `turns` in place of those shown: the last
        `FIRST_TURNS` before the next frame, the others above them one per frame."""
        await self.remove_children()
        hidden = max(0, len(turns) - SHOWN_TURNS)
        shown = turns[hidden:]
        views: list[Static | ReplyView | UserTurnView] = []
        if hidden:
            views.append(
                Static(
                    f"… {hidden:,} earlier turns (ctrl+s exports the whole conversation)",
                    markup=False,
                    classes="earlier",
                )
            )
        first = max(0, len(shown) - FIRST_TURNS)
        views.extend(turn_view(turn) for turn in shown[first:])
        await self.mount_all(views)
        self._reveal = list(shown[:first])
        if self._reveal:
            self.call_after_refresh(self._reveal_earlier, self._reveal)
        # Anchored, not scrolled once: a scroll now would use the height from before the
        # turns' layout, and each Markdown reply grows again as its code and tables lay
        # out. The anchor keeps the end in view through that until the user scrolls.
        self.anchor()

    async def _reveal_earlier(self, pending: list[Turn]) -> None:
        """Draw the next earlier turn above those shown, one per frame; a reader scrolled
        up keeps the same lines in view."""
        if not pending or pending is not self._reveal:
            return  # done, or other turns (or these again) are shown
        below = next(
            child
            for child in self.children
            if not (child.has_class("earlier") or isinstance(child, ParkedBlank))
        )
        at_end = self.is_vertical_scroll_end
        height = self.virtual_size.height
        await self.mount(turn_view(pending.pop()), before=below)

        def settle() -> None:
            if not at_end:  # at the end, the anchor keeps it there
                grown = self.virtual_size.height - height
                self.scroll_to(y=self.scroll_y + grown, animate=False, immediate=True)
            if pending:
                self.call_later(self._reveal_earlier, pending)

        self.call_after_refresh(settle)

    def park(self, rows: int) -> None:
        """Park the turns, and the pieces of the last reply, that lie wholly above the
        last `rows` rows (the last turn stays, parked inside only)."""
        shown = [child for child in self.children if child.display]
        blank = next((child for child in shown if isinstance(child, ParkedBlank)), None)
        if blank is not None:
            shown.remove(blank)
        if not shown:
            return
        if isinstance(shown[-1], ReplyView):
            shown[-1].park(rows)
        count = min(_out_of_view(shown, rows), len(shown) - 1)
        if count > 0:
            if blank is None:
                blanks = self.query_children(ParkedBlank)
                blank = blanks.first() if blanks else ParkedBlank()
                if not blank.is_attached:
                    self.mount(blank, before=0)
            blank.hold(shown[:count], shown[count])

    def unpark(self) -> None:
        """Show every parked turn and piece again."""
        for blank in self.query_children(ParkedBlank):
            blank.release()
        for reply in self.query_children(ReplyView):
            reply.unpark()
