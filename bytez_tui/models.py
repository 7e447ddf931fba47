"""The frozen dataclasses the client returns, each parsing itself tolerantly.

Every `from_json` ignores unknown keys, accepts nulls and the field aliases the
API used over time (see the API reference §2 and §7), and raises `BadResponse`
for a payload it cannot use, never `KeyError` or `TypeError`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from bytez_tui.errors import BadResponse

__all__ = [
    "RATE_PER_GB_SECOND",
    "Instance",
    "Job",
    "JobState",
    "ModelInfo",
    "RunResult",
    "billed_seconds",
    "cost_per_hour",
    "cost_usd",
    "parse_time",
]

RATE_PER_GB_SECOND = 0.0000166667
"""Dollars per GB of model RAM per second (API reference §5)."""

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


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _int(value: object, default: int | None) -> int | None:
    number = _number(value)
    return default if number is None else int(number)


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One entry of the catalogue (`/model/list`)."""

    name: str
    """The Hugging Face id, `org/name`."""
    required_ram_gb: float | None
    """RAM the model needs, in GB; None when unknown."""
    benchmarked: bool
    """Whether Bytez has benchmarked the model."""

    @property
    def cost_per_hour(self) -> float | None:
        """Dollars per hour while an instance runs, or None without RAM."""
        return cost_per_hour(self.required_ram_gb)

    @classmethod
    def from_json(cls, data: object) -> ModelInfo:
        """Parse one catalogue item."""
        item = _object(data, "catalogue item")
        ram = _number(_first(item, "requiredRAM", "requiredRamGB", "ramRequired"))
        return cls(
            name=_model_id(item, "catalogue item"),
            required_ram_gb=ram if ram is None or ram >= 0 else None,
            benchmarked=item.get("benchmarked") is True,
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
        period = _int(item.get("expirationPeriodSeconds"), None)
        if period is None:
            minutes = _number(item.get("expirationPeriodMinutes"))
            period = None if minutes is None else int(minutes * 60)
        modified = parse_time(item.get("modified"))
        expires_at = parse_time(item.get("expiresAt"))
        if expires_at is None and modified is not None and period is not None:
            expires_at = modified + timedelta(seconds=period)
        error = _text(item.get("error"))
        return cls(
            model=name,
            status=status.strip(),
            concurrency=_int(item.get("concurrency"), 1) or 1,
            inferences=_int(item.get("inferences"), None),
            expiration_period_seconds=period,
            expires_at=expires_at,
            created=parse_time(item.get("created")),
            modified=modified,
            error=error,
        )


@dataclass(frozen=True, slots=True)
class RunResult:
    """The answer to a non-streamed `/model/run`."""

    output: Any
    """The pipeline output, as JSON."""
    text: str
    """Readable text: `generated_text` and its kin, or the output as indented JSON."""

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
    if isinstance(candidate, dict):
        for key in _TEXT_KEYS:
            value = candidate.get(key)
            if isinstance(value, str):
                return value
            if key == "generated_text" and isinstance(value, list) and value:
                last = value[-1]
                content = last.get("content") if isinstance(last, dict) else None
                if isinstance(content, str):
                    return content
    return json.dumps(output, indent=2, ensure_ascii=False, default=str)
