"""The client's v2 dialect over real HTTP against the emulator's v2 face: every route and error."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from typing import Any

import pytest

from bytez_tui.api import (
    AlreadyLoaded,
    AuthError,
    BadResponse,
    BytezClient,
    BytezError,
    NotFound,
    OutOfCredits,
    RateLimited,
    RunFailed,
    ServerError,
    StreamCut,
    StreamFailed,
    Unsupported,
)
from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer

GPT2 = "openai-community/gpt2"
QWEN = "Qwen/Qwen3-4B"
IMAGE = "dreamlike-art/dreamlike-photoreal-2.0"
OPT = "facebook/opt-1.3b"  # not one of the demo instances
HI = [{"role": "user", "content": "Hi"}]


async def collect(client: BytezClient, model: str, prompt: object) -> str:
    async with aclosing(client.stream(model, prompt)) as fragments:
        return "".join([fragment async for fragment in fragments])


# -- choosing the dialect -------------------------------------------------------------------


async def test_auto_finds_v2_with_one_request(emulator_v2: EmulatorServer) -> None:
    seen: list[str] = []
    async with BytezClient(api_key="k", base_url=emulator_v2.url) as client:
        client.on_detected = seen.append
        assert client.api_version is None
        models = await client.list_models()
        assert client.api_version == "v2" and seen == ["v2"]
        assert models[0].task is not None
        await client.list_tasks()
    assert emulator_v2.count("tasks") == 2  # the probe, then the call itself
    assert emulator_v2.count("list") == 1
    assert emulator_v2.requests[0].path == "/models/v2/list/tasks"


async def test_auto_finds_v1_on_a_v1_only_server(emulator: EmulatorServer) -> None:
    async with BytezClient(api_key="k", base_url=emulator.url) as client:
        models = await client.list_models()
        assert client.api_version == "v1"
        assert models[0].task is None and models[0].price_per_second is None
        with pytest.raises(Unsupported):
            await client.list_tasks()


async def test_auto_on_a_v2_only_server(clock: FixedClock) -> None:
    with EmulatorServer(api="v2") as server:
        server.reset(clock, models=20)
        async with BytezClient(api_key="k", base_url=server.url) as client:
            assert await client.detect() == "v2"


async def test_a_refused_key_leaves_the_question_open(emulator_v2: EmulatorServer) -> None:
    emulator_v2.world.key = "right"
    async with BytezClient(api_key="wrong", base_url=emulator_v2.url) as client:
        with pytest.raises(AuthError):
            await client.list_models()
        assert client.api_version is None


async def test_a_chosen_dialect_sends_no_probe(emulator_v2: EmulatorServer) -> None:
    async with BytezClient(api_key="k", base_url=emulator_v2.url, api="v1") as client:
        await client.instances()
        assert client.api_version == "v1"
    assert emulator_v2.count("tasks") == 0
    assert [r.path for r in emulator_v2.requests] == ["/model/instances"]
    with pytest.raises(BytezError, match="v1, v2 or auto"):
        BytezClient(api_key="k", base_url=emulator_v2.url, api="v3")


def test_repr_names_the_dialect_and_masks_the_key() -> None:
    client = BytezClient(api_key="sk-secret-abcdefgh1234", base_url="https://api.bytez.com")
    assert "api='auto'" in repr(client) and "secret" not in repr(client)


# -- listing ----------------------------------------------------------------------------------


async def test_list_models_reads_task_params_and_price(client_v2: BytezClient) -> None:
    models = {m.name: m for m in await client_v2.list_models()}
    qwen = models[QWEN]
    assert (qwen.task, qwen.params_b, qwen.required_ram_gb) == ("chat", 4.02, 16)
    assert qwen.price_per_second == pytest.approx(0.0000872083)
    assert qwen.price_from_server and qwen.cost_per_hour == pytest.approx(0.0000872083 * 3600)
    chat = await client_v2.list_models(task="chat")
    assert chat and {m.task for m in chat} == {"chat"}


async def test_list_tasks(client_v2: BytezClient) -> None:
    tasks = await client_v2.list_tasks()
    assert "chat" in tasks and "text-to-image" in tasks and len(tasks) == 34


# -- jobs -------------------------------------------------------------------------------------


async def test_job_is_queued_then_available(
    client_v2: BytezClient, emulator_v2: EmulatorServer, clock: FixedClock
) -> None:
    fresh = "Finisha-F-scratch/Lamina-basic"
    queued = await client_v2.job(fresh)
    assert (queued.model, queued.state, queued.message) == (fresh, "queued", "Job queued")
    assert not queued.finished
    assert emulator_v2.count("job", model=fresh) == 1
    again = await client_v2.job(fresh)  # a poll before the model is listed
    assert (again.state, again.message) == ("queued", "Job queued")
    assert emulator_v2.count("job", model=fresh) == 1  # only looked up: not requested twice
    clock.advance(emulator_v2.world.job_delay)
    available = await client_v2.job(fresh)
    assert available.state == "available" and available.finished
    assert emulator_v2.count("job", model=fresh) == 1  # found by the lookup: no new request
    assert (await client_v2.job(GPT2)).state == "available"


# -- clusters ---------------------------------------------------------------------------------


async def test_load_status_instances_delete(
    client_v2: BytezClient, emulator_v2: EmulatorServer, clock: FixedClock
) -> None:
    assert await client_v2.status(OPT) is None
    started = await client_v2.load(OPT, concurrency=2, expiration_period_seconds=90)
    assert started.status == "Loading" and started.is_booting
    cluster = emulator_v2.world.live(OPT, clock.now())
    assert cluster is not None and cluster.period == 120  # 90 s is two whole minutes
    with pytest.raises(AlreadyLoaded, match="Cluster already exists"):
        await client_v2.load(OPT)
    booting = await client_v2.status(OPT)
    assert booting is not None and booting.is_booting and booting.capacity == (0, 2, 2)
    clock.advance(emulator_v2.world.boot_delay)
    running = await client_v2.status(OPT)
    assert running is not None and running.is_running and running.concurrency == 2
    assert running.expires_at is not None and running.expiration_period_seconds == 120
    assert OPT in [i.model for i in await client_v2.instances()]
    assert await client_v2.delete(OPT) is True
    assert await client_v2.delete(OPT) is False
    assert OPT not in [i.model for i in await client_v2.instances()]


async def test_load_of_an_unknown_model_is_not_found(client_v2: BytezClient) -> None:
    with pytest.raises(NotFound, match="Model not found"):
        await client_v2.load("nobody/nothing")


@pytest.mark.parametrize("status", [404, 405])
async def test_without_cluster_routes_they_are_unsupported(
    client_v2: BytezClient, emulator_v2: EmulatorServer, status: int
) -> None:
    emulator_v2.clusters_gone(status)
    for call in (
        client_v2.load(OPT),
        client_v2.status(OPT),
        client_v2.instances(),
        client_v2.delete(OPT),
    ):
        with pytest.raises(Unsupported, match="manages capacity itself"):
            await call
    result = await client_v2.run(GPT2, "still works")  # runs don't need them
    assert result.text


# -- runs -------------------------------------------------------------------------------------


async def test_run_drops_the_prompt_echo_and_reports_cost(
    client_v2: BytezClient, emulator_v2: EmulatorServer
) -> None:
    result = await client_v2.run(GPT2, "Jack and Jill", params={"max_new_tokens": 5})
    assert isinstance(result.output, str) and result.output.startswith("Jack and Jill")
    assert result.text == result.output.removeprefix("Jack and Jill")
    assert result.metering is not None and result.metering.meter == "micro-lm"
    assert result.metering.cost is not None and result.metering.cost > 0
    assert client_v2.last_metering == result.metering
    body = emulator_v2.requests[-1]
    assert body.path == f"/models/v2/{GPT2}"


async def test_run_sends_the_field_the_task_takes(client_v2: BytezClient) -> None:
    labels = await client_v2.run("google/vit-base-patch16-224", "https://example.com/cat.jpg")
    assert isinstance(labels.output, list) and "label" in labels.output[0]
    image = await client_v2.run(IMAGE, "a cat")
    assert image.text.startswith("https://cdn.bytez.com/") and image.text.endswith(".png")
    reply = await client_v2.run(QWEN, "Hi")  # a chat model: the prompt becomes a message
    assert isinstance(reply.output, dict) and reply.output["role"] == "assistant"
    assert reply.text == reply.output["content"]


async def test_chat_in_both_forms(client_v2: BytezClient) -> None:
    reply = await client_v2.chat(QWEN, HI)
    assert isinstance(reply.output, dict) and reply.text == reply.output["content"]
    listed = [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]
    reply = await client_v2.chat(QWEN, listed)
    assert isinstance(reply.output, dict) and isinstance(reply.output["content"], list)
    assert reply.text == reply.output["content"][0]["text"] and reply.text


async def test_chat_with_a_text_generation_model_sends_a_transcript(
    client_v2: BytezClient,
) -> None:
    """v2's text-generation models take only `text`: a conversation goes as a transcript,
    and the reply (streamed or not) is the model's continuation, without the echo."""
    conversation: list[dict[str, Any]] = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": [{"type": "text", "text": "Hello."}]},
        {"role": "user", "content": "Tell me a story"},
    ]
    reply = await client_v2.chat(GPT2, conversation)
    assert reply.text and "System:" not in reply.text and "Assistant:" not in reply.text
    async with aclosing(client_v2.stream_chat(GPT2, conversation)) as fragments:
        streamed = "".join([fragment async for fragment in fragments])
    assert streamed and "System:" not in streamed and "Assistant:" not in streamed


async def test_v1_chat_sends_the_messages_as_input(
    client: BytezClient, emulator: EmulatorServer, clock: FixedClock
) -> None:
    await client.load(GPT2)
    clock.advance(emulator.world.boot_delay)
    reply = await client.chat(GPT2, HI)
    assert reply.text and reply.text == reply.output[0]["generated_text"][-1]["content"]
    async with aclosing(client.stream_chat(GPT2, HI)) as fragments:
        assert "".join([f async for f in fragments])


async def test_stream_and_stream_chat(client_v2: BytezClient) -> None:
    whole = await client_v2.run(GPT2, "Once", params={"max_new_tokens": 40})
    streamed = await collect(client_v2, GPT2, "Once")
    assert streamed == whole.text
    assert client_v2.last_metering is not None and client_v2.last_metering.cost
    async with aclosing(client_v2.stream_chat(QWEN, HI)) as fragments:
        chat = [fragment async for fragment in fragments]
    assert len(chat) > 1


async def test_a_stream_of_a_non_text_task_is_its_json_text(client_v2: BytezClient) -> None:
    assert (await collect(client_v2, IMAGE, "a cat")).startswith("https://cdn.bytez.com/")


async def test_stream_with_any_content_type(
    client_v2: BytezClient, emulator_v2: EmulatorServer, clock: FixedClock
) -> None:
    emulator_v2.reset(clock, fragment_interval=0.0, stream_content_type="application/octet-stream")
    assert await collect(client_v2, QWEN, "Hi")


async def test_stream_faults_keep_the_partial_text(
    client_v2: BytezClient, emulator_v2: EmulatorServer
) -> None:
    emulator_v2.error_fragment_after(3, "Error: CUDA out of memory")
    with pytest.raises(StreamFailed, match="CUDA") as failed:
        await collect(client_v2, QWEN, "Hi")
    assert failed.value.partial
    emulator_v2.cut_stream_after(3)
    with pytest.raises(StreamCut) as cut:
        await collect(client_v2, QWEN, "Hi")
    assert cut.value.partial


# -- errors -----------------------------------------------------------------------------------


async def test_401(emulator_v2: EmulatorServer) -> None:
    emulator_v2.world.key = "right"
    async with BytezClient(api_key="wrong", base_url=emulator_v2.url, api="v2") as client:
        with pytest.raises(AuthError, match="Unauthorized"):
            await client.list_tasks()


async def test_402_is_out_of_credits(
    client_v2: BytezClient, emulator_v2: EmulatorServer, clock: FixedClock
) -> None:
    emulator_v2.reset(clock, credits_exhausted=True)
    with pytest.raises(OutOfCredits, match="Insufficient credits"):
        await client_v2.run(GPT2, "x")


async def test_429_waits_for_ratelimit_reset(
    client_v2: BytezClient, emulator_v2: EmulatorServer
) -> None:
    emulator_v2.fail_next("run", 429, ratelimit_reset=7)
    with pytest.raises(RateLimited, match="retry in 7 s") as limited:
        await client_v2.run(GPT2, "x")
    assert limited.value.retry_after == 7
    emulator_v2.fail_next("run", 429, retry_after=2, ratelimit_reset=7)
    with pytest.raises(RateLimited) as limited:
        await client_v2.run(GPT2, "x")
    assert limited.value.retry_after == 2  # Retry-After, when sent, wins


async def test_free_tier_concurrency_is_rate_limited(
    client_v2: BytezClient, emulator_v2: EmulatorServer, clock: FixedClock
) -> None:
    emulator_v2.reset(clock, fragment_interval=0.05, concurrent_runs=1)
    stream = client_v2.stream(QWEN, "Hi", params={"max_new_tokens": 200})
    async with aclosing(stream):
        assert await anext(stream)
        with pytest.raises(RateLimited, match="Rate limit exceeded"):
            await client_v2.chat(QWEN, HI)


async def test_run_errors(client_v2: BytezClient, emulator_v2: EmulatorServer) -> None:
    with pytest.raises(NotFound, match="Model not found"):
        await client_v2.run("nobody/nothing", "x")
    emulator_v2.malformed_next("run", body='{"error": "CUDA out of memory", "output": null}')
    with pytest.raises(RunFailed, match="CUDA out of memory"):
        await client_v2.run(GPT2, "x")
    emulator_v2.malformed_next("run", body='{"error": null, "output"')
    with pytest.raises(BadResponse):
        await client_v2.run(GPT2, "x")
    with pytest.raises(ServerError, match="CUDA"):
        await client_v2.run("emulator-demo/will-fail-1b", "x")


async def test_an_envelope_error_on_a_read_is_a_bad_response(
    client_v2: BytezClient, emulator_v2: EmulatorServer
) -> None:
    emulator_v2.malformed_next("tasks", body='{"error": "maintenance", "output": null}')
    with pytest.raises(BadResponse, match="maintenance"):
        await client_v2.list_tasks()


async def test_streams_at_once_each_read_their_own_cost(
    client_v2: BytezClient, emulator_v2: EmulatorServer
) -> None:
    """The Compare pane streams several models at once, each in its own task: each reads
    the cost of its own run, not that of the stream whose headers came last."""

    async def cost_of(tokens: int) -> float | None:
        params = {"max_new_tokens": tokens}
        async with aclosing(client_v2.stream(GPT2, "Once", params=params)) as fragments:
            async for _ in fragments:
                pass
        metering = client_v2.last_metering
        return None if metering is None else metering.cost

    alone = [await cost_of(40), await cost_of(5)]
    assert alone[0] != alone[1]
    emulator_v2.world.fragment_interval = 0.005  # both streams are open at once
    together = await asyncio.gather(
        asyncio.ensure_future(cost_of(40)), asyncio.ensure_future(cost_of(5))
    )
    assert list(together) == alone
