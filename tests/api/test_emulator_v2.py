"""The emulator's v2 face (`/models/v2/*`) over real HTTP on loopback, spoken to as curl would."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer
from bytez_tui.emulator.v2.catalogue import TASKS

GPT2 = "openai-community/gpt2"
QWEN = "Qwen/Qwen3-4B"
IMAGE = "dreamlike-art/dreamlike-photoreal-2.0"
PHI = "microsoft/phi-1"
HEADERS = {"Authorization": "Key K", "Content-Type": "application/json"}
HI = [{"role": "user", "content": "Hi"}]


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as emulator:
        yield emulator


@pytest.fixture
def clock(server: EmulatorServer) -> FixedClock:
    clock = FixedClock()
    server.reset(clock, models=200, seed=7, demo_instances=0, fragment_interval=0.0)
    return clock


@pytest.fixture
def http(server: EmulatorServer, clock: FixedClock) -> Iterator[httpx.Client]:
    base = f"{server.url}/models/v2/"
    with httpx.Client(base_url=base, headers=HEADERS, timeout=10) as client:
        yield client


def output(response: httpx.Response, status: int = 200) -> object:
    """Check the status and the `{error: null, output}` envelope; return the output."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "output"}
    assert body["error"] is None
    return body["output"]


def error(response: httpx.Response, status: int) -> str:
    """Check an error envelope; return its error text."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["output"] is None
    text: str = body["error"]
    return text


# -- listing ------------------------------------------------------------------------------


def test_list_models_has_the_six_documented_fields(http: httpx.Client) -> None:
    response = http.get("list/models")
    assert response.headers["content-type"].startswith("application/json")
    models = output(response)
    assert isinstance(models, list)
    assert len(models) == 200 + 8  # the shared catalogue plus models newer than v1's list
    for entry in models:
        assert set(entry) == {"modelId", "task", "params", "ramRequired", "meter", "meterPrice"}
        assert entry["task"] in TASKS
        assert isinstance(entry["params"], int | float) and entry["params"] > 0
        assert isinstance(entry["ramRequired"], int | float)
        assert entry["meterPrice"].endswith(" / sec")
        float(entry["meterPrice"].removesuffix(" / sec"))
    spec = next(m for m in models if m["modelId"] == "0-hero/Matter-0.1-Slim-7B-C")
    assert spec == {
        "modelId": "0-hero/Matter-0.1-Slim-7B-C",
        "task": "chat",
        "params": 7.24,
        "ramRequired": 29,
        "meter": "sm-free",
        "meterPrice": "0.0006478333 / sec",
    }


def test_tasks_and_prices_follow_the_reference_tables(http: httpx.Client) -> None:
    models = {m["modelId"]: m for m in output(http.get("list/models"))}  # type: ignore[attr-defined]
    assert models[GPT2]["task"] == "text-generation"
    assert models[GPT2]["meter"] == "micro-lm"
    assert models[GPT2]["meterPrice"] == "0.0000872083 / sec"
    falcon = models["tiiuae/falcon-40b-instruct"]  # 182 GB: the XL tier, a chat model
    assert (falcon["task"], falcon["meter"]) == ("chat", "xl-lm")
    assert falcon["meterPrice"] == "0.0024468774 / sec"
    assert models[IMAGE]["task"] == "text-to-image"
    assert models[IMAGE]["meterPrice"] == "0.00053440 / sec"  # the "other" micro meter


def test_list_models_filters(http: httpx.Client) -> None:
    chat = output(http.get("list/models", params={"task": "chat"}))
    assert isinstance(chat, list) and chat
    assert {m["task"] for m in chat} == {"chat"}
    one = output(http.get("list/models", params={"modelId": GPT2}))
    assert isinstance(one, list) and [m["modelId"] for m in one] == [GPT2]
    assert output(http.get("list/models", params={"modelId": "no/such-model"})) == []
    # bytez.js builds `?task=x?modelId=y`: a second `?` inside the task value.
    bug = output(http.get(f"list/models?task=chat?modelId={QWEN}"))
    assert isinstance(bug, list) and [m["modelId"] for m in bug] == [QWEN]
    assert output(http.get(f"list/models?task=text-to-image?modelId={QWEN}")) == []


def test_list_tasks(http: httpx.Client) -> None:
    tasks = output(http.get("list/tasks"))
    assert tasks == list(TASKS)
    assert "chat" in tasks and len(tasks) == 34


def test_list_routes_are_get_only(http: httpx.Client) -> None:
    response = http.post("list/models", json={})
    assert error(response, 405) == "Method Not Allowed"
    assert response.headers["allow"] == "GET"
    assert error(http.get("list/nothing"), 404).startswith("Not found")
    assert error(http.get("openai/v1/models"), 404).startswith("Not found")


# -- request/ -----------------------------------------------------------------------------


def test_request_queues_then_lists_the_model(
    http: httpx.Client, server: EmulatorServer, clock: FixedClock
) -> None:
    fresh = "Finisha-F-scratch/Lamina-basic"
    assert output(http.post(f"request/{fresh}")) == "Job queued"
    assert output(http.post(f"request/{fresh}")) == "Job queued"  # repeat: same answer
    assert output(http.get("list/models", params={"modelId": fresh})) == []
    clock.advance(server.world.job_delay)
    found = output(http.get("list/models", params={"modelId": fresh}))
    assert isinstance(found, list) and found[0]["modelId"] == fresh
    everything = output(http.get("list/models"))
    assert isinstance(everything, list) and everything[-1]["modelId"] == fresh
    # The docs' example sends no key: accepted; a wrong key is not.
    bare = httpx.post(f"{server.url}/models/v2/request/acme/other-1b")
    assert output(bare) == "Job queued"
    assert error(http.get(f"request/{fresh}"), 405) == "Method Not Allowed"
    server.world.key = "right"
    wrong = httpx.post(f"{server.url}/models/v2/request/acme/other-1b", headers=HEADERS)
    assert error(wrong, 401) == "Unauthorized"


# -- clusters -----------------------------------------------------------------------------


def test_cluster_lifecycle(http: httpx.Client, server: EmulatorServer, clock: FixedClock) -> None:
    body = {"timeout": 10, "capacity": {"min": 0, "desired": 1, "max": 1}}
    assert output(http.put(PHI, json=body), 202) == "Loading"
    assert error(http.put(PHI, json=body), 409) == "Cluster already exists"
    cluster = output(http.get(PHI))
    assert cluster == {
        "modelId": PHI,
        "status": "booting instance",
        "created": "2024-07-01T12:00:00.000Z",
        "modified": "2024-07-01T12:00:00.000Z",
        "timeout": 10,
        "capacity": {"min": 0, "desired": 1, "max": 1},
        "instances": 1,
        "inferences": 0,
        "lastInference": "2024-07-01T12:00:00.000Z",
    }
    clock.advance(server.world.boot_delay)
    assert output(http.get(PHI))["status"] == "running"  # type: ignore[index]
    output(http.post(PHI, json={"text": "Hello"}))
    clock.advance(30)
    output(http.post(PHI, json={"text": "Hello"}))
    cluster = output(http.get(PHI))
    assert isinstance(cluster, dict)
    assert cluster["inferences"] == 2
    assert cluster["lastInference"] == "2024-07-01T12:00:35.000Z"
    patched = output(http.patch(PHI, json={"timeout": 2, "capacity": {"max": 3}}))
    assert isinstance(patched, dict)
    assert patched["timeout"] == 2
    assert patched["capacity"] == {"min": 0, "desired": 1, "max": 3}
    clusters = output(http.get("list/clusters"))
    assert isinstance(clusters, list) and [c["modelId"] for c in clusters] == [PHI]
    assert output(http.delete(PHI)) is None
    assert error(http.get(PHI), 404) == "Cluster not found"
    assert error(http.delete(PHI), 404) == "Cluster not found"
    assert error(http.patch(PHI, json={}), 404) == "Cluster not found"


def test_cluster_expires_after_timeout_idle_minutes(
    http: httpx.Client, server: EmulatorServer, clock: FixedClock
) -> None:
    server.world.grace = 0
    output(http.put(PHI, json={"timeout": 1}), 202)
    clock.advance(server.world.boot_delay + 59)
    assert output(http.get(PHI))["status"] == "running"  # type: ignore[index]
    clock.advance(1)
    assert error(http.get(PHI), 404) == "Cluster not found"
    assert output(http.get("list/clusters")) == []


def test_cluster_settings_are_checked(http: httpx.Client) -> None:
    assert "1 to 1440" in error(http.put(PHI, json={"timeout": 0}), 400)
    assert "1 to 1440" in error(http.put(PHI, json={"timeout": 1441}), 400)
    assert "capacity" in error(http.put(PHI, json={"capacity": {"min": 2, "max": 1}}), 400)
    assert "capacity" in error(http.put(PHI, json={"capacity": {"max": 11}}), 400)
    assert error(http.put("no/such-model", json={}), 404) == "Model not found"
    assert "JSON" in error(http.put(PHI, content=b"{nope"), 400)


def test_patch_status_off_shuts_the_cluster_down(http: httpx.Client) -> None:
    output(http.put(PHI, json={}), 202)
    off = output(http.patch(PHI, json={"status": "off"}))
    assert isinstance(off, dict) and (off["status"], off["instances"]) == ("off", 0)
    assert error(http.get(PHI), 404) == "Cluster not found"
    assert "status" in error(http.patch(PHI, json={"status": "sideways"}), 400)


def test_failed_boot_reads_failed(
    http: httpx.Client, server: EmulatorServer, clock: FixedClock
) -> None:
    model = "emulator-demo/will-fail-1b"
    output(http.put(model, json={}), 202)
    clock.advance(server.world.boot_delay)
    cluster = output(http.get(model))
    assert isinstance(cluster, dict) and cluster["status"] == "failed"
    assert "CUDA" in error(http.post(model, json={"text": "x"}), 500)


def test_one_world_behind_both_faces(
    http: httpx.Client, server: EmulatorServer, clock: FixedClock
) -> None:
    v1 = httpx.post(f"{server.url}/model/load", json={"model": PHI}, headers=HEADERS)
    assert v1.status_code == 200
    clusters = output(http.get("list/clusters"))
    assert isinstance(clusters, list) and clusters[0]["modelId"] == PHI
    assert clusters[0]["timeout"] == 30  # v1's default 1800 s, in minutes
    output(http.put(QWEN, json={"timeout": 5}), 202)
    v1_list = httpx.post(f"{server.url}/model/instances", headers=HEADERS).json()
    qwen = next(i for i in v1_list if i["model"] == QWEN)
    assert qwen["expirationPeriodSeconds"] == 300


def test_clusters_gone_switch(http: httpx.Client, server: EmulatorServer) -> None:
    server.clusters_gone()
    assert error(http.get("list/clusters"), 404)
    assert error(http.put(PHI, json={}), 404)
    assert error(http.get(PHI), 404)
    assert error(http.patch(PHI, json={}), 404)
    assert error(http.delete(PHI), 404)
    output(http.post(GPT2, json={"text": "still runs"}))  # runs don't need the routes
    server.clusters_gone(405)
    assert error(http.get("list/clusters"), 405)
    server.clusters_gone(None)
    assert output(http.get("list/clusters")) == [
        output(http.get(GPT2))  # the run created a cluster, which reads back the same
    ]


# -- runs ---------------------------------------------------------------------------------


def test_text_generation_output_includes_the_prompt(http: httpx.Client) -> None:
    body = {"text": "Jack and Jill", "params": {"max_new_tokens": 5}}
    text = output(http.post(GPT2, json=body))
    assert isinstance(text, str) and text.startswith("Jack and Jill")
    same = output(http.post(GPT2, json={"input": "Jack and Jill", "params": {"max_new_tokens": 5}}))
    assert same == text  # `input`, as the SDKs send it, is the same run


def test_a_run_creates_its_cluster(http: httpx.Client) -> None:
    assert error(http.get(GPT2), 404) == "Cluster not found"
    output(http.post(GPT2, json={"text": "x"}))
    cluster = output(http.get(GPT2))
    assert isinstance(cluster, dict)
    assert (cluster["status"], cluster["timeout"], cluster["inferences"]) == ("running", 10, 1)


def test_chat_answers_a_message(http: httpx.Client) -> None:
    message = output(http.post(QWEN, json={"messages": HI}))
    assert isinstance(message, dict) and message["role"] == "assistant"
    assert isinstance(message["content"], str) and message["content"]
    listed = [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]
    message = output(http.post(QWEN, json={"messages": listed}))
    assert isinstance(message, dict)
    assert message["content"][0]["type"] == "text"
    assert isinstance(message["content"][0]["text"], str)
    assert "messages" in error(http.post(QWEN, json={"messages": 5}), 400)
    assert "messages" in error(http.post(QWEN, json={"messages": [{"content": "x"}]}), 400)


def test_media_tasks_answer_a_cdn_url_or_raw_bytes(http: httpx.Client) -> None:
    url = output(http.post(IMAGE, json={"text": "a cat"}))
    assert (
        isinstance(url, str) and url.startswith("https://cdn.bytez.com/") and url.endswith(".png")
    )
    raw = http.post(IMAGE, json={"text": "a cat", "json": False})
    assert raw.status_code == 200
    assert raw.headers["content-type"] == "image/png"
    assert raw.content.startswith(b"\x89PNG")


def test_other_tasks_take_their_own_inputs(http: httpx.Client) -> None:
    classifier = "google/vit-base-patch16-224"
    assert "url" in error(http.post(classifier, json={"text": "no image"}), 400)
    labels = output(http.post(classifier, json={"url": "https://example.com/cat.jpg"}))
    assert isinstance(labels, list) and {"label", "score"} <= set(labels[0])
    vector = output(http.post("sentence-transformers/all-MiniLM-L6-v2", json={"text": "hi"}))
    assert isinstance(vector, list) and all(isinstance(x, float) for x in vector)
    summary = output(http.post("facebook/bart-large-cnn", json={"text": "long text"}))
    assert isinstance(summary, str) and not summary.startswith("long text")


def test_run_errors(http: httpx.Client) -> None:
    assert error(http.post("no/such-model", json={"text": "x"}), 404) == "Model not found"
    assert "text" in error(http.post(GPT2, json={"text": 3}), 400)
    assert "params" in error(http.post(GPT2, json={"text": "x", "params": [1]}), 400)
    assert "JSON" in error(http.post(GPT2, content=b"{"), 400)
    assert "object" in error(http.post(GPT2, json=[1]), 400)


def test_stream_is_raw_text_without_the_prompt(http: httpx.Client) -> None:
    whole = output(http.post(GPT2, json={"text": "Once", "params": {"max_new_tokens": 8}}))
    with http.stream(
        "POST", GPT2, json={"text": "Once", "stream": True, "params": {"max_new_tokens": 8}}
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        chunks = list(response.iter_text())
    streamed = "".join(chunks)
    assert "data:" not in streamed
    assert isinstance(whole, str) and whole == "Once" + streamed


def test_stream_content_type_is_configurable(
    http: httpx.Client, server: EmulatorServer, clock: FixedClock
) -> None:
    server.reset(clock, fragment_interval=0.0, stream_content_type="application/octet-stream")
    with http.stream("POST", QWEN, json={"messages": HI, "stream": True}) as response:
        assert response.headers["content-type"] == "application/octet-stream"
        assert b"".join(response.iter_bytes())


def test_stream_true_on_a_non_text_task_is_json(http: httpx.Client) -> None:
    url = output(http.post(IMAGE, json={"text": "a cat", "stream": True}))
    assert isinstance(url, str) and url.startswith("https://cdn.bytez.com/")


def test_stream_faults(http: httpx.Client, server: EmulatorServer) -> None:
    server.error_fragment_after(2, "Error: CUDA out of memory")
    with http.stream("POST", QWEN, json={"messages": HI, "stream": True}) as response:
        text = "".join(response.iter_text())
    assert text.endswith("Error: CUDA out of memory")
    server.cut_stream_after(2)
    with (
        pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)),
        http.stream("POST", QWEN, json={"messages": HI, "stream": True}) as response,
    ):
        list(response.iter_text())


def test_metering_and_ratelimit_headers(http: httpx.Client) -> None:
    response = http.post(QWEN, json={"messages": HI})
    headers = response.headers
    assert headers["inference-meter"] == "micro-lm"
    assert headers["inference-meter-price"] == "0.0000872083"
    seconds = float(headers["inference-time"])
    assert float(headers["inference-cost"]) == pytest.approx(0.0000872083 * seconds, rel=1e-6)
    for name in ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"):
        assert headers[name].isdigit()
    listing = http.get("list/tasks").headers
    assert "ratelimit-limit" in listing and "inference-cost" not in listing
    with http.stream("POST", QWEN, json={"messages": HI, "stream": True}) as stream:
        assert "inference-cost" in stream.headers


# -- auth and errors ----------------------------------------------------------------------


@pytest.mark.parametrize("header", ["Key K", "Bearer K", "K", "key K", "BEARER K"])
def test_the_three_auth_forms(server: EmulatorServer, clock: FixedClock, header: str) -> None:
    response = httpx.get(f"{server.url}/models/v2/list/tasks", headers={"Authorization": header})
    assert response.status_code == 200


@pytest.mark.parametrize("header", [None, "", "Key", "Bearer", "Key a b"])
def test_401_body(server: EmulatorServer, clock: FixedClock, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = httpx.get(f"{server.url}/models/v2/list/models", headers=headers)
    assert response.json() == {"error": "Unauthorized", "output": None}
    assert response.status_code == 401


def test_only_the_configured_key(server: EmulatorServer, clock: FixedClock) -> None:
    server.world.key = "right"
    url = f"{server.url}/models/v2/list/tasks"
    assert httpx.get(url, headers={"Authorization": "Bearer right"}).status_code == 200
    assert httpx.get(url, headers={"Authorization": "Key wrong"}).status_code == 401


def test_402_out_of_credits_body(
    http: httpx.Client, server: EmulatorServer, clock: FixedClock
) -> None:
    server.reset(clock, credits_exhausted=True)
    expected = {
        "status": 402,
        "error": "Payment Required",
        "message": "Insufficient credits. Please add credits to continue.",
    }
    for response in (http.post(GPT2, json={"text": "x"}), http.put(PHI, json={})):
        assert response.status_code == 402
        assert response.json() == expected
    server.reset(clock)
    server.fail_next("run", 402)
    assert http.post(GPT2, json={"text": "x"}).json() == expected


def test_429_faults_carry_ratelimit_reset(http: httpx.Client, server: EmulatorServer) -> None:
    server.fail_next("run", 429, ratelimit_reset=3)
    response = http.post(GPT2, json={"text": "x"})
    assert error(response, 429) == "Rate limit exceeded"
    assert response.headers["ratelimit-reset"] == "3"
    assert response.headers["ratelimit-remaining"] == "0"
    assert "retry-after" not in response.headers
    server.fail_next("list", 503)
    assert error(http.get("list/models"), 503) == "Service Unavailable"
    server.fail_next("tasks", 500, body="upstream exploded")
    raw = http.get("list/tasks")
    assert (raw.status_code, raw.text) == (500, "upstream exploded")


def test_free_tier_second_concurrent_run_is_429(
    server: EmulatorServer, clock: FixedClock, http: httpx.Client
) -> None:
    server.reset(clock, fragment_interval=0.05, concurrent_runs=1)
    body = {"messages": HI, "stream": True, "params": {"max_new_tokens": 200}}
    with http.stream("POST", QWEN, json=body) as stream:
        chunks = stream.iter_text()  # kept open: leaving the loop would hang up
        assert next(chunks)
        second = http.post(QWEN, json={"messages": HI})
        assert error(second, 429) == "Rate limit exceeded"
        assert second.headers["ratelimit-remaining"] == "0"
    assert server.wait_for_disconnect()
    output(http.post(QWEN, json={"messages": HI}))  # the slot is free again


def test_faults_and_log_share_v1_endpoint_names(http: httpx.Client, server: EmulatorServer) -> None:
    http.get("list/models")
    http.post(GPT2, json={"text": "x"})
    http.get(GPT2)
    assert server.count("list") == 1
    assert server.count("run", model=GPT2) == 1
    assert server.count("status", model=GPT2) == 1
    assert server.requests[1].path == f"/models/v2/{GPT2}"


# -- which faces are served ---------------------------------------------------------------


def test_api_v1_only_and_v2_only() -> None:
    clock = FixedClock()
    with EmulatorServer(api="v1") as v1:
        v1.reset(clock)
        assert httpx.get(f"{v1.url}/models/v2/list/tasks", headers=HEADERS).status_code == 404
        assert httpx.get(f"{v1.url}/model/list", headers=HEADERS).status_code == 200
    with EmulatorServer(api="v2") as v2:
        v2.reset(clock)
        assert httpx.get(f"{v2.url}/models/v2/list/tasks", headers=HEADERS).status_code == 200
        gone = httpx.post(f"{v2.url}/model/list", headers=HEADERS)
        assert gone.status_code == 404
        assert json.loads(gone.text)["error"].startswith("Not found")
    with pytest.raises(ValueError, match="api must be"):
        EmulatorServer(api="v3")


def test_emulator_command_serves_both_faces_by_default() -> None:
    from bytez_tui.emulator.cli import build_parser

    assert build_parser().parse_args([]).api == "both"
    assert build_parser().parse_args(["--api", "v2"]).api == "v2"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--api", "v3"])
