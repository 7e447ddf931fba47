"""The client over real HTTP against the emulator on loopback: every endpoint."""

from __future__ import annotations

from contextlib import aclosing
from datetime import timedelta

import pytest

from bytez_tui.api import (
    AlreadyLoaded,
    AuthError,
    BytezClient,
    BytezError,
    LoadInProgress,
    NotFound,
    OutOfCredits,
)
from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer

GPT2 = "openai-community/gpt2"


async def test_list_models_reads_the_catalogue(client: BytezClient) -> None:
    models = await client.list_models()
    assert len(models) == 200
    by_name = {model.name: model for model in models}
    assert by_name[GPT2].required_ram_gb == pytest.approx(0.5)
    assert by_name[GPT2].benchmarked is True
    onnx = [model for model in models if model.name.endswith(".onnx.8-bit")]
    assert onnx and all(m.required_ram_gb is None and not m.benchmarked for m in onnx)


async def test_list_and_instances_are_gets(client: BytezClient, emulator: EmulatorServer) -> None:
    await client.list_models()
    await client.instances()
    methods = {(r.method, r.endpoint) for r in emulator.requests}
    assert ("GET", "list") in methods and ("GET", "instances") in methods


async def test_job_goes_requested_queued_available(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    model = "someorg/brand-new-model"
    first = await client.job(model)
    assert (first.model, first.state, first.message) == (model, "requested", None)
    queued = await client.job(model)
    assert queued.state == "queued" and "queued" in (queued.message or "")
    assert queued.start_time is None
    clock.advance(emulator.world.job_delay + 1)
    done = await client.job(model)
    assert done.state == "available" and done.finished
    assert done.start_time is not None and done.end_time is not None
    assert done.end_time >= done.start_time


async def test_load_boots_to_running_then_runs_and_deletes(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    ack = await client.load(GPT2, concurrency=2, expiration_period_seconds=300)
    assert ack.model == GPT2 and ack.status == "started" and ack.is_booting
    assert ack.concurrency == 2
    booting = await client.status(GPT2)
    assert booting is not None and booting.is_booting
    clock.advance(emulator.world.boot_delay + 1)
    running = await client.status(GPT2)
    assert running is not None and running.is_running
    assert running.expiration_period_seconds == 300
    assert running.expires_at is not None and running.created is not None
    result = await client.run(GPT2, "Once upon a time", params={"max_new_tokens": 5})
    assert result.text.startswith("Once upon a time")
    after = await client.status(GPT2)
    assert after is not None and after.inferences == 1
    assert GPT2 in {instance.model for instance in await client.instances()}
    assert await client.delete(GPT2) is True
    assert await client.status(GPT2) is None
    assert await client.delete(GPT2) is False


async def test_load_failure_shows_the_error(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    model = "someorg/model-will-fail"
    await client.job(model)
    clock.advance(emulator.world.job_delay + 1)
    await client.job(model)
    await client.load(model)
    clock.advance(emulator.world.boot_delay + 1)
    failed = await client.status(model)
    assert failed is not None and failed.is_failed and failed.error


async def test_load_twice_is_explained(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    await client.load(GPT2)
    with pytest.raises(LoadInProgress, match="in progress"):
        await client.load(GPT2)
    clock.advance(emulator.world.boot_delay + 1)
    with pytest.raises(AlreadyLoaded, match="already loaded"):
        await client.load(GPT2)


async def test_out_of_credits(client: BytezClient, emulator: EmulatorServer) -> None:
    emulator.world.credits_exhausted = True
    with pytest.raises(OutOfCredits, match="credits"):
        await client.load(GPT2)


async def test_unknown_model_is_not_found(client: BytezClient) -> None:
    with pytest.raises(NotFound):
        await client.load("nobody/never-heard-of-it")
    assert await client.status("nobody/never-heard-of-it") is None


async def test_stream_yields_fragments_that_add_up_to_the_run(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    await client.load(GPT2)
    clock.advance(emulator.world.boot_delay + 1)
    prompt = "Once upon a time there was a"
    params = {"max_new_tokens": 12}
    async with aclosing(client.stream(GPT2, prompt, params=params)) as fragments:
        received = [fragment async for fragment in fragments]
    assert len(received) > 1
    whole = await client.run(GPT2, prompt, params=params)
    assert prompt + "".join(received) == whole.text or "".join(received) == whole.text


async def test_stream_of_a_json_model_yields_its_text(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    model = next(m.name for m in await client.list_models() if "summar" in m.name.lower())
    await client.load(model)
    clock.advance(emulator.world.boot_delay + 1)
    async with aclosing(client.stream(model, "A long text to summarise.")) as fragments:
        received = [fragment async for fragment in fragments]
    assert len(received) == 1 and received[0]


async def test_wrong_key_is_an_auth_error(emulator: EmulatorServer, clock: FixedClock) -> None:
    emulator.reset(clock, models=50, seed=1, key="the-right-key")
    async with BytezClient(api_key="the-wrong-key", base_url=emulator.url) as api:
        with pytest.raises(AuthError) as caught:
            await api.instances()
    assert "the-wrong-key" not in caught.value.message
    assert caught.value.status == 401


async def test_server_clock_offset_is_measured(emulator: EmulatorServer, clock: FixedClock) -> None:
    emulator.reset(clock, models=50, seed=1, clock_skew=120)
    async with BytezClient(api_key="k-12345678", base_url=emulator.url, clock=clock) as api:
        assert api.server_now_offset() == 0
        await api.instances()
    assert api.server_now_offset() == pytest.approx(120, abs=1)


def test_plain_http_to_a_remote_host_is_refused() -> None:
    with pytest.raises(BytezError, match="plain http"):
        BytezClient(api_key="k-12345678", base_url="http://api.example.com")
    BytezClient(api_key="k-12345678", base_url="http://api.example.com", allow_insecure_http=True)
    BytezClient(api_key="k-12345678", base_url="http://localhost:8080")


def test_repr_masks_the_key() -> None:
    api = BytezClient(api_key="sk-secret-abcdefgh1234", base_url="https://api.bytez.com")
    assert "secret" not in repr(api) and "…1234" in repr(api)


async def test_expired_instance_disappears_after_grace(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    await client.load(GPT2, expiration_period_seconds=60)
    clock.advance(emulator.world.boot_delay + 1)
    running = await client.status(GPT2)
    assert running is not None and running.expires_at is not None
    clock.set(running.expires_at + timedelta(seconds=1))
    still = await client.status(GPT2)
    assert still is not None and still.is_running
    clock.advance(emulator.world.grace + 1)
    assert await client.status(GPT2) is None
