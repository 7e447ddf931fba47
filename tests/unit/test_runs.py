"""The playground's record keeper and what a run checks before it goes out, without Textual."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bytez_tui.catalogue.tasks import describe
from bytez_tui.clock import FixedClock, utc
from bytez_tui.errors import BytezError, Unreachable
from bytez_tui.local.history import History
from bytez_tui.local.runs import RunBook, RunRequest
from bytez_tui.models import Instance
from bytez_tui.prompting import POLL_SECONDS, NotRun, read_input, wait_until_running

NOW = datetime(2024, 7, 1, 12, 0, 0, tzinfo=utc)


def _request(model: str = "org/model", *, chat: bool = False) -> RunRequest:
    return RunRequest(model, "Hello", {}, True, NOW.isoformat(), chat=chat)


def _instance(status: str) -> Instance:
    return Instance("org/model", status, 1, 3, 600, NOW, NOW - timedelta(minutes=1), None, None)


def test_a_run_that_ends_is_kept_in_the_history_and_is_no_longer_active() -> None:
    book = RunBook(History(store_key="runs"))
    run = book.begin(_request(), 100.0)
    assert book.active is run
    run.fragments, run.chars, run.outcome = 3, 12, "done"

    record, unsaved = book.end(run, "twelve chars", 102.5)

    assert unsaved is None and book.active is None
    assert (record.output, record.outcome, record.stats.elapsed) == ("twelve chars", "done", 2.5)
    assert History(store_key="runs").entries[-1] == record


def test_a_run_waits_for_its_model_and_only_that_model_starts_it() -> None:
    book = RunBook(History(store_key="runs"))
    request = _request("org/model")
    book.offered = request
    book.wait_for(request)

    assert book.offered is None and book.booting("org/model") and not book.booting("org/other")
    assert book.ready("org/other") is None
    assert book.ready("org/model") is request
    assert book.waiting is None and book.ready("org/model") is None


def test_only_a_not_running_refusal_offers_a_load() -> None:
    book = RunBook(History(store_key="runs"))
    request = _request()
    assert not book.offer_if_not_running(request, Unreachable("gone"))
    assert book.offered is None
    refused = BytezError("Model is not running", status=409)
    assert book.offer_if_not_running(request, refused)
    assert book.offered is request


@pytest.mark.parametrize(
    ("model", "prompt", "field", "reason"),
    [
        ("", "Hi", "model", "choose a model first"),
        ("nope", "Hi", "model", "'nope' is not a model id (org/name)"),
        ("org/model", "  ", "prompt", "type a prompt first"),
    ],
)
def test_a_request_is_refused_with_the_field_to_fix(
    model: str, prompt: str, field: str, reason: str
) -> None:
    with pytest.raises(NotRun) as refused:
        read_input(model, prompt, None)
    assert (refused.value.field, refused.value.reason) == (field, reason)


def test_a_task_reads_the_prompt_and_one_that_takes_nothing_runs_without_one() -> None:
    assert read_input("org/model", "Hi", None) is None
    assert read_input("org/model", "", describe("unconditional-image-generation")) == ""
    image = describe("image-classification")
    with pytest.raises(NotRun) as refused:
        read_input("org/model", "not a url", image)
    assert refused.value.field == "prompt"


class _Turns(FixedClock):
    """A clock whose sleep moves it on at once: each turn of a poll loop is one sleep."""

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)


async def test_the_wait_asks_each_turn_and_ends_once_the_model_runs_or_fails() -> None:
    clock = _Turns(NOW)
    answers: list[Instance | None | BytezError] = [
        None,
        Unreachable("down"),
        _instance("STARTING"),
        _instance("FAILED"),
    ]
    asked: list[datetime] = []
    paused = [True, True, False]

    async def status() -> Instance | None:
        asked.append(clock.now())
        answer = answers.pop(0)
        if isinstance(answer, BytezError):
            raise answer
        return answer

    def is_paused() -> bool:
        return paused.pop(0) if paused else False

    instance = await wait_until_running(status, clock=clock, paused=is_paused)

    assert instance.is_failed
    # Two paused turns ask nothing; then one question per turn, POLL_SECONDS apart.
    first = NOW + timedelta(seconds=3 * POLL_SECONDS)
    assert asked == [first + timedelta(seconds=n * POLL_SECONDS) for n in range(4)]
