"""Whatever the server answers, the client raises nothing but BytezError."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bytez_tui.api import BytezClient, BytezError
from bytez_tui.emulator import EmulatorServer

leaf = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from([10**400, 1e300, -1e300])  # absurd numbers
)
value = st.recursive(
    leaf,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)
keys = st.sampled_from(
    [
        "model",
        "modelId",
        "name",
        "status",
        "requiredRAM",
        "expiresAt",
        "message",
        "output",
        "error",
        "concurrency",
        "expirationPeriodSeconds",
        "inferences",
    ]
)
bodies = st.one_of(
    value.map(json.dumps),
    st.dictionaries(keys, value, max_size=6).map(json.dumps),
    st.lists(st.dictionaries(keys, value, max_size=6), max_size=3).map(json.dumps),
    st.text(max_size=30),
)

CALLS: dict[str, Callable[[BytezClient], Awaitable[Any]]] = {
    "list": lambda api: api.list_models(),
    "job": lambda api: api.job("a/b"),
    "load": lambda api: api.load("a/b"),
    "status": lambda api: api.status("a/b"),
    "instances": lambda api: api.instances(),
    "delete": lambda api: api.delete("a/b"),
    "run": lambda api: api.run("a/b", "hi"),
}


@pytest.mark.parametrize("endpoint", sorted(CALLS))
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies, status=st.sampled_from([200, 200, 200, 400, 404, 409, 422, 429, 500, 503]))
def test_any_answer_is_a_result_or_a_bytez_error(
    emulator: EmulatorServer, endpoint: str, body: str, status: int
) -> None:
    if status == 200:
        emulator.malformed_next(endpoint, body=body)
    else:
        emulator.fail_next(endpoint, status, body=body)

    async def call() -> None:
        async with BytezClient(api_key="k-12345678", base_url=emulator.url, timeout=5) as api:
            try:
                await CALLS[endpoint](api)
            except BytezError as error:
                assert error.message and "\n" not in error.message

    asyncio.run(call())
    emulator.clear_faults()


v2_keys = st.sampled_from(
    ["modelId", "task", "params", "ramRequired", "meterPrice", "status", "capacity", "timeout"]
    + ["lastInference", "role", "content", "output", "error"]
)
v2_bodies = st.one_of(
    bodies,
    st.fixed_dictionaries({"error": st.none() | st.text(max_size=12), "output": value}).map(
        json.dumps
    ),
    st.fixed_dictionaries(
        {"error": st.none(), "output": st.lists(st.dictionaries(v2_keys, value, max_size=7))}
    ).map(json.dumps),
    st.fixed_dictionaries({"error": st.none(), "output": st.dictionaries(v2_keys, value)}).map(
        json.dumps
    ),
)

V2_CALLS: dict[str, Callable[[BytezClient], Awaitable[Any]]] = {
    **CALLS,
    "tasks": lambda api: api.list_tasks(),
    "chat": lambda api: api.chat("a/b", [{"role": "user", "content": "hi"}]),
}


@pytest.mark.parametrize("endpoint", sorted(V2_CALLS))
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=v2_bodies, status=st.sampled_from([200, 200, 200, 402, 404, 405, 409, 429, 500]))
def test_any_v2_answer_is_a_result_or_a_bytez_error(
    emulator_v2: EmulatorServer, endpoint: str, body: str, status: int
) -> None:
    target = "run" if endpoint == "chat" else endpoint  # chat is a run
    if status == 200:
        emulator_v2.malformed_next(target, body=body)
    else:
        emulator_v2.fail_next(target, status, body=body)

    async def call() -> None:
        async with BytezClient(
            api_key="k-12345678", base_url=emulator_v2.url, api="v2", timeout=5
        ) as api:
            try:
                await V2_CALLS[endpoint](api)
            except BytezError as error:
                assert error.message and "\n" not in error.message

    asyncio.run(call())
    emulator_v2.clear_faults()
