"""The instances pane's list: `InstanceList`, the instance rows, one per entry of the
pane's `InstanceBook`; and `EmptyNote`, what the pane says when it lists none."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from textual.content import Content
from textual.widgets import Static

from bytez_tui.local.instances import CAPACITY_MANAGED, InstanceBook, Listed
from bytez_tui.panes.instances.row import InstanceRow
from bytez_tui.widgets.rows import RowList

__all__ = ["EmptyNote", "InstanceList"]

_EMPTY = Content.from_markup(
    "Nothing is running, so nothing is billed.\n\n"
    "Press [b]l[/] to load a model, or [b]l[/] on a catalogue row."
)
_ASKING = Content("Asking Bytez which instances are running…")
"""Before the first answer: nothing is known yet (not even that nothing runs)."""
_UNKNOWN = Content.from_markup(
    "Unknown: the instance list could not be read, so what is running, and billed,\n"
    "is not known. It is tried again by itself; [b]r[/] tries now."
)
"""The list could not be read: unknown is not zero."""


class EmptyNote(Static):
    """What the pane says when it lists no instance: that nothing runs only when the
    server's last answer said so (before any answer, or after a failed one, not), and
    why there is no list when this API manages capacity itself."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(_ASKING, id=id, classes=classes, markup=False)

    def show_book(self, book: InstanceBook) -> None:
        """Say what `book` knows about the list."""
        if book.unsupported:
            text: Content | str = CAPACITY_MANAGED
        else:
            text = _UNKNOWN if book.unreadable else _EMPTY if book.loaded else _ASKING
        self.update(text)


class InstanceList(RowList):
    """A `RowList` of `InstanceRow`s, keyed by model id, drawn from the book's entries.

    Args:
        now: The server's current time.
    """

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._now = now

    @property
    def instance_rows(self) -> list[InstanceRow]:
        """Every row, the vanished ones included, top to bottom."""
        return [row for row in self.rows if isinstance(row, InstanceRow)]

    @property
    def highlighted_row(self) -> InstanceRow | None:
        """The row under the cursor."""
        row = self.highlighted
        return row if isinstance(row, InstanceRow) else None

    def row(self, model: str) -> InstanceRow | None:
        """The row for `model`, if listed."""
        row = self.get_row(model)
        return row if isinstance(row, InstanceRow) else None

    def show(self, entries: Sequence[Listed]) -> None:
        """Draw `entries`: a row for each (new ones at the end), none for the others."""
        wanted = {entry.model for entry in entries}
        dropped = [row for row in self.instance_rows if row.key not in wanted]
        if dropped:
            self.remove_rows(dropped)
        for entry in entries:
            row = self.row(entry.model)
            if row is None:
                self.mount(InstanceRow(entry, now=self._now))
                self.call_after_refresh(self.sync_cursor)
            elif row.entry != entry:
                row.show(entry)

    def tick(self, now: datetime) -> None:
        """Redraw the cells that follow the clock."""
        for row in self.instance_rows:
            row.tick(now)
