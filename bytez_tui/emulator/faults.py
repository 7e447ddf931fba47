"""Switchable faults: failures, delays, malformed bodies and broken streams.

Every switch is thread-safe, so a test thread can flip one while the server thread answers.
Endpoint names are v1's last path segment (`"list"`, `"job"`, `"load"`, `"status"`, `"run"`,
`"instances"`, `"delete"`) or `"*"` for any endpoint. A specific switch is used before `"*"`.
v2's routes use the same names for the same acts (`list/models` is `"list"`, `request/…` is
`"job"`, PUT/GET/DELETE on a model are `"load"`/`"status"`/`"delete"`, `list/clusters` is
`"instances"`, a POST on a model is `"run"`), plus `"tasks"` (`list/tasks`) and `"update"`
(PATCH), so one fault test can be run against either dialect.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus

__all__ = ["ENDPOINTS", "ENDLESS", "Failure", "Faults", "StreamFault"]

ENDPOINTS = ("list", "job", "load", "status", "run", "instances", "delete", "tasks", "update")
"""The endpoint names faults (and the request log) use."""

_HTML = (
    "<html>\r\n<head><title>{code} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {phrase}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@dataclass(frozen=True, slots=True)
class Failure:
    """A canned answer that replaces the real one."""

    status: int
    """HTTP status."""
    body: bytes
    """Raw body."""
    content_type: str
    """The `Content-Type` header."""
    retry_after: str | None = None
    """The `Retry-After` header, if any."""
    ratelimit_reset: str | None = None
    """v2's `ratelimit-reset` header, if any."""
    message: str | None = None
    """The error text of a default JSON body (v2 wraps it in its envelope); `None` for a
    body given verbatim."""
    headers: tuple[tuple[str, str], ...] = ()
    """Further headers, such as a redirect's `Location`."""
    endless: bool = False
    """After `body`, repeat `ENDLESS` until the client hangs up."""


ENDLESS = b'{"name": "endless/model", "requiredRAM": 1.0, "benchmarked": true}, '
"""What an endless answer repeats after its opening `[`: a catalogue item."""


@dataclass(frozen=True, slots=True)
class StreamFault:
    """What goes wrong in the next stream after `after` fragments."""

    after: int
    """Fragments written normally first."""
    error_text: str | None
    """A final fragment to write before ending normally, or `None` to cut the connection."""
    model: str | None = None
    """Only a stream of this model (any stream when `None`)."""
    stall: bool = False
    """Instead of ending, send nothing more until the client hangs up."""


def _check(endpoint: str) -> str:
    if endpoint != "*" and endpoint not in ENDPOINTS:
        raise ValueError(f"unknown endpoint {endpoint!r}; expected one of {ENDPOINTS} or '*'")
    return endpoint


class Faults:
    """The set of armed faults; consumed by the server one request at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: dict[str, deque[Failure]] = {}
        self._slow: dict[str, float] = {}
        self._drip: dict[str, float] = {}
        self._stream: deque[StreamFault] = deque()
        self._clusters_gone: int | None = None

    def fail_next(
        self,
        endpoint: str,
        status: int = 500,
        *,
        count: int = 1,
        retry_after: float | str | None = None,
        body: str | bytes | None = None,
        html: bool = False,
        ratelimit_reset: float | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Make the next `count` requests to `endpoint` answer `status`.

        Args:
            endpoint: Endpoint name or `"*"`.
            status: HTTP status to answer.
            count: How many requests fail.
            retry_after: Seconds for a `Retry-After` header (none when `None`); a string
                is sent as it is (`"inf"`, `"nan"`, an HTTP date…).
            body: Raw body to send instead of the default `{"error": <reason phrase>}`.
            html: Send an nginx-style HTML error page instead of JSON.
            ratelimit_reset: Seconds for v2's `ratelimit-reset` header (none when `None`).
            headers: Further headers, such as `{"location": …}` for a redirect.
        """
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        if status == 429:
            phrase = "Rate limit exceeded"
        content_type = "application/json"
        message = None
        if body is not None:
            raw = body.encode() if isinstance(body, str) else body
        elif html:
            raw = _HTML.format(code=status, phrase=phrase).encode()
            content_type = "text/html"
        else:
            raw = json.dumps({"error": phrase}).encode()
            message = phrase
        header = retry_after if isinstance(retry_after, str | None) else f"{retry_after:g}"
        reset = None if ratelimit_reset is None else f"{ratelimit_reset:g}"
        extra = tuple((headers or {}).items())
        failure = Failure(status, raw, content_type, header, reset, message, extra)
        with self._lock:
            self._failures.setdefault(_check(endpoint), deque()).extend([failure] * count)

    def malformed_next(self, endpoint: str, count: int = 1, *, body: str = '{"model": ') -> None:
        """Make the next `count` requests to `endpoint` answer 200 with a broken body.

        Args:
            endpoint: Endpoint name or `"*"`.
            count: How many requests get it.
            body: The body: truncated JSON by default; pass valid JSON of the wrong shape
                (e.g. `'{"unexpected": true}'`) to test shape checks.
        """
        failure = Failure(200, body.encode(), "application/json")
        with self._lock:
            self._failures.setdefault(_check(endpoint), deque()).extend([failure] * count)

    def slow(self, endpoint: str, seconds: float | None) -> None:
        """Delay every answer from `endpoint` by `seconds` of real time (`None`/0 clears)."""
        with self._lock:
            if seconds:
                self._slow[_check(endpoint)] = seconds
            else:
                self._slow.pop(_check(endpoint), None)

    def drip(self, endpoint: str, interval: float | None) -> None:
        """Send every answer from `endpoint` one byte per `interval` s of real time.

        Each byte arrives well within a read timeout, so only a deadline on the whole
        request ends it (`None`/0 clears).
        """
        with self._lock:
            if interval:
                self._drip[_check(endpoint)] = interval
            else:
                self._drip.pop(_check(endpoint), None)

    def endless_next(self, endpoint: str, count: int = 1) -> None:
        """Make the next `count` answers from `endpoint` a 200 JSON array that never ends."""
        failure = Failure(200, b"[", "application/json", endless=True)
        with self._lock:
            self._failures.setdefault(_check(endpoint), deque()).extend([failure] * count)

    def cut_stream_after(self, n_fragments: int, *, model: str | None = None) -> None:
        """Make the next stream (of `model`, if given) write `n_fragments` and then drop
        the connection abruptly."""
        with self._lock:
            self._stream.append(StreamFault(n_fragments, None, model))

    def error_fragment_after(
        self, n_fragments: int, text: str = "Error: CUDA out of memory", *, model: str | None = None
    ) -> None:
        """Make the next stream (of `model`, if given) write `n_fragments`, then `text`, then
        end normally (200)."""
        with self._lock:
            self._stream.append(StreamFault(n_fragments, text, model))

    def stall_stream_after(self, n_fragments: int, *, model: str | None = None) -> None:
        """Make the next stream (of `model`, if given) write `n_fragments` and then send
        nothing more, the connection open, until the client hangs up.

        A test can then act mid-stream however slowly it gets there, and see the hang-up
        in `Traffic.wait_for_disconnect`.
        """
        with self._lock:
            self._stream.append(StreamFault(n_fragments, None, model, stall=True))

    def clusters_gone(self, status: int | None = 404) -> None:
        """Make v2's legacy cluster routes answer `status` until cleared (`None` restores them).

        Bytez deprecated them in 2025-09; whether they still answer is unknown.
        """
        with self._lock:
            self._clusters_gone = status

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._failures.clear()
            self._slow.clear()
            self._drip.clear()
            self._stream.clear()
            self._clusters_gone = None

    # -- used by the server ---------------------------------------------------------------

    def clusters_status(self) -> int | None:
        """Return the status the cluster routes answer instead of working, if any."""
        with self._lock:
            return self._clusters_gone

    def delay_for(self, endpoint: str) -> float:
        """Return the real-time delay armed for `endpoint` (0 when none)."""
        with self._lock:
            return self._slow.get(endpoint, self._slow.get("*", 0.0))

    def drip_for(self, endpoint: str) -> float:
        """Return the seconds between bytes armed for `endpoint` (0 when none)."""
        with self._lock:
            return self._drip.get(endpoint, self._drip.get("*", 0.0))

    def take_failure(self, endpoint: str) -> Failure | None:
        """Consume and return the next armed failure for `endpoint`, if any."""
        with self._lock:
            for key in (endpoint, "*"):
                queue = self._failures.get(key)
                if queue:
                    return queue.popleft()
            return None

    def take_stream_fault(self, model: str | None = None) -> StreamFault | None:
        """Consume and return the next stream fault armed for `model` or for any model."""
        with self._lock:
            for fault in self._stream:
                if fault.model is None or fault.model == model:
                    self._stream.remove(fault)
                    return fault
            return None
