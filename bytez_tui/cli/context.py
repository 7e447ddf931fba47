"""What every scripted command is handed, and the poll loop behind `--wait`."""

from __future__ import annotations

import argparse
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, TypeVar

from bytez_tui.cli.output import Output
from bytez_tui.clock import backoff
from bytez_tui.format import duration

if TYPE_CHECKING:
    from bytez_tui.api import BytezClient
    from bytez_tui.config import Settings

__all__ = ["Context", "UsageError", "WaitTimedOut", "Waiter"]

T = TypeVar("T")


class UsageError(Exception):
    """The command line cannot be acted on; exits 2 with this message."""


class WaitTimedOut(Exception):
    """`--wait` ran past `--timeout`, or a retry would have (the reason, if any, is the
    exception's text)."""


class Context:
    """A command's arguments, settings, output, and its client once it needs one.

    Args:
        args: The parsed command line.
        settings: Config file, environment and flags, merged.
        out: Where to write.
        connect: Builds the API client; called on the first use of `client`.
    """

    def __init__(
        self,
        *,
        args: argparse.Namespace,
        settings: Settings,
        out: Output,
        connect: Callable[[], BytezClient],
    ) -> None:
        self.args = args
        """The parsed command line."""
        self.settings = settings
        """Config file, environment and flags, merged."""
        self.out = out
        """Where to write."""
        self._connect = connect
        self._client: BytezClient | None = None

    @property
    def client(self) -> BytezClient:
        """The API client, built when a request is about to go out.

        Importing httpx and building its client (its TLS set-up reads the system's
        certificates) is most of a CLI start; `models` on a warm cache needs neither.
        """
        if self._client is None:
            self._client = self._connect()
        return self._client

    async def aclose(self) -> None:
        """Close the client, if one was built."""
        if self._client is not None:
            await self._client.aclose()

    def now(self) -> datetime:
        """The server's current time, as far as the `Date` headers tell."""
        offset = 0.0 if self._client is None else self._client.server_now_offset()
        return datetime.now(timezone.utc) + timedelta(seconds=offset)

    def poll_interval(self, default: float) -> float:
        """Seconds before the first re-poll (the hidden `--poll-interval` overrides)."""
        value = self.args.poll_interval
        return default if value is None else max(0.01, float(value))


class Waiter:
    """Sleeps between polls with backoff, drawing progress, until a deadline.

    Args:
        out: Where the progress line is drawn.
        timeout: Seconds of real time before `pause` raises `WaitTimedOut`.
        interval: Seconds before the first re-poll.
        factor: Each pause is this much longer than the last …
        max_interval: … up to this.
    """

    def __init__(
        self,
        out: Output,
        *,
        timeout: float,
        interval: float,
        factor: float = 1.5,
        max_interval: float = 30.0,
    ) -> None:
        self.out = out
        self.timeout = timeout
        self.started = time.monotonic()
        self.deadline = self.started + timeout
        """When the wait gives up (`time.monotonic()`)."""
        self._interval = interval
        self._factor = factor
        self._max = max(interval, max_interval)
        self._pauses = 0

    @property
    def elapsed(self) -> float:
        """Seconds since the wait began."""
        return time.monotonic() - self.started

    async def poll(self, request: Callable[[], Awaitable[T]]) -> T:
        """Make one poll of the wait.

        Raises:
            WaitTimedOut: It failed in a way worth retrying, but no retry fits before the
                deadline (a long `Retry-After`, or the time is up).
            BytezError: It failed otherwise.
        """
        from bytez_tui.errors import RateLimited, Transient

        try:
            return await request()
        except Transient as error:
            left = self.deadline - time.monotonic()
            wait = error.retry_after if isinstance(error, RateLimited) else None
            if left <= 0 or (wait is not None and wait >= left):
                raise WaitTimedOut(error.message) from error
            raise

    async def pause(self, label: str) -> None:
        """Sleep until the next poll, showing `label` and the time waited.

        Raises:
            WaitTimedOut: The deadline has passed.
        """
        import asyncio

        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise WaitTimedOut
        self._pauses += 1
        wait = backoff(
            self._pauses, start=self._interval, cap=self._max, factor=self._factor, jitter=0
        )
        wake = time.monotonic() + min(wait, remaining)
        if not self.out.progress_enabled:
            await asyncio.sleep(max(0.0, wake - time.monotonic()))
            return
        while (left := wake - time.monotonic()) > 0:
            self.out.progress(f"{label} · waited {duration(self.elapsed)} · Ctrl+C to stop")
            await asyncio.sleep(min(0.1, left))
        self.out.clear_progress()
