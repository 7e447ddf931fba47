"""Outside text on screen: plain `Content`, never markup, and no control characters.

Two layers. `plain` is what widgets call: it turns a string from the server, a
file or the user into `Content` with its control characters shown in caret
notation (`bytez_tui.text.printable`), so `[/INST]` is four characters, not a
closing tag. `ControlFilter` is the app's last line of defence: a line filter on
every strip Textual draws, which drops any control character that still got
through (a widget someone forgot), so none can reach the terminal.
"""

from __future__ import annotations

import re

from rich.segment import Segment
from textual.color import Color
from textual.content import Content
from textual.filter import LineFilter

from bytez_tui.text import printable

__all__ = ["ControlFilter", "escaped", "plain"]


def plain(text: str, *, one_line: bool = False) -> Content:
    """`text` as plain `Content`: markup is not read, control characters are shown.

    Args:
        text: A string from the server, a file or the user.
        one_line: Turn newlines and tabs into spaces (rows, titles).
    """
    return Content(printable(text, one_line=one_line))


def escaped(text: str) -> str:
    """`text` for the few Textual APIs that insist on reading a string as markup (the
    command palette's prompts and help): control characters shown, one line, and every
    `[` escaped, so a profile or model named `[/INST]` is those characters, not a tag.

    Every `[`, not only those that look like a tag as `textual.markup.escape` does: after
    `ESC [` (shown `^[[2J`), that one's `\\[/INST]` was drawn with its backslash. Textual's
    parser takes `\\[` as `[` and any other backslash as itself (a property test keeps it so).

    Args:
        text: A string from the server, a file or the user.
    """
    return printable(text, one_line=True).replace("[", "\\[")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class ControlFilter(LineFilter):
    """Drops C0/C1 control characters from every drawn segment.

    Rich measures a control character as zero cells, so dropping it keeps the strip's
    width. Control segments (cursor moves Textual makes itself) are left alone.
    """

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        """Return `segments` without control characters in their text."""
        search = _CONTROL.search
        if not search("".join([segment.text for segment in segments])):
            return segments  # the usual case: one search over the line
        return [
            segment
            if segment.control or not search(segment.text)
            else Segment(_CONTROL.sub("", segment.text), segment.style)
            for segment in segments
        ]
