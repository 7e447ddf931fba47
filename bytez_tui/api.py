"""The Bytez v1 REST client: the only module that speaks HTTP.

`BytezClient` wraps one `httpx.AsyncClient` and offers one coroutine per
endpoint of the API reference (`list_models`, `job`, `load`, `status`, `run`,
`instances`, `delete`) plus `stream`, an async iterator of raw text fragments.
Every failure leaves as a `BytezError` (see `bytez_tui.errors`).
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from bytez_tui import __version__
from bytez_tui.clock import Clock, SystemClock
from bytez_tui.config import DEFAULT_BASE_URL, mask_key, url_problem
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
    StreamError,
    StreamFailed,
    Transient,
    Unreachable,
    Unsupported,
)
from bytez_tui.models import Instance, Job, ModelInfo, RunResult

__all__ = [
    "DEFAULT_BASE_URL",
    "AlreadyLoaded",
    "AuthError",
    "BadResponse",
    "BytezClient",
    "BytezError",
    "Instance",
    "Job",
    "LoadInProgress",
    "ModelInfo",
    "NotFound",
    "OutOfCredits",
    "RateLimited",
    "RequestTimeout",
    "RunFailed",
    "RunResult",
    "ServerError",
    "StreamCut",
    "StreamError",
    "StreamFailed",
    "Transient",
    "Unreachable",
    "Unsupported",
]


ERROR_PREFIXES = ("Error: ", "INTERNAL_BYTEZ_ERROR")
"""A streamed fragment starting with one of these is the server reporting a failure."""

T = TypeVar("T")

_MAX_RETRY_WAIT = 60.0


class BytezClient:
    """An async client for the Bytez v1 API; use it as an async context manager.

    Args:
        api_key: The key, sent as `Authorization: Key <api_key>` and nowhere else.
        base_url: Where the API lives.
        timeout: Seconds to wait for a read of an ordinary request.
        connect_timeout: Seconds to wait for a connection.
        run_timeout: Seconds to wait for a run, or between two fragments of a stream.
        retries: How many times a read is retried after a `Transient` error. 0 (the
            default) suits the dashboard, whose pollers own retries, back-off and the
            countdown the user sees; the CLI passes its `--retries`.
        backoff: Seconds before the first retry; doubled each time, with jitter.
        allow_insecure_http: Allow sending the key over plain http to a remote host.
        clock: The local time source: the server clock offset is measured, and the
            wait before a retry slept, on it.
        transport: An httpx transport to use instead of the network (tests).

    Raises:
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
        retries: int = 0,
        backoff: float = 0.5,
        allow_insecure_http: bool = False,
        clock: Clock | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        problem = url_problem(base_url, allow_insecure_http=allow_insecure_http)
        if problem:
            raise BytezError(problem)
        self.base_url = base_url.strip().rstrip("/")
        """The API's root URL."""
        self.retries = retries
        """How many times a read is retried."""
        self.backoff = backoff
        """Seconds before the first retry."""
        self.clock_offset: float | None = None
        """Server time minus local time in seconds, from the last `Date` header seen."""
        self.on_retry: Callable[[BytezError, float], None] | None = None
        """Called with the error and the wait before each retry of a read."""
        self._key = api_key
        self._clock = clock or SystemClock()
        self._timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self._run_timeout = httpx.Timeout(run_timeout, connect=connect_timeout)
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
        return f"BytezClient(base_url={self.base_url!r}, api_key='Key {mask_key(self._key)}')"

    async def __aenter__(self) -> BytezClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # --- endpoints -------------------------------------------------------------------

    async def list_models(self, *, task: str | None = None) -> list[ModelInfo]:
        """The catalogue (`/model/list`); items that cannot be read are skipped.

        Raises:
            BytezError: On any failure.
        """
        params = {"task": task} if task else None
        items = _array(await self._read("list", params=params), "list")
        models: list[ModelInfo] = []
        for item in items:
            try:
                models.append(ModelInfo.from_json(item))
            except BadResponse:
                continue
        return models

    async def job(self, model: str) -> Job:
        """Ask Bytez to make `model` available, or poll that request (`/model/job`)."""
        data = await self._request("job", {"model": model}, retry=True)
        return _parse(Job.from_json, data, "job", model=model)

    async def load(
        self, model: str, *, concurrency: int = 1, expiration_period_seconds: int | None = None
    ) -> Instance:
        """Start an instance of `model` (`/model/load`); never retried.

        Returns:
            The acknowledgement as an `Instance` whose status is the server's word
            (usually `started`), which counts as booting.

        Raises:
            AlreadyLoaded: The model is already running.
            LoadInProgress: Another load of it is under way.
            OutOfCredits: The account has no credits.
        """
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
        """The instance of `model` (`/model/status`), or None when it has none."""
        try:
            data = await self._request("status", {"model": model}, retry=True)
        except NotFound:
            return None
        if isinstance(data, dict) and not isinstance(data.get("status"), str):
            return None
        return _parse(Instance.from_json, data, "status", model=model)

    async def instances(self) -> list[Instance]:
        """Every current instance (`/model/instances`)."""
        items = _array(await self._read("instances"), "instances")
        result: list[Instance] = []
        for item in items:
            if isinstance(item, dict) and not item.get("status"):
                item = {**item, "status": "UNKNOWN"}
            result.append(_parse(Instance.from_json, item, "instances"))
        return result

    async def delete(self, model: str) -> bool:
        """Stop the instance of `model` (`/model/delete`); never retried.

        Returns:
            True if it was stopped, False if it was already gone.
        """
        try:
            await self._request("delete", {"model": model}, retry=False, want_json=False)
        except NotFound:
            return False
        return True

    async def run(
        self, model: str, prompt: Any, *, params: dict[str, Any] | None = None
    ) -> RunResult:
        """Run `model` on `prompt` and wait for the whole answer; never retried.

        Raises:
            RunFailed: The model raised on this input.
        """
        body = {"model": model, "input": prompt, "params": params or {}, "stream": False}
        data = await self._request("run", body, retry=False, timeout=self._run_timeout)
        return _run_result(data)

    async def stream(
        self, model: str, prompt: Any, *, params: dict[str, Any] | None = None
    ) -> AsyncIterator[str]:
        """Run `model` with `stream: true`, yielding text fragments as they arrive.

        The body is raw text, not SSE (API reference §3). Close the iterator early
        (`contextlib.aclosing`) or cancel its task to stop: the response is closed.
        A model that does not stream answers JSON: its text is yielded once.

        Raises:
            StreamFailed: The server sent an error fragment; `.partial` keeps the text.
            StreamCut: The connection dropped; `.partial` keeps the text.
        """
        body = {"model": model, "input": prompt, "params": params or {}, "stream": True}
        received: list[str] = []
        try:
            async with self._http.stream(
                "POST", "/model/run", json=body, timeout=self._run_timeout
            ) as response:
                self._note_date(response)
                if response.status_code >= 400:
                    await response.aread()
                    raise self._error(response, "run")
                content_type = response.headers.get("content-type", "")
                if "json" in content_type:
                    await response.aread()
                    yield _run_result(self._json(response, "run")).text
                    return
                async for chunk in response.aiter_text():
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
        """Seconds to add to local time to get the server's time (0 until measured)."""
        return self.clock_offset or 0.0

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
    ) -> Any:
        attempt = 0
        while True:
            try:
                return await self._send(endpoint, body, params, timeout, want_json)
            except Transient as exc:
                if not retry or attempt >= self.retries:
                    raise
                wait = self.backoff * (2**attempt) * (1 + random.random() / 4)
                if isinstance(exc, RateLimited) and exc.retry_after is not None:
                    wait = exc.retry_after
                wait = min(wait, _MAX_RETRY_WAIT)
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
    ) -> Any:
        path = f"/model/{endpoint}"
        try:
            if body is None:
                response = await self._http.get(
                    path, params=params, timeout=timeout or self._timeout
                )
            else:
                response = await self._http.post(
                    path, json=body, params=params, timeout=timeout or self._timeout
                )
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, endpoint) from exc
        self._note_date(response)
        if response.status_code >= 300:
            raise self._error(response, endpoint)
        if not want_json:
            return None
        return self._json(response, endpoint)

    def _json(self, response: httpx.Response, endpoint: str) -> Any:
        try:
            return json.loads(response.content)
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
        self.clock_offset = (server - self._clock.now()).total_seconds()

    def _transport_error(self, exc: httpx.HTTPError, endpoint: str) -> BytezError:
        host = urlsplit(self.base_url).netloc
        if isinstance(exc, httpx.TimeoutException):
            if isinstance(exc, httpx.ConnectTimeout):
                return Unreachable(f"Timed out connecting to {host}", endpoint=endpoint)
            return RequestTimeout(f"{host} did not answer {endpoint} in time", endpoint=endpoint)
        if isinstance(exc, httpx.ConnectError):
            return Unreachable(f"Cannot reach {host}", endpoint=endpoint)
        return Unreachable(f"Connection to {host} failed ({type(exc).__name__})", endpoint=endpoint)

    def _error(self, response: httpx.Response, endpoint: str) -> BytezError:
        status = response.status_code
        said = self._scrub(_server_words(response))
        lowered = said.lower()
        where = f"/model/{endpoint}"
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
            retry_after = _retry_after(response.headers.get("retry-after"))
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
        """Remove the key from anything the server echoed back."""
        if self._key and self._key in text:
            text = text.replace(self._key, mask_key(self._key))
        return text


def _server_words(response: httpx.Response) -> str:
    """The server's own message: `error` of a JSON body, else short plain text."""
    text = response.text.strip() if response.content else ""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("error", "message", "detail"):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())[:300]
    if not text or "<" in text[:100] and ">" in text:
        return response.reason_phrase or ""
    return " ".join(text.split())[:300]


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


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
