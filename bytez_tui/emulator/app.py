"""The emulator's ASGI app: routes under `/model/`, auth, faults, `Date` header and streams."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
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

from bytez_tui.emulator.faults import ENDPOINTS, Faults, StreamFault
from bytez_tui.emulator.traffic import LoggedRequest, Traffic
from bytez_tui.emulator.world import Reply, RunStream, World

__all__ = ["AppState", "create_app"]

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


class _FragmentStream(Response):
    """A raw text stream: one fragment per write, no framing, no end marker.

    Watches `receive` for `http.disconnect` while writing, and counts a client that hangs
    up before the last fragment in `traffic`.
    """

    def __init__(
        self, fragments: list[str], interval: float, fault: StreamFault | None, state: AppState
    ) -> None:
        self.status_code = 200
        self.media_type = _STREAM_TYPE
        self.background = None
        self.init_headers({"cache-control": "no-cache"})
        self.fragments = fragments
        self.interval = interval
        self.fault = fault
        self.state = state

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
                if self.fault is not None and self.fault.error_text is None:
                    raise _StreamCut(f"stream cut after {self.fault.after} fragments")
                if self.fault is not None and self.fault.error_text is not None:
                    await asyncio.wait({watcher}, timeout=self.interval)
                    body = self.fault.error_text.encode()
                    await send({"type": "http.response.body", "body": body, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watcher.cancel()


def _json(reply: Reply) -> Response:
    return JSONResponse(reply.body, status_code=reply.status)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def _dispatch(request: Request) -> Response:
    state: AppState = request.app.state.emulator
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
        headers = {"retry-after": failure.retry_after} if failure.retry_after else None
        return Response(failure.body, failure.status, headers, failure.content_type)
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
            fault = faults.take_stream_fault()
            return _FragmentStream(result.fragments, world.fragment_interval, fault, state)
        return _json(result)
    handler = {"job": world.job, "load": world.load, "status": world.status, "delete": world.delete}
    return _json(handler[endpoint](body))


async def _not_found(request: Request) -> Response:
    return _error(404, f"Not found: {request.url.path}")


def create_app(world: World, faults: Faults, traffic: Traffic | None = None) -> Starlette:
    """Build the emulator's ASGI app.

    Args:
        world: The state to serve; replace `app.state.emulator.world` to swap it.
        faults: The fault switches consulted on every request.
        traffic: Where requests and disconnects are recorded (a new log when `None`).

    Returns:
        A Starlette app answering `/model/*` (GET and POST for `list` and `instances`,
        POST for the rest) and a JSON 404 elsewhere.
    """
    _install_log_filter()
    state = AppState(world, faults, traffic or Traffic())
    methods = ["GET", "POST"]
    app = Starlette(
        routes=[
            Route("/model/{endpoint}", _dispatch, methods=methods),
            Route("/{path:path}", _not_found, methods=methods),
        ],
        middleware=[Middleware(_DateHeader, state=state)],
    )
    app.state.emulator = state
    return app
