"""`BytezClient`: the transport (one `httpx.AsyncClient`, errors, retries) and the v1 dialect.

Each public coroutine speaks v1 (`/model/*`) itself, or hands over to `V2Dialect` once the
client knows the server speaks v2; `api="auto"` finds out on the first call.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import math
import time
from collections.abc import AsyncGenerator, Callable
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx

from bytez_tui import __version__
from bytez_tui.clock import Clock, SystemClock, backoff
from bytez_tui.config import DEFAULT_BASE_URL, key_problem, mask_key, url_problem
from bytez_tui.errors import (
    AlreadyLoaded,
    AuthError,
    BadResponse,
    BytezError,
    LoadInProgress,
    NotFound,
    OutOfCredits,
    RateLimited,
    RequestTimeout,
    RunFailed,
    ServerError,
    StreamCut,
    StreamFailed,
    Transient,
    Unreachable,
    Unsupported,
)
from bytez_tui.models import Instance, Job, Metering, ModelInfo, RunResult, read_catalogue

if TYPE_CHECKING:
    from bytez_tui.api.v2 import V2Dialect

__all__ = [
    "API_VERSIONS",
    "CATALOGUE_DEADLINE_FACTOR",
    "DEFAULT_MAX_BODY",
    "ERROR_PREFIXES",
    "MAX_CLIENT_WAIT",
    "MAX_RETRY_AFTER",
    "BytezClient",
]

API_VERSIONS = ("v1", "v2", "auto")
"""What `BytezClient(api=…)` accepts."""


ERROR_PREFIXES = ("Error: ", "INTERNAL_BYTEZ_ERROR")
"""A streamed fragment starting with one of these is the server reporting a failure."""

DEFAULT_MAX_BODY = 128 * 1024 * 1024
"""Bytes an answer may hold: 200k catalogue items of up to ~650 bytes each fit."""
MAX_RETRY_AFTER = 300.0
"""Seconds of `Retry-After` taken at the server's word; longer (or infinite) is clamped."""
MAX_CLIENT_WAIT = 30.0
"""The longest wait the client sleeps before a retry of its own; a server asking for
more gets the `RateLimited` at once, which says when to try again."""
CATALOGUE_DEADLINE_FACTOR = 5
"""The catalogue (tens of MB at 200k models) may take this many times `deadline`."""

T = TypeVar("T")


class BytezClient:
    """An async client for the Bytez API (v1 or v2); use it as an async context manager.

    Args:
        api_key: The key, sent as `Authorization: Key <api_key>` and nowhere else;
            surrounding whitespace is dropped.
        base_url: Where the API lives (the host root: v1 is under `/model/`, v2 under
            `/models/v2/`). A user name and password in it are dropped (the key is the
            only credential sent) and never shown.
        api: `"v1"`, `"v2"`, or `"auto"` to ask the server on the first call (v2's
            `list/tasks`; a 404 or 405 there means v1).
        timeout: Seconds to wait for a read of an ordinary request.
        connect_timeout: Seconds to wait for a connection.
        run_timeout: Seconds to wait for a run, or between two fragments of a stream.
        deadline: Seconds an ordinary request may take in all, however slowly its bytes
            trickle in (the catalogue gets `CATALOGUE_DEADLINE_FACTOR` times as long).
        run_deadline: Seconds a run or a stream may take in all.
        max_body: Bytes an answer may hold before it is refused as `BadResponse`.
        retries: How many times a read is retried after a `Transient` error. 0 (the
            default) suits the dashboard, whose pollers own retries, back-off and the
            countdown the user sees; the CLI passes its `--retries`.
        backoff: Seconds before the first retry; doubled each time, with jitter.
        allow_insecure_http: Allow sending the key over plain http to a remote host.
        clock: The local time source: the server clock offset is measured, and the
            wait before a retry slept, on it.
        transport: An httpx transport to use instead of the network (tests).

    Raises:
        AuthError: If the key holds characters no key has (non-ASCII, control).
        BytezError: If the URL is unusable, or plain http to a remote host.
    """

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        api: str = "auto",
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
        if api not in API_VERSIONS:
            raise BytezError(f"Unknown API version {api!r}: use v1, v2 or auto")
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
        self.api_version: str | None = None if api == "auto" else api
        """`"v1"` or `"v2"`; None until `auto` has found out (after the first call)."""
        self.on_detected: Callable[[str], object] | None = None
        """Called with the dialect once `auto` has found it (to remember it per URL)."""
        self.last_metering: Metering | None = None
        """What the last run or stream cost, from its `inference-*` headers (v2)."""
        self._detecting: asyncio.Lock | None = None
        self._offset = 0.0
        self._v1_tasks: dict[str, str] = {}
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

    def __repr__(self) -> str:
        api = self.api_version or "auto"
        return (
            f"BytezClient(base_url={self.base_url!r}, api={api!r}, "
            f"api_key='Key {mask_key(self._key)}')"
        )

    async def __aenter__(self) -> BytezClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # --- dialect -------------------------------------------------------------------

    async def detect(self) -> str:
        """Return the dialect, asking the server once when it is `auto` and unknown.

        One GET of v2's `list/tasks`: an answer means v2; 404 or 405 means v1. Any other
        failure (bad key, server down) is raised and the question stays open.

        Raises:
            BytezError: If the server could not tell.
        """
        if self.api_version is not None:
            return self.api_version
        if self._detecting is None:
            self._detecting = asyncio.Lock()
        async with self._detecting:
            if self.api_version is None:
                self.api_version = await self._v2.probe()
                if self.on_detected is not None:
                    self.on_detected(self.api_version)
        return self.api_version

    async def _speaks_v2(self) -> bool:
        return await self.detect() == "v2"

    @functools.cached_property
    def _v2(self) -> V2Dialect:
        from bytez_tui.api.v2 import V2Dialect

        return V2Dialect(self)

    # --- endpoints -------------------------------------------------------------------

    async def list_models(self, *, task: str | None = None) -> list[ModelInfo]:
        """The catalogue (v1 `/model/list`, v2 `list/models`); unreadable items are skipped.

        Args:
            task: Only models of this task (the server filters).

        Raises:
            BytezError: On any failure.
        """
        if await self._speaks_v2():
            return await self._v2.list_models(task=task)
        params = {"task": task} if task else None
        items = _array(await self._read("list", params=params), "list")
        # ~0.3 s of Python at 100,000 models: in a thread, so keys keep flowing.
        models = await asyncio.to_thread(read_catalogue, items, endpoint="list")
        self._v1_tasks.update((model.name, model.task) for model in models if model.task)
        return models

    async def task_of(self, model: str) -> str | None:
        """The model's task, such as `chat` or `text-generation`; None when unknown.

        v2 looks a model up once if the catalogue has not been read; v1 knows only the
        models of a catalogue already read (it has no lookup by id).

        Raises:
            BytezError: On v2, the lookup failed.
        """
        if await self._speaks_v2():
            return await self._v2.task_of(model)
        return self._v1_tasks.get(model)

    async def list_tasks(self) -> list[str]:
        """The task names the server knows (v2 `list/tasks`).

        Raises:
            Unsupported: On v1, which has no task list.
        """
        if await self._speaks_v2():
            return await self._v2.list_tasks()
        raise Unsupported("The v1 API has no task list", endpoint="tasks")

    async def job(self, model: str) -> Job:
        """Ask Bytez to make `model` available, or poll that request.

        v1 posts `/model/job`. v2 looks the model up in `list/models?modelId=` (found:
        `available`) and otherwise posts `request/{model}` (`queued`).
        """
        if await self._speaks_v2():
            return await self._v2.job(model)
        data = await self._request("job", {"model": model}, retry=True)
        return _parse(Job.from_json, data, "job", model=model)

    async def load(
        self, model: str, *, concurrency: int = 1, expiration_period_seconds: int | None = None
    ) -> Instance:
        """Start an instance of `model` (v1 `/model/load`, v2 `PUT` a cluster); never retried.

        On v2, `concurrency` becomes `capacity` (0 / concurrency / concurrency) and the
        period becomes `timeout` in whole minutes (1-1440).

        Returns:
            The acknowledgement as an `Instance` whose status is the server's word
            (usually `started`, v2 `Loading`), which counts as booting.

        Raises:
            AlreadyLoaded: The model is already running.
            LoadInProgress: Another load of it is under way.
            OutOfCredits: The account has no credits.
            Unsupported: v2 without the cluster routes.
        """
        if await self._speaks_v2():
            return await self._v2.load(
                model, concurrency=concurrency, expiration_period_seconds=expiration_period_seconds
            )
        body: dict[str, Any] = {"model": model, "concurrency": concurrency}
        if expiration_period_seconds is not None:
            body["expirationPeriodSeconds"] = expiration_period_seconds
        data = await self._request("load", body, retry=False)
        if isinstance(data, dict):
            data = {
                "status": "started",
                **data,
                "concurrency": data.get("concurrency") or concurrency,
            }
        return _parse(Instance.from_json, data, "load", model=model)

    async def status(self, model: str) -> Instance | None:
        """The instance of `model` (v1 `/model/status`, v2 its cluster), or None.

        Raises:
            Unsupported: v2 without the cluster routes.
        """
        if await self._speaks_v2():
            return await self._v2.status(model)
        try:
            data = await self._request("status", {"model": model}, retry=True)
        except NotFound:
            return None
        if isinstance(data, dict) and not isinstance(data.get("status"), str):
            return None
        return _parse(Instance.from_json, data, "status", model=model)

    async def instances(self) -> list[Instance]:
        """Every current instance (v1 `/model/instances`, v2 `list/clusters`).

        Raises:
            Unsupported: v2 without the cluster routes.
        """
        if await self._speaks_v2():
            return await self._v2.instances()
        items = _array(await self._read("instances"), "instances")
        result: list[Instance] = []
        for item in items:
            if isinstance(item, dict) and not item.get("status"):
                item = {**item, "status": "UNKNOWN"}
            result.append(_parse(Instance.from_json, item, "instances"))
        return result

    async def delete(self, model: str) -> bool:
        """Stop the instance of `model` (v1 `/model/delete`, v2 `DELETE`); never retried.

        Returns:
            True if it was stopped, False if it was already gone.

        Raises:
            Unsupported: v2 without the cluster routes.
        """
        if await self._speaks_v2():
            return await self._v2.delete(model)
        try:
            await self._request("delete", {"model": model}, retry=False, want_json=False)
        except NotFound:
            return False
        return True

    async def run(
        self, model: str, prompt: Any, *, params: dict[str, Any] | None = None
    ) -> RunResult:
        """Run `model` on `prompt` and wait for the whole answer; never retried.

        v2 sends the prompt in the field the model's task takes (`text`, `messages`,
        `url`…), and `text` drops the prompt that text-generation output repeats.

        Raises:
            RunFailed: The model raised on this input.
        """
        if await self._speaks_v2():
            return await self._v2.run(model, prompt, params=params)
        body = {"model": model, "input": prompt, "params": params or {}, "stream": False}
        data = await self._request("run", body, retry=False, timeout=self._run_timeout)
        return _run_result(data)

    async def chat(
        self, model: str, messages: list[dict[str, Any]], params: dict[str, Any] | None = None
    ) -> RunResult:
        """Send a conversation and wait for the reply; never retried.

        v1 sends the messages as `input`; v2 as `messages`. `text` is the assistant's
        content as a string, even when the server answers list-form content.

        Args:
            model: The model id.
            messages: `[{"role": …, "content": …}, …]`.
            params: Generation params.

        Raises:
            RunFailed: The model raised on this input.
        """
        if await self._speaks_v2():
            return await self._v2.chat(model, messages, params=params)
        return await self.run(model, messages, params=params)

    def stream_chat(
        self, model: str, messages: list[dict[str, Any]], params: dict[str, Any] | None = None
    ) -> AsyncGenerator[str, None]:
        """`chat` with streaming: yields the reply's text fragments as they arrive.

        Raises:
            StreamFailed: The server sent an error fragment; `.partial` keeps the text.
            StreamCut: The connection dropped; `.partial` keeps the text.
        """
        return self._stream_chat(model, messages, params)

    async def _stream_chat(
        self, model: str, messages: list[dict[str, Any]], params: dict[str, Any] | None
    ) -> AsyncGenerator[str, None]:
        if await self._speaks_v2():
            fragments = self._v2.stream(model, messages, params=params, chat=True)
        else:
            fragments = self.stream(model, messages, params=params)
        async with contextlib.aclosing(fragments):
            async for fragment in fragments:
                yield fragment

    async def stream(
        self, model: str, prompt: Any, *, params: dict[str, Any] | None = None
    ) -> AsyncGenerator[str, None]:
        """Run `model` with `stream: true`, yielding text fragments as they arrive.

        The body is raw text, not SSE (API reference §3). Close the iterator early
        (`contextlib.aclosing`) or cancel its task to stop: the response is closed.
        A model that does not stream answers JSON: its text is yielded once.

        Raises:
            StreamFailed: The server sent an error fragment; `.partial` keeps the text.
            StreamCut: The connection dropped; `.partial` keeps the text.
        """
        if await self._speaks_v2():
            fragments = self._v2.stream(model, prompt, params=params)
        else:
            body = {"model": model, "input": prompt, "params": params or {}, "stream": True}
            fragments = self._stream("POST", "/model/run", body, _run_result)
        async with contextlib.aclosing(fragments):
            async for fragment in fragments:
                yield fragment

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
                    yield parse(self._json(content, response, "run")).text
                    return
                async for chunk in response.aiter_text():
                    if asyncio.get_running_loop().time() > give_up_at:
                        raise self._overdue("run", self._run_deadline, received)
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

    def server_now_offset(self) -> float:
        """Seconds to add to local time to get the server's time (0 until measured).

        Measured from the `Date` header of the last answer (server time minus local).
        """
        return self._offset

    # --- plumbing --------------------------------------------------------------------

    async def _read(self, endpoint: str, *, params: dict[str, str] | None = None) -> Any:
        """GET a body-less endpoint, falling back to POST if GET is refused."""
        try:
            return await self._request(endpoint, None, retry=True, params=params)
        except BadResponse as exc:
            if exc.status != 405:
                raise
            return await self._request(endpoint, {}, retry=True, params=params)

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
    ) -> Any:
        """Send one request, retrying `Transient` failures when `retry` allows.

        `endpoint` names it in errors (and is v1's path `/model/{endpoint}` unless `path`
        is given); the method is GET without a body and POST with one unless `method`.
        """
        attempt = 0
        while True:
            try:
                return await self._send(
                    endpoint, body, params, timeout, want_json, method=method, path=path
                )
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

    async def _send(
        self,
        endpoint: str,
        body: dict[str, Any] | None,
        params: dict[str, str] | None,
        timeout: httpx.Timeout | None,
        want_json: bool,
        *,
        method: str | None = None,
        path: str | None = None,
    ) -> Any:
        """`_send_once`, reported to `on_request`."""
        started = time.monotonic()
        shown_method = method or ("GET" if body is None else "POST")
        shown_path = path or f"/model/{endpoint}"
        self._last_status = None
        try:
            result = await self._send_once(
                endpoint, body, params, timeout, want_json, method=method, path=path
            )
        except BytezError as error:
            if self.on_request is not None:
                status = error.status if error.status is not None else self._last_status
                seconds = time.monotonic() - started
                self.on_request(shown_method, shown_path, status, seconds, error.message)
            raise
        if self.on_request is not None:
            seconds = time.monotonic() - started
            self.on_request(shown_method, shown_path, self._last_status, seconds, "")
        return result

    async def _send_once(
        self,
        endpoint: str,
        body: dict[str, Any] | None,
        params: dict[str, str] | None,
        timeout: httpx.Timeout | None,
        want_json: bool,
        *,
        method: str | None = None,
        path: str | None = None,
    ) -> Any:
        where = path
        path = path or f"/model/{endpoint}"
        method = method or ("GET" if body is None else "POST")
        if endpoint == "run":
            limit = self._run_deadline
        elif endpoint == "list":
            limit = self._deadline * CATALOGUE_DEADLINE_FACTOR
        else:
            limit = self._deadline
        try:
            async with asyncio.timeout(limit):
                async with self._http.stream(
                    method, path, json=body, params=params, timeout=timeout or self._timeout
                ) as response:
                    self._note_date(response)
                    self._last_status = response.status_code
                    content = await self._body(response, endpoint)
        except TimeoutError as exc:
            raise self._overdue(endpoint, limit, where=where) from exc
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, endpoint) from exc
        if endpoint == "run":
            self.last_metering = Metering.from_headers(response.headers)
        if response.status_code >= 300:
            raise self._error(response, content, endpoint, where=where)
        if not want_json:
            return None
        return self._json(content, response, endpoint)

    async def _body(self, response: httpx.Response, endpoint: str) -> bytes:
        """Read the body of `response`, refusing one larger than `max_body`."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise self._too_big(endpoint, response)
        pieces: list[bytes] = []
        size = 0
        async for piece in response.aiter_bytes():
            size += len(piece)
            if size > self.max_body:
                raise self._too_big(endpoint, response)
            pieces.append(piece)
        return b"".join(pieces)

    def _too_big(self, endpoint: str, response: httpx.Response) -> BadResponse:
        limit = f"{self.max_body / 2**20:g} MB"
        return BadResponse(
            f"{response.url.path} sent more than {limit}; stopped reading "
            "(max_response_mb in config.toml raises the limit)",
            endpoint=endpoint,
            status=response.status_code,
        )

    def _overdue(
        self,
        endpoint: str,
        limit: float,
        received: list[str] | None = None,
        *,
        where: str | None = None,
    ) -> BytezError:
        """The error for a request that outlived its total deadline."""
        if received:
            return StreamCut(
                f"The answer took longer than {limit:g} s in all; stopped",
                partial="".join(received),
            )
        host = urlsplit(self.base_url).netloc
        where = where or f"/model/{endpoint}"
        return RequestTimeout(
            f"{host} did not finish answering {where} within {limit:g} s", endpoint=endpoint
        )

    def _json(self, content: bytes, response: httpx.Response, endpoint: str) -> Any:
        try:
            return json.loads(content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadResponse(
                f"The server sent unreadable JSON for {endpoint}",
                endpoint=endpoint,
                status=response.status_code,
            ) from exc

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
        host = urlsplit(self.base_url).netloc
        if isinstance(exc, httpx.TimeoutException):
            if isinstance(exc, httpx.ConnectTimeout):
                return Unreachable(f"Timed out connecting to {host}", endpoint=endpoint)
            return RequestTimeout(f"{host} did not answer {endpoint} in time", endpoint=endpoint)
        if isinstance(exc, httpx.ConnectError):
            return Unreachable(f"Cannot reach {host}", endpoint=endpoint)
        return Unreachable(f"Connection to {host} failed ({type(exc).__name__})", endpoint=endpoint)

    def _error(
        self,
        response: httpx.Response,
        content: bytes,
        endpoint: str,
        *,
        where: str | None = None,
    ) -> BytezError:
        """Map an error answer to a `BytezError`; `where` is the path shown (v1's by default)."""
        status = response.status_code
        said = self._scrub(_server_words(response, content))
        lowered = said.lower()
        where = where or f"/model/{endpoint}"
        if 300 <= status < 400:
            # Never followed: a login page or another host is not the API, and the key
            # must not travel on to wherever it points.
            target = " ".join(response.headers.get("location", "").split())[:200]
            return BadResponse(
                f"{where} redirected ({status}) to {self._scrub(target) or 'an unnamed place'}; "
                "not followed: check the base URL",
                endpoint=endpoint,
                status=status,
            )
        if status in (401, 403):
            return AuthError(
                f"The API key was refused ({status} {said or 'Unauthorized'})",
                endpoint=endpoint,
                status=status,
            )
        if status == 402 or "credit" in lowered:
            return OutOfCredits(said or "Out of credits", endpoint=endpoint, status=status)
        if status == 409 or "already loaded" in lowered:
            if endpoint == "load" or "already loaded" in lowered:
                return AlreadyLoaded(said or "Already loaded", endpoint=endpoint, status=status)
        if status == 429:
            if "in progress" in lowered:
                return LoadInProgress(said, endpoint=endpoint, status=status)
            server_now = self._clock.now() + timedelta(seconds=self.server_now_offset())
            retry_after = _retry_after(response.headers.get("retry-after"), server_now)
            if retry_after is None:
                retry_after = _reset_seconds(response.headers.get("ratelimit-reset"), server_now)
            hint = f"; retry in {retry_after:.0f} s" if retry_after is not None else ""
            return RateLimited(
                f"Rate limited on {where}{hint}: {said or 'Too Many Requests'}",
                endpoint=endpoint,
                retry_after=retry_after,
            )
        if status == 404:
            return NotFound(said or f"Not found: {where}", endpoint=endpoint, status=status)
        if status == 422 or (endpoint == "run" and 400 <= status < 500 and "stack_trace" in said):
            return RunFailed(
                said or "The model failed on this input", endpoint=endpoint, status=status
            )
        if status >= 500:
            return ServerError(
                f"Server error {status} on {where}" + (f": {said}" if said else ""),
                endpoint=endpoint,
                status=status,
            )
        return BadResponse(
            f"{where} answered {status}" + (f": {said}" if said else ""),
            endpoint=endpoint,
            status=status,
        )

    def _scrub(self, text: str) -> str:
        """Remove the key (and a base URL's password) from anything the server echoed."""
        for secret, shown in self._secrets.items():
            if secret in text:
                text = text.replace(secret, shown)
        return text


def _server_words(response: httpx.Response, content: bytes) -> str:
    """The server's own message: `error` of a JSON body, else short plain text."""
    try:
        text = content.decode(response.charset_encoding or "utf-8", errors="replace").strip()
    except LookupError:
        text = content.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        words = [
            " ".join(value.split())
            for key in ("error", "message", "detail")
            if isinstance(value := data.get(key), str) and value.strip()
        ]
        if words:
            # v2's 402 says `"error": "Payment Required"` and the why in `message`.
            return ": ".join(words[:2])[:300]
    if not text or "<" in text[:100] and ">" in text:
        return response.reason_phrase or ""
    return " ".join(text.split())[:300]


def _reset_seconds(value: str | None, server_now: datetime) -> float | None:
    """Read v2's `ratelimit-reset`: seconds to wait, or (when huge) an epoch instant.

    Its unit is undocumented; a number past 1e9 can only be a Unix time. Clamped to
    0…`MAX_RETRY_AFTER` like `Retry-After`.
    """
    try:
        number = float((value or "").strip())
    except ValueError:
        return None
    if not math.isfinite(number) or number < 0:
        return None
    if number > 1e9:
        number = number - server_now.timestamp()
    return min(max(0.0, number), MAX_RETRY_AFTER)


def _retry_after(value: str | None, server_now: datetime) -> float | None:
    """Seconds a `Retry-After` header asks for, clamped to 0…`MAX_RETRY_AFTER`.

    Args:
        value: The header: seconds, or an HTTP date.
        server_now: The server's time now, for a date.

    Returns:
        The seconds, or None when there is no header or it cannot be read (`nan`).
    """
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = (when - server_now).total_seconds()
    if math.isnan(seconds):
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


def _error_fragment(chunk: str) -> int:
    """Where an error fragment starts in `chunk`, or -1."""
    for prefix in ERROR_PREFIXES:
        if chunk.startswith(prefix):
            return 0
    return chunk.find("INTERNAL_BYTEZ_ERROR")


def _array(data: Any, endpoint: str) -> list[Any]:
    if isinstance(data, dict) and isinstance(data.get("output"), list):
        data = data["output"]
    if not isinstance(data, list):
        raise BadResponse(f"/model/{endpoint} did not answer a list", endpoint=endpoint)
    return data


def _parse(parser: Callable[..., T], data: Any, endpoint: str, **kwargs: Any) -> T:
    try:
        return parser(data, **kwargs)
    except BadResponse as exc:
        raise BadResponse(f"/model/{endpoint}: {exc.message}", endpoint=endpoint) from exc


def _run_result(data: Any) -> RunResult:
    if isinstance(data, dict) and data.get("error") not in (None, ""):
        error = data["error"]
        raise RunFailed(str(error) if not isinstance(error, str) else error, endpoint="run")
    return _parse(RunResult.from_json, data, "run")
