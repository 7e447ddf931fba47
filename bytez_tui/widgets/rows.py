"""A small list of row widgets with a keyboard cursor, for the live panes.

`DataTable` resends a whole table line when one cell changes; rows made of small widgets
repaint only the cell that changed, which is what keeps live panes cheap over SSH.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import ClassVar

from textual import events, on
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from bytez_tui.text import printable
from bytez_tui.widgets.filter_input import FilterInput

__all__ = ["Cell", "Row", "RowFilter", "RowList"]


class Cell(Static):
    """A table cell that repaints only when its text changes."""

    DEFAULT_CSS = """
    Cell {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(
        self, text: str = "", *, name: str | None = None, id: str | None = None, classes: str = ""
    ) -> None:
        super().__init__(
            printable(text, one_line=True), name=name, id=id, classes=classes, markup=False
        )
        self._text = text

    def show(self, text: str) -> None:
        """Show `text` (from anywhere: control characters are shown, not acted on),
        repainting only if it differs from what is shown."""
        if text != self._text:
            self._text = text
            # A one-line cell keeps its size; one that wraps (`height: auto`) may not.
            height = self.styles.height
            wraps = height is not None and height.is_auto
            self.update(printable(text, one_line=True), layout=wraps)

    @property
    def text(self) -> str:
        """The text shown."""
        return self._text


class Row(Vertical):
    """One row of a `RowList`, identified by `key`.

    Its first column marks the cursor row with `▸` (and the row is bold), as the
    catalogue does: without colour (NO_COLOR) a background alone does not show.

    Args:
        key: What identifies the row (a model id).
    """

    DEFAULT_CSS = """
    Row {
        height: auto;
    }
    Row > .row-marker {
        dock: left;
        width: 1;
        height: 1;
    }
    Row.-cursor {
        text-style: bold;
    }
    """

    def __init__(self, key: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.key = key
        """What identifies the row."""

    def on_mount(self) -> None:
        self.mount(Static(" ", classes="row-marker", markup=False))
        parent = self.parent
        if isinstance(parent, RowList):
            self.display = parent.matches(self)
            self.mark(self is parent.highlighted)

    def mark(self, cursor: bool) -> None:
        """Show whether the cursor is on this row."""
        self.set_class(cursor, "-cursor")
        for marker in self.query_children(".row-marker"):
            if isinstance(marker, Static):
                marker.update("▸" if cursor else " ")

    def on_click(self, event: events.Click) -> None:
        parent = self.parent
        if isinstance(parent, RowList):
            parent.select(self.key)


class RowList(VerticalScroll, can_focus=True):
    """A scrolling list of `Row`s with a cursor moved by the arrow keys.

    `filter_text` hides the rows whose key does not contain it; the cursor moves over
    the rows shown.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", id="rows-up", show=False, tooltip="Previous row"),
        Binding("down,j", "cursor(1)", "Down", id="rows-down", show=False, tooltip="Next row"),
        Binding("home,g", "first", "First", id="rows-first", show=False, tooltip="First row"),
        Binding("end,G", "last", "Last", id="rows-last", show=False, tooltip="Last row"),
    ]

    DEFAULT_CSS = """
    RowList {
        height: 1fr;
    }
    RowList > Row.-cursor {
        background: $boost;
    }
    RowList:focus > Row.-cursor {
        background: $primary 30%;
    }
    """

    cursor: reactive[int] = reactive(0, init=False)
    """Index of the highlighted row among the rows shown."""
    filter_text: reactive[str] = reactive("", init=False)
    """Only rows whose key contains this (any case) are shown."""

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another row."""

        row_list: RowList
        """The list."""
        key: str | None
        """The highlighted row's key, or None when the list is empty."""

        @property
        def control(self) -> RowList:
            return self.row_list

    @property
    def rows(self) -> list[Row]:
        """The rows, top to bottom."""
        return [child for child in self.children if isinstance(child, Row)]

    @property
    def shown_rows(self) -> list[Row]:
        """The rows the filter lets through, top to bottom."""
        return [row for row in self.rows if self.matches(row)]

    def matches(self, row: Row) -> bool:
        """Whether the filter lets `row` through."""
        return self.filter_text.casefold() in row.key.casefold()

    @property
    def highlighted(self) -> Row | None:
        """The row under the cursor."""
        rows = self.shown_rows
        return rows[self.cursor] if 0 <= self.cursor < len(rows) else None

    def get_row(self, key: str) -> Row | None:
        """The row for `key`, if any."""
        for row in self.rows:
            if row.key == key:
                return row
        return None

    def select(self, key: str) -> None:
        """Move the cursor to the row for `key` (if the filter shows it)."""
        for index, row in enumerate(self.shown_rows):
            if row.key == key:
                self.cursor = index
                return

    def remove_rows(self, rows: Iterable[Row]) -> None:
        """Remove `rows`, then put the cursor back on a row that is still there.

        A removal completes later than the refresh after it: re-applying the cursor
        then still counted the old rows, and a cursor on the last row was left past the
        end (nothing highlighted, the row keys dead).
        """
        removal = self.remove_children(list(rows))

        async def resync() -> None:
            await removal
            self.sync_cursor()

        self.call_later(resync)

    def sync_cursor(self) -> None:
        """Re-apply the cursor after rows were added or removed."""
        self.cursor = self.cursor
        self._paint_cursor()

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, len(self.shown_rows) - 1))

    def watch_filter_text(self) -> None:
        highlighted = self.highlighted
        for row in self.rows:
            row.display = self.matches(row)
        self.cursor = 0
        if highlighted is not None:
            self.select(highlighted.key)  # stays on its row while the filter lets it through
        self.sync_cursor()

    def watch_cursor(self) -> None:
        self._paint_cursor()
        row = self.highlighted
        if row is not None:
            self.scroll_to_widget(row, animate=False)
        self.post_message(self.Highlighted(self, row.key if row else None))

    @on(events.Mount)
    def _mounted(self) -> None:
        self._paint_cursor()

    def action_cursor(self, step: int) -> None:
        self.cursor += step

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.shown_rows) - 1

    def _paint_cursor(self) -> None:
        cursor = self.highlighted
        for row in self.rows:
            row.mark(row is cursor)


class RowFilter(FilterInput):
    """The `/` filter of a list pane: narrows its `RowList` to the keys that contain the text.

    Hidden while it is empty and not being typed in. Enter or escape goes back to the
    list and keeps the filter; escape in the list clears it (the pane's binding).

    Args:
        rows: The list it narrows.
        leave_keys: The keys that leave a text field (the app's `leave-field` binding).
        cursor_blink: Blink the cursor.
    """

    DEFAULT_CSS = """
    RowFilter {
        display: none;
        height: 1;
        margin: 0 1;
        background: $boost;
    }
    RowFilter.-shown {
        display: block;
    }
    """

    def __init__(
        self,
        rows: Callable[[], RowList],
        *,
        leave_keys: Collection[str] = ("escape",),
        cursor_blink: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(
            on_value=self._narrow,
            on_submit=self._back_to_rows,
            leave_keys=leave_keys,
            cursor_blink=cursor_blink,
            placeholder="Filter: part of a model id (escape in the list clears it)",
            id=id,
        )
        self._rows = rows

    def open(self) -> None:
        """Show the field and put the cursor in it (at once: the next key lands here)."""
        self.add_class("-shown")
        self.screen.set_focus(self)

    def clear(self) -> None:
        """Drop the filter: every row again, the field hidden."""
        self.value = ""
        self.remove_class("-shown")

    def _narrow(self, value: str) -> None:
        if self.is_mounted:
            self._rows().filter_text = value

    def _back_to_rows(self) -> None:
        self.set_class(bool(self.value), "-shown")
        self.screen.set_focus(self._rows())
