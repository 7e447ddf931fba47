"""Every answer is bounded: in size, in time, and in how long a Retry-After may hold us."""

from __future__ import annotations

from contextlib import aclosing

import pytest

from bytez_tui.api import (
    MAX_RETRY_AFTER,
    BadResponse,
    BytezClient,
    RateLimited,
    RequestTimeout,
    ServerError,
    StreamCut,
)
from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer

KEY = "k-12345678"
GPT2 = "openai-community/gpt2"


async def test_an_endless_answer_is_cut_at_the_size_limit(emulator: EmulatorServer) -> None:
    emulator.endless_next("list")
    async with BytezClient(api_key=KEY, base_url=emulator.url, max_body=2**20) as api:
        with pytest.raises(BadResponse, match="sent more than 1 MB; stopped reading") as caught:
            await api.list_models()
    assert "max_response_mb" in caught.value.message
    assert emulator.wait_for_disconnect(timeout=5)


async def test_a_declared_length_over_the_limit_is_refused_unread(
    emulator: EmulatorServer,
) -> None:
    async with BytezClient(api_key=KEY, base_url=emulator.url, max_body=1000) as api:
        with pytest.raises(BadResponse, match="sent more than"):
            await api.list_models()
        assert len(await api.instances()) >= 0  # small answers still pass


async def test_a_slow_drip_meets_the_total_deadline(emulator: EmulatorServer) -> None:
    """One byte every 0.1 s never trips the 5 s read timeout; the deadline ends it."""
    emulator.drip("instances", 0.1)
    async with BytezClient(api_key=KEY, base_url=emulator.url, timeout=5, deadline=0.3) as api:
        with pytest.raises(RequestTimeout, match="did not finish answering /model/instances"):
            await api.instances()


async def test_the_catalogue_gets_longer_than_a_read(emulator: EmulatorServer) -> None:
    emulator.drip("list", 0.1)
    async with BytezClient(api_key=KEY, base_url=emulator.url, timeout=5, deadline=0.1) as api:
        with pytest.raises(RequestTimeout, match=r"within 0\.5 s"):
            await api.list_models()


async def test_a_stream_has_a_total_deadline(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(clock, models=50, seed=7, fragment_interval=0.05)
    await client.load(GPT2)
    clock.advance(emulator.world.boot_delay + 1)
    async with BytezClient(api_key=KEY, base_url=emulator.url, run_deadline=0.3) as api:
        with pytest.raises(StreamCut, match="longer than 0.3 s in all") as caught:
            stream = api.stream(GPT2, "Once upon a time", params={"max_new_tokens": 500})
            async with aclosing(stream) as fragments:
                async for _ in fragments:
                    pass
    assert caught.value.partial


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        ("99999", MAX_RETRY_AFTER),
        ("inf", MAX_RETRY_AFTER),
        ("1e999", MAX_RETRY_AFTER),
        ("-5", 0.0),
        ("nan", None),
        ("soon", None),
    ],
)
async def test_retry_after_is_clamped(
    client: BytezClient, emulator: EmulatorServer, header: str, seconds: float | None
) -> None:
    emulator.fail_next("instances", 429, retry_after=header)
    with pytest.raises(RateLimited) as caught:
        await client.instances()
    assert caught.value.retry_after == seconds


async def test_retry_after_as_a_date_counts_from_the_servers_clock(
    client: BytezClient, emulator: EmulatorServer
) -> None:
    emulator.fail_next("instances", 429, retry_after="Mon, 01 Jul 2024 12:00:45 GMT")
    with pytest.raises(RateLimited) as caught:
        await client.instances()
    assert caught.value.retry_after == pytest.approx(45, abs=1)


async def test_a_long_retry_after_is_not_slept_through(emulator: EmulatorServer) -> None:
    """A server asking for minutes gets its answer at once, saying when to try again."""
    emulator.fail_next("instances", 429, retry_after=99999)
    async with BytezClient(api_key=KEY, base_url=emulator.url, retries=3) as api:
        with pytest.raises(RateLimited, match="retry in 300 s"):
            await api.instances()
    assert emulator.count("instances") == 1


async def test_no_retry_is_waited_for_past_the_retry_deadline(
    emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.fail_next("instances", 503, count=5)
    async with BytezClient(
        api_key=KEY, base_url=emulator.url, retries=3, backoff=5, clock=clock
    ) as api:
        api.retry_deadline = clock.monotonic() + 4
        with pytest.raises(ServerError) as caught:
            await api.instances()
    assert caught.value.status == 503
    assert emulator.count("instances") == 1
