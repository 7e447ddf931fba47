"""The table's columns, and the header row that shows and changes the sort."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from bytez_tui.catalogue.index import CatalogueIndex, SortKey

__all__ = ["COLUMNS", "TASK_COLUMNS", "CatalogueHeader", "Column", "columns_for", "fit", "layout"]


@dataclass(frozen=True)
class Column:
    """One column of the table."""

    key: str
    """`cursor`, `markers`, `id`, `task`, `ram`, `bench` or `cost`."""
    title: str
    """The header text."""
    width: int
    """Cells; 0 for the flexible id column."""
    right: bool = False
    """Right-aligned."""


COLUMNS: tuple[Column, ...] = (
    Column("cursor", "", 1),
    Column("markers", "", 2),
    Column("id", "Model", 0),
    Column("ram", "RAM GB", 8, right=True),
    Column("bench", "Bench", 5),
    Column("cost", "$/hour", 9, right=True),
)
"""The columns of a catalogue that says RAM and benchmarks (v1); costs are our estimate."""
TASK_COLUMNS: tuple[Column, ...] = (
    Column("cursor", "", 1),
    Column("markers", "", 2),
    Column("id", "Model", 0),
    Column("task", "Task", 18),
    Column("ram", "RAM GB", 8, right=True),
    Column("cost", "Bytez $/h", 11, right=True),
)
"""The columns of a catalogue that says tasks and prices (v2). The cost is the server's
price (hence the title); a row it gave none for shows our RAM estimate marked `~`. v2 has no
benchmarks (every listed model has a RAM figure), so its Bench column would say nothing."""
_GAP = 1


_TASKS_OUR_COSTS = (*TASK_COLUMNS[:-1], Column("cost", "$/hour", 11, right=True))


def columns_for(index: CatalogueIndex | None) -> tuple[Column, ...]:
    """The columns that show `index`: with tasks and the server's prices when it has them."""
    if index is None or not index.has_tasks:
        return COLUMNS
    return TASK_COLUMNS if index.has_prices else _TASKS_OUR_COSTS


def layout(width: int, columns: tuple[Column, ...] = COLUMNS) -> list[tuple[Column, int, int]]:
    """Each column with its x offset and width for a table `width` cells wide."""
    fixed = sum(column.width for column in columns) + _GAP * (len(columns) - 1)
    flexible = max(8, width - fixed)
    placed: list[tuple[Column, int, int]] = []
    x = 0
    for column in columns:
        size = column.width or flexible
        placed.append((column, x, size))
        x += size + (_GAP if column.key != "cursor" else 0)
    return placed


def fit(text: str, width: int, right: bool = False) -> str:
    """`text` cut (with `…`) or padded to `width` terminal cells: a CJK character or an
    emoji takes two, so counting characters would push the next columns out."""
    length = len(text) if text.isascii() else cell_len(text)
    if length > width:
        return set_cell_size(text, max(0, width - 1)) + "…"
    gap = " " * (width - length)
    return gap + text if right else text + gap


class CatalogueHeader(Widget):
    """The column titles; shows the sort with ▲/▼ and sorts on click."""

    DEFAULT_CSS = """
    CatalogueHeader {
        height: 1;
        text-style: bold;
    }
    """

    @dataclass
    class SortClicked(Message):
        """The user clicked a sortable column title."""

        header: CatalogueHeader
        """The header clicked."""
        key: SortKey
        """The column."""

        @property
        def control(self) -> CatalogueHeader:
            return self.header

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.sort_key: SortKey | None = "id"
        """The column sorted by (None: the API's order)."""
        self.descending = False
        """Sorted largest first."""
        self.columns = COLUMNS
        """The columns shown (`columns_for` the catalogue)."""

    def show_columns(self, columns: tuple[Column, ...]) -> None:
        """Show these column titles (the catalogue changed from v1's shape to v2's)."""
        if columns != self.columns:
            self.columns = columns
            self.refresh()

    def show_sort(self, key: SortKey | None, descending: bool) -> None:
        """Show which column the table is sorted by."""
        self.sort_key, self.descending = key, descending
        self.refresh()

    def render_line(self, y: int) -> Strip:
        style = self.rich_style
        width = self.size.width
        text = ""
        for column, _x, size in layout(width, self.columns):
            title = column.title
            if column.key == self.sort_key:
                title = f"{title} {'▼' if self.descending else '▲'}"
            text += fit(title, size, column.right) + ("" if column.key == "cursor" else " ")
        return Strip([Segment(text, style)]).adjust_cell_length(width, style)

    def on_click(self, event: events.Click) -> None:
        for column, x, size in layout(self.size.width, self.columns):
            if x <= event.x < x + size and column.key in ("id", "ram", "cost"):
                key: SortKey = column.key  # type: ignore[assignment]
                self.post_message(self.SortClicked(self, key))
                return
