"""The jobs pane's record keeper, without Textual: answers applied, readiness told once."""

from __future__ import annotations

from datetime import datetime

from bytez_tui.clock import utc
from bytez_tui.local.jobs import JobBook, JobStore, TrackedJob
from bytez_tui.models import Job

WHEN = datetime(2024, 7, 1, 12, 0, 0, tzinfo=utc)


def _answer(model: str, state: str) -> Job:
    return Job(model, True, state, state, None, None, None)  # type: ignore[arg-type]


def test_an_answer_updates_the_job_and_says_ready_once() -> None:
    book = JobBook(JobStore())
    book.put(TrackedJob("org/a", WHEN))
    applied = book.answered("org/a", _answer("org/a", "queued"))
    assert applied is not None and applied[0].state == "queued" and not applied[1]
    assert book.pending == 1
    job, ready = book.answered("org/a", _answer("org/a", "available")) or (None, False)
    assert job is not None and ready and job.notified
    assert book.answered("org/a", _answer("org/a", "available")) == (job, False)
    assert book.pending == 0


def test_an_answer_for_an_untracked_model_is_dropped() -> None:
    book = JobBook(JobStore())
    book.put(TrackedJob("org/a", WHEN))
    book.remove(["org/a"])
    assert book.answered("org/a", _answer("org/a", "available")) is None
    assert "org/a" not in book and not book


def test_saved_jobs_come_back_in_order() -> None:
    book = JobBook(JobStore())
    for model in ("org/b", "org/a"):
        book.put(TrackedJob(model, WHEN))
    book.save()
    again = JobBook(JobStore())
    assert [job.model for job in again.load()] == ["org/b", "org/a"]
    assert list(again.jobs) == ["org/b", "org/a"]
