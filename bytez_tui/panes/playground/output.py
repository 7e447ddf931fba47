"""The output log: fragments buffered as they arrive, flushed at a fixed rate, wrapped by us.

Writing each fragment straight into a `Log` tops out near 1,300 fragments a second
and the backlog grows without bound; flushing a buffer at a fixed rate keeps up with
10,000 a second and sends far fewer bytes to the terminal (TEXTUAL-FACTS.md). Every
flush that adds a row scrolls the log, which resends its whole area, so the rate is
what bounds the bytes: 10 Hz measured ~110 KiB/s at 1,000 fragments/s where 15 Hz
sent ~150 KiB/s (tests/benchmarks/bench_playground.py).
`Log` does not word-wrap, and a write costs more the longer the current line is,
so the text is wrapped into rows here before it reaches the log, and re-wrapped
when the width changes.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len, get_character_cell_size
from textual import events
from textual.geometry import Size
from textual.timer import Timer
from textual.widgets import Log

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


class OutputLog(Log):
    """A `Log` for streamed text: `feed` is cheap, the screen updates at `FLUSH_RATE`.

    The full text is kept apart from the wrapped rows, for copying, saving and
    re-wrapping. The log follows new text only while it is scrolled to the end, so
    reading earlier output is never interrupted.
    """

    FLUSH_RATE: ClassVar[float] = 10.0
    """Flushes per second while a stream is open (text shows at most 100 ms late)."""

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(highlight=False, auto_scroll=True, name=name, id=id, classes=classes)
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

    # --- wrapping --------------------------------------------------------------------

    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def _append(self, data: str) -> None:
        if "\r" in data or "\t" in data:
            data = data.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
        width = max(self._wrap_width or self._content_width(), 10)
        self._wrap_width = width
        follow = self.is_vertical_scroll_end
        lines = self._lines
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
        self._width = max(self._width, width)
        self.virtual_size = Size(self._width, self.line_count)
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
