"""The output log: fragments buffered as they arrive, flushed at a fixed rate, wrapped by us.

Writing each fragment straight into a `Log` tops out near 1,300 fragments a second
and the backlog grows without bound; flushing a buffer at a fixed rate keeps up with
10,000 a second and sends far fewer bytes to the terminal (docs/textual.md). Every
flush that adds a row scrolls the log, which resends its whole area, so the rate is
what bounds the bytes: 10 Hz measured ~110 KiB/s at 1,000 fragments/s where 15 Hz
sent ~150 KiB/s (tests/benchmarks/bench_playground.py).
`Log` does not word-wrap, and a write costs more the longer the current line is,
so the text is wrapped into rows here and re-wrapped when the width changes. The
rows are drawn through the Line API by this widget itself (as the catalogue table
is), rather than written into `Log`'s private line list.
"""

from __future__ import annotations

import re
from typing import ClassVar

from rich.cells import cell_len, get_character_cell_size
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.timer import Timer

from bytez_tui.text import printable

__all__ = ["OutputLog", "wrap_row"]


def _cells(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def _fit(text: str, width: int) -> int:
    """How many characters of `text` fit in `width` cells (at least one)."""
    if text.isascii():
        return max(1, width)
    used = 0
    for index, character in enumerate(text):
        used += get_character_cell_size(character)
        if used > width:
            return max(1, index)
    return len(text)


def wrap_row(row: str, width: int) -> list[str]:
    """Greedy word wrap of one line of text (no newlines) into rows of `width` cells.

    Breaks at the last space that fits (the space is dropped); a word longer than
    the row is cut. Appending text to a wrapped line only ever changes its last row,
    which is what lets the log wrap incrementally.
    """
    rows: list[str] = []
    while _cells(row) > width:
        cut = _fit(row, width)
        space = row.rfind(" ", 0, cut + 1)
        if space > 0:
            rows.append(row[:space])
            row = row[space + 1 :]
        else:
            rows.append(row[:cut])
            row = row[cut:]
    rows.append(row)
    return rows


_CONTROL = re.compile("[\u0000-\u0014]")
"""Control characters, drawn as � (as `Log` does): output is data, never terminal control."""


class OutputLog(ScrollView, can_focus=True):
    """A log for streamed text: `feed` is cheap, the screen updates at `FLUSH_RATE`.

    The full text is kept apart from the wrapped rows, for copying, saving and
    re-wrapping. The log follows new text only while it is scrolled to the end, so
    reading earlier output is never interrupted. Rows can be selected with the mouse.
    """

    ALLOW_SELECT = True
    DEFAULT_CSS = """
    OutputLog {
        background: $surface;
        color: $text;
        overflow: scroll;
        &:focus {
            background-tint: $foreground 5%;
        }
    }
    """

    FLUSH_RATE: ClassVar[float] = 10.0
    """Flushes per second while a stream is open (text shows at most 100 ms late)."""

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._rows: list[str] = []
        """The text wrapped to the width, one entry per row on screen."""
        self._widest = 0
        self._chunks: list[str] = []
        self._pending: list[str] = []
        self._text_cache: str | None = ""
        self._wrap_width = 0
        self._timer: Timer | None = None

    def on_mount(self) -> None:
        self._timer = self.set_interval(1 / self.FLUSH_RATE, self.flush, pause=True)

    def on_resize(self, event: events.Resize) -> None:
        width = self._content_width()
        if width != self._wrap_width:
            self._rewrap(width)

    @property
    def lines(self) -> list[str]:
        """The wrapped rows (a copy)."""
        return list(self._rows)

    @property
    def line_count(self) -> int:
        """How many rows there are (an empty row after a final newline does not count)."""
        rows = self._rows
        return len(rows) - (rows[-1] == "") if rows else 0

    @property
    def text(self) -> str:
        """Everything written so far, including what is not yet on screen."""
        if self._pending:
            self.flush()
        if self._text_cache is None:
            self._text_cache = "".join(self._chunks)
            self._chunks = [self._text_cache] if self._text_cache else []
        return self._text_cache

    def start_stream(self) -> None:
        """Begin flushing at `FLUSH_RATE`."""
        if self._timer is not None:
            self._timer.resume()

    def end_stream(self) -> None:
        """Stop the flush timer and put everything received on screen."""
        if self._timer is not None:
            self._timer.pause()
        self.flush()

    def feed(self, fragment: str) -> None:
        """Queue a fragment; it reaches the screen at the next flush."""
        self._pending.append(fragment)

    def flush(self) -> None:
        """Write the queued fragments, wrapped, in one go."""
        if not self._pending:
            return
        data = "".join(self._pending)
        self._pending.clear()
        self._chunks.append(data)
        self._text_cache = None
        self._append(data)

    def set_text(self, text: str) -> None:
        """Replace the whole output with `text`."""
        self._pending.clear()
        self._chunks = [text] if text else []
        self._text_cache = text
        self.clear()
        if text:
            self._append(text)
        self.scroll_home(animate=False, immediate=True)

    def clear(self) -> None:
        """Remove every row (the text too: use `set_text` to replace it)."""
        self._rows.clear()
        self._widest = 0
        self.virtual_size = Size(0, 0)
        self.refresh()

    # --- drawing ----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        style = self.rich_style
        if index >= len(self._rows):
            return Strip.blank(width, style)
        row = _CONTROL.sub("�", self._rows[index])
        text = Text(row, no_wrap=True)
        text.stylize(style)
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(index)) is not None:
            start, end = span
            selected = self.screen.get_component_rich_style("screen--selection")
            text.stylize(selected, start, len(row) if end == -1 else end)
        strip = Strip(text.render(self.app.console), _cells(row))
        return strip.crop_extend(scroll_x, scroll_x + width, style).apply_offsets(scroll_x, index)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract("\n".join(self._rows)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    # --- wrapping --------------------------------------------------------------------

    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def _append(self, data: str) -> None:
        if "\r" in data or "\t" in data:
            data = data.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
        data = printable(data)  # the model's words: shown, never acted on by the terminal
        width = max(self._wrap_width or self._content_width(), 10)
        self._wrap_width = width
        follow = self.is_vertical_scroll_end
        lines = self._rows
        if not lines:
            lines.append("")
        start = len(lines) - 1
        for index, segment in enumerate(data.split("\n")):
            if index:
                lines.append("")
            elif lines == [""]:
                # A completion usually opens with the space that follows the prompt:
                # shown, it would set the first row one cell right of the rest.
                segment = segment.lstrip(" ")
            if not segment:
                continue
            row = lines[-1] + segment
            if _cells(row) <= width:
                lines[-1] = row
            else:
                lines.pop()
                lines.extend(wrap_row(row, width))
        self._widest = max(self._widest, width)
        self.virtual_size = Size(self._widest, self.line_count)
        self.refresh_lines(start, len(lines) - start)
        if follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def _rewrap(self, width: int) -> None:
        text = self.text
        self._wrap_width = width
        self.clear()
        if text and width > 0:
            self._append(text)
        self.scroll_end(animate=False, immediate=True, x_axis=False)
