"""The frozen dataclasses the client returns, each parsing itself tolerantly.

Every `from_json` ignores unknown keys, accepts nulls and the field aliases the
API used over time (see the API reference §2 and §7), and raises `BadResponse`
for a payload it cannot use, never `KeyError` or `TypeError`. Both dialects parse
into the same classes: v2's `list/models` entry (`modelId`, `task`, `params`,
`ramRequired`, `meterPrice`) and cluster object (`timeout` in minutes, `capacity`,
`lastInference`) are read beside v1's shapes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from bytez_tui.billing import MAX_COST, cost_per_hour
from bytez_tui.errors import BadResponse
from bytez_tui.json_fields import (
    MAX_NUMBER,
    as_text,
    finite_number,
    first_present,
    json_object,
    parse_price,
    parse_time,
    whole_number,
)

__all__ = [
    "MAX_CONCURRENCY",
    "MAX_EXPIRY_SECONDS",
    "MAX_RAM_GB",
    "MODEL_ID_KEYS",
    "Instance",
    "Job",
    "JobState",
    "Metering",
    "ModelInfo",
    "RunResult",
    "message_text",
]

MAX_CONCURRENCY = 32
"""The largest concurrency the app asks for (the load dialog and `load --concurrency`)."""
MAX_EXPIRY_SECONDS = 7 * 86400
"""The longest idle expiry the app asks for: a week; more is a typo that bills all along."""

MODEL_ID_KEYS = ("model", "modelId", "name", "model_id")
"""Where an answer's object may hold its model id, in order of preference."""

JobState = Literal["requested", "queued", "available", "failed", "unknown"]


def _model_id(data: dict[str, Any], what: str, *, default: str = "") -> str:
    """The model id `data` holds under any of `MODEL_ID_KEYS`, else `default` if given."""
    value = first_present(data, *MODEL_ID_KEYS)
    if isinstance(value, str) and value.strip():
        return value.strip()
    if default:
        return default
    raise BadResponse(f"The {what} has no model id")


# Bounds of believable values. Outside them a number is unknown (None), or, where the
# field cannot be unknown, the answer is unreadable: 10**400 or 1e300 must never reach
# the arithmetic (OverflowError) or a `--json` line (Infinity).
MAX_RAM_GB = 1e6
"""The most RAM a model can believably need (the ledger reads its rows with it too)."""
_MAX_CONCURRENCY = 1_000_000
_MAX_PERIOD_SECONDS = 10 * 366 * 86400


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One entry of the catalogue (v1 `/model/list`, v2 `list/models`)."""

    name: str
    """The Hugging Face id, `org/name`."""
    required_ram_gb: float | None
    """RAM the model needs, in GB; None when unknown."""
    benchmarked: bool
    """Whether Bytez has benchmarked the model (v2: whether it has a RAM figure)."""
    task: str | None = None
    """The Bytez task, such as `chat` or `text-to-image` (v2 only)."""
    params_b: float | None = None
    """Parameters in billions (v2 only)."""
    price_per_second: float | None = None
    """The server's price in USD per second of inference, from `meterPrice` (v2 only)."""

    @property
    def price_from_server(self) -> bool:
        """Whether `cost_per_hour` is the server's figure rather than our RAM estimate."""
        return self.price_per_second is not None

    @property
    def cost_per_hour(self) -> float | None:
        """Dollars per hour: the server's price when it gave one, else the RAM estimate."""
        if self.price_per_second is not None:
            return self.price_per_second * 3600
        return cost_per_hour(self.required_ram_gb)

    @classmethod
    def from_json(cls, data: object) -> ModelInfo:
        """Parse one catalogue item."""
        item = json_object(data, "catalogue item")
        ram = finite_number(
            first_present(item, "requiredRAM", "requiredRamGB", "ramRequired"), MAX_RAM_GB
        )
        ram = ram if ram is None or ram >= 0 else None
        task = item.get("task")
        params = finite_number(item.get("params"))
        benchmarked = item.get("benchmarked")
        return cls(
            name=_model_id(item, "catalogue item"),
            required_ram_gb=ram,
            benchmarked=benchmarked is True or (benchmarked is None and ram is not None),
            task=task.strip() if isinstance(task, str) and task.strip() else None,
            params_b=params if params is not None and params >= 0 else None,
            price_per_second=parse_price(item.get("meterPrice")),
        )


@dataclass(frozen=True, slots=True)
class Job:
    """The answer to a `/model/job` request or poll."""

    model: str
    """The Hugging Face id."""
    success: bool
    """The server's `success` flag."""
    message: str | None
    """The server's words, shown raw."""
    state: JobState
    """requested, queued, available, failed or unknown, derived from the message."""
    start_time: datetime | None
    """When work on the job started."""
    end_time: datetime | None
    """When the model became available."""
    modified: datetime | None
    """When the job last changed."""

    @property
    def finished(self) -> bool:
        """True once polling can stop."""
        return self.state in ("available", "failed")

    @classmethod
    def from_json(cls, data: object, *, model: str = "") -> Job:
        """Parse a job object; `model` fills in a missing id."""
        item = json_object(data, "job")
        name = _model_id(item, "job", default=model)
        message = as_text(first_present(item, "message", "error"))
        success = item.get("success") is not False and item.get("error") is None
        lowered = (message or "").lower()
        state: JobState
        if not success:
            state = "failed"
        elif "queued" in lowered:
            state = "queued"
        elif "available" in lowered:
            state = "available"
        elif not message:
            state = "requested"
        else:
            state = "unknown"
        return cls(
            model=name,
            success=success,
            message=message,
            state=state,
            start_time=parse_time(item.get("startTime")),
            end_time=parse_time(item.get("endTime")),
            modified=parse_time(item.get("modified")),
        )


@dataclass(frozen=True, slots=True)
class Instance:
    """A running (or booting, or failed) instance: `/model/status` and `/model/instances`."""

    model: str
    """The Hugging Face id."""
    status: str
    """The raw status word, such as RUNNING, STARTING or FAILED (open-ended)."""
    concurrency: int
    """Number of serverless instances, that is of parallel inferences."""
    inferences: int | None
    """Runs served so far."""
    expiration_period_seconds: int | None
    """The idle timeout."""
    expires_at: datetime | None
    """When the idle timeout runs out (estimated from `modified` when absent)."""
    created: datetime | None
    """When the instance was loaded."""
    modified: datetime | None
    """The last state change or run."""
    error: str | None
    """Why the instance failed, for FAILED."""
    capacity: tuple[int, int, int] | None = None
    """v2's `capacity` as (min, desired, max); None from v1."""

    @property
    def is_running(self) -> bool:
        """Ready for `/model/run`."""
        return self.status.strip().upper() == "RUNNING"

    @property
    def is_failed(self) -> bool:
        """Terminal failure: FAILED, or anything that says FAIL or ERROR."""
        upper = self.status.upper()
        return "FAIL" in upper or "ERROR" in upper

    @property
    def is_booting(self) -> bool:
        """Any status that is neither running nor failed is transitional."""
        return not self.is_running and not self.is_failed

    def uptime(self, now: datetime, *, until: datetime | None = None) -> float | None:
        """Seconds the instance has been up: from `created` to `until` (when it disappeared)
        or `now` (server time), never negative; None when the server did not say when it
        was created (unknown is not zero)."""
        if self.created is None:
            return None
        return max(0.0, ((until or now) - self.created).total_seconds())

    @classmethod
    def from_json(cls, data: object, *, model: str = "") -> Instance:
        """Parse an instance object; `model` fills in a missing id."""
        item = json_object(data, "instance")
        name = _model_id(item, "instance", default=model)
        status = first_present(item, "status", "state")
        if not isinstance(status, str) or not status.strip():
            raise BadResponse(f"{name} has no instance status")
        period = whole_number(item.get("expirationPeriodSeconds"), None, _MAX_PERIOD_SECONDS)
        if period is None:
            minutes = finite_number(
                first_present(item, "expirationPeriodMinutes", "timeout"), _MAX_PERIOD_SECONDS / 60
            )
            period = None if minutes is None else int(minutes * 60)
        if period is not None and period < 0:
            period = None
        modified = parse_time(item.get("modified"))
        # v2 has no expiry field: the idle clock runs from the last inference.
        last = parse_time(item.get("lastInference")) or modified
        expires_at = parse_time(item.get("expiresAt"))
        if expires_at is None and last is not None and period is not None:
            try:
                expires_at = last + timedelta(seconds=period)
            except OverflowError:  # a `modified` in the year 9999
                expires_at = None
        error = as_text(item.get("error"))
        capacity = _capacity(item.get("capacity"))
        given = item.get("concurrency")
        absurd = finite_number(given, _MAX_CONCURRENCY) is None
        if isinstance(given, int | float) and not isinstance(given, bool) and absurd:
            raise BadResponse(f"{name} has an unreadable concurrency")
        concurrency = whole_number(given, None, _MAX_CONCURRENCY)
        inferences = whole_number(item.get("inferences"), None)
        if concurrency is None and capacity is not None:
            concurrency = capacity[1] or capacity[2]
        return cls(
            model=name,
            status=status.strip(),
            concurrency=max(1, concurrency or 1),
            inferences=None if inferences is None or inferences < 0 else inferences,
            expiration_period_seconds=period,
            expires_at=expires_at,
            created=parse_time(item.get("created")),
            modified=modified,
            error=error,
            capacity=capacity,
        )


def _capacity(value: object) -> tuple[int, int, int] | None:
    """Read v2's `{min, desired, max}`; None unless it is an object with some number."""
    if not isinstance(value, dict):
        return None
    low = whole_number(value.get("min"), None)
    desired = whole_number(value.get("desired"), None)
    high = whole_number(value.get("max"), None)
    if low is None and desired is None and high is None:
        return None
    bound = 1_000_000
    low = max(0, min(low or 0, bound))
    desired = max(0, min(desired if desired is not None else low, bound))
    high = max(0, min(high if high is not None else desired, bound))
    return low, desired, high


@dataclass(frozen=True, slots=True)
class Metering:
    """What one v2 run cost, from its `inference-*` headers (units as Bytez documents them).

    The header formats are not documented; each figure is None when absent or unreadable.
    """

    meter: str | None
    """`inference-meter`, such as `sm-lm`."""
    price_per_second: float | None
    """`inference-meter-price` in USD per second."""
    seconds: float | None
    """`inference-time` in seconds."""
    reported_cost: float | None
    """`inference-cost` in USD."""

    @property
    def cost(self) -> float | None:
        """The run's cost in USD: the server's `inference-cost`, else price x time."""
        if self.reported_cost is not None:
            return self.reported_cost
        if self.price_per_second is not None and self.seconds is not None:
            return self.price_per_second * self.seconds
        return None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> Metering | None:
        """Read the `inference-*` headers; None when there are none."""
        names = ("inference-meter", "inference-meter-price", "inference-time", "inference-cost")
        if not any(name in headers for name in names):
            return None
        meter = headers.get("inference-meter", "").strip()[:100] or None

        def amount(name: str, limit: float = MAX_NUMBER) -> float | None:
            text = headers.get(name, "").strip().split(" ", 1)[0].removeprefix("$")
            value = finite_number(text, limit)
            return value if value is not None and value >= 0 else None

        return cls(
            meter=meter,
            price_per_second=parse_price(headers.get("inference-meter-price")),
            seconds=amount("inference-time"),
            reported_cost=amount("inference-cost", MAX_COST),
        )


@dataclass(frozen=True, slots=True)
class RunResult:
    """The answer to a non-streamed run."""

    output: Any
    """The pipeline output, as JSON."""
    text: str
    """Readable text: `generated_text` and its kin, a chat message's content (plain or
    list-form), or the output as indented JSON."""
    metering: Metering | None = None
    """What the run cost, when the server said (v2)."""

    @classmethod
    def from_json(cls, data: object) -> RunResult:
        """Parse a run answer (`{"output": …}` or media at the top level)."""
        item = json_object(data, "run result")
        if "output" in item:
            output = item["output"]
        else:
            output = {k: v for k, v in item.items() if k != "error"}
        return cls(output=output, text=_readable(output))


_TEXT_KEYS = ("generated_text", "summary_text", "translation_text", "answer", "text")


def _readable(output: Any) -> str:
    candidate = output[0] if isinstance(output, list) and len(output) == 1 else output
    if isinstance(candidate, str):
        return candidate
    if isinstance(candidate, dict) and "role" in candidate and "content" in candidate:
        content = message_text(candidate["content"])
        if content is not None:
            return content
    if isinstance(candidate, dict):
        for key in _TEXT_KEYS:
            value = candidate.get(key)
            if isinstance(value, str):
                return value
            if key == "generated_text" and isinstance(value, list) and value:
                last = value[-1]
                content = message_text(last.get("content")) if isinstance(last, dict) else None
                if content is not None:
                    return content
    return json.dumps(output, indent=2, ensure_ascii=False, default=str)


def message_text(content: object) -> str | None:
    """A chat message's content as text: a string, or the `text` parts of list-form content.

    v2 answers `[{"type": "text", "text": …}]` when the request used list-form content.
    Returns None for anything else.
    """
    if isinstance(content, str):
        return content
    if isinstance(content, list) and content:
        parts = [p.get("text") for p in content if isinstance(p, dict)]
        texts = [p for p in parts if isinstance(p, str)]
        if texts:
            return "".join(texts)
    return None
