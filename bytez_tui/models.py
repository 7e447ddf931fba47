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
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from bytez_tui.errors import BadResponse

__all__ = [
    "MAX_CONCURRENCY",
    "MAX_EXPIRY_SECONDS",
    "RATE_PER_GB_SECOND",
    "Instance",
    "Job",
    "JobState",
    "Metering",
    "ModelInfo",
    "RunResult",
    "billed_seconds",
    "catalogue_item",
    "cost_per_hour",
    "cost_usd",
    "message_text",
    "parse_price",
    "parse_time",
    "read_catalogue",
]

RATE_PER_GB_SECOND = 0.0000166667
"""Dollars per GB of model RAM per second (API reference §5)."""

MAX_CONCURRENCY = 32
"""The largest concurrency the app asks for (the load dialog and `load --concurrency`)."""
MAX_EXPIRY_SECONDS = 7 * 86400
"""The longest idle expiry the app asks for: a week; more is a typo that bills all along."""

JobState = Literal["requested", "queued", "available", "failed", "unknown"]


def billed_seconds(seconds: float) -> int:
    """Seconds billed for `seconds` of uptime: 60 s minimum, then whole minutes."""
    if seconds <= 0:
        return 60
    return max(60, math.ceil(seconds / 60) * 60)


def cost_usd(ram_gb: float | None, seconds: float) -> float | None:
    """Cost of running a model of `ram_gb` for `seconds`, as billed; None without RAM."""
    if ram_gb is None:
        return None
    return ram_gb * billed_seconds(seconds) * RATE_PER_GB_SECOND


def cost_per_hour(ram_gb: float | None) -> float | None:
    """Hourly cost of a model of `ram_gb`; None without RAM."""
    return None if ram_gb is None else ram_gb * 3600 * RATE_PER_GB_SECOND


def parse_time(value: object) -> datetime | None:
    """Read an ISO-8601 string or epoch number as an aware UTC datetime; None if unusable."""
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, (int, float)):
            seconds = float(value) / 1000 if value > 1e11 else float(value)
            return datetime.fromtimestamp(seconds, timezone.utc)
        if isinstance(value, str) and value.strip():
            text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
            parsed = datetime.fromisoformat(text)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=timezone.utc)
            return parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def parse_price(value: object) -> float | None:
    """Read v2's `meterPrice` ("0.0006478333 / sec") or a bare number as USD per second.

    Returns None for anything else, or a negative or non-finite figure.
    """
    if isinstance(value, str):
        value = value.strip().split("/", 1)[0].strip().removeprefix("$")
    number = _number(value)
    return number if number is not None and number >= 0 else None


def _object(data: object, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise BadResponse(f"Expected a {what} object, got {type(data).__name__}")
    return data


def _first(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = data.get(key)
        if value is not None:
            return value
    return None


def _model_id(data: dict[str, Any], what: str) -> str:
    value = _first(data, "model", "modelId", "name", "model_id")
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise BadResponse(f"The {what} has no model id")


# Bounds of believable values. Outside them a number is unknown (None), or, where the
# field cannot be unknown, the answer is unreadable: 10**400 or 1e300 must never reach
# the arithmetic (OverflowError) or a `--json` line (Infinity).
_MAX_NUMBER = 1e15
_MAX_RAM_GB = 1e6
_MAX_CONCURRENCY = 1_000_000
_MAX_PERIOD_SECONDS = 10 * 366 * 86400


def _number(value: object, limit: float = _MAX_NUMBER) -> float | None:
    """`value` as a finite number within ±`limit`, or None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, (int, float)):
            number = float(value)
        elif isinstance(value, str):
            number = float(value)
        else:
            return None
    except (ValueError, OverflowError):  # "abc"; an int of 400 digits
        return None
    return number if math.isfinite(number) and abs(number) <= limit else None


def _int(value: object, default: int | None, limit: float = _MAX_NUMBER) -> int | None:
    number = _number(value, limit)
    return default if number is None else int(number)


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


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
        item = _object(data, "catalogue item")
        ram = _number(_first(item, "requiredRAM", "requiredRamGB", "ramRequired"), _MAX_RAM_GB)
        ram = ram if ram is None or ram >= 0 else None
        task = item.get("task")
        params = _number(item.get("params"))
        benchmarked = item.get("benchmarked")
        return cls(
            name=_model_id(item, "catalogue item"),
            required_ram_gb=ram,
            benchmarked=benchmarked is True or (benchmarked is None and ram is not None),
            task=task.strip() if isinstance(task, str) and task.strip() else None,
            params_b=params if params is not None and params >= 0 else None,
            price_per_second=parse_price(item.get("meterPrice")),
        )


def catalogue_item(data: dict[str, Any]) -> Any:
    """`json.loads`' `object_hook` for a catalogue answer: an object with a model id
    becomes its `ModelInfo` at once; any other is kept as it is (`read_catalogue` skips
    the unreadable ones).

    Each item's dict is then garbage as soon as it is read, rather than all 100,000 being
    alive until the whole answer is: the refresh's peak is ~45 MB lower.
    """
    if not any(key in data for key in ("model", "modelId", "name", "model_id")):
        return data
    try:
        return ModelInfo.from_json(data)
    except BadResponse:
        return data


def read_catalogue(items: list[Any], *, endpoint: str = "list") -> list[ModelInfo]:
    """The models of a catalogue answer; an item that cannot be read is skipped (an
    item `catalogue_item` has already read is taken as it is).

    Raises:
        BadResponse: The answer listed items but not one could be read (say
            `["a/b", 1, null]`): that is an unreadable answer, not an empty catalogue, so
            it never replaces a cached one.
    """
    models: list[ModelInfo] = []
    for item in items:
        if isinstance(item, ModelInfo):
            models.append(item)
            continue
        try:
            models.append(ModelInfo.from_json(item))
        except BadResponse:
            continue
    if items and not models:
        raise BadResponse(
            f"none of the {len(items)} catalogue entries could be read", endpoint=endpoint
        )
    _repack(models)
    return models


def _repack(models: list[ModelInfo]) -> None:
    """Give the models copies of their strings and numbers, made while the parsed answer
    they came from is still alive.

    The strings and floats `json.loads` made lie scattered between the answer's dicts,
    which are garbage a moment later. Python returns memory to the system only a whole
    arena at a time, so those survivors kept ~40 MB of arenas alive after a 100,000-model
    refresh. Copies made now land side by side in fresh arenas, and the answer's arenas
    can all go. The fields are replaced in place (the objects are new and not yet shared).
    """
    names = "\n".join([model.name for model in models]).split("\n")
    if len(names) != len(models):  # an id with a newline: not worth the trouble
        return
    tasks: dict[str, str] = {}
    setattr_ = object.__setattr__
    for name, model in zip(names, models, strict=True):
        setattr_(model, "name", name)
        if model.required_ram_gb is not None:
            setattr_(model, "required_ram_gb", model.required_ram_gb + 0.0)  # a new float
        if model.task is not None:
            setattr_(model, "task", tasks.setdefault(model.task, model.task.encode().decode()))
        if model.params_b is not None:
            setattr_(model, "params_b", model.params_b + 0.0)
        if model.price_per_second is not None:
            setattr_(model, "price_per_second", model.price_per_second + 0.0)


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
        item = _object(data, "job")
        name = _first(item, "model", "modelId", "name")
        message = _text(_first(item, "message", "error"))
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
        if not isinstance(name, str) or not name:
            if not model:
                raise BadResponse("The job has no model id")
            name = model
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
        item = _object(data, "instance")
        name = _first(item, "model", "modelId", "name")
        if not isinstance(name, str) or not name:
            if not model:
                raise BadResponse("The instance has no model id")
            name = model
        status = _first(item, "status", "state")
        if not isinstance(status, str) or not status.strip():
            raise BadResponse(f"{name} has no instance status")
        period = _int(item.get("expirationPeriodSeconds"), None, _MAX_PERIOD_SECONDS)
        if period is None:
            minutes = _number(
                _first(item, "expirationPeriodMinutes", "timeout"), _MAX_PERIOD_SECONDS / 60
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
        error = _text(item.get("error"))
        capacity = _capacity(item.get("capacity"))
        given = item.get("concurrency")
        absurd = _number(given, _MAX_CONCURRENCY) is None
        if isinstance(given, int | float) and not isinstance(given, bool) and absurd:
            raise BadResponse(f"{name} has an unreadable concurrency")
        concurrency = _int(given, None, _MAX_CONCURRENCY)
        inferences = _int(item.get("inferences"), None)
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
    low = _int(value.get("min"), None)
    desired = _int(value.get("desired"), None)
    high = _int(value.get("max"), None)
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

        def amount(name: str) -> float | None:
            value = _number(headers.get(name, "").strip().split(" ", 1)[0].removeprefix("$"))
            return value if value is not None and value >= 0 else None

        return cls(
            meter=meter,
            price_per_second=parse_price(headers.get("inference-meter-price")),
            seconds=amount("inference-time"),
            reported_cost=amount("inference-cost"),
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
        item = _object(data, "run result")
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
