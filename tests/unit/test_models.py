"""Tolerant parsing: aliases, nulls, extra keys, and nothing but BadResponse on junk."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bytez_tui.api.catalogue import catalogue_item, read_catalogue
from bytez_tui.billing import billed_seconds, cost_per_hour, cost_usd
from bytez_tui.errors import BadResponse
from bytez_tui.json_fields import parse_price, parse_time
from bytez_tui.models import Instance, Job, Metering, ModelInfo, RunResult

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from([10**400, -(10**400), 1e300, -1e300, 1e308]),  # absurd numbers
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)

FIELDS = [
    "name", "modelId", "model", "requiredRAM", "requiredRamGB", "ramRequired", "benchmarked",
    "success", "message", "startTime", "endTime", "modified", "status", "concurrency",
    "inferences", "expirationPeriodSeconds", "expirationPeriodMinutes", "expiresAt", "created",
    "error", "output", "task", "params", "meterPrice", "meter", "timeout", "capacity",
    "lastInference",
]  # fmt: skip

payloads = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), json_values, max_size=12),
)


@pytest.mark.parametrize(
    "parse",
    [ModelInfo.from_json, Job.from_json, Instance.from_json, RunResult.from_json],
    ids=["ModelInfo", "Job", "Instance", "RunResult"],
)
@settings(max_examples=300, deadline=None)
@given(data=payloads)
def test_parsers_raise_only_bad_response(parse: Any, data: object) -> None:
    try:
        parse(data)
    except BadResponse:
        pass


@pytest.mark.parametrize(
    ("item", "name", "ram"),
    [
        ({"name": "a/b", "requiredRAM": 1.5, "benchmarked": True}, "a/b", 1.5),
        ({"name": "a/b", "requiredRamGB": 2, "benchmarked": True}, "a/b", 2.0),
        ({"modelId": "a/b", "ramRequired": "3.25", "task": "x"}, "a/b", 3.25),
        ({"name": "a/b", "requiredRAM": None, "benchmarked": False}, "a/b", None),
        ({"name": " a/b ", "requiredRAM": -1}, "a/b", None),
    ],
)
def test_model_info_aliases(item: dict[str, Any], name: str, ram: float | None) -> None:
    info = ModelInfo.from_json(item)
    assert (info.name, info.required_ram_gb) == (name, ram)


def test_model_without_id_is_bad() -> None:
    with pytest.raises(BadResponse):
        ModelInfo.from_json({"requiredRAM": 1})


@pytest.mark.parametrize(
    ("body", "state"),
    [
        ({"model": "a/b", "success": True, "modified": "2024-07-01T12:00:00.000Z"}, "requested"),
        ({"model": "a/b", "success": True, "message": "Model is already queued"}, "queued"),
        ({"model": "a/b", "message": "Model available", "startTime": None}, "available"),
        ({"model": "a/b", "message": "Model is already available"}, "available"),
        ({"model": "a/b", "message": "Something new"}, "unknown"),
        ({"model": "a/b", "success": False, "message": "nope"}, "failed"),
        ({"success": True, "error": "bad id"}, "failed"),
    ],
)
def test_job_states(body: dict[str, Any], state: str) -> None:
    assert Job.from_json(body, model="a/b").state == state


def test_instance_estimates_expiry_from_modified() -> None:
    instance = Instance.from_json(
        {
            "modelId": "a/b",
            "status": "running",
            "expirationPeriodMinutes": 5,
            "modified": "2024-07-01T12:00:00Z",
        }
    )
    assert instance.is_running
    assert instance.expiration_period_seconds == 300
    assert instance.expires_at == datetime(2024, 7, 1, 12, 5, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("status", "running", "failed", "booting"),
    [
        ("RUNNING", True, False, False),
        ("FAILED", False, True, False),
        ("DEPLOYMENT_ERROR", False, True, False),
        ("STARTING", False, False, True),
        ("booting instance", False, False, True),
    ],
)
def test_status_words_are_open_ended(
    status: str, running: bool, failed: bool, booting: bool
) -> None:
    instance = Instance.from_json({"model": "a/b", "status": status})
    assert (instance.is_running, instance.is_failed, instance.is_booting) == (
        running,
        failed,
        booting,
    )


@pytest.mark.parametrize(
    ("output", "text"),
    [
        ([{"generated_text": "Once upon"}], "Once upon"),
        ([{"summary_text": "Short"}], "Short"),
        ({"answer": "42", "score": 0.9}, "42"),
        ([{"generated_text": [{"role": "user", "content": "hi"}, {"role": "assistant",
                                                                  "content": "hello"}]}], "hello"),
    ],
)  # fmt: skip
def test_run_result_text(output: Any, text: str) -> None:
    assert RunResult.from_json({"output": output}).text == text


def test_run_result_other_output_is_json() -> None:
    result = RunResult.from_json({"output": [{"label": "POSITIVE", "score": 0.99}]})
    assert '"label": "POSITIVE"' in result.text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-07-01T12:05:00.000Z", datetime(2024, 7, 1, 12, 5, tzinfo=timezone.utc)),
        ("2024-07-01T14:05:00+02:00", datetime(2024, 7, 1, 12, 5, tzinfo=timezone.utc)),
        (1719835500, datetime(2024, 7, 1, 12, 5, tzinfo=timezone.utc)),
        (1719835500000, datetime(2024, 7, 1, 12, 5, tzinfo=timezone.utc)),
        (None, None),
        ("yesterday", None),
        (True, None),
    ],
)
def test_parse_time(value: object, expected: datetime | None) -> None:
    assert parse_time(value) == expected


@pytest.mark.parametrize(
    ("seconds", "billed"), [(0, 60), (1, 60), (60, 60), (61, 120), (119.5, 120), (3600, 3600)]
)
def test_billing_has_a_minute_minimum_and_whole_minutes(seconds: float, billed: int) -> None:
    assert billed_seconds(seconds) == billed


def test_costs() -> None:
    assert cost_usd(None, 100) is None
    assert cost_usd(1.0, 30) == pytest.approx(60 * 0.0000166667)
    assert cost_per_hour(10) == pytest.approx(0.6, rel=1e-4)
    assert timedelta(seconds=billed_seconds(61)) == timedelta(minutes=2)


# -- v2 shapes --------------------------------------------------------------------------


def test_v2_catalogue_entry() -> None:
    item = {
        "modelId": "0-hero/Matter-0.1-Slim-7B-C",
        "task": "chat",
        "params": 7.24,
        "ramRequired": 29,
        "meter": "sm-free",
        "meterPrice": "0.0006478333 / sec",
    }
    model = ModelInfo.from_json(item)
    assert (model.name, model.task, model.params_b) == (item["modelId"], "chat", 7.24)
    assert model.required_ram_gb == 29 and model.benchmarked
    assert model.price_per_second == pytest.approx(0.0006478333)
    assert model.price_from_server
    assert model.cost_per_hour == pytest.approx(0.0006478333 * 3600)


def test_v1_entry_keeps_the_ram_estimate() -> None:
    model = ModelInfo.from_json({"name": "a/b", "requiredRAM": 2, "benchmarked": False})
    assert (model.task, model.params_b, model.price_per_second) == (None, None, None)
    assert not model.benchmarked and not model.price_from_server
    assert model.cost_per_hour == cost_per_hour(2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.0006478333 / sec", 0.0006478333),
        ("0.00053440/sec", 0.0005344),
        ("$0.5 / sec", 0.5),
        (0.25, 0.25),
        ("free", None),
        ("-1 / sec", None),
        ("inf / sec", None),
        (None, None),
        (True, None),
    ],
)
def test_parse_price(value: object, expected: float | None) -> None:
    assert parse_price(value) == (pytest.approx(expected) if expected is not None else None)


def test_v2_cluster() -> None:
    cluster = {
        "modelId": "stabilityai/stable-diffusion-xl-base-1.0",
        "status": "booting instance",
        "created": "2025-04-22T17:57:40.036Z",
        "modified": "2025-04-22T17:57:58.638Z",
        "timeout": 5,
        "capacity": {"min": 0, "desired": 1, "max": 1},
        "instances": 1,
        "inferences": 0,
        "lastInference": "2025-04-22T17:57:40.036Z",
    }
    instance = Instance.from_json(cluster)
    assert instance.is_booting and instance.capacity == (0, 1, 1)
    assert instance.concurrency == 1 and instance.expiration_period_seconds == 300
    assert instance.expires_at == datetime(2025, 4, 22, 18, 2, 40, 36000, tzinfo=timezone.utc)
    running = Instance.from_json({**cluster, "status": "running", "capacity": {"max": 4}})
    assert running.is_running and running.capacity == (0, 0, 4) and running.concurrency == 4
    assert Instance.from_json({**cluster, "status": "Failed: no GPU"}).is_failed


@pytest.mark.parametrize(
    ("output", "text"),
    [
        ({"role": "assistant", "content": "Aaaaaaaargh matey"}, "Aaaaaaaargh matey"),
        ({"role": "assistant", "content": [{"type": "text", "text": "Ahoy"}]}, "Ahoy"),
        ("https://cdn.bytez.com/x.png", "https://cdn.bytez.com/x.png"),
        (
            [
                {
                    "generated_text": [
                        {"role": "assistant", "content": [{"text": "a"}, {"text": "b"}]}
                    ]
                }
            ],
            "ab",
        ),
    ],
)
def test_v2_run_outputs(output: Any, text: str) -> None:
    assert RunResult.from_json({"error": None, "output": output}).text == text


def test_metering_from_headers() -> None:
    headers = {
        "inference-meter": "sm-lm",
        "inference-meter-price": "0.0006478333",
        "inference-time": "2",
    }
    metering = Metering.from_headers(headers)
    assert metering is not None and metering.meter == "sm-lm"
    assert metering.cost == pytest.approx(0.0012956666)
    reported = Metering.from_headers({**headers, "inference-cost": "0.5"})
    assert reported is not None and reported.cost == 0.5
    assert Metering.from_headers({"content-type": "text/plain"}) is None
    odd = Metering.from_headers({"inference-time": "soon", "inference-cost": "-3"})
    assert odd is not None and odd.cost is None


METER_HEADERS = ["inference-meter", "inference-meter-price", "inference-time", "inference-cost"]


@settings(max_examples=200, deadline=None)
@given(headers=st.dictionaries(st.sampled_from(METER_HEADERS), st.text(max_size=20)))
def test_metering_never_raises(headers: dict[str, str]) -> None:
    metering = Metering.from_headers(headers)
    if metering is not None and metering.cost is not None:
        assert metering.cost >= 0


def test_read_catalogue_keeps_every_value_and_skips_what_it_cannot_read() -> None:
    from bytez_tui.api.catalogue import read_catalogue

    items = [
        {"name": "org/a", "requiredRAM": 2.5, "task": "chat", "params": 7, "meterPrice": "0.001"},
        {"name": "org/b", "task": "chat"},
        "not an item",
    ]
    models = read_catalogue(items)
    assert models == [ModelInfo.from_json(items[0]), ModelInfo.from_json(items[1])]
    assert models[0].task is models[1].task  # the repacked task names are shared


def test_the_catalogue_hook_reads_each_item_as_it_is_parsed() -> None:
    """`catalogue_item` turns each model object into its `ModelInfo` during `json.loads`,
    leaves the envelope and unreadable items alone, and `read_catalogue` takes both."""
    text = (
        '{"error": null, "output": [{"modelId": "a/b", "ramRequired": 2, "task": "chat"},'
        ' {"modelId": 7}, {"name": "c/d", "requiredRAM": 1.5, "benchmarked": true}]}'
    )
    data = json.loads(text, object_hook=catalogue_item)
    items = data["output"]
    assert isinstance(items[0], ModelInfo) and items[0].task == "chat"
    assert items[1] == {"modelId": 7}  # no usable id: kept, then skipped
    models = read_catalogue(items)
    assert [model.name for model in models] == ["a/b", "c/d"]
