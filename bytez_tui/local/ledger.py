"""The spend ledger: every instance's life and every run, with what each cost.

It lives in the local database (`bytez_tui.local.database`) beside the jobs and the run
history, and both front ends fill it with what they see: the dashboard's instance refreshes
and playground runs, the CLI's `instances`, `load`, `run` and `delete`.

How each figure is made is told in `bytez_tui.local.spend` (and to the user in the README).

| table              | holds                                                      |
|--------------------|------------------------------------------------------------|
| `ledger_instances` | one row per instance life: times, RAM, how it ended, cost  |
| `ledger_runs`      | one row per run: time, duration, cost and where it is from |
| `ledger_alarms`    | the budget warnings that went off: day, budget, threshold  |
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta, timezone, tzinfo

from bytez_tui.billing import MAX_COST, cost_per_hour
from bytez_tui.config import DEFAULT_BASE_URL
from bytez_tui.local.database import LocalDatabase, LocalStore
from bytez_tui.local.ledger_rows import (
    READABLE_RUN,
    life_from_row,
    run_from_row,
    stored_number,
    utc,
)
from bytez_tui.local.spend import (
    Basis,
    DaySpend,
    Item,
    Life,
    ModelSpend,
    Spend,
    missing_end,
    run_cost,
)
from bytez_tui.models import Instance, Metering

__all__ = ["DAYS_SHOWN", "Ledger"]

DAYS_SHOWN = 14
"""Days the Spend screen's chart and `bytez-tui spend` show by default, today included."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger_instances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store TEXT NOT NULL,
    model TEXT NOT NULL,
    ram_gb REAL,
    started REAL NOT NULL,
    from_seen INTEGER NOT NULL DEFAULT 0,
    last_seen REAL NOT NULL,
    expires_at REAL,
    period REAL,
    billed INTEGER NOT NULL DEFAULT 1,
    ended REAL,
    ending TEXT
);
CREATE INDEX IF NOT EXISTS ledger_instances_open ON ledger_instances (store, ended);
CREATE TABLE IF NOT EXISTS ledger_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store TEXT NOT NULL,
    model TEXT NOT NULL,
    at REAL NOT NULL,
    seconds REAL NOT NULL,
    cost REAL,
    basis TEXT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_runs_by_time ON ledger_runs (store, at);
CREATE TABLE IF NOT EXISTS ledger_alarms (
    store TEXT NOT NULL,
    day TEXT NOT NULL,
    budget REAL NOT NULL,
    threshold REAL NOT NULL,
    PRIMARY KEY (store, day, budget, threshold)
);
"""


class Ledger(LocalStore):
    """The spend of one API: instance lives and runs, recorded and summed.

    Args:
        store_key: The API, as `Settings.store_key` names it.
        database: The local database (default: the one in the user data dir).
        tz: The time zone days are counted in (default: the machine's).
    """

    SCHEMA = _SCHEMA

    def __init__(
        self,
        *,
        store_key: str = DEFAULT_BASE_URL,
        database: LocalDatabase | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        super().__init__(store_key=store_key, database=database)
        self.tz: tzinfo = tz or datetime.now().astimezone().tzinfo or timezone.utc
        """The time zone days are counted in."""

    # --- recording ---------------------------------------------------------------------

    def loaded(
        self,
        model: str,
        *,
        at: datetime,
        ram_gb: float | None,
        period: float | None = None,
        billed: bool = True,
    ) -> None:
        """We asked the server to load `model` at `at`: its life (and billing) starts.

        Args:
            model: The Hugging Face id.
            at: When the load was accepted.
            ram_gb: The model's RAM, when known.
            period: The idle timeout chosen, in seconds.
            billed: The API bills instance time (v1); False under v2, which bills runs.
        """
        when = at.timestamp()
        with self._write() as connection:
            if self._open_id(connection, model) is not None:
                return
            connection.execute(
                "INSERT INTO ledger_instances (store, model, ram_gb, started, from_seen, "
                "last_seen, expires_at, period, billed) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)",
                (
                    self.store_key,
                    model,
                    ram_gb,
                    when,
                    when,
                    None if period is None else when + period,
                    period,
                    int(billed),
                ),
            )

    def observed(
        self,
        instances: Iterable[Instance],
        *,
        at: datetime,
        ram_of: Callable[[str], float | None] = lambda model: None,
        billed: bool = True,
    ) -> None:
        """The server listed `instances` at `at` (every one it has).

        A listed instance with no open life starts one, counted from now (`from_seen`): it
        was started elsewhere, or before the ledger knew of it. An open life the list leaves
        out has ended: expired if its expiry is past, else stopped elsewhere.

        Args:
            instances: The whole list.
            at: When it was read (the server's time).
            ram_of: The RAM of a model, from the catalogue.
            billed: The API bills instance time (v1).
        """
        now = at.timestamp()
        listed = {instance.model: instance for instance in instances}
        with self._write() as connection:
            rows = connection.execute(
                "SELECT id, model, last_seen, expires_at FROM ledger_instances "
                "WHERE store = ? AND ended IS NULL",
                (self.store_key,),
            ).fetchall()
            open_ids = {model: row_id for row_id, model, _, _ in rows}
            for row_id, model, last_seen, expires_at in rows:
                if model not in listed:
                    seen = stored_number(last_seen)
                    ended, ending = missing_end(
                        now, now if seen is None else seen, stored_number(expires_at)
                    )
                    connection.execute(
                        "UPDATE ledger_instances SET ended = ?, ending = ? WHERE id = ?",
                        (ended, ending, row_id),
                    )
            for model, instance in listed.items():
                expires = instance.expires_at.timestamp() if instance.expires_at else None
                period = instance.expiration_period_seconds
                ram_gb = ram_of(model)
                row_id = open_ids.get(model)
                if row_id is None:
                    connection.execute(
                        "INSERT INTO ledger_instances (store, model, ram_gb, started, "
                        "from_seen, last_seen, expires_at, period, billed) "
                        "VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)",
                        (self.store_key, model, ram_gb, now, now, expires, period, int(billed)),
                    )
                    row_id = int(connection.execute("SELECT last_insert_rowid()").fetchone()[0])
                else:
                    connection.execute(
                        "UPDATE ledger_instances SET last_seen = ?, "
                        "expires_at = COALESCE(?, expires_at), period = COALESCE(?, period), "
                        "ram_gb = COALESCE(ram_gb, ?) WHERE id = ?",
                        (now, expires, period, ram_gb, row_id),
                    )
                if instance.is_failed:
                    connection.execute(
                        "UPDATE ledger_instances SET ended = ?, ending = 'failed' WHERE id = ?",
                        (now, row_id),
                    )

    def learn_ram(self, ram_of: Callable[[str], float | None]) -> None:
        """Fill in the RAM of open lives recorded before the catalogue was known.

        The first instance list often arrives before the catalogue: without this, their
        cost stayed unknown (and the header's burn rate absent) until the next list.

        Args:
            ram_of: The RAM of a model, from the catalogue.
        """
        with self._write() as connection:
            rows = connection.execute(
                "SELECT id, model FROM ledger_instances "
                "WHERE store = ? AND ended IS NULL AND ram_gb IS NULL",
                (self.store_key,),
            ).fetchall()
            for row_id, model in rows:
                ram_gb = ram_of(model)
                if ram_gb is not None:
                    connection.execute(
                        "UPDATE ledger_instances SET ram_gb = ? WHERE id = ?", (ram_gb, row_id)
                    )

    def deleted(self, model: str, *, at: datetime) -> None:
        """`model`'s instance was deleted from here at `at`: its life ends then."""
        with self._write() as connection:
            row_id = self._open_id(connection, model)
            if row_id is not None:
                connection.execute(
                    "UPDATE ledger_instances SET ended = MAX(started, ?), ending = 'deleted' "
                    "WHERE id = ?",
                    (at.timestamp(), row_id),
                )

    def ran(
        self,
        model: str,
        *,
        at: datetime,
        seconds: float,
        metering: Metering | None,
        outcome: str = "done",
    ) -> tuple[float | None, Basis]:
        """A run of `model` started at `at` and took `seconds`; returns its cost and basis.

        The run restarts the idle timeout of `model`'s open instance.
        """
        cost, basis = run_cost(metering)
        when = at.timestamp()
        with self._write() as connection:
            connection.execute(
                "INSERT INTO ledger_runs (store, model, at, seconds, cost, basis, outcome) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (self.store_key, model, when, max(0.0, seconds), cost, basis, outcome),
            )
            connection.execute(
                "UPDATE ledger_instances SET expires_at = ? + period, last_seen = ? "
                "WHERE store = ? AND model = ? AND ended IS NULL AND period IS NOT NULL",
                (when + seconds, when + seconds, self.store_key, model),
            )
        return cost, basis

    def alarm_fired(self, day: date, budget: float, threshold: float) -> bool:
        """Record that the daily budget's warning at `threshold` went off on `day`.

        Kept so that a warning goes off once a day across restarts, and once between two
        dashboards on the same API (the insert is the test, so only one of them wins). A
        new budget has warnings of its own.

        Returns:
            False when it had gone off already.
        """
        with self._write() as connection:
            cursor = connection.execute(
                "INSERT OR IGNORE INTO ledger_alarms (store, day, budget, threshold) "
                "VALUES (?, ?, ?, ?)",
                (self.store_key, day.isoformat(), budget, threshold),
            )
            return cursor.rowcount == 1

    # --- reading -----------------------------------------------------------------------

    def burn_rate(self, now: datetime) -> float:
        """Dollars per hour of every billed instance running now."""
        at = now.timestamp()
        return sum(
            cost_per_hour(life.ram_gb) or 0.0
            for life in self._lives(at, at)
            if life.billed and life.is_running(at)
        )

    def today(self, now: datetime) -> Spend:
        """What today (in the ledger's time zone) has cost so far."""
        start = datetime.combine(now.astimezone(self.tz).date(), datetime.min.time(), self.tz)
        return self.total(start, now)

    def total(self, since: datetime, now: datetime) -> Spend:
        """What `since` … `now` cost."""
        return sum((day.spend for day in self.by_day(since, now)), Spend())

    def by_day(self, since: datetime, now: datetime) -> list[DaySpend]:
        """Spend per calendar day from `since`'s day to `now`'s, every day listed."""
        first = since.astimezone(self.tz).date()
        last = now.astimezone(self.tz).date()
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        server: dict[date, float] = defaultdict(float)
        estimate: dict[date, float] = defaultdict(float)
        low, high = since.timestamp(), now.timestamp()
        offset = self._offset(now)
        self._schema()
        rows = self.database.query(
            "SELECT CAST((at + ?) / 86400 AS INTEGER), basis, TOTAL(cost) FROM ledger_runs "
            f"WHERE store = ? AND at >= ? AND at <= ? AND {READABLE_RUN} GROUP BY 1, 2",
            (offset, self.store_key, low, high, MAX_COST),
        )
        epoch = date(1970, 1, 1)
        for day_number, basis, amount in rows:
            day = epoch + timedelta(days=int(str(day_number)))
            target = server if basis == "server" else estimate
            target[day] += float(str(amount))
        for life in self._lives(low, high):
            for day, amount in life.day_shares(low, high, self.tz):
                estimate[day] += amount
        return [DaySpend(day, Spend(server[day], estimate[day])) for day in days]

    def by_model(self, since: datetime, now: datetime) -> list[ModelSpend]:
        """Spend per model over `since` … `now`, the most expensive first."""
        low, high = since.timestamp(), now.timestamp()
        server: dict[str, float] = defaultdict(float)
        estimate: dict[str, float] = defaultdict(float)
        runs: dict[str, int] = defaultdict(int)
        lives: dict[str, int] = defaultdict(int)
        self._schema()
        rows = self.database.query(
            f"SELECT model, basis, COUNT(*), TOTAL(CASE WHEN {READABLE_RUN} THEN cost END) "
            "FROM ledger_runs WHERE store = ? AND at >= ? AND at <= ? GROUP BY 1, 2",
            (MAX_COST, self.store_key, low, high),
        )
        for model, basis, count, amount in rows:
            name = str(model)
            runs[name] += int(str(count))
            target = server if basis == "server" else estimate
            target[name] += float(str(amount))
        for life in self._lives(low, high):
            lives[life.model] += 1
            estimate[life.model] += sum(amount for _, amount in life.day_shares(low, high, self.tz))
        models = set(runs) | set(lives)
        spends = [ModelSpend(m, Spend(server[m], estimate[m]), runs[m], lives[m]) for m in models]
        return sorted(spends, key=lambda s: (-s.spend.total, s.model))

    def most_expensive(self, since: datetime, now: datetime, *, limit: int = 10) -> list[Item]:
        """The costliest instance lives and runs that started in `since` … `now`."""
        low, high = since.timestamp(), now.timestamp()
        self._schema()
        rows = self.database.query(
            "SELECT model, at, seconds, cost, basis, outcome FROM ledger_runs "
            f"WHERE store = ? AND at >= ? AND at <= ? AND {READABLE_RUN} "
            "ORDER BY cost DESC LIMIT ?",
            (self.store_key, low, high, MAX_COST, limit),
        )
        items = [item for row in rows if (item := run_from_row(row)) is not None]
        for life in self._lives(low, high):
            cost = life.cost(high)
            if cost is None or life.started < low:
                continue
            ending = life.ending or ("running" if life.is_running(high) else "expired")
            seconds = life.end(high) - life.started
            start = utc(life.started)
            items.append(
                Item("instance", life.model, start, seconds, cost, True, ending, life.from_seen)
            )
        items.sort(key=lambda item: -item.cost)
        return items[:limit]

    # --- helpers -----------------------------------------------------------------------

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        self._schema()
        return self.database.transaction()

    def _open_id(self, connection: sqlite3.Connection, model: str) -> int | None:
        row = connection.execute(
            "SELECT id FROM ledger_instances WHERE store = ? AND model = ? AND ended IS NULL "
            "ORDER BY id DESC LIMIT 1",
            (self.store_key, model),
        ).fetchone()
        return None if row is None else int(row[0])

    def _lives(self, low: float, high: float) -> list[Life]:
        """The instance lives that overlap `low` … `high`."""
        self._schema()
        rows = self.database.query(
            "SELECT model, ram_gb, started, from_seen, last_seen, expires_at, billed, ended, "
            "ending FROM ledger_instances WHERE store = ? AND started <= ? "
            "AND (ended IS NULL OR ended >= ?)",
            (self.store_key, high, low),
        )
        return [life for row in rows if (life := life_from_row(row)) is not None]

    def _offset(self, now: datetime) -> float:
        delta = now.astimezone(self.tz).utcoffset()
        return 0.0 if delta is None else delta.total_seconds()
