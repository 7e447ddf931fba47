"""What spend is made of: amounts, days, models, costed items, and one instance's life.

Plain values with the cost rules the ledger (`bytez_tui.local.ledger`) applies:

- **An instance** is billed as Bytez bills instance time (v1): from its start to its end,
  60 s minimum, then whole minutes, at `RATE_PER_GB_SECOND` per GB of the model's RAM
  (`bytez_tui.billing.cost_usd`). Its start is when we loaded it; one started elsewhere
  before we first saw it counts from when we first saw it (`from_seen`). Its end is when
  it was deleted here; when it disappears from the list, its expiry plus the shutdown
  grace (`GRACE_SECONDS`) if it expired, else when it was found gone; never before it was
  last seen. Every instance figure is our estimate: no server reports instance cost.
- **A run** costs the server's `inference-cost` where v2 reports it (`server`), else its
  meter price times its inference time (`estimate`). A v1 run has no price of its own: it
  is paid for within its instance's time (`instance`) and adds nothing. A recorded run
  resets its instance's expiry (each run restarts the idle timeout).
- **A day** is a calendar day in the time zone the caller gives (the machine's by
  default). An instance that spans days is shared between them in proportion to its time
  in each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

from bytez_tui.billing import cost_usd
from bytez_tui.format import GRACE_SECONDS
from bytez_tui.models import Metering

__all__ = [
    "GONE_AFTER",
    "Basis",
    "DaySpend",
    "Ending",
    "Item",
    "Life",
    "ModelSpend",
    "Spend",
    "missing_end",
    "run_cost",
]

GONE_AFTER = 300.0
"""An instance missing from a list read this many seconds after it was last seen is taken
to have stopped when it was last seen (the app was not watching in between)."""

Ending = Literal["deleted", "expired", "stopped", "failed"]
"""How an instance's life ended: deleted from here, expired, stopped elsewhere, failed."""
Basis = Literal["server", "estimate", "instance"]
"""Where a run's cost comes from: the server's `inference-cost`, our estimate, or none of
its own (paid within its instance's time)."""


def missing_end(now: float, last_seen: float, expires_at: float | None) -> tuple[float, Ending]:
    """When and how an open life ended that a list read at `now` no longer shows.

    Expired if its expiry is past: shut down within the grace after it, and not before we
    last saw it. Else stopped elsewhere: now, or when last seen if nobody was watching for
    `GONE_AFTER` seconds.
    """
    if expires_at is not None and expires_at <= now:
        return max(last_seen, min(now, expires_at + GRACE_SECONDS)), "expired"
    return (now if now - last_seen <= GONE_AFTER else last_seen), "stopped"


def run_cost(metering: Metering | None) -> tuple[float | None, Basis]:
    """A run's cost and where it comes from, from its metering headers (None: v1)."""
    if metering is None:
        return None, "instance"
    if metering.reported_cost is not None:
        return metering.reported_cost, "server"
    cost = metering.cost
    return (cost, "estimate") if cost is not None else (None, "instance")


@dataclass(frozen=True)
class Spend:
    """An amount, split by where it comes from."""

    server: float = 0.0
    """Dollars the server reported (`inference-cost`)."""
    estimate: float = 0.0
    """Dollars we estimated (instance time, or a run's price x time)."""

    @property
    def total(self) -> float:
        """Both parts."""
        return self.server + self.estimate

    def __add__(self, other: Spend) -> Spend:
        return Spend(self.server + other.server, self.estimate + other.estimate)


@dataclass(frozen=True)
class DaySpend:
    """One calendar day's spend."""

    day: date
    """The day, in the ledger's time zone."""
    spend: Spend
    """What it cost."""


@dataclass(frozen=True)
class ModelSpend:
    """One model's spend over a range."""

    model: str
    """The Hugging Face id."""
    spend: Spend
    """What it cost."""
    runs: int
    """Runs recorded."""
    instances: int
    """Instance lives that overlap the range."""


@dataclass(frozen=True)
class Item:
    """One costed thing: an instance life or a run."""

    kind: Literal["instance", "run"]
    """Which."""
    model: str
    """The Hugging Face id."""
    start: datetime
    """When it started (an instance counted from when it was seen: then)."""
    seconds: float
    """How long it lasted (or has lasted, while open)."""
    cost: float
    """Dollars."""
    estimate: bool
    """The cost is our estimate rather than the server's."""
    ending: str
    """How an instance ended (`running` while open), or a run's outcome."""
    from_seen: bool = False
    """An instance started elsewhere, counted from when it was first seen."""


@dataclass
class Life:
    """One instance's life, as the ledger recorded it (a row of `ledger_instances`)."""

    model: str
    ram_gb: float | None
    started: float
    from_seen: bool
    last_seen: float
    expires_at: float | None
    billed: bool
    ended: float | None
    ending: str | None

    def end(self, now: float) -> float:
        """When its billing ends (or has run to, while open); never before `started`."""
        if self.ended is not None:
            return max(self.started, self.ended)
        # Open, but past its expiry and the grace: it has shut down though nobody saw it.
        if self.expires_at is not None and self.expires_at + GRACE_SECONDS < now:
            return max(self.started, self.last_seen, self.expires_at + GRACE_SECONDS)
        return max(self.started, now)

    def cost(self, now: float) -> float | None:
        if not self.billed or self.ending == "failed":
            return None
        return cost_usd(self.ram_gb, self.end(now) - self.started)

    def is_running(self, now: float) -> bool:
        return self.ended is None and self.end(now) >= now and self.ending != "failed"

    def day_shares(self, low: float, high: float, tz: tzinfo) -> list[tuple[date, float]]:
        """Its cost shared among the calendar days (in `tz`) it spans, counting only the
        part within `low` … `high`."""
        cost = self.cost(high)
        if not cost:
            return []
        start, end = self.started, self.end(high)
        if end <= start:
            day = datetime.fromtimestamp(start, tz).date()
            return [(day, cost)] if low <= start <= high else []
        shares = []
        cursor = start
        while cursor < end:
            day = datetime.fromtimestamp(cursor, tz).date()
            next_day = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz)
            stop = min(end, next_day.timestamp())
            overlap = min(stop, high) - max(cursor, low)
            if overlap > 0:
                shares.append((day, cost * overlap / (end - start)))
            cursor = stop
        return shares
