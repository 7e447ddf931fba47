"""What reached the emulator: a request log and a count of clients that hung up mid-stream."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

__all__ = ["LoggedRequest", "Traffic"]


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request as the emulator saw it (before auth and faults)."""

    method: str
    """`GET` or `POST`."""
    path: str
    """The URL path, e.g. `/model/instances`."""
    endpoint: str
    """The last path segment, e.g. `instances`."""
    model: str | None
    """The body's `model` field, when there was one."""
    at: datetime
    """The world clock's time of arrival."""


class Traffic:
    """A thread-safe request log plus a disconnect counter."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[LoggedRequest] = []
        self._disconnects = 0
        self._disconnected = threading.Event()

    def record(self, request: LoggedRequest) -> None:
        """Append a request to the log."""
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[LoggedRequest]:
        """A copy of the log, oldest first."""
        with self._lock:
            return list(self._requests)

    def count(self, endpoint: str | None = None, *, model: str | None = None) -> int:
        """Count logged requests, optionally only to `endpoint` and/or about `model`.

        Args:
            endpoint: An endpoint name such as `"instances"` (or a full path such as
                `"/model/instances"`); `None` counts every request.
            model: Only requests whose body named this model.
        """
        with self._lock:
            return sum(
                1
                for r in self._requests
                if (endpoint is None or endpoint in (r.endpoint, r.path))
                and (model is None or r.model == model)
            )

    @property
    def disconnects(self) -> int:
        """How many clients closed the connection while a stream was still being written."""
        with self._lock:
            return self._disconnects

    def note_disconnect(self) -> None:
        """Count one client disconnect mid-stream and wake `wait_for_disconnect`."""
        with self._lock:
            self._disconnects += 1
        self._disconnected.set()

    def wait_for_disconnect(self, timeout: float = 5.0) -> bool:
        """Block until a mid-stream disconnect has been seen; return whether one was.

        Args:
            timeout: Real seconds to wait at most.
        """
        return self._disconnected.wait(timeout)

    def clear(self) -> None:
        """Forget every request and disconnect."""
        with self._lock:
            self._requests.clear()
            self._disconnects = 0
        self._disconnected.clear()
