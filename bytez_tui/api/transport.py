"""`Transport`: one `httpx.AsyncClient` and the rules every request follows.

Deadlines, size limits, retries of reads (slept on the client's clock), the server clock
offset, the request log hook, errors mapped to `BytezError` (by `answers.py`), and the raw
fragments of a streamed run. `BytezClient` (and through it `V2Dialect`) sends through it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable
from contextvars import ContextVar
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple, Self
from urllib.parse import urlsplit, urlunsplit

import httpx

from bytez_tui import __version__
from bytez_tui.api.answers import (
    json_of,
    overdue_error,
    status_error,
    too_big_error,
    transport_error,
)
from bytez_tui.clock import Clock, SystemClock, backoff
from bytez_tui.config import DEFAULT_BASE_URL
from bytez_tui.credentials import key_problem, mask_key, url_problem
from bytez_tui.errors import (
    AuthError,
    BadResponse,
    BytezError,
    RateLimited,
    RequestTimeout,
    StreamCut,
    StreamFailed,
    Transient,
)
from bytez_tui.models import Metering, RunResult

__all__ = [
    "CATALOGUE_DEADLINE_FACTOR",
    "DEFAULT_MAX_BODY",
    "ERROR_PREFIXES",
    "MAX_CLIENT_WAIT",
    "Transport",
]


ERROR_PREFIXES = ("Error: ", "INTERNAL_BYTEZ_ERROR")
"""A streamed fragment starting with one of these is the server reporting a failure."""

DEFAULT_MAX_BODY = 128 * 1024 * 1024
"""Bytes an answer may hold: 200k catalogue items of up to ~650 bytes each fit."""
MAX_CLIENT_WAIT = 30.0
"""The longest wait the client sleeps before a retry of its own; a server asking for
more gets the `RateLimited` at once, which says when to try again."""
CATALOGUE_DEADLINE_FACTOR = 5
"""The catalogue (tens of MB at 200k models) may take this many times `deadline`."""

_LAST_METERING: ContextVar[tuple[int, Metering | None]] = ContextVar(
    "bytez_tui_last_metering", default=(0, None)
)
"""(the client's id, the metering of its last run) in the current task's context."""


class _Call(NamedTuple):
    """One request as `_request` was asked for it (each retry sends it again)."""

    endpoint: str
    body: dict[str, Any] | None
    params: dict[str, str] | None
    timeout: httpx.Timeout | None
    want_json: bool
    method: str
    path: str
    where: str | None
    """The path named in errors when it is not v1's (None: `/model/{endpoint}`)."""
    object_hook: Callable[[dict[str, Any]], Any] | None = None
    """Reads each JSON object of the answer as it is parsed (then in a thread)."""


class Transport:
    """Sends requests for `BytezClient`; see its docstring for the arguments.

    Raises:
        AuthError: If the key holds characters no key has (non-ASCII, control).
        BytezError: If the URL is unusable, or plain http to a remote host.
    """

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        run_timeout: float = 900.0,
        deadline: float = 60.0,
        run_deadline: float = 3600.0,
        max_body: int = DEFAULT_MAX_BODY,
        retries: int = 0,
        backoff: float = 0.5,
        allow_insecure_http: bool = False,
        clock: Clock | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        problem = url_problem(base_url, allow_insecure_http=allow_insecure_http)
        if problem:
            raise BytezError(problem)
        api_key = api_key.strip()
        if invalid := key_problem(api_key):
            raise AuthError(invalid)
        url = urlsplit(base_url.strip().rstrip("/"))
        userinfo, _, host = url.netloc.rpartition("@")
        self.base_url = urlunsplit(url._replace(netloc=host))
        """The API's root URL (without a user name or password)."""
        password = userinfo.partition(":")[2]
        self._secrets = {secret: "…" for secret in (userinfo, password) if secret}
        """Text never shown, and what is shown instead."""
        if api_key:
            self._secrets[api_key] = mask_key(api_key)
        self.retries = retries
        """How many times a read is retried."""
        self.backoff = backoff
        """Seconds before the first retry."""
        self.max_body = max_body
        """Bytes an answer may hold."""
        self.retry_deadline: float | None = None
        """No retry is waited for past this instant (`clock.monotonic()`), such as the end
        of a CLI command's `--timeout`: the error is raised instead."""
        self.on_retry: Callable[[BytezError, float], None] | None = None
        """Called with the error and the wait before each retry of a read."""
        self.on_request: Callable[[str, str, int | None, float, str], None] | None = None
        """Called after every request (each retry too) with the method, the path, the
        status (None: no answer), the seconds it took and the error's message ("" when it
        succeeded): the dashboard's request log."""
        self._last_status: int | None = None
        self._offset = 0.0
        self._key = api_key
        self._clock = clock or SystemClock()
        self._timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self._run_timeout = httpx.Timeout(run_timeout, connect=connect_timeout)
        self._deadline = deadline
        self._run_deadline = run_deadline
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={
                "Authorization": f"Key {api_key}",
                "Content-Type": "application/json",
                "User-Agent": f"bytez-tui/{__version__}",
            },
            timeout=self._timeout,
            transport=transport,
            follow_redirects=False,
        )

    @property
    def last_metering(self) -> Metering | None:
        """What the last run or stream of this task cost, from its `inference-*` headers (v2).

        Kept per asyncio task (a context variable): three columns streaming at once in
        their own tasks each read their own run's cost, not whichever answered last.
        """
        owner, metering = _LAST_METERING.get()
        return metering if owner == id(self) else None

    @last_metering.setter
    def last_metering(self, metering: Metering | None) -> None:
        _LAST_METERING.set((id(self), metering))

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    def server_now_offset(self) -> float:
        """Seconds to add to local time to get the server's time (0 until measured).

        Measured from the `Date` header of the last answer (server time minus local).
        """
        return self._offset

    async def _read(
        self,
        endpoint: str,
        *,
        params: dict[str, str] | None = None,
        object_hook: Callable[[dict[str, Any]], Any] | None = None,
    ) -> Any:
        """GET a body-less endpoint, falling back to POST if GET is refused."""
        try:
            return await self._request(
                endpoint, None, retry=True, params=params, object_hook=object_hook
            )
        except BadResponse as exc:
            if exc.status != 405:
                raise
            return await self._request(
                endpoint, {}, retry=True, params=params, object_hook=object_hook
            )

    async def _request(
        self,
        endpoint: str,
        body: dict[str, Any] | None,
        *,
        retry: bool,
        params: dict[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        want_json: bool = True,
        method: str | None = None,
        path: str | None = None,
        object_hook: Callable[[dict[str, Any]], Any] | None = None,
    ) -> Any:
        """Send one request, retrying `Transient` failures when `retry` allows.

        `endpoint` names it in errors (and is v1's path `/model/{endpoint}` unless `path`
        is given); the method is GET without a body and POST with one unless `method`.
        With an `object_hook` (the catalogue's) the answer is parsed in a thread.
        """
        call = _Call(
            endpoint,
            body,
            params,
            timeout,
            want_json,
            method or ("GET" if body is None else "POST"),
            path or f"/model/{endpoint}",
            where=path,
            object_hook=object_hook,
        )
        attempt = 0
        while True:
            try:
                return await self._send(call)
            except Transient as exc:
                if not retry or attempt >= self.retries:
                    raise
                wait = backoff(attempt + 1, start=self.backoff)
                if isinstance(exc, RateLimited) and exc.retry_after is not None:
                    wait = exc.retry_after
                    if wait > MAX_CLIENT_WAIT:
                        raise
                deadline = self.retry_deadline
                if deadline is not None and self._clock.monotonic() + wait >= deadline:
                    raise
                if self.on_retry is not None:
                    self.on_retry(exc, wait)
                attempt += 1
                await self._clock.sleep(wait)

    async def _send(self, call: _Call) -> Any:
        """`_send_once`, reported to `on_request`."""
        started = time.monotonic()
        self._last_status = None
        try:
            result = await self._send_once(call)
        except BytezError as error:
            if self.on_request is not None:
                status = error.status if error.status is not None else self._last_status
                seconds = time.monotonic() - started
                self.on_request(call.method, call.path, status, seconds, error.message)
            raise
        if self.on_request is not None:
            seconds = time.monotonic() - started
            self.on_request(call.method, call.path, self._last_status, seconds, "")
        return result

    async def _send_once(self, call: _Call) -> Any:
        endpoint = call.endpoint
        if endpoint == "run":
            limit = self._run_deadline
        elif endpoint == "list":
            limit = self._deadline * CATALOGUE_DEADLINE_FACTOR
        else:
            limit = self._deadline
        try:
            async with asyncio.timeout(limit):
                async with self._http.stream(
                    call.method,
                    call.path,
                    json=call.body,
                    params=call.params,
                    timeout=call.timeout or self._timeout,
                ) as response:
                    self._note_date(response)
                    self._last_status = response.status_code
                    content = await self._body(response, endpoint)
        except TimeoutError as exc:
            host = urlsplit(self.base_url).netloc
            raise overdue_error(endpoint, limit, host, where=call.where) from exc
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, endpoint) from exc
        if endpoint == "run":
            self.last_metering = Metering.from_headers(response.headers)
        if response.status_code >= 300:
            raise self._error(response, content, endpoint, where=call.where)
        if not call.want_json:
            return None
        if call.object_hook is not None:
            # Tens of MB at 200k models: off the event loop, so keys keep flowing.
            return await asyncio.to_thread(json_of, content, response, endpoint, call.object_hook)
        return json_of(content, response, endpoint)

    async def _body(self, response: httpx.Response, endpoint: str) -> bytes:
        """Read the body of `response`, refusing one larger than `max_body`."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise too_big_error(response, endpoint, self.max_body)
        pieces: list[bytes] = []
        size = 0
        async for piece in response.aiter_bytes():
            size += len(piece)
            if size > self.max_body:
                raise too_big_error(response, endpoint, self.max_body)
            pieces.append(piece)
        return b"".join(pieces)

    def _note_date(self, response: httpx.Response) -> None:
        date = response.headers.get("date")
        if not date:
            return
        try:
            server = parsedate_to_datetime(date)
        except (TypeError, ValueError, IndexError):
            return
        if server.tzinfo is None:
            return
        self._offset = (server - self._clock.now()).total_seconds()

    def _transport_error(self, exc: httpx.HTTPError, endpoint: str) -> BytezError:
        return transport_error(exc, endpoint, urlsplit(self.base_url).netloc)

    def _error(
        self,
        response: httpx.Response,
        content: bytes,
        endpoint: str,
        *,
        where: str | None = None,
    ) -> BytezError:
        """Map an error answer to a `BytezError`; `where` is the path shown (v1's by default)."""
        return status_error(
            response,
            content,
            endpoint,
            where=where or f"/model/{endpoint}",
            scrub=self._scrub,
            server_now=self._clock.now() + timedelta(seconds=self.server_now_offset()),
        )

    def _scrub(self, text: str) -> str:
        """Remove the key (and a base URL's password) from anything the server echoed."""
        for secret, shown in self._secrets.items():
            if secret in text:
                text = text.replace(secret, shown)
        return text

    async def _stream(
        self,
        method: str,
        path: str,
        body: dict[str, Any],
        parse: Callable[[Any], RunResult],
        *,
        where: str | None = None,
    ) -> AsyncGenerator[str, None]:
        """Send a streamed run and yield its raw text fragments (both dialects).

        A JSON answer (a model that doesn't stream) is parsed with `parse` and its text
        yielded once; the `inference-*` headers go to `last_metering`.
        """
        received: list[str] = []
        self.last_metering = None
        # Checked as each piece arrives: a timeout scope cannot span the yields, whose
        # waits belong to the consumer. A stall is the read timeout's to catch.
        give_up_at = asyncio.get_running_loop().time() + self._run_deadline
        try:
            async with self._http.stream(
                method, path, json=body, timeout=self._run_timeout
            ) as response:
                self._note_date(response)
                self.last_metering = Metering.from_headers(response.headers)
                if response.status_code >= 300:
                    content = await self._body(response, "run")
                    raise self._error(response, content, "run", where=where)
                content_type = response.headers.get("content-type", "")
                if "json" in content_type:
                    content = await self._body(response, "run")
                    yield parse(json_of(content, response, "run")).text
                    return
                async for chunk in response.aiter_text():
                    if asyncio.get_running_loop().time() > give_up_at:
                        raise StreamCut(
                            f"The answer took longer than {self._run_deadline:g} s in all; stopped",
                            partial="".join(received),
                        )
                    failure = _error_fragment(chunk)
                    if failure >= 0:
                        if failure:
                            received.append(chunk[:failure])
                            yield chunk[:failure]
                        message = chunk[failure:].strip()
                        raise StreamFailed(self._scrub(message), partial="".join(received))
                    if chunk:
                        received.append(chunk)
                        yield chunk
        except BytezError:
            raise
        except httpx.TimeoutException as exc:
            if received:
                raise StreamCut(
                    "The stream stalled: no text arrived in time", partial="".join(received)
                ) from exc
            raise RequestTimeout(
                "The model did not start answering in time", endpoint="run"
            ) from exc
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            if received:
                raise StreamCut(
                    "The connection dropped in the middle of the answer", partial="".join(received)
                ) from exc
            raise self._transport_error(exc, "run") from exc
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, "run") from exc


def _error_fragment(chunk: str) -> int:
    """Where an error fragment starts in `chunk`, or -1."""
    for prefix in ERROR_PREFIXES:
        if chunk.startswith(prefix):
            return 0
    return chunk.find("INTERNAL_BYTEZ_ERROR")
