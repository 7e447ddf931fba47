"""The emulator over real HTTP on loopback, spoken to with plain httpx as curl would."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from email.utils import parsedate_to_datetime

import httpx
import pytest

from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer

GPT2 = "openai-community/gpt2"
HEADERS = {"Authorization": "Key K", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as emulator:
        yield emulator


@pytest.fixture
def clock(server: EmulatorServer) -> FixedClock:
    clock = FixedClock()
    server.reset(clock, demo_instances=0, fragment_interval=0.0)
    return clock


@pytest.fixture
def http(server: EmulatorServer, clock: FixedClock) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=HEADERS, timeout=10) as client:
        yield client


def load_and_boot(http: httpx.Client, clock: FixedClock, server: EmulatorServer) -> None:
    response = http.post("/model/load", json={"model": GPT2})
    assert response.status_code == 200
    clock.advance(server.world.boot_delay)


def test_documented_curl_session(http: httpx.Client, clock: FixedClock) -> None:
    """Every request of §10, in order, answers the §2–§3 shapes."""
    catalogue = http.get("/model/list")
    assert catalogue.status_code == 200
    assert catalogue.headers["content-type"] == "application/json"
    items = catalogue.json()
    assert items[7] == {"name": GPT2, "requiredRAM": 0.5, "benchmarked": True}

    job = http.post("/model/job", json={"model": "acme/fresh-1b"}).json()
    assert job == {
        "model": "acme/fresh-1b",
        "success": True,
        "modified": "2024-07-01T12:00:00.000Z",
    }
    assert http.post("/model/job", json={"model": "acme/fresh-1b"}).json()["startTime"] is None
    clock.advance(10)
    done = http.post("/model/job", json={"model": "acme/fresh-1b"}).json()
    assert done["message"] == "Model available"
    assert {"startTime", "endTime", "modified"} <= set(done)

    body = {"model": GPT2, "concurrency": 1, "expirationPeriodSeconds": 300}
    loaded = http.post("/model/load", json=body)
    assert loaded.json() == {"model": GPT2, "status": "started", "concurrency": 1}
    clock.advance(5)

    status = http.post("/model/status", json={"model": GPT2}).json()
    assert status["status"] == "RUNNING"
    assert len(status) == 9
    assert status["expirationPeriodMinutes"] == 5

    run = {
        "model": GPT2,
        "prompt": "Once upon a time there was a",
        "params": {"min_length": 30, "max_length": 256},
        "stream": True,
    }
    with http.stream("POST", "/model/run", json=run) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"] == "text/event-stream; charset=utf-8"
        text = "".join(stream.iter_text())
    assert text.startswith(" ")
    assert not text.startswith("data:")

    instances = http.get("/model/instances").json()
    assert [i["model"] for i in instances] == [GPT2]
    assert instances[0]["inferences"] == 1

    deleted = http.post("/model/delete", json={"model": GPT2})
    assert deleted.status_code == 200
    assert deleted.json() == {"model": GPT2, "status": "STOPPED"}
    gone = http.post("/model/status", json={"model": GPT2})
    assert gone.status_code == 404
    assert gone.json() == {"error": f"{GPT2} has no running instance"}


def test_list_and_instances_accept_get_and_post(http: httpx.Client) -> None:
    assert http.get("/model/list").content == http.post("/model/list").content
    assert http.get("/model/instances").json() == http.post("/model/instances").json() == []
    summaries = http.get("/model/list", params={"task": "summarization"}).json()
    assert summaries and all("summar" in item["name"] for item in summaries)


def test_method_and_path_errors(http: httpx.Client) -> None:
    wrong_method = http.get("/model/load")
    assert wrong_method.status_code == 405
    assert "error" in wrong_method.json()
    assert http.post("/model/nothing", json={}).status_code == 404
    assert http.get("/elsewhere").status_code == 404
    bad_json = http.post("/model/status", content=b"{not json")
    assert bad_json.status_code == 400


def test_load_conflicts_over_http(http: httpx.Client, clock: FixedClock) -> None:
    http.post("/model/load", json={"model": GPT2})
    busy = http.post("/model/load", json={"model": GPT2})
    assert busy.status_code == 429
    assert "operation already in progress: load" in busy.json()["error"]
    clock.advance(5)
    again = http.post("/model/load", json={"model": GPT2})
    assert again.status_code == 409
    assert "already loaded" in again.json()["error"]


def test_run_before_load_is_409(http: httpx.Client) -> None:
    response = http.post("/model/run", json={"model": GPT2, "input": "hi"})
    assert response.status_code == 409
    assert response.json() == {"error": f"{GPT2} is not running"}


def test_non_streamed_run(http: httpx.Client, clock: FixedClock, server: EmulatorServer) -> None:
    load_and_boot(http, clock, server)
    body = {"model": GPT2, "input": "Hello", "params": {"max_new_tokens": 5}}
    output = http.post("/model/run", json=body).json()
    assert output["output"][0]["generated_text"].startswith("Hello ")


def test_stream_arrives_in_chunks_over_time(
    http: httpx.Client, clock: FixedClock, server: EmulatorServer
) -> None:
    server.world.fragment_interval = 0.03
    load_and_boot(http, clock, server)
    run = {"model": GPT2, "input": "Hi", "params": {"max_new_tokens": 6}, "stream": True}
    arrivals: list[float] = []
    chunks: list[str] = []
    with http.stream("POST", "/model/run", json=run) as stream:
        for chunk in stream.iter_text():
            arrivals.append(time.monotonic())
            chunks.append(chunk)
    assert len(chunks) >= 3
    assert arrivals[-1] - arrivals[0] > 0.05
    assert len("".join(chunks)) > 6


def test_401_without_or_with_wrong_key(server: EmulatorServer, clock: FixedClock) -> None:
    with httpx.Client(base_url=server.url) as anonymous:
        response = anonymous.get("/model/list")
        assert response.status_code == 401
        assert response.json() == {"error": "Unauthorized"}
        assert (
            anonymous.get("/model/list", headers={"Authorization": "Bearer K"}).status_code == 401
        )
    server.reset(clock, key="right")
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/model/list", headers={"Authorization": "Key wrong"}).status_code == 401
        assert client.get("/model/list", headers={"authorization": "key right"}).status_code == 200


def test_date_header_follows_the_clock(
    http: httpx.Client, clock: FixedClock, server: EmulatorServer
) -> None:
    first = parsedate_to_datetime(http.get("/model/instances").headers["date"])
    assert first == clock.now()
    clock.advance(90)
    assert parsedate_to_datetime(http.get("/model/list").headers["date"]) == clock.now()
    server.world.clock_skew = -30
    skewed = parsedate_to_datetime(http.post("/model/status", json={"model": GPT2}).headers["date"])
    assert skewed == clock.now() - timedelta(seconds=30)
    assert len(http.get("/model/list").headers.get_list("date")) == 1


def test_fail_next(http: httpx.Client, server: EmulatorServer) -> None:
    server.fail_next("instances", 503, count=2, retry_after=3)
    for _ in range(2):
        failed = http.get("/model/instances")
        assert failed.status_code == 503
        assert failed.headers["retry-after"] == "3"
        assert failed.json() == {"error": "Service Unavailable"}
    assert http.get("/model/instances").status_code == 200

    server.fail_next("*", 502, html=True)
    page = http.get("/model/list")
    assert page.status_code == 502
    assert page.headers["content-type"].startswith("text/html")
    assert "<html>" in page.text

    server.fail_next("load", 429, body='{"error":"Rate limit exceeded"}')
    assert http.post("/model/load", json={"model": GPT2}).json() == {"error": "Rate limit exceeded"}


def test_slow_triggers_client_timeout(http: httpx.Client, server: EmulatorServer) -> None:
    server.slow("list", 0.5)
    with pytest.raises(httpx.ReadTimeout):
        http.get("/model/list", timeout=0.1)
    server.slow("list", None)
    assert http.get("/model/list", timeout=5).status_code == 200


def test_malformed_next(http: httpx.Client, server: EmulatorServer) -> None:
    server.malformed_next("status")
    broken = http.post("/model/status", json={"model": GPT2})
    assert broken.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        broken.json()
    server.malformed_next("list", body='{"unexpected": true}')
    assert http.get("/model/list").json() == {"unexpected": True}
    assert isinstance(http.get("/model/list").json(), list)


def test_cut_stream_makes_httpx_raise(
    http: httpx.Client, clock: FixedClock, server: EmulatorServer
) -> None:
    load_and_boot(http, clock, server)
    server.cut_stream_after(2)
    run = {"model": GPT2, "input": "Hi", "stream": True}
    received: list[str] = []
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        with http.stream("POST", "/model/run", json=run) as stream:
            for chunk in stream.iter_text():
                received.append(chunk)
    assert len("".join(received).split(" ")) >= 2
    # The fault is used up: the next stream completes.
    with http.stream("POST", "/model/run", json=run) as stream:
        assert "".join(stream.iter_text())


def test_error_fragment_ends_stream_normally(
    http: httpx.Client, clock: FixedClock, server: EmulatorServer
) -> None:
    load_and_boot(http, clock, server)
    server.error_fragment_after(3)
    run = {"model": GPT2, "input": "Hi", "stream": True}
    with http.stream("POST", "/model/run", json=run) as stream:
        assert stream.status_code == 200
        text = "".join(stream.iter_text())
    assert text.endswith("Error: CUDA out of memory")
    assert len(text) > len("Error: CUDA out of memory")


def test_disconnect_is_detected(
    http: httpx.Client, clock: FixedClock, server: EmulatorServer
) -> None:
    server.world.fragment_interval = 0.05
    load_and_boot(http, clock, server)
    run = {"model": GPT2, "input": "Hi", "params": {"max_new_tokens": 200}, "stream": True}
    assert server.disconnects == 0
    with http.stream("POST", "/model/run", json=run) as stream:
        next(stream.iter_raw())
    # Leaving the block closes the response: httpx drops a half-read connection.
    assert server.wait_for_disconnect(timeout=5)
    assert server.disconnects == 1


def test_request_log_counts_per_endpoint(http: httpx.Client, server: EmulatorServer) -> None:
    for _ in range(3):
        http.get("/model/instances")
    http.post("/model/status", json={"model": GPT2})
    assert server.count("instances") == 3
    assert server.count("/model/status") == 1
    assert server.count("status", model=GPT2) == 1
    assert server.count() == 4
    assert [r.endpoint for r in server.requests] == ["instances"] * 3 + ["status"]


def test_reset_clears_state_faults_and_log(
    http: httpx.Client, clock: FixedClock, server: EmulatorServer
) -> None:
    load_and_boot(http, clock, server)
    server.fail_next("list", 500)
    server.reset(clock, demo_instances=0)
    assert server.count() == 0
    assert http.get("/model/list").status_code == 200
    assert http.get("/model/instances").json() == []


def test_start_stop_on_a_free_port() -> None:
    with EmulatorServer(port=0) as first, EmulatorServer(port=0) as second:
        assert first.port != second.port
        assert first.url.startswith("http://127.0.0.1:")
        with httpx.Client(headers=HEADERS) as client:
            assert client.get(f"{second.url}/model/instances").status_code == 200
    with pytest.raises(RuntimeError):
        _ = first.url


@pytest.mark.asyncio
async def test_async_client_sees_cut_and_chunks(server: EmulatorServer, clock: FixedClock) -> None:
    """The real client reads streams with `AsyncClient.aiter_text()`; check that path too."""
    server.world.fragment_interval = 0.01
    async with httpx.AsyncClient(base_url=server.url, headers=HEADERS, timeout=10) as client:
        await client.post("/model/load", json={"model": GPT2})
        clock.advance(server.world.boot_delay)
        run = {"model": GPT2, "input": "Hi", "params": {"max_new_tokens": 8}, "stream": True}
        async with client.stream("POST", "/model/run", json=run) as stream:
            chunks = [chunk async for chunk in stream.aiter_text()]
        assert len(chunks) >= 2
        server.cut_stream_after(3)
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            async with client.stream("POST", "/model/run", json=run) as stream:
                async for _ in stream.aiter_text():
                    pass
