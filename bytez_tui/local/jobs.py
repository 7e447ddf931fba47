"""Tracked jobs, kept in the local database so polling resumes after a restart."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast, get_args

from bytez_tui.catalogue.ids import is_model_id
from bytez_tui.clock import backoff
from bytez_tui.config import DEFAULT_BASE_URL, data_dir
from bytez_tui.errors import BadResponse, BytezError, NotFound
from bytez_tui.json_fields import parse_time
from bytez_tui.local.database import LocalDataError, LocalStore
from bytez_tui.local.files import set_aside
from bytez_tui.models import Job, JobState
from bytez_tui.text import read_json

__all__ = [
    "POLL_CAP",
    "POLL_START",
    "JobBook",
    "JobStore",
    "TrackedJob",
    "failed_job",
    "legacy_jobs_path",
    "ready_notice",
]

POLL_START = 5.0
"""Seconds before the second question about a job; each answer stretches the wait ×1.5."""
POLL_CAP = 60.0
"""The longest wait between two questions about a job."""

_STATES = frozenset(get_args(JobState))


def legacy_jobs_path(store_key: str = DEFAULT_BASE_URL) -> Path:
    """Where earlier versions kept the jobs tracked against one API (`Settings.store_key`):
    `jobs.json` for the default API, `jobs-<hash of the key>.json` for any other.

    Jobs belong to one API: a job tracked on the demo must never be polled (that is,
    requested again) against the real API, nor the other way round.
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


class JobStore(LocalStore):
    """The tracked jobs of one API, in the local database.

    Several processes (two dashboards, the dashboard and the CLI) may keep jobs for the same
    API at once. So `save` writes only what this store changed since it last read or wrote,
    and deletes only the jobs it was told to forget: a job another process added meanwhile
    is kept. The `jobs.json` of earlier versions is moved in on first use.

    Args:
        store_key: The API, as `Settings.store_key` names it.
        database: The local database (default: the one in the user data dir).
    """

    _saved: Mapping[str, str] = MappingProxyType({})
    """Model → its record as this store last read or wrote it."""

    def load(self) -> list[TrackedJob]:
        """The stored jobs, oldest first.

        Raises:
            LocalDataError: The database cannot be read.
        """
        self._migrate()
        rows = self.database.query(
            "SELECT model, record FROM jobs WHERE store = ? ORDER BY rowid", (self.store_key,)
        )
        jobs, saved = [], {}
        for model, record in rows:
            try:
                job = TrackedJob.from_json(read_json(str(record)))
            except ValueError:
                job = None
            if job is not None:
                jobs.append(job)
                saved[str(model)] = str(record)
        self._saved = saved
        return jobs

    def save(self, jobs: Iterable[TrackedJob]) -> None:
        """Store `jobs` as this store's view: new and changed jobs are written, and the jobs
        this store had that are not in `jobs` are deleted (nothing else).

        Raises:
            LocalDataError: The database could not be written; nothing was.
        """
        records = {job.model: json.dumps(job.to_json(), sort_keys=True) for job in jobs}
        gone = [model for model in self._saved if model not in records]
        changed = [(m, r) for m, r in records.items() if self._saved.get(m) != r]
        if not gone and not changed:
            return
        with self.database.transaction() as connection:
            connection.executemany(
                "DELETE FROM jobs WHERE store = ? AND model = ?",
                [(self.store_key, model) for model in gone],
            )
            connection.executemany(
                "INSERT INTO jobs (store, model, record) VALUES (?, ?, ?) "
                "ON CONFLICT (store, model) DO UPDATE SET record = excluded.record",
                [(self.store_key, model, record) for model, record in changed],
            )
        self._saved = records

    def _migrate(self) -> None:
        """Move the `jobs.json` of an earlier version in, then delete it; one that cannot be
        read is set aside (`.damaged-<time>`) with a notice, never lost."""
        legacy = legacy_jobs_path(self.store_key)
        if not legacy.is_file():
            return
        try:
            data = read_json(legacy.read_text(encoding="utf-8"))
            items = data.get("jobs") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise ValueError("no list of jobs")
        except (OSError, ValueError) as exc:
            self._set_aside(legacy, exc)
            return
        jobs = [job for job in map(TrackedJob.from_json, items) if job is not None]
        with self.database.transaction() as connection:
            connection.executemany(
                "INSERT OR IGNORE INTO jobs (store, model, record) VALUES (?, ?, ?)",
                [(self.store_key, j.model, json.dumps(j.to_json(), sort_keys=True)) for j in jobs],
            )
            connection.execute("INSERT OR IGNORE INTO migrated (source) VALUES (?)", (str(legacy),))
        if len(jobs) < len(items):
            self._set_aside(legacy, ValueError(f"{len(items) - len(jobs)} unreadable jobs"))
        else:
            legacy.unlink(missing_ok=True)

    def _set_aside(self, path: Path, error: Exception) -> None:
        try:
            aside = set_aside(path)
        except OSError as exc:
            raise LocalDataError(f"{path} cannot be read ({error}) nor set aside: {exc}") from exc
        self.database.notices.append(
            f"Tracked jobs in {path} could not all be read ({error}); the file was kept "
            f"as {aside.name}."
        )


class JobBook:
    """The jobs the dashboard tracks, in the order tracked.

    The jobs pane draws its rows from the book and its pollers apply the server's answers
    to it; neither keeps a job of its own. Changes are made in memory; `save` writes them
    to the store.

    Args:
        store: Where the jobs are kept.
    """

    def __init__(self, store: JobStore) -> None:
        self.store = store
        """Where the jobs are kept."""
        self._jobs: dict[str, TrackedJob] = {}
        self._answers: dict[str, int] = {}
        """Answers since each job's polling (re)started: its polls space out with them."""

    def __contains__(self, model: object) -> bool:
        return model in self._jobs

    def __len__(self) -> int:
        return len(self._jobs)

    @property
    def jobs(self) -> dict[str, TrackedJob]:
        """Tracked jobs by model id, in the order tracked (a copy)."""
        return dict(self._jobs)

    @property
    def pending(self) -> int:
        """How many jobs are not finished (available or failed) yet."""
        return sum(not job.finished for job in self._jobs.values())

    def get(self, model: str) -> TrackedJob | None:
        """The job for `model`, if tracked."""
        return self._jobs.get(model)

    def load(self) -> list[TrackedJob]:
        """Read the stored jobs (replacing any held); returns them, oldest first.

        Raises:
            LocalDataError: The database cannot be read.
        """
        stored = self.store.load()
        self._jobs = {job.model: job for job in stored}
        return stored

    def save(self) -> None:
        """Write the jobs to the store.

        Raises:
            LocalDataError: The database could not be written.
        """
        self.store.save(self._jobs.values())

    def put(self, job: TrackedJob) -> None:
        """Track `job`, replacing the model's job if there is one."""
        self._jobs[job.model] = job

    def answered(self, model: str, answer: Job) -> tuple[TrackedJob, bool] | None:
        """Apply the server's `answer` about `model`'s job.

        Returns:
            The job as updated, and whether it just became available (it is then marked
            notified); None when the model is no longer tracked (untracked while the
            request was in flight).
        """
        job = self._jobs.get(model)
        if job is None:
            return None
        self._answers[model] = self._answers.get(model, 0) + 1
        job = job.updated(answer)
        became_ready = job.state == "available" and not job.notified
        if became_ready:
            job = replace(job, notified=True)
        self._jobs[model] = job
        return job, became_ready

    def remove(self, models: Iterable[str]) -> None:
        """Stop tracking `models`."""
        for model in models:
            self._jobs.pop(model, None)
            self._answers.pop(model, None)

    def polling(self, model: str) -> None:
        """Polling the job for `model` starts (again): its polls space out afresh."""
        self._answers[model] = 0

    def next_poll(self, model: str) -> float:
        """Seconds before asking about `model`'s job again: `POLL_START`, ×1.5 for each
        answer since its polling started, at most `POLL_CAP` (with the back-off's jitter)."""
        return backoff(self._answers.get(model, 0), start=POLL_START, cap=POLL_CAP, factor=1.5)


def failed_job(model: str, error: BytezError) -> Job | None:
    """The job as failed, when the server refused it for good (a 4xx saying the model is
    not found, or an answer that can't be read); None when `error` is worth retrying."""
    if not isinstance(error, (NotFound, BadResponse)) or error.status is None or error.status < 400:
        return None
    return Job(model, False, error.message, "failed", None, None, None)


def ready_notice(job: TrackedJob) -> str:
    """The toast saying `job`'s model is available, and what happens next."""
    # With `l` already pressed (and the options chosen) the load starts by itself.
    armed = job.planned_load is not None
    hint = "loading it as chosen" if armed else "press l on the Jobs pane to load it"
    return f"{job.model} is available: {hint}"
