"""The emulator's ASGI app: v1 routes under `/model/`, v2's under `/models/v2/`, auth, faults,
the `Date` header and streams."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bytez_tui.emulator.faults import ENDLESS, ENDPOINTS, Faults, StreamFault
from bytez_tui.emulator.traffic import LoggedRequest, Traffic
from bytez_tui.emulator.world import Reply, RunStream, World

__all__ = ["APIS", "AppState", "FragmentStream", "create_app"]

APIS = ("v1", "v2", "both")
"""Which route families an app serves."""

_STREAM_TYPE = "text/event-stream; charset=utf-8"
_GET_ENDPOINTS = frozenset({"list", "instances"})


@dataclass(slots=True)
class AppState:
    """What the app serves; `world` is swapped by `EmulatorServer.reset`."""

    world: World
    """The current world."""
    faults: Faults
    """Armed faults."""
    traffic: Traffic
    """Request log and disconnect counter."""
    closing: threading.Event = field(default_factory=threading.Event)
    """Set on shutdown: streams end early and delays stop, so uvicorn exits cleanly."""
    in_flight: int = 0
    """v2 runs being answered now (for the `concurrent_runs` limit and `ratelimit-*`)."""


class _StreamCut(Exception):
    """Raised mid-body so uvicorn drops the connection (the `cut_stream_after` fault)."""


class _QuietStreamCut(logging.Filter):
    """Keep uvicorn from logging the deliberate `_StreamCut` as an application error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], _StreamCut))


def _install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietStreamCut) for f in logger.filters):
        logger.addFilter(_QuietStreamCut())


class _DateHeader:
    """ASGI middleware: set `Date` from the world's clock plus `clock_skew`."""

    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_date(message: Message) -> None:
            if message["type"] == "http.response.start":
                world = self.state.world
                when = world.clock.now() + timedelta(seconds=world.clock_skew)
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                headers.append((b"date", format_datetime(when, usegmt=True).encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_date)


class FragmentStream(Response):
    """A raw text stream: one fragment per write, no framing, no end marker.

    Watches `receive` for `http.disconnect` while writing, and counts a client that hangs
    up before the last fragment in `traffic`.

    Args:
        fragments: The text to write, one write each.
        interval: Real seconds before each write.
        fault: What goes wrong part-way, if anything.
        state: The app's state (shutdown flag, traffic).
        media_type: The `Content-Type`.
        headers: Further headers.
        on_close: Called once the body has ended, however it ended.
    """

    def __init__(
        self,
        fragments: list[str],
        interval: float,
        fault: StreamFault | None,
        state: AppState,
        *,
        media_type: str = _STREAM_TYPE,
        headers: dict[str, str] | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.status_code = 200
        self.media_type = media_type
        self.background = None
        self.init_headers({"cache-control": "no-cache", **(headers or {})})
        self.fragments = fragments
        self.interval = interval
        self.fault = fault
        self.state = state
        self.on_close = on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def wait_disconnect() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        watcher = asyncio.ensure_future(wait_disconnect())
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            fragments = self.fragments
            if self.fault is not None:
                fragments = fragments[: self.fault.after]
            for fragment in fragments:
                await asyncio.wait({watcher}, timeout=self.interval)
                if watcher.done():
                    self.state.traffic.note_disconnect()
                    return
                if self.state.closing.is_set():
                    break
                await send(
                    {"type": "http.response.body", "body": fragment.encode(), "more_body": True}
                )
            else:
                if self.fault is not None and self.fault.stall:
                    while not self.state.closing.is_set():
                        await asyncio.wait({watcher}, timeout=0.05)
                        if watcher.done():
                            self.state.traffic.note_disconnect()
                            return
                elif self.fault is not None and self.fault.error_text is None:
                    raise _StreamCut(f"stream cut after {self.fault.after} fragments")
                if self.fault is not None and self.fault.error_text is not None:
                    await asyncio.wait({watcher}, timeout=self.interval)
                    body = self.fault.error_text.encode()
                    await send({"type": "http.response.body", "body": body, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watcher.cancel()
            if self.on_close is not None:
                self.on_close()


class _Trickle(Response):
    """A body sent one piece at a time: slowly (the `drip` fault) or forever (`endless_next`).

    Stops when the client hangs up or the server shuts down.
    """

    def __init__(
        self, answer: Response, pieces: Iterator[bytes], interval: float, state: AppState
    ) -> None:
        self.status_code = answer.status_code
        self.background = None
        self.raw_headers = answer.raw_headers
        self.pieces = pieces
        self.interval = interval
        self.state = state

    @classmethod
    def drip(cls, answer: Response, interval: float, state: AppState) -> _Trickle:
        """`answer`, one byte every `interval` seconds."""
        body = bytes(answer.body)
        return cls(answer, (body[i : i + 1] for i in range(len(body))), interval, state)

    @classmethod
    def endless(cls, answer: Response, state: AppState) -> _Trickle:
        """`answer`'s body, then `ENDLESS` repeated until the client hangs up."""
        answer.raw_headers = [(k, v) for k, v in answer.raw_headers if k != b"content-length"]

        def pieces() -> Iterator[bytes]:
            yield bytes(answer.body)
            block = ENDLESS * 1000
            while True:
                yield block

        return cls(answer, pieces(), 0.0, state)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def wait_disconnect() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        watcher = asyncio.ensure_future(wait_disconnect())
        try:
            start = {"type": "http.response.start", "status": self.status_code}
            await send({**start, "headers": self.raw_headers})
            for piece in self.pieces:
                await asyncio.wait({watcher}, timeout=self.interval)
                if watcher.done():
                    self.state.traffic.note_disconnect()
                    return
                if self.state.closing.is_set():
                    return
                await send({"type": "http.response.body", "body": piece, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watcher.cancel()


def _json(reply: Reply) -> Response:
    return JSONResponse(reply.body, status_code=reply.status)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def _dispatch(request: Request) -> Response:
    state: AppState = request.app.state.emulator
    answer = await _answer(request, state)
    interval = state.faults.drip_for(request.path_params["endpoint"])
    if interval and not isinstance(answer, FragmentStream | _Trickle):
        return _Trickle.drip(answer, interval, state)
    return answer


async def _answer(request: Request, state: AppState) -> Response:
    world, faults = state.world, state.faults
    endpoint = request.path_params["endpoint"]
    if endpoint not in ENDPOINTS:
        return _error(404, f"Not found: {request.url.path}")
    body: Any = {}
    bad_json = False
    if request.method == "POST":
        raw = await request.body()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                bad_json = True
    model = body.get("model") if isinstance(body, dict) else None
    state.traffic.record(
        LoggedRequest(
            method=request.method,
            path=request.url.path,
            endpoint=endpoint,
            model=model if isinstance(model, str) else None,
            at=world.clock.now(),
        )
    )
    deadline = asyncio.get_running_loop().time() + faults.delay_for(endpoint)
    while not state.closing.is_set() and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(min(0.05, deadline - asyncio.get_running_loop().time()))
    if not world.authorized(request.headers.get("authorization")):
        return _error(401, "Unauthorized")
    if request.method == "GET" and endpoint not in _GET_ENDPOINTS:
        return _error(405, "Method Not Allowed", {"allow": "POST"})
    failure = faults.take_failure(endpoint)
    if failure is not None:
        headers = dict(failure.headers)
        if failure.retry_after:
            headers["retry-after"] = failure.retry_after
        answer = Response(failure.body, failure.status, headers, failure.content_type)
        return _Trickle.endless(answer, state) if failure.endless else answer
    if endpoint == "list":
        body_bytes = world.list_json(request.query_params.get("task"))
        return Response(body_bytes, 200, media_type="application/json")
    if endpoint == "instances":
        return _json(world.instances())
    if bad_json:
        return _error(400, "Request body is not valid JSON")
    if not isinstance(body, dict):
        return _error(400, "Request body must be a JSON object")
    if endpoint == "run":
        result = world.run(body)
        if isinstance(result, RunStream):
            fault = faults.take_stream_fault(result.model)
            interval = world.interval_for(result.model)
            return FragmentStream(result.fragments, interval, fault, state)
        return _json(result)
    handler = {"job": world.job, "load": world.load, "status": world.status, "delete": world.delete}
    return _json(handler[endpoint](body))


async def _not_found(request: Request) -> Response:
    return _error(404, f"Not found: {request.url.path}")


def create_app(
    world: World, faults: Faults, traffic: Traffic | None = None, *, api: str = "both"
) -> Starlette:
    """Build the emulator's ASGI app.

    Args:
        world: The state to serve; replace `app.state.emulator.world` to swap it.
        faults: The fault switches consulted on every request.
        traffic: Where requests and disconnects are recorded (a new log when `None`).
        api: `"v1"`, `"v2"` or `"both"`: the route families served over the one world.

    Returns:
        A Starlette app answering v1's `/model/*` (GET and POST for `list` and `instances`,
        POST for the rest) and/or v2's `/models/v2/*`, and a JSON 404 elsewhere.

    Raises:
        ValueError: If `api` is not one of `APIS`.
    """
    from bytez_tui.emulator.v2.routes import dispatch_v2

    if api not in APIS:
        raise ValueError(f"api must be one of {APIS}, not {api!r}")
    _install_log_filter()
    state = AppState(world, faults, traffic or Traffic())
    methods = ["GET", "POST"]
    routes = []
    if api in ("v1", "both"):
        routes.append(Route("/model/{endpoint}", _dispatch, methods=methods))
    if api in ("v2", "both"):
        v2_methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        routes.append(Route("/models/v2/{path:path}", dispatch_v2, methods=v2_methods))
    all_methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    routes.append(Route("/{path:path}", _not_found, methods=all_methods))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(_DateHeader, state=state)],
    )
    app.state.emulator = state
    return app
