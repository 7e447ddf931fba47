"""Every error class over real HTTP, with the emulator's fault switches."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing

import pytest

from bytez_tui.api import (
    BadResponse,
    BytezClient,
    RateLimited,
    RequestTimeout,
    RunFailed,
    ServerError,
    StreamCut,
    StreamFailed,
    Transient,
    Unreachable,
)
from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer
from bytez_tui.emulator.textgen import continuation

GPT2 = "openai-community/gpt2"


@pytest.fixture
async def retrying(emulator: EmulatorServer) -> AsyncIterator[BytezClient]:
    """A client as the CLI builds it (`--retries 3`, the system clock), backing off briefly."""
    async with BytezClient(
        api_key="k-12345678", base_url=emulator.url, retries=3, backoff=0.01, timeout=5
    ) as api:
        yield api


async def _running(client: BytezClient, emulator: EmulatorServer, clock: FixedClock) -> None:
    await client.load(GPT2)
    clock.advance(emulator.world.boot_delay + 1)


async def test_the_default_client_does_not_retry(
    client: BytezClient, emulator: EmulatorServer
) -> None:
    """The dashboard's client: its pollers own retries, so one failure is one request."""
    emulator.fail_next("instances", 503)
    with pytest.raises(ServerError) as caught:
        await client.instances()
    assert isinstance(caught.value, Transient)
    assert emulator.count("instances") == 1


async def test_reads_retry_through_5xx(retrying: BytezClient, emulator: EmulatorServer) -> None:
    emulator.fail_next("instances", 503, count=2)
    retries: list[float] = []
    retrying.on_retry = lambda error, wait: retries.append(wait)
    assert await retrying.instances() is not None
    assert len(retries) == 2
    assert emulator.count("instances") == 3


async def test_reads_give_up_after_retries(retrying: BytezClient, emulator: EmulatorServer) -> None:
    emulator.fail_next("list", 502, count=10, html=True)
    with pytest.raises(ServerError) as caught:
        await retrying.list_models()
    assert caught.value.status == 502
    assert "<" not in caught.value.message and "502" in caught.value.message
    assert emulator.count("list") == retrying.retries + 1


async def test_429_honours_retry_after(retrying: BytezClient, emulator: EmulatorServer) -> None:
    emulator.fail_next("status", 429, retry_after=0.05)
    waits: list[float] = []
    retrying.on_retry = lambda error, wait: waits.append(wait)
    assert await retrying.status(GPT2) is None
    assert waits == [pytest.approx(0.05)]


async def test_a_retry_waits_on_the_clients_clock(
    emulator: EmulatorServer, clock: FixedClock
) -> None:
    """The wait before a retry is slept on the injected clock, never on real time."""
    emulator.fail_next("instances", 429, retry_after=30)
    waits: list[float] = []
    async with BytezClient(
        api_key="k-12345678", base_url=emulator.url, clock=clock, retries=1, timeout=5
    ) as api:
        api.on_retry = lambda error, wait: waits.append(wait)
        request = asyncio.create_task(api.instances())
        for _ in range(500):
            if waits:
                break
            await asyncio.sleep(0.01)
        assert waits == [30]
        for _ in range(5):
            await asyncio.sleep(0)
        assert not request.done() and emulator.count("instances") == 1
        clock.advance(30)
        assert await asyncio.wait_for(request, 5) is not None
    assert emulator.count("instances") == 2


async def test_429_that_persists_says_when(client: BytezClient, emulator: EmulatorServer) -> None:
    emulator.fail_next("instances", 429, retry_after=7)
    with pytest.raises(RateLimited) as caught:
        await client.instances()
    assert caught.value.retry_after == 7
    assert "retry in 7 s" in caught.value.message


async def test_writes_never_retry(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.fail_next("load", 503)
    with pytest.raises(ServerError):
        await client.load(GPT2)
    assert emulator.count("load") == 1
    await _running(client, emulator, clock)
    emulator.fail_next("run", 500)
    with pytest.raises(ServerError):
        await client.run(GPT2, "hi")
    assert emulator.count("run") == 1
    emulator.fail_next("delete", 500)
    with pytest.raises(ServerError):
        await client.delete(GPT2)
    assert emulator.count("delete") == 1


async def test_malformed_json_is_a_bad_response(
    client: BytezClient, emulator: EmulatorServer
) -> None:
    emulator.malformed_next("instances")
    with pytest.raises(BadResponse, match="unreadable JSON"):
        await client.instances()


async def test_wrong_shape_is_a_bad_response(client: BytezClient, emulator: EmulatorServer) -> None:
    emulator.malformed_next("list", body='{"unexpected": true}')
    with pytest.raises(BadResponse, match="list"):
        await client.list_models()
    emulator.malformed_next("job", body="[1, 2, 3]")
    with pytest.raises(BadResponse, match="job"):
        await client.job(GPT2)


async def test_slow_answer_is_a_timeout(emulator: EmulatorServer, clock: FixedClock) -> None:
    emulator.slow("instances", 1.0)
    async with BytezClient(api_key="k-12345678", base_url=emulator.url, timeout=0.2) as api:
        with pytest.raises(RequestTimeout, match="in time"):
            await api.instances()


async def test_nobody_listening_is_unreachable() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with BytezClient(
        api_key="k-12345678", base_url=f"http://127.0.0.1:{port}", retries=1, backoff=0.01
    ) as api:
        with pytest.raises(Unreachable, match="Cannot reach"):
            await api.instances()


async def test_inference_failure_422(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    await _running(client, emulator, clock)
    emulator.fail_next("run", 422, body='{"error": "CUDA out of memory", "stack_trace": "..."}')
    with pytest.raises(RunFailed, match="CUDA out of memory"):
        await client.run(GPT2, "hi")


async def test_error_fragment_keeps_the_partial_text(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(clock, models=50, seed=7, fragment_interval=0.01)
    await _running(client, emulator, clock)
    emulator.error_fragment_after(3, "Error: CUDA out of memory")
    received: list[str] = []
    with pytest.raises(StreamFailed) as caught:
        async with aclosing(client.stream(GPT2, "Once upon a time")) as fragments:
            async for fragment in fragments:
                received.append(fragment)
    assert len(received) == 3
    assert caught.value.partial == "".join(received)
    assert caught.value.message == "Error: CUDA out of memory"


async def test_internal_bytez_error_fragment(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(clock, models=50, seed=7, fragment_interval=0.01)
    await _running(client, emulator, clock)
    emulator.error_fragment_after(2, "INTERNAL_BYTEZ_ERROR: arg stream was likely passed")
    with pytest.raises(StreamFailed, match="INTERNAL_BYTEZ_ERROR") as caught:
        async with aclosing(client.stream(GPT2, "Once upon a time")) as fragments:
            async for _ in fragments:
                pass
    assert caught.value.partial


async def test_cut_stream_keeps_the_partial_text(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(clock, models=50, seed=7, fragment_interval=0.01)
    await _running(client, emulator, clock)
    emulator.cut_stream_after(4)
    received: list[str] = []
    with pytest.raises(StreamCut, match="dropped") as caught:
        async with aclosing(client.stream(GPT2, "Once upon a time")) as fragments:
            async for fragment in fragments:
                received.append(fragment)
    assert received and caught.value.partial == "".join(received)


async def test_stream_refused_before_it_starts(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    await _running(client, emulator, clock)
    emulator.fail_next("run", 500, html=True)
    with pytest.raises(ServerError):
        async with aclosing(client.stream(GPT2, "hi")) as fragments:
            async for _ in fragments:
                pass


async def test_closing_a_stream_closes_the_connection(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(clock, models=50, seed=7, fragment_interval=0.05)
    await _running(client, emulator, clock)
    async with aclosing(
        client.stream(GPT2, "Once upon a time", params={"max_new_tokens": 500})
    ) as fragments:
        async for _ in fragments:
            break
    assert emulator.wait_for_disconnect(timeout=5)


async def test_a_stalled_stream_holds_until_the_client_hangs_up(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    """`stall_stream_after`: the first fragments, then silence on an open connection."""
    await _running(client, emulator, clock)
    emulator.stall_stream_after(2)
    first_two = "".join(continuation(7, GPT2, "Once upon a time", 2))
    received = ""
    async with aclosing(client.stream(GPT2, "Once upon a time")) as fragments:
        async for fragment in fragments:
            received += fragment
            assert first_two.startswith(received)
            if received == first_two:
                break
    assert emulator.wait_for_disconnect(timeout=5)
    assert emulator.disconnects == 1
