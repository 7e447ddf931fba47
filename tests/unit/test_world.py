"""The emulator's `World`: pure state logic, stepped with a `FixedClock`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bytez_tui.clock import FixedClock
from bytez_tui.emulator.world import Reply, RunStream, World

GPT2 = "openai-community/gpt2"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def world(clock: FixedClock) -> World:
    return World(clock, demo_instances=0)


def ok(reply: Reply | RunStream) -> Any:
    assert isinstance(reply, Reply)
    assert reply.status == 200, reply.body
    return reply.body


def loaded(world: World, clock: FixedClock, model: str = GPT2, **body: Any) -> None:
    ok(world.load({"model": model, **body}))
    clock.advance(world.boot_delay)


def test_job_lifecycle(world: World, clock: FixedClock) -> None:
    first = ok(world.job({"model": "acme/new-7b"}))
    assert first == {
        "model": "acme/new-7b",
        "success": True,
        "modified": "2024-07-01T12:00:00.000Z",
    }

    clock.advance(world.job_delay - 0.5)
    queued = ok(world.job({"model": "acme/new-7b"}))
    assert queued["message"] == "Model is already queued"
    assert queued["startTime"] is None
    assert world.load({"model": "acme/new-7b"}).status == 404

    clock.advance(0.5)
    done = ok(world.job({"model": "acme/new-7b"}))
    assert done["message"] == "Model available"
    assert done["startTime"] == "2024-07-01T12:00:00.000Z"
    assert done["endTime"] == "2024-07-01T12:00:10.000Z"
    assert ok(world.load({"model": "acme/new-7b"}))["status"] == "started"


def test_job_for_catalogue_model_is_available_at_once(world: World) -> None:
    assert ok(world.job({"model": GPT2}))["message"] == "Model available"


@pytest.mark.parametrize("body", [{}, {"model": "no-slash"}, {"model": 3}, {"model": "a/b c"}])
def test_job_rejects_invalid_ids(world: World, body: dict[str, Any]) -> None:
    reply = world.job(body)
    assert reply.status == 400
    assert "error" in reply.body


def test_load_boots_through_states(world: World, clock: FixedClock) -> None:
    assert ok(world.load({"model": GPT2})) == {"model": GPT2, "status": "started", "concurrency": 1}
    seen = [ok(world.status({"model": GPT2}))["status"]]
    clock.advance(world.boot_delay / 2)
    seen.append(ok(world.status({"model": GPT2}))["status"])
    clock.advance(world.boot_delay / 2)
    status = ok(world.status({"model": GPT2}))
    seen.append(status["status"])
    assert seen == ["STARTING", "INSTANTIATING", "RUNNING"]
    assert set(status) == {
        "model",
        "status",
        "concurrency",
        "inferences",
        "expirationPeriodSeconds",
        "expirationPeriodMinutes",
        "expiresAt",
        "created",
        "modified",
    }
    assert status["expirationPeriodSeconds"] == 1800
    assert status["expirationPeriodMinutes"] == 30
    assert status["created"] == "2024-07-01T12:00:00.000Z"
    assert status["modified"] == "2024-07-01T12:00:05.000Z"
    assert status["expiresAt"] == "2024-07-01T12:30:05.000Z"


def test_failing_model_ends_failed_with_error(clock: FixedClock) -> None:
    world = World(clock, demo_instances=0, fail_models={GPT2})
    loaded(world, clock)
    status = ok(world.status({"model": GPT2}))
    assert status["status"] == "FAILED"
    assert "CUDA" in status["error"]
    assert world.run({"model": GPT2, "input": "hi"}).status == 409  # type: ignore[union-attr]
    assert ok(world.load({"model": GPT2}))["status"] == "started"  # a retry is allowed


def test_will_fail_marker_in_catalogue(world: World, clock: FixedClock) -> None:
    loaded(world, clock, "emulator-demo/will-fail-1b")
    assert ok(world.status({"model": "emulator-demo/will-fail-1b"}))["status"] == "FAILED"


def test_load_conflicts(world: World, clock: FixedClock) -> None:
    ok(world.load({"model": GPT2}))
    booting = world.load({"model": GPT2})
    assert booting.status == 429
    assert booting.body["error"] == f"{GPT2} operation already in progress: load"
    clock.advance(world.boot_delay)
    running = world.load({"model": GPT2})
    assert running.status == 409
    assert "already loaded" in running.body["error"]


def test_load_unknown_model_and_credits(world: World) -> None:
    assert world.load({"model": "nobody/nothing"}).status == 404
    world.credits_exhausted = True
    reply = world.load({"model": GPT2})
    assert reply.status == 429
    assert reply.body["error"].startswith("Out of free monthly credits")


def test_expiry_then_grace_then_gone(world: World, clock: FixedClock) -> None:
    loaded(world, clock, expirationPeriodSeconds=300)
    clock.advance(300 + world.grace - 1)
    assert ok(world.status({"model": GPT2}))["status"] == "RUNNING"
    clock.advance(1)
    assert world.status({"model": GPT2}).body == {"error": f"{GPT2} has no running instance"}
    assert ok(world.instances()) == []


def test_run_resets_expiry_and_counts_inferences(world: World, clock: FixedClock) -> None:
    loaded(world, clock, expirationPeriodSeconds=300)
    clock.advance(200)
    output = ok(world.run({"model": GPT2, "input": "Once upon a time"}))
    assert output["output"][0]["generated_text"].startswith("Once upon a time ")
    status = ok(world.status({"model": GPT2}))
    assert status["inferences"] == 1
    assert status["modified"] == "2024-07-01T12:03:25.000Z"
    assert status["expiresAt"] == "2024-07-01T12:08:25.000Z"
    clock.advance(300 + world.grace - 1)
    assert ok(world.status({"model": GPT2}))["status"] == "RUNNING"


def test_run_shapes_and_determinism(world: World, clock: FixedClock) -> None:
    loaded(world, clock)
    body = {"model": GPT2, "prompt": "Hello", "params": {"max_new_tokens": 7}}
    first, second = ok(world.run(body)), ok(world.run(body))
    assert first == second
    stream = world.run({**body, "stream": True})
    assert isinstance(stream, RunStream)
    assert len(stream.fragments) == 7
    assert "Hello" + "".join(stream.fragments) == first["output"][0]["generated_text"]

    chat = [{"role": "user", "content": "Hi"}]
    messages = ok(world.run({"model": GPT2, "input": chat}))["output"][0]["generated_text"]
    assert messages[0] == chat[0]
    assert messages[-1]["role"] == "assistant"

    assert world.run({"model": GPT2, "input": 5}).status == 400  # type: ignore[union-attr]
    assert world.run({"model": "microsoft/phi-1.onnx.8-bit", "input": "x"}).status == 409  # type: ignore[union-attr]


def test_summarisation_model_ignores_stream(world: World, clock: FixedClock) -> None:
    model = "facebook/bart-large-cnn-summarizer"
    loaded(world, clock, model)
    reply = ok(world.run({"model": model, "input": "Long text.", "stream": True}))
    assert set(reply["output"][0]) == {"summary_text"}


def test_echo_prompt(clock: FixedClock) -> None:
    world = World(clock, demo_instances=0, echo_prompt=True)
    loaded(world, clock)
    stream = world.run({"model": GPT2, "input": "Hi there", "stream": True})
    assert isinstance(stream, RunStream)
    assert stream.fragments[0] == "Hi there"


def test_delete(world: World, clock: FixedClock) -> None:
    loaded(world, clock)
    assert ok(world.delete({"model": GPT2})) == {"model": GPT2, "status": "STOPPED"}
    assert world.status({"model": GPT2}).status == 404
    assert world.delete({"model": GPT2}).status == 404


def test_demo_instances_run_with_staggered_expiry(clock: FixedClock) -> None:
    items = ok(World(clock).instances())
    assert len(items) == 2
    assert {i["status"] for i in items} == {"RUNNING"}
    expiries = sorted(i["expiresAt"] for i in items)
    assert expiries == ["2024-07-01T12:03:00.000Z", "2024-07-01T12:07:00.000Z"]
    assert GPT2 not in {i["model"] for i in items}


def test_auth() -> None:
    world = World(FixedClock(), key="secret")
    assert world.authorized("Key secret")
    assert world.authorized("key secret")
    assert not world.authorized("Key other")
    assert not world.authorized("Bearer secret")
    assert not world.authorized(None)
    anyone = World(FixedClock())
    assert anyone.authorized("KEY x")
    assert not anyone.authorized("Key ")


def test_catalogue_is_deterministic_from_seed(clock: FixedClock) -> None:
    a = World(clock, models=300, seed=1).list_json()
    assert a == World(clock, models=300, seed=1).list_json()
    assert a != World(clock, models=300, seed=2).list_json()
    entries = World(clock, models=300, seed=1).catalogue.entries
    assert len(entries) == 300
    assert entries[7].name == GPT2
    assert entries[7].required_ram == 0.5
    assert all(e.required_ram is None or e.benchmarked for e in entries)
    assert len({e.name for e in entries}) == 300
    assert all("/" in e.name for e in entries)


def test_catalogue_json_shape(world: World) -> None:
    import json

    items = json.loads(world.list_json())
    assert len(items) == 500
    assert all(set(i) == {"name", "requiredRAM", "benchmarked"} for i in items)
    assert all(i["benchmarked"] is (i["requiredRAM"] is not None) for i in items)
    nulls = sum(i["requiredRAM"] is None for i in items) / len(items)
    assert 0.1 < nulls < 0.3
    summaries = json.loads(world.list_json("summarization"))
    assert summaries and all("summar" in i["name"] for i in summaries)


def test_hundred_thousand_models_build(clock: FixedClock) -> None:
    """Scale check only; the timing lives in tests/benchmarks/bench_emulator.py."""
    world = World(clock, models=100_000, seed=99)
    body = world.list_json()
    assert len(world.catalogue) == 100_000
    assert len({e.name for e in world.catalogue.entries}) == 100_000
    assert body is world.list_json()  # served from the cache


def test_timestamps_use_the_clock(world: World, clock: FixedClock) -> None:
    clock.set(clock.now() + timedelta(milliseconds=1234))
    assert ok(world.job({"model": "acme/x"}))["modified"] == "2024-07-01T12:00:01.234Z"


@pytest.mark.parametrize(
    "argv",
    [["--port", "99999"], ["--port", "-1"], ["--models", "-3"], ["--job-delay", "soon"]],
)
def test_emulator_flags_out_of_range_are_usage_errors(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`--port 99999` used to end in an OverflowError traceback from the socket."""
    from bytez_tui.emulator.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert f"argument {argv[0]}:" in capsys.readouterr().err
