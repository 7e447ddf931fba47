"""The jobs pane's record keeper, without Textual: answers applied, readiness told once."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bytez_tui.clock import utc
from bytez_tui.errors import BadResponse, NotFound, ServerError
from bytez_tui.local.jobs import (
    POLL_CAP,
    POLL_START,
    JobBook,
    JobStore,
    TrackedJob,
    failed_job,
    ready_notice,
)
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


def test_polls_space_out_with_each_answer_and_start_afresh() -> None:
    book = JobBook(JobStore())
    book.put(TrackedJob("org/a", WHEN))
    book.polling("org/a")
    waits = []
    for _ in range(10):
        book.answered("org/a", _answer("org/a", "queued"))
        waits.append(book.next_poll("org/a"))
    nominal = [min(POLL_CAP, POLL_START * 1.5**n) for n in range(10)]
    assert all(0.8 * want <= wait <= want for wait, want in zip(waits, nominal, strict=True))
    assert waits[-1] > 0.8 * POLL_CAP - 1e-9
    book.polling("org/a")  # tracked again: the next wait is short again
    book.answered("org/a", _answer("org/a", "queued"))
    assert book.next_poll("org/a") <= POLL_START


def test_a_refused_job_fails_for_good_only_on_a_4xx() -> None:
    gone = failed_job("org/a", NotFound("no such model", status=404))
    assert gone is not None and gone.state == "failed" and gone.message == "no such model"
    assert failed_job("org/a", BadResponse("garbled", status=422)) is not None
    assert failed_job("org/a", BadResponse("garbled")) is None  # a 200 we can't read: retry
    assert failed_job("org/a", ServerError("down", status=503)) is None


def test_the_ready_toast_says_what_happens_next() -> None:
    job = TrackedJob("org/a", WHEN)
    assert ready_notice(job) == "org/a is available: press l on the Jobs pane to load it"
    armed = replace(job, load_when_ready=True, load_concurrency=1, load_expiration=300)
    assert ready_notice(armed) == "org/a is available: loading it as chosen"
