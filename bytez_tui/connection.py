"""The app's handle on the API: builds the client on first use and tracks its health.

Importing httpx costs a noticeable slice of start-up, so the client is made
the first time a worker asks for it, after the first frame is on screen.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from bytez_tui.clock import Clock

if TYPE_CHECKING:
    from bytez_tui.api import BytezClient
    from bytez_tui.config import Settings
    from bytez_tui.errors import BytezError

__all__ = ["LOGGED_REQUESTS", "Connection", "ConnectionState", "Health", "LoggedRequest"]

LOGGED_REQUESTS = 500
"""How many requests the request log keeps (the oldest go first)."""

ConnectionState = Literal["connecting", "online", "offline", "retrying", "unauthorized"]


@dataclass(frozen=True)
class Health:
    """What the header shows about the API."""

    state: ConnectionState = "connecting"
    """The connection state."""
    detail: str = ""
    """A short reason, such as the last error."""
    retry_at: float | None = None
    """When the next retry is due (`clock.monotonic()`), while retrying."""
    updated: datetime | None = None
    """When a request last succeeded."""
    rate_limited: bool = False
    """The last failure was the server asking us to slow down (429)."""
    dialect: str | None = None
    """The API dialect (`v1` or `v2`) once known."""


@dataclass(frozen=True)
class LoggedRequest:
    """One request, as the request log shows it."""

    at: datetime
    """When it ended (the app's clock)."""
    method: str
    """GET or POST."""
    path: str
    """The URL's path, such as `/model/status`."""
    status: int | None
    """The HTTP status, or None when no answer came."""
    seconds: float
    """How long it took."""
    error: str = ""
    """The error's message, "" when it succeeded (text from the server: data, not markup)."""


class Connection:
    """Owns the `BytezClient` for the app's lifetime.

    Args:
        settings: Where the API is and the key.
        clock: Handed to the client for server clock offset.
    """

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        """The settings the client is built from."""
        self.clock = clock
        """The app's clock."""
        self.health = Health()
        """The last known health of the API."""
        self.requests: deque[LoggedRequest] = deque(maxlen=LOGGED_REQUESTS)
        """The latest requests, oldest first (the palette's request log)."""
        self._client: BytezClient | None = None

    @property
    def client(self) -> BytezClient:
        """The client, created on first use.

        Raises:
            BytezError: The settings are unusable (no key, insecure URL).
        """
        if self._client is None:
            from bytez_tui.api import BytezClient
            from bytez_tui.errors import AuthError
            from bytez_tui.local.dialects import dialect_for, remember_dialect

            settings = self.settings
            if not settings.api_key:
                raise AuthError("No API key is set")
            self._client = BytezClient(
                api_key=settings.api_key,
                base_url=settings.base_url,
                api=dialect_for(settings.api, settings.store_key),
                timeout=settings.timeout,
                max_body=settings.max_body,
                allow_insecure_http=settings.allow_insecure_http,
                clock=self.clock,
            )
            self._client.on_request = self._log
            self._client.on_detected = lambda found: remember_dialect(settings.store_key, found)
        return self._client

    def _log(self, method: str, path: str, status: int | None, seconds: float, error: str) -> None:
        self.requests.append(LoggedRequest(self.clock.now(), method, path, status, seconds, error))

    @property
    def dialect(self) -> str | None:
        """`v1` or `v2` once known (set, remembered, or found on the first call)."""
        if self._client is not None and self._client.api_version is not None:
            return self._client.api_version
        from bytez_tui.local.dialects import dialect_for

        known = dialect_for(self.settings.api, self.settings.store_key)
        return None if known == "auto" else known

    @property
    def bills_instance_time(self) -> bool:
        """Whether the API bills instance time (v1, or not known yet) rather than runs (v2)."""
        return self.dialect != "v2"

    def server_now(self) -> datetime:
        """The server's current time, as best we know it (the client measures the offset)."""
        from datetime import timedelta

        offset = 0.0 if self._client is None else self._client.server_now_offset()
        return self.clock.now() + timedelta(seconds=offset)

    async def check_key(self, key: str) -> None:
        """Ask the server whether it accepts `key`, leaving the client in use alone.

        Raises:
            AuthError: The server refused the key.
            BytezError: The server could not say (unreachable, failing, bad URL).
        """
        from bytez_tui.api import BytezClient

        async with BytezClient(
            api_key=key,
            base_url=self.settings.base_url,
            api=self.dialect or "auto",
            timeout=self.settings.timeout,
            allow_insecure_http=self.settings.allow_insecure_http,
            retries=0,
            clock=self.clock,
        ) as client:
            # v2's cluster routes may be gone; its task list is small and needs the key.
            if await client.detect() == "v2":
                await client.list_tasks()
            else:
                await client.instances()

    def succeeded(self) -> Health:
        """Record a successful request."""
        self.health = Health("online", updated=self.clock.now(), dialect=self.dialect)
        return self.health

    def failed(self, error: BytezError) -> Health:
        """Record a failed request."""
        from bytez_tui.errors import AuthError, RateLimited, Transient

        state: ConnectionState = self.health.state
        retry_at = None
        now = self.clock.monotonic()
        if isinstance(error, AuthError):
            state = "unauthorized"
        elif isinstance(error, RateLimited) and error.retry_after is not None:
            state, retry_at = "retrying", now + error.retry_after
        elif isinstance(error, Transient):
            pending = self.health.retry_at
            if self.health.state == "retrying" and pending is not None and pending > now:
                state, retry_at = "retrying", pending  # a poll still tries again then
            else:
                state = "offline"
        limited = isinstance(error, RateLimited)
        self.health = Health(
            state, error.message, retry_at, self.health.updated, limited, self.dialect
        )
        return self.health

    def retrying(self, wait: float) -> Health:
        """Record that a poll tries again in `wait` s after an offline or rate-limited answer."""
        if self.health.state in ("offline", "retrying"):
            retry_at = self.clock.monotonic() + wait
            self.health = replace(self.health, state="retrying", retry_at=retry_at)
        return self.health

    async def aclose(self) -> None:
        """Close the client, if one was made."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
