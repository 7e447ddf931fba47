"""`InstanceList`: the instance rows, one per model, kept in step with the server.

A row the server stops listing is marked gone and stays, dimmed, for `GONE_KEEP`
seconds, so the user sees why it went; then it is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from datetime import datetime, timedelta

from bytez_tui.models import Instance
from bytez_tui.panes.instances.row import InstanceRow
from bytez_tui.widgets.rows import RowList

__all__ = ["GONE_KEEP", "InstanceList"]

GONE_KEEP = 10 * 60.0
"""How long a vanished instance stays listed, dimmed, so the user sees why it went."""


class InstanceList(RowList):
    """A `RowList` of `InstanceRow`s, keyed by model id.

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

    def upsert(self, instance: Instance, ram_gb: float | None) -> None:
        """Show `instance` in its row (no longer gone), adding the row if there is none."""
        row = self.row(instance.model)
        if row is None:
            self.mount(InstanceRow(instance, ram_gb=ram_gb, now=self._now))
            self.call_after_refresh(self.sync_cursor)
        else:
            row.gone_at = None
            row.show(instance, ram_gb)

    def drop(self, model: str) -> None:
        """Remove the row for `model`, if listed."""
        row = self.row(model)
        if row is not None:
            self.remove_rows([row])

    def show_ram(self, ram_gb: Mapping[str, float | None]) -> None:
        """Give each row its model's RAM, where `ram_gb` knows it."""
        for row in self.instance_rows:
            if ram_gb.get(row.key) is not None:
                row.show(row.instance, ram_gb[row.key])

    def mark_missing(self, listed: Container[str], *, keep: Container[str], now: datetime) -> None:
        """Mark gone, as of `now`, every row not `listed` except those in `keep`."""
        for row in self.instance_rows:
            if row.key not in listed and not row.gone and row.key not in keep:
                row.mark_gone(now)

    def tick(self, now: datetime) -> list[str]:
        """Redraw the cells that follow the clock.

        Returns:
            The models gone for longer than `GONE_KEEP`, to drop (their rows are not redrawn).
        """
        expired = []
        for row in self.instance_rows:
            if row.gone_at is not None and now - row.gone_at > timedelta(seconds=GONE_KEEP):
                expired.append(row.key)
            else:
                row.tick(now)
        return expired
