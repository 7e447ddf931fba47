"""v2's HTTP face: `/models/v2/…` routed onto `V2Face`, with auth, faults and headers.

The fixed prefixes `list/` and `request/` are routed before the rest of the path is read as
a model id (which holds a slash). Every JSON answer is typed `application/json;
charset=utf-8`, and every answer carries `ratelimit-*` headers; runs add `inference-*`.
The OpenAI-compatible `openai/v1/*` routes are not emulated (404).
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bytez_tui.emulator.app import AppState, FragmentStream
from bytez_tui.emulator.faults import Failure
from bytez_tui.emulator.traffic import LoggedRequest
from bytez_tui.emulator.v2.face import CREDITS_BODY, Media, V2Face, envelope
from bytez_tui.emulator.world import Reply, RunStream, World

__all__ = ["authorized", "dispatch_v2", "resolve"]

_JSON = "application/json; charset=utf-8"
_MODEL_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")
_LISTS = {"list/models": "list", "list/tasks": "tasks", "list/clusters": "instances"}
_MODEL_METHODS = {
    "POST": "run",
    "PUT": "load",
    "GET": "status",
    "PATCH": "update",
    "DELETE": "delete",
}
_CLUSTER_ENDPOINTS = frozenset({"load", "status", "update", "delete", "instances"})
_DEFAULT_LIMIT = 40
"""`ratelimit-limit` when the world sets no concurrency cap (the $100 tier's figure)."""


def resolve(method: str, path: str) -> tuple[str | None, str | None, str | None]:
    """Map a request to `(endpoint, model, allowed)`.

    Args:
        method: The HTTP method.
        path: The path after `/models/v2/`.

    Returns:
        The fault/log endpoint name (`None` when nothing is there), the model id in the
        path, and the allowed method when `method` is the wrong one (else `None`).
    """
    if path in _LISTS:
        return _LISTS[path], None, None if method == "GET" else "GET"
    if path.startswith("request/"):
        model = path.removeprefix("request/")
        if not _MODEL_ID.match(model):
            return None, None, None
        return "job", model, None if method == "POST" else "POST"
    if path.startswith(("list/", "openai/")) or not _MODEL_ID.match(path):
        return None, None, None
    return _MODEL_METHODS[method], path, None


def authorized(world: World, header: str | None) -> bool:
    """Return whether an `Authorization` value is accepted: `Key K`, `Bearer K` or bare `K`."""
    value = (header or "").strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() in ("key", "bearer"):
        value = rest.strip()
    if not value or " " in value:
        return False
    return world.key is None or value == world.key


def _json(
    status: int, body: Any, headers: dict[str, str], extra: dict[str, str] | None = None
) -> Response:
    raw = json.dumps(body, separators=(",", ":")).encode()
    return Response(raw, status, {**headers, **(extra or {})}, _JSON)


def _ratelimit(world: World, state: AppState, *, reset: str = "1") -> dict[str, str]:
    limit = world.concurrent_runs or _DEFAULT_LIMIT
    return {
        "ratelimit-limit": str(limit),
        "ratelimit-remaining": str(max(0, limit - state.in_flight)),
        "ratelimit-reset": reset,
    }


def _failure(failure: Failure, headers: dict[str, str]) -> Response:
    extra = dict(headers)
    if failure.retry_after is not None:
        extra["retry-after"] = failure.retry_after
    if failure.ratelimit_reset is not None:
        extra["ratelimit-reset"] = failure.ratelimit_reset
    if failure.status == 429:
        extra["ratelimit-remaining"] = "0"
    if failure.message is None:
        return Response(failure.body, failure.status, extra, failure.content_type)
    body = CREDITS_BODY if failure.status == 402 else envelope(error=failure.message)
    return _json(failure.status, body, extra)


async def _pause(state: AppState, seconds: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not state.closing.is_set() and loop.time() < deadline:
        await asyncio.sleep(min(0.05, deadline - loop.time()))


async def dispatch_v2(request: Request) -> Response:
    """Answer one request under `/models/v2/`."""
    state: AppState = request.app.state.emulator
    world, faults = state.world, state.faults
    method = request.method
    endpoint, model, allowed = resolve(method, request.path_params["path"])
    body: Any = {}
    bad_json = False
    if method in ("POST", "PUT", "PATCH"):
        raw = await request.body()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                bad_json = True
    state.traffic.record(
        LoggedRequest(
            method=method,
            path=request.url.path,
            endpoint=endpoint or "",
            model=model,
            at=world.clock.now(),
        )
    )
    if endpoint is not None:
        await _pause(state, faults.delay_for(endpoint))
    headers = _ratelimit(world, state)
    header = request.headers.get("authorization")
    # The docs' `request/` example sends no key; a wrong key is still refused.
    if not (endpoint == "job" and header is None) and not authorized(world, header):
        return _json(401, envelope(error="Unauthorized"), headers)
    if endpoint is None:
        return _json(404, envelope(error=f"Not found: {request.url.path}"), headers)
    if allowed is not None:
        return _json(405, envelope(error="Method Not Allowed"), headers, {"allow": allowed})
    gone = faults.clusters_status()
    if gone is not None and endpoint in _CLUSTER_ENDPOINTS:
        return _json(gone, envelope(error=f"Cannot {method} {request.url.path}"), headers)
    failure = faults.take_failure(endpoint)
    if failure is not None:
        return _failure(failure, headers)
    face = V2Face(world)
    if endpoint == "list":
        query = request.query_params
        listing = face.list_models(query.get("task"), query.get("modelId"))
        return Response(listing, 200, headers, _JSON)
    if endpoint == "tasks":
        return _reply(face.list_tasks(), headers)
    if endpoint == "instances":
        return _reply(face.list_clusters(), headers)
    assert model is not None
    if endpoint in ("job", "status", "delete"):
        action = {"job": face.request, "status": face.read, "delete": face.remove}[endpoint]
        return _reply(action(model), headers)
    if bad_json:
        return _json(400, envelope(error="Request body is not valid JSON"), headers)
    if not isinstance(body, dict):
        return _json(400, envelope(error="Request body must be a JSON object"), headers)
    if endpoint == "load":
        return _reply(face.create(model, body), headers)
    if endpoint == "update":
        return _reply(face.update(model, body), headers)
    return await _run(state, face, model, body, headers)


async def _run(
    state: AppState, face: V2Face, model: str, body: dict[str, Any], headers: dict[str, str]
) -> Response:
    world = state.world
    limit = world.concurrent_runs
    if limit is not None and state.in_flight >= limit:
        busy = {"ratelimit-remaining": "0"}
        return _json(429, envelope(error="Rate limit exceeded"), headers, busy)
    result = face.run(model, body)
    if isinstance(result, Reply):
        return _reply(result, headers)
    state.in_flight += 1
    released = False

    def release() -> None:
        nonlocal released
        if not released:
            released = True
            state.in_flight -= 1

    try:
        if result.cold and world.cold_start:
            await _pause(state, world.cold_start)
        metered = {**_ratelimit(world, state), **result.headers()}
        answer = result.answer
        if isinstance(answer, RunStream):
            fault = state.faults.take_stream_fault(answer.model)
            return FragmentStream(
                answer.fragments,
                world.interval_for(answer.model),
                fault,
                state,
                media_type=world.stream_content_type,
                headers=metered,
                on_close=release,
            )
        release()
        if isinstance(answer, Media):
            return Response(answer.body, 200, metered, answer.content_type)
        return _reply(answer, metered)
    except BaseException:
        release()
        raise


def _reply(reply: Reply, headers: dict[str, str]) -> Response:
    return _json(reply.status, reply.body, headers)
