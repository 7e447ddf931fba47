"""The command line's pure parts, in-process: durations, `--params`, the prompt-echo filter."""

from __future__ import annotations

import pytest

from bytez_tui.cli.context import UsageError
from bytez_tui.cli.output import EXIT_API, EXIT_AUTH, EXIT_RETRYABLE, exit_code
from bytez_tui.cli.run import parse_params_flag as parse_params
from bytez_tui.errors import (
    AuthError,
    BadResponse,
    BytezError,
    NotFound,
    OutOfCredits,
    RateLimited,
    RequestTimeout,
    RunFailed,
    ServerError,
    StreamCut,
    StreamFailed,
    Unreachable,
)
from bytez_tui.format import parse_duration
from bytez_tui.prompting import EchoFilter


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("15m", 900), ("1h", 3600), ("1h30m", 5400), ("2.5m", 150)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "m", "5x", "30m1h", "1h1h", "-5", "nan", "inf"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_params_must_be_a_json_object() -> None:
    assert parse_params(None) == {}
    assert parse_params('{"top_k": 5}') == {"top_k": 5}
    with pytest.raises(UsageError, match="line 2 column 3"):
        parse_params('{"a": 1,\n  }')
    with pytest.raises(UsageError, match="must be a JSON object"):
        parse_params('"text"')


@pytest.mark.parametrize(
    ("fragments", "shown"),
    [
        (["Once upon", " a time", " there"], [""] * 2 + [" there"]),
        (["Once", " upon a time there"], ["", " there"]),
        (["Once", " more"], ["", "Once more"]),
        ([" the", " end"], [" the", " end"]),
    ],
)
def test_echo_filter_drops_a_leading_prompt_only(fragments: list[str], shown: list[str]) -> None:
    echo = EchoFilter("Once upon a time")
    assert [echo.feed(fragment) for fragment in fragments] == shown
    assert echo.close() == ""


def test_echo_filter_releases_a_held_prefix_when_the_stream_ends() -> None:
    echo = EchoFilter("Once upon a time")
    assert echo.feed("Once") == ""
    assert echo.close() == "Once"
    assert EchoFilter("").feed("Once") == "Once"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (AuthError("x"), EXIT_AUTH),
        (RateLimited("x"), EXIT_RETRYABLE),
        (ServerError("x"), EXIT_RETRYABLE),
        (Unreachable("x"), EXIT_RETRYABLE),
        (RequestTimeout("x"), EXIT_RETRYABLE),
        (StreamCut("x"), EXIT_RETRYABLE),
        (StreamFailed("x"), EXIT_API),
        (OutOfCredits("x"), EXIT_API),
        (RunFailed("x"), EXIT_API),
        (NotFound("x"), EXIT_API),
        (BadResponse("x"), EXIT_API),
    ],
)
def test_exit_codes_follow_the_error_tree(error: BytezError, code: int) -> None:
    assert exit_code(error) == code
