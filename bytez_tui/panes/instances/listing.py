"""`InstanceList`: the instance rows, one per entry of the pane's `InstanceBook`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from bytez_tui.local.instances import Listed
from bytez_tui.panes.instances.row import InstanceRow
from bytez_tui.widgets.rows import RowList

__all__ = ["InstanceList"]


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
