"""One emulated serverless instance and its lazily computed lifecycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

__all__ = ["Instance", "iso", "number"]


def iso(when: datetime) -> str:
    """Format an aware datetime as ISO-8601 UTC with milliseconds and `Z`."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def number(value: float) -> int | float:
    """Return `value` as an int when it is whole (so 300.0 serialises as 300)."""
    return int(value) if float(value).is_integer() else value


@dataclass(slots=True)
class Instance:
    """A loaded (or loading) model.

    Status is derived from the time: STARTING for the first half of `boot_delay`,
    INSTANTIATING for the second half, then RUNNING, or FAILED when `failure` is set.
    """

    model: str
    """The model id."""
    concurrency: int
    """Requested parallel inferences."""
    period: float
    """`expirationPeriodSeconds`: the idle timeout."""
    created: datetime
    """When the load was requested."""
    boot_delay: float
    """Seconds from `created` to RUNNING or FAILED."""
    failure: str | None
    """The `error` reported once the boot fails, or `None` for a healthy boot."""
    inferences: int = 0
    """Runs served."""
    last_run: datetime | None = None
    """When the last run (or demo activity) happened."""
    capacity: tuple[int, int, int] | None = None
    """v2's `capacity` as `(min, desired, max)`; `None` derives it from `concurrency`."""

    @property
    def ready_at(self) -> datetime:
        """When the boot ends (RUNNING or FAILED)."""
        return self.created + timedelta(seconds=self.boot_delay)

    def status(self, now: datetime) -> str:
        """Return the status string at `now`."""
        if now >= self.ready_at:
            return "FAILED" if self.failure else "RUNNING"
        if now < self.created + timedelta(seconds=self.boot_delay / 2):
            return "STARTING"
        return "INSTANTIATING"

    def last_activity(self) -> datetime:
        """Boot completion or the last run, whichever is later."""
        if self.last_run is None or self.last_run < self.ready_at:
            return self.ready_at
        return self.last_run

    def expires_at(self) -> datetime:
        """Last activity plus the idle period (projected while booting)."""
        return self.last_activity() + timedelta(seconds=self.period)

    def modified(self, now: datetime) -> datetime:
        """The last state change or run at `now`."""
        status = self.status(now)
        if status == "STARTING":
            return self.created
        if status == "INSTANTIATING":
            return self.created + timedelta(seconds=self.boot_delay / 2)
        return self.last_activity()

    def touch(self, now: datetime) -> None:
        """Record a run at `now`: resets the idle expiry and counts an inference."""
        self.last_run = now
        self.inferences += 1

    def cluster_json(self, now: datetime) -> dict[str, Any]:
        """Return v2's cluster object at `now`.

        Statuses are v2's lowercase phrases: `booting instance` while booting, then
        `running`, or `failed` for a failed boot. `timeout` is the idle period in minutes;
        `lastInference` starts at creation, as the reference's example shows.
        """
        status = {"RUNNING": "running", "FAILED": "failed"}.get(
            self.status(now), "booting instance"
        )
        low, desired, high = self.capacity or (0, self.concurrency, self.concurrency)
        return {
            "modelId": self.model,
            "status": status,
            "created": iso(self.created),
            "modified": iso(self.modified(now)),
            "timeout": number(self.period / 60),
            "capacity": {"min": low, "desired": desired, "max": high},
            "instances": 0 if status == "failed" else 1,
            "inferences": self.inferences,
            "lastInference": iso(self.last_run or self.created),
        }

    def to_json(self, now: datetime) -> dict[str, Any]:
        """Return the `/model/status` object at `now` (with `error` when FAILED)."""
        status = self.status(now)
        body: dict[str, Any] = {
            "model": self.model,
            "status": status,
            "concurrency": self.concurrency,
            "inferences": self.inferences,
            "expirationPeriodSeconds": number(self.period),
            "expirationPeriodMinutes": number(self.period / 60),
            "expiresAt": iso(self.expires_at()),
            "created": iso(self.created),
            "modified": iso(self.modified(now)),
        }
        if status == "FAILED":
            body["error"] = self.failure
        return body
