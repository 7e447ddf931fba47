"""The Compare pane's record keeper and request, without Textual."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bytez_tui.clock import utc
from bytez_tui.comparing import Typed, check_models, compare_request
from bytez_tui.errors import Unreachable
from bytez_tui.local.comparison_book import ComparisonBook
from bytez_tui.local.comparisons import ComparisonStore
from bytez_tui.models import Instance
from bytez_tui.prompting import NotRun

NOW = datetime(2024, 7, 1, 12, 0, 0, tzinfo=utc)
TIME = NOW.isoformat()
A, B, C = "org/a", "org/b", "org/c"


def _book() -> ComparisonBook[Typed]:
    return ComparisonBook(ComparisonStore(store_key="compare"))


def _typed(prompt: str = "typed") -> Typed:
    return Typed(prompt, "", (A, B, ""), ("", "", ""))


def test_a_request_takes_the_shared_params_under_each_column_s_own() -> None:
    request = compare_request(
        "Hi", '{"a": 1, "b": 2}', [(A, '{"b": 3}'), ("", ""), (f" {C} ", "")], time=TIME
    )
    assert request.columns == ((0, A, {"a": 1, "b": 3}), (2, C, {"a": 1, "b": 2}))
    assert request.params == {"a": 1, "b": 2} and not request.chat


@pytest.mark.parametrize(
    ("params", "columns", "prompt", "reason", "field", "column"),
    [
        ("[", [(A, ""), (B, "")], "Hi", "Params: line 1 column 2", "params", None),
        ("", [(A, ""), ("nope", "")], "Hi", "column B: 'nope' is not a model id", "model", 1),
        ("", [(A, ""), (A, "")], "Hi", f"column B: {A} is already compared", "model", 1),
        ("", [(A, "{"), (B, "")], "Hi", "column A params: line 1", "params", 0),
        ("", [(A, ""), ("", ""), ("", "")], "Hi", "choose two or three models", "model", 1),
        ("", [(A, ""), (B, "")], " ", "type a prompt first", "prompt", None),
    ],
)
def test_a_request_is_refused_with_the_field_to_fix(
    params: str,
    columns: list[tuple[str, str]],
    prompt: str,
    reason: str,
    field: str,
    column: int | None,
) -> None:
    with pytest.raises(NotRun) as refused:
        compare_request(prompt, params, columns, time=TIME)
    assert refused.value.reason.startswith(reason)
    assert (refused.value.field, refused.value.column) == (field, column)


def test_chat_mode_goes_on_with_the_conversation_shown_only_with_the_same_models() -> None:
    book = _book()
    first = compare_request("Hi", "", [(A, ""), (B, "")], time=TIME, chat=True, system="Be kind")
    book.begin(first, 0.0)
    for index in (0, 1):
        book.column_ended(index)
    shown = book.ended(1.0)
    assert shown is not None and shown.chat and shown.system == "Be kind"
    same = compare_request("More", "", [(A, ""), (B, "")], time=TIME, chat=True, shown=shown)
    other = compare_request("More", "", [(A, ""), (C, "")], time=TIME, chat=True, shown=shown)
    assert same.thread is shown and other.thread is None


def test_a_comparison_ends_with_its_last_column_and_the_winner_is_toggled() -> None:
    book = _book()
    request = compare_request("Hi", "", [("", ""), (A, ""), (B, "")], time=TIME)
    runs = book.begin(request, 10.0)
    assert [run.model for run in runs] == [A, B] and book.live == {1, 2}
    runs[0].parts.append("from A")
    assert book.reply(1) == "from A"  # live: the text so far
    book.column_ended(1)
    assert book.ended(11.0) is None  # column C is still live
    book.column_ended(2)
    saved = book.ended(12.0)
    assert saved is not None and [c.model for c in saved.columns] == [A, B]
    book.shown = book.store.save(saved)

    assert book.mark_winner(0) is None  # column A took no part
    marked = book.mark_winner(2)
    assert marked is not None and marked.winner == 1 and book.winner == 2
    unmarked = book.mark_winner(2)
    assert unmarked is not None and unmarked.winner is None and book.winner is None
    assert book.reply(1) == "from A"


def test_browsing_keeps_what_was_typed_and_gives_it_back_after_the_newest() -> None:
    book = _book()
    for prompt in ("old", "new"):
        request = compare_request(prompt, "", [(A, ""), (B, "")], time=TIME)
        book.begin(request, 0.0)
        book.column_ended(0)
        book.column_ended(1)
        ended = book.ended(1.0)
        assert ended is not None
        book.store.save(ended)
    book.clear()

    newest = book.browse(+1, _typed())
    assert getattr(newest, "prompt", None) == "new" and book.request is None
    older = book.browse(+1, _typed("ignored: already browsing"))
    assert getattr(older, "prompt", None) == "old"
    with pytest.raises(IndexError):
        book.browse(+1, _typed())
    book.browse(-1, _typed())
    assert book.browse(-1, _typed()) == _typed() and book.shown is None
    assert book.browse(-1, _typed()) is None  # already on what was typed


async def test_the_models_check_sorts_missing_from_booting_and_skips_the_running() -> None:
    started = NOW - timedelta(seconds=5)
    states = {
        "org/booting": Instance("org/booting", "STARTING", 1, 0, 600, None, started, None, None),
        "org/failed": Instance("org/failed", "FAILED", 1, 0, 600, None, started, None, "oom"),
    }
    asked: list[str] = []

    async def status(model: str) -> Instance | None:
        asked.append(model)
        if model == "org/down":
            raise Unreachable("down")
        return states.get(model)

    models = ["org/running", "org/booting", "org/failed", "org/gone", "org/down"]
    missing, booting = await check_models(
        models, running={"org/running"}, status=status, is_v2=lambda: False
    )
    assert missing == ["org/failed", "org/gone"] and booting == {"org/booting"}
    assert asked == models[1:]
