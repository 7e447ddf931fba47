"""The argparse value types of the scripted commands: model ids, durations, dates, counts.

Each turns a word of the command line into a value or raises `ArgumentTypeError`, so a
typo is a usage error (exit 2) with the reason, never a request the server refuses.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

from bytez_tui.format import duration, parse_duration
from bytez_tui.models import MAX_CONCURRENCY, MAX_EXPIRY_SECONDS

__all__ = [
    "concurrency_arg",
    "count_arg",
    "duration_arg",
    "expiry_arg",
    "model_arg",
    "positive_duration_arg",
    "positive_int",
    "since_arg",
    "whole_number_arg",
]


def model_arg(text: str) -> str:
    """An argparse type: a Hugging Face model id, `org/name`, or its Hub page URL (a typo
    is a usage error caught here, not a request the server refuses)."""
    from bytez_tui.catalogue.ids import is_model_id, model_id_from

    model = model_id_from(text)
    if not is_model_id(model):
        raise argparse.ArgumentTypeError(f"expected a Hugging Face id, org/name: {text!r}")
    return model


def duration_arg(text: str) -> float:
    """An argparse type: a duration such as `90s`, `15m` or `1h30m`, in seconds."""
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_duration_arg(text: str) -> float:
    """A duration greater than zero."""
    seconds = duration_arg(text)
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"must be more than zero: {text!r}")
    return seconds


def expiry_arg(text: str) -> float:
    """An idle expiry: more than zero, at most `MAX_EXPIRY_SECONDS`."""
    seconds = positive_duration_arg(text)
    if seconds > MAX_EXPIRY_SECONDS:
        raise argparse.ArgumentTypeError(
            f"must be at most {duration(MAX_EXPIRY_SECONDS)}: {text!r}"
        )
    return seconds


def whole_number_arg(minimum: int, bound: str, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer from `minimum` to `maximum` (`bound` says so in words)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"must be {bound}: {text!r}")
        return value

    return parse


positive_int = whole_number_arg(1, "at least 1")
"""A whole number of at least 1 (`--limit`)."""
count_arg = whole_number_arg(0, "0 or more")
"""A whole number of at least 0 (`--retries`)."""
concurrency_arg = whole_number_arg(1, f"from 1 to {MAX_CONCURRENCY}", MAX_CONCURRENCY)
"""A concurrency the app asks for (`load --concurrency`)."""


def since_arg(text: str) -> float | date:
    """An argparse type: how far back, as a duration (`7d`, `12h`) or a date (`2024-07-01`)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        pass
    try:
        return parse_duration(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a duration or a date: {text!r} (try 7d, 12h or 2024-07-01)"
        ) from None
