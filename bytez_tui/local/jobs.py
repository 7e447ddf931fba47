"""Tracked jobs, kept in the user data dir so polling resumes after a restart."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, cast, get_args

from bytez_tui.catalogue.ids import is_model_id
from bytez_tui.config import DEFAULT_BASE_URL, data_dir
from bytez_tui.local.files import write_private
from bytez_tui.models import Job, JobState, parse_time

__all__ = ["JobStore", "TrackedJob", "jobs_path"]

_STATES = frozenset(get_args(JobState))


def jobs_path(store_key: str = DEFAULT_BASE_URL) -> Path:
    """Where the jobs tracked against one API (`Settings.store_key`) are kept.

    Jobs belong to one API: a job tracked on the demo must never be polled (that is,
    requested again) against the real API, nor the other way round. The default API
    keeps the plain `jobs.json`; any other gets a file named from its URL (the demo's
    from `demo`, as its port changes from run to run).
    """
    key = store_key.strip().rstrip("/")
    if key == DEFAULT_BASE_URL:
        return data_dir() / "jobs.json"
    digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:12]
    return data_dir() / f"jobs-{digest}.json"


def _positive_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


@dataclass(frozen=True)
class TrackedJob:
    """A job the user asked for, with what the server last said about it."""

    model: str
    """The Hugging Face id."""
    requested_at: datetime
    """When the user asked (server time)."""
    state: JobState = "requested"
    """requested, queued, available, failed or unknown."""
    message: str | None = None
    """The server's words, raw."""
    start_time: datetime | None = None
    """When the server started the job."""
    end_time: datetime | None = None
    """When the model became available."""
    notified: bool = False
    """The user was told it is available."""
    load_when_ready: bool = False
    """Load the model as soon as it is available (`load_concurrency`, `load_expiration`)."""
    answered: bool = False
    """The server has answered at least once."""
    load_concurrency: int | None = None
    """Parallel instances chosen for the load when ready."""
    load_expiration: int | None = None
    """Idle timeout (seconds) chosen for the load when ready."""

    @property
    def finished(self) -> bool:
        """No more polling: available or failed."""
        return self.state in ("available", "failed")

    @property
    def planned_load(self) -> tuple[int, int] | None:
        """(concurrency, idle seconds) of the load armed for when it is ready, if any."""
        concurrency, expiration = self.load_concurrency, self.load_expiration
        if not self.load_when_ready or concurrency is None or expiration is None:
            return None
        return concurrency, expiration

    def updated(self, job: Job) -> TrackedJob:
        """This record after the server answered `job`."""
        return replace(
            self,
            state=job.state,
            message=job.message,
            start_time=job.start_time or self.start_time,
            end_time=job.end_time or self.end_time,
            answered=True,
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        data = asdict(self)
        for key in ("requested_at", "start_time", "end_time"):
            value = data[key]
            data[key] = value.isoformat() if isinstance(value, datetime) else None
        return data

    @classmethod
    def from_json(cls, data: object) -> TrackedJob | None:
        """Read one stored job; None if it is unusable."""
        if not isinstance(data, dict):
            return None
        model, requested = data.get("model"), parse_time(data.get("requested_at"))
        if not isinstance(model, str) or not is_model_id(model) or requested is None:
            return None
        state = data.get("state")
        message = data.get("message")
        return cls(
            model=model,
            requested_at=requested,
            state=cast(JobState, state) if state in _STATES else "requested",
            message=message if isinstance(message, str) else None,
            start_time=parse_time(data.get("start_time")),
            end_time=parse_time(data.get("end_time")),
            notified=data.get("notified") is True,
            load_when_ready=data.get("load_when_ready") is True,
            load_concurrency=_positive_int(data.get("load_concurrency")),
            load_expiration=_positive_int(data.get("load_expiration")),
            answered=data.get("answered") is True,
        )


class JobStore:
    """Reads and writes the tracked jobs of one API (atomically, owner-only).

    Args:
        path: The file; default `jobs_path(store_key)` in the user data dir.
        store_key: The API the jobs were requested from, as `Settings.store_key` names it.
    """

    def __init__(self, path: Path | None = None, *, store_key: str = DEFAULT_BASE_URL) -> None:
        self.path = path or jobs_path(store_key)
        """Where the jobs are kept."""

    def load(self) -> list[TrackedJob]:
        """The stored jobs; a missing or unreadable file is an empty list."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        items = data.get("jobs") if isinstance(data, dict) else None
        jobs = [TrackedJob.from_json(item) for item in items or []]
        return [job for job in jobs if job is not None]

    def save(self, jobs: Iterable[TrackedJob]) -> None:
        """Replace the stored jobs.

        Raises:
            OSError: The file could not be written.
        """
        body = {"version": 1, "jobs": [job.to_json() for job in jobs]}
        write_private(self.path, json.dumps(body, indent=2) + "\n")
