"""Time sources.

Everything that reads the time (the app, its panes, the emulator) is handed a
`Clock`, so tests and screenshots can freeze or step time deterministically.
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "FixedClock", "SystemClock", "backoff", "utc"]

utc = timezone.utc


def backoff(
    failures: int,
    *,
    start: float,
    cap: float = math.inf,
    factor: float = 2.0,
    jitter: float = 0.2,
) -> float:
    """The wait after `failures` failures in a row: `start`, growing by `factor` each time,
    at most `cap`, and shortened at random by up to `jitter` of itself.

    The one back-off of the app (the dashboard's pollers, job polls, the CLI's client and its
    `--wait`). The jitter spreads out clients that failed together; it only ever shortens the
    wait, so `cap` is a true maximum.
    """
    nominal = min(cap, start * factor ** max(0, failures - 1))
    return float(nominal * random.uniform(1.0 - jitter, 1.0)) if jitter else float(nominal)


@runtime_checkable
class Clock(Protocol):
    """A source of the current UTC time."""

    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        ...

    def monotonic(self) -> float:
        """Return seconds on a clock that never goes backwards."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Sleep for `seconds` of this clock's time."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(utc)

    def monotonic(self) -> float:
        import time

        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """A clock that only moves when told to; thread-safe.

    `sleep` returns as soon as the clock has been advanced past the deadline
    (it waits on a condition, never on real time), so a poll loop under test
    runs exactly one iteration per `advance`.

    Args:
        start: The initial instant (naive datetimes are taken as UTC).
    """

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2024, 7, 1, 12, 0, 0, tzinfo=utc)
        if start.tzinfo is None:
            start = start.replace(tzinfo=utc)
        self._now = start
        self._lock = threading.Lock()
        self._waiters: list[tuple[datetime, asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        return self.now().timestamp()

    def advance(self, seconds: float) -> datetime:
        """Move time forward and wake the sleepers whose deadline has passed.

        Args:
            seconds: How far to move.

        Returns:
            The new current time.
        """
        with self._lock:
            self._now += timedelta(seconds=seconds)
            now = self._now
            due = [w for w in self._waiters if w[0] <= now]
            self._waiters = [w for w in self._waiters if w[0] > now]
        for _, loop, future in due:
            loop.call_soon_threadsafe(_resolve, future)
        return now

    def set(self, when: datetime) -> None:
        """Jump to `when` (only forward moves wake sleepers)."""
        self.advance((when - self.now()).total_seconds())

    async def sleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            deadline = self._now + timedelta(seconds=max(0.0, seconds))
            if seconds <= 0:
                future.set_result(None)
            else:
                self._waiters.append((deadline, loop, future))
        try:
            await future
        finally:
            with self._lock:
                self._waiters = [w for w in self._waiters if w[2] is not future]

    def __repr__(self) -> str:
        return f"FixedClock({self.now().isoformat()})"


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
