"""The catalogue's virtual table: renders only the visible rows of a filtered index.

Textual's `DataTable` needs seconds to hold 100,000 rows; this `ScrollView` keeps a list of
row numbers into a `CatalogueIndex` and draws each visible line through the Line API, so
showing, filtering or sorting the whole catalogue costs what it costs to build that list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from bytez_tui.catalogue.index import CatalogueIndex
from bytez_tui.format import money
from bytez_tui.format import ram as format_ram
from bytez_tui.panes.catalogue.header import columns_for, fit, layout
from bytez_tui.text import printable
from bytez_tui.textual_compat import output_pending

__all__ = ["CatalogueTable"]

RUNNING_GLYPH = "▶"
"""Marks a model with a live instance."""
TRACKED_GLYPH = "◆"
"""Marks a model tracked as a job."""
BENCH_GLYPH = "✓"
"""Marks a benchmarked model."""
NOT_BENCH_GLYPH = "·"
"""Marks a model that is not benchmarked."""
CURSOR_GLYPH = "▸"
"""Points at the highlighted row (the highlight is not shown by colour alone)."""
ESTIMATE_MARK = "~"
"""Marks a cost that is our estimate from RAM among the server's prices (v2)."""
_SEND_POLL = 0.005
"""Seconds between two looks at whether a frame has been sent (`call_after_paint`)."""
_SEND_WAIT_MAX = 0.2
"""Seconds `call_after_paint` waits for a frame to be sent at most."""


@dataclass(frozen=True)
class _RowStyles:
    """The styles of a row's cells: plain, dimmed, and the markers' colours."""

    style: Style
    dim: Style
    bench: Style
    running: Style
    tracked: Style


@dataclass(frozen=True)
class _Paint:
    """What every row of a frame shares: the width, the columns (key, cells) and the
    styles of a plain row and of the cursor's."""

    width: int
    columns: tuple[tuple[str, int], ...]
    empty: Style
    plain: _RowStyles
    cursor: _RowStyles


class CatalogueTable(ScrollView, can_focus=True):
    """The rows of a `CatalogueIndex` listed in `rows`, drawn only where visible."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", id="catalogue-up", show=False, tooltip="Previous model"),
        Binding(
            "down,j", "cursor_down", "Down", id="catalogue-down", show=False, tooltip="Next model"
        ),
        Binding(
            "pageup", "page_up", "Page up", id="catalogue-page-up", show=False, tooltip="Page up"
        ),
        Binding(
            "pagedown",
            "page_down",
            "Page down",
            id="catalogue-page-down",
            show=False,
            tooltip="Page down",
        ),
        Binding(
            "home,g", "first", "First", id="catalogue-first", show=False, tooltip="First model"
        ),
        Binding("end,G", "last", "Last", id="catalogue-last", show=False, tooltip="Last model"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "catalogue-table--cursor",
        "catalogue-table--dim",
        "catalogue-table--running",
        "catalogue-table--tracked",
        "catalogue-table--bench",
        "catalogue-table--empty",
    }

    DEFAULT_CSS = """
    CatalogueTable {
        overflow-x: hidden;
        overflow-y: auto;
    }
    """

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another model (or there is none)."""

        table: CatalogueTable
        """The table."""
        row: int | None
        """The row of the index, None when the table is empty."""

        @property
        def control(self) -> CatalogueTable:
            return self.table

    @dataclass
    class Selected(Message):
        """Enter or a double click on a model."""

        table: CatalogueTable
        """The table."""
        row: int
        """The row of the index."""

        @property
        def control(self) -> CatalogueTable:
            return self.table

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.index: CatalogueIndex | None = None
        """The catalogue."""
        self.rows: Sequence[int] = []
        """The rows of `index` shown, in display order."""
        self.cursor = 0
        """Position of the highlighted row in `rows`."""
        self.running: frozenset[str] = frozenset()
        """Models with a live instance (marked ▶)."""
        self.tracked: frozenset[str] = frozenset()
        """Models tracked as jobs (marked ◆)."""
        self.empty_text = "Loading the catalogue…"
        """What the table says when `rows` is empty."""
        self._last_highlight: int | None = -1
        self._after_paint: list[Callable[[], object]] = []
        self._paint: _Paint | None = None

    # --- data ---------------------------------------------------------------------------

    def show(self, index: CatalogueIndex, rows: Sequence[int], *, keep: int | None = None) -> None:
        """Show `rows` of `index`, with the cursor on row `keep` if it is shown, else on top.

        Args:
            index: The catalogue.
            rows: The rows to show, in order (the table keeps the list; do not modify it).
            keep: An index row to keep the cursor on.
        """
        self.index, self.rows = index, rows
        cursor = 0
        if keep is not None:
            try:
                cursor = rows.index(keep)
            except ValueError:
                cursor = 0
        self.cursor = cursor
        self.virtual_size = Size(self.size.width, len(rows))
        self.scroll_to(y=max(0, cursor - self.size.height // 2), animate=False, immediate=True)
        self.refresh()
        self._announce()

    def call_after_paint(self, callback: Callable[[], object]) -> None:
        """Call `callback` once the next frame that draws this table is out on the
        terminal (at once if the table is hidden).

        `call_after_refresh` may run first: a repaint reaches the screen through the
        table's own message queue, and the screen can refresh before it arrives. And a
        composed frame still has to be written by Textual's writer thread, which needs
        the GIL: started at once, the catalogue refresh and the other panes' imports held
        the frame with the cached rows back by ~180 ms of CPU. So the callback waits until
        the writer has taken the frame, and one poll more while it writes it.
        """
        self._after_paint.append(callback)
        if self.display and self.is_on_screen:
            self.refresh()
        else:
            self._painted()

    def _painted(self) -> None:
        callbacks, self._after_paint = self._after_paint, []
        if callbacks:
            self.call_later(self._when_sent, callbacks)  # after the frame being composed

    def _when_sent(
        self, callbacks: list[Callable[[], object]], waited: float = 0.0, pending: bool = True
    ) -> None:
        """Call `callbacks` one poll after the writer's queue was seen empty."""
        if pending and waited < _SEND_WAIT_MAX:
            still = output_pending(self.app)
            self.set_timer(
                _SEND_POLL, partial(self._when_sent, callbacks, waited + _SEND_POLL, still)
            )
            return
        for callback in callbacks:
            callback()

    @property
    def highlighted(self) -> int | None:
        """The index row under the cursor, None when empty."""
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    def move_to(self, cursor: int) -> None:
        """Put the cursor on position `cursor` of `rows` and scroll it into view."""
        if not self.rows:
            return
        old = self.cursor
        self.cursor = max(0, min(cursor, len(self.rows) - 1))
        top, height = round(self.scroll_y), max(1, self.size.height)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)
        self._refresh_row(old)
        self._refresh_row(self.cursor)
        self._announce()

    def _announce(self) -> None:
        row = self.highlighted
        if row != self._last_highlight:
            self._last_highlight = row
            self.post_message(self.Highlighted(self, row))

    def _refresh_row(self, cursor: int) -> None:
        y = cursor - round(self.scroll_y)
        if 0 <= y < self.size.height:
            self.refresh_line(y)

    # --- rendering ----------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.rows))

    def on_focus(self) -> None:
        self._refresh_row(self.cursor)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor)

    def on_hide(self) -> None:
        self._painted()

    def render_lines(self, crop: Region) -> list[Strip]:
        # The styles and columns are the same for every row of a frame: reading them
        # (each `rich_style` walks up the DOM) once, not per row, halves a frame's cost.
        self._paint = self._paint_now()
        try:
            lines = super().render_lines(crop)
        finally:
            self._paint = None
        if self._after_paint:
            self._painted()
        return lines

    def _paint_now(self) -> _Paint:
        base = self.rich_style
        cursor = base + self.get_component_rich_style("catalogue-table--cursor")
        width = self.size.width
        columns = tuple(
            (column.key, size) for column, _x, size in layout(width, columns_for(self.index))
        )
        return _Paint(
            width=width,
            columns=columns,
            empty=base + self.get_component_rich_style("catalogue-table--empty"),
            plain=self._row_styles(base),
            cursor=self._row_styles(cursor),
        )

    def _row_styles(self, style: Style) -> _RowStyles:
        def partial(name: str) -> Style:
            return style + self.get_component_rich_style(name, partial=True)

        return _RowStyles(
            style=style,
            dim=partial("catalogue-table--dim"),
            bench=partial("catalogue-table--bench"),
            running=partial("catalogue-table--running"),
            tracked=partial("catalogue-table--tracked"),
        )

    def render_line(self, y: int) -> Strip:
        paint = self._paint or self._paint_now()
        width = paint.width
        position = round(self.scroll_y) + y
        index = self.index
        if index is None or position >= len(self.rows):
            if not self.rows and y == 1:
                return Strip([Segment(fit("  " + self.empty_text, width), paint.empty)])
            return Strip.blank(width, paint.plain.style)
        row = self.rows[position]
        is_cursor = position == self.cursor
        styles = paint.cursor if is_cursor else paint.plain
        style, dim = styles.style, styles.dim
        segments: list[Segment] = []
        name = index.names[row]
        for key, size in paint.columns:
            if key == "cursor":
                segments.append(Segment(CURSOR_GLYPH if is_cursor else " ", style))
                continue
            if key == "markers":
                running = name in self.running
                tracked = name in self.tracked
                segments.append(
                    Segment(RUNNING_GLYPH, styles.running) if running else Segment(" ", style)
                )
                segments.append(
                    Segment(TRACKED_GLYPH, styles.tracked) if tracked else Segment(" ", style)
                )
            elif key == "id":
                segments.append(Segment(fit(printable(name, one_line=True), size), style))
            elif key == "task":
                task = index.task(row)
                text = fit(printable(task, one_line=True) if task else "—", size)
                segments.append(Segment(text, dim if task is None else style))
            elif key == "ram":
                ram = index.ram[row]
                text = format_ram(ram)
                segments.append(Segment(fit(text, size, True), dim if ram is None else style))
            elif key == "bench":
                bench = index.bench[row]
                text = fit(BENCH_GLYPH if bench else NOT_BENCH_GLYPH, size)
                segments.append(Segment(text, styles.bench if bench else dim))
            else:
                cost = index.cost_per_hour(row)
                text = money(cost)
                if cost is not None and index.has_prices and not index.server_priced(row):
                    text = ESTIMATE_MARK + text
                segments.append(Segment(fit(text, size, True), dim if cost is None else style))
            segments.append(Segment(" ", style))
        return Strip(segments).adjust_cell_length(width, style)

    # --- input --------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        position = round(self.scroll_y) + offset.y
        if position < len(self.rows):
            self.move_to(position)
            if event.chain >= 2:
                self.post_message(self.Selected(self, self.rows[position]))

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(1, self.size.height - 1))

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(1, self.size.height - 1))

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(len(self.rows) - 1)
