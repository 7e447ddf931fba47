"""Tolerant parsing: aliases, nulls, extra keys, and nothing but BadResponse on junk."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bytez_tui.errors import BadResponse
from bytez_tui.models import (
    Instance,
    Job,
    ModelInfo,
    RunResult,
    billed_seconds,
    cost_per_hour,
    cost_usd,
    parse_time,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)

FIELDS = [
    "name", "modelId", "model", "requiredRAM", "requiredRamGB", "ramRequired", "benchmarked",
    "success", "message", "startTime", "endTime", "modified", "status", "concurrency",
    "inferences", "expirationPeriodSeconds", "expirationPeriodMinutes", "expiresAt", "created",
    "error", "output",
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
