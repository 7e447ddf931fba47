"""Reading the ledger's rows back, where a damaged row is left out rather than trusted.

SQLite keeps whatever was written, whatever the column's type: a hand-edited or damaged
file may hold text where a number goes, a negative, or 1e308 (∞ once summed). Such a value
must never reach the arithmetic (`float("x")` stopped the Spend screen) or the screen
("$inf"). `READABLE_RUN` leaves damaged runs out of the SQL sums; `stored_number`,
`life_from_row` and `run_from_row` apply the same bounds in Python.
"""

from __future__ import annotations

from datetime import datetime, timezone

from bytez_tui.billing import MAX_COST
from bytez_tui.local.spend import Item, Life
from bytez_tui.models import MAX_RAM_GB

__all__ = ["LAST_INSTANT", "READABLE_RUN", "life_from_row", "run_from_row", "stored_number", "utc"]

LAST_INSTANT = 253402300799.0
"""9999-12-31 23:59:59 UTC as a timestamp: the last instant a `datetime` can hold."""

READABLE_RUN = f"cost BETWEEN 0 AND ? AND seconds BETWEEN 0 AND {int(1e9)}"
"""The `ledger_runs` rows whose cost counts (the `?` is `MAX_COST`): text compares above
every number in SQLite, so a damaged row (text, a negative, 1e308) is left out, as
`stored_number` leaves it out in Python."""


def stored_number(value: object, high: float = LAST_INSTANT) -> float | None:
    """A number stored in a ledger row, from 0 to `high`; None where the row is damaged."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if 0 <= number <= high else None  # NaN fails both comparisons


def utc(timestamp: float) -> datetime:
    """A stored timestamp as an aware UTC datetime."""
    return datetime.fromtimestamp(timestamp, timezone.utc)


def life_from_row(row: tuple[object, ...]) -> Life | None:
    """A `ledger_instances` row (model, ram_gb, started, from_seen, last_seen, expires_at,
    billed, ended, ending) as a `Life`; None when it is damaged."""
    model, ram, started, from_seen, last_seen, expires, billed, ended, ending = row
    begun, seen = stored_number(started), stored_number(last_seen)
    gb, until, stop = stored_number(ram, MAX_RAM_GB), stored_number(expires), stored_number(ended)
    optional = ((ram, gb), (expires, until), (ended, stop))
    if begun is None or seen is None or any(v is not None and r is None for v, r in optional):
        return None  # text where a number goes, ∞: not counted
    return Life(
        str(model),
        gb,
        begun,
        bool(from_seen),
        seen,
        until,
        bool(billed),
        stop,
        None if ending is None else str(ending),
    )


def run_from_row(row: tuple[object, ...]) -> Item | None:
    """A `ledger_runs` row (model, at, seconds, cost, basis, outcome) as an `Item`; None
    when it is damaged."""
    model, at, seconds, cost, basis, outcome = row
    when, took, amount = stored_number(at), stored_number(seconds), stored_number(cost, MAX_COST)
    if when is None or took is None or amount is None:
        return None  # text where a number goes: not shown
    return Item("run", str(model), utc(when), took, amount, basis != "server", str(outcome))
