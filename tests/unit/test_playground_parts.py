"""The playground's pure parts: wrapping, the echo filter, params parsing, completion, stats."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bytez_tui.local.history import RunStats
from bytez_tui.panes.playground.completion import ModelSuggester, NameIndex
from bytez_tui.panes.playground.output import wrap_row
from bytez_tui.panes.playground.params import QUICK_FIELDS, ParamsInvalid, parse_json_params
from bytez_tui.panes.playground.status import format_stats
from bytez_tui.prompting import EchoFilter


def test_wrap_breaks_at_spaces() -> None:
    assert wrap_row("the quick brown fox", 10) == ["the quick", "brown fox"]
    assert wrap_row("short", 10) == ["short"]
    assert wrap_row("abcdefghijkl", 5) == ["abcde", "fghij", "kl"]
    assert wrap_row("日本語日本語", 4) == ["日本", "語日", "本語"]


@given(st.text(alphabet="ab \u65e5", max_size=200), st.integers(min_value=2, max_value=30))
def test_wrap_rows_fit_and_keep_every_word(text: str, width: int) -> None:
    from rich.cells import cell_len

    rows = wrap_row(text, width)
    assert all(cell_len(row) <= width for row in rows)
    assert "".join(rows).replace(" ", "") == text.replace(" ", "")


@given(st.lists(st.text(alphabet="ab ", max_size=12), max_size=30))
def test_wrapping_incrementally_matches_wrapping_at_once(pieces: list[str]) -> None:
    rows = [""]
    for piece in pieces:
        rows[-1:] = wrap_row(rows[-1] + piece, 8)
    assert rows == wrap_row("".join(pieces), 8)


@pytest.mark.parametrize(
    ("chunks", "shown"),
    [
        (["Hello world", " and more"], " and more"),
        (["Hel", "lo wor", "ld!", " next"], "! next"),
        ([" not an echo"], " not an echo"),
        (["Hello", " there"], "Hello there"),
        (["Hel"], "Hel"),  # the stream ended inside what looked like the echo
    ],
)
def test_echo_filter(chunks: list[str], shown: str) -> None:
    echo = EchoFilter("Hello world")
    text = "".join(echo.feed(chunk) for chunk in chunks) + echo.close()
    assert text == shown


def test_echo_filter_off_for_empty_prompt() -> None:
    echo = EchoFilter("")
    assert echo.decided and echo.feed("x") == "x"


def test_json_params_errors_say_where() -> None:
    assert parse_json_params("") == {}
    assert parse_json_params(' {"top_k": 5} ') == {"top_k": 5}
    with pytest.raises(ParamsInvalid, match="line 2 column 1: Expecting"):
        parse_json_params('{"top_k": 5,\n}')
    with pytest.raises(ParamsInvalid, match="must be an object"):
        parse_json_params("[1]")


def test_quick_fields_check_ranges() -> None:
    fields = {field.key: field for field in QUICK_FIELDS}
    assert fields["max_new_tokens"].parse(" 64 ") == 64
    assert fields["temperature"].parse("0.7") == 0.7
    assert fields["top_p"].parse("") is None
    with pytest.raises(ParamsInvalid, match="top_p: must be at most 1"):
        fields["top_p"].parse("1.5")
    with pytest.raises(ParamsInvalid, match="not a whole number"):
        fields["max_length"].parse("1.5")


async def test_suggester_prefers_running_models() -> None:
    suggester = ModelSuggester()
    suggester.set_catalogue(NameIndex(["openai-community/gpt2", "Org/Alpha", "org/beta"]))
    assert await suggester.get_suggestion("org/") == "Org/Alpha"
    assert await suggester.get_suggestion("open") == "openai-community/gpt2"
    assert await suggester.get_suggestion("zzz") is None
    suggester.set_running(["org/beta"])
    assert await suggester.get_suggestion("org/") == "org/beta"


def test_name_index_handles_a_large_catalogue() -> None:
    names = [f"org{i % 97}/model-{i}" for i in range(100_000)]
    index = NameIndex(names)
    assert len(index) == 100_000
    assert index.first("org89/model-99999") == "org89/model-99999"
    assert index.first("org3/model-1") == min(n for n in names if n.startswith("org3/model-1"))


def test_stats_line() -> None:
    stats = RunStats(first_fragment=0.123, elapsed=2.0, fragments=1, chars=500, inferences=4)
    assert format_stats(stats) == (
        "first fragment 0.12 s · elapsed 2.00 s · 1 fragment · 250 chars/s · 4 inferences"
    )
    assert format_stats(RunStats(inferences=1)).endswith(" · 1 inference")
    assert format_stats(RunStats(), final=False) == (
        "first fragment — · elapsed 0.00 s · 0 fragments · — chars/s"
    )
