"""Tolerant readers of the values in the API's JSON answers.

`bytez_tui.models` builds every dataclass with these. Each reader accepts the shapes the
API has used (a number or a numeric string, an ISO date or an epoch in seconds or
milliseconds) and answers None for what it cannot use; only `json_object` raises, with
`BadResponse`, never `KeyError` or `TypeError`.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from typing import Any

from bytez_tui.errors import BadResponse

__all__ = [
    "MAX_NUMBER",
    "as_text",
    "finite_number",
    "first_present",
    "json_object",
    "parse_price",
    "parse_time",
    "whole_number",
]

MAX_NUMBER = 1e15
"""The largest believable figure: 10**400 or 1e300 must never reach the arithmetic
(OverflowError) or a `--json` line (Infinity)."""


def parse_time(value: object) -> datetime | None:
    """Read an ISO-8601 string or epoch number as an aware UTC datetime; None if unusable."""
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, (int, float)):
            seconds = float(value) / 1000 if value > 1e11 else float(value)
            return datetime.fromtimestamp(seconds, timezone.utc)
        if isinstance(value, str) and value.strip():
            text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
            parsed = datetime.fromisoformat(text)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=timezone.utc)
            return parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def parse_price(value: object) -> float | None:
    """Read v2's `meterPrice` ("0.0006478333 / sec") or a bare number as USD per second.

    Returns None for anything else, or a negative or non-finite figure.
    """
    if isinstance(value, str):
        value = value.strip().split("/", 1)[0].strip().removeprefix("$")
    number = finite_number(value)
    return number if number is not None and number >= 0 else None


def json_object(data: object, what: str) -> dict[str, Any]:
    """`data` as a JSON object.

    Raises:
        BadResponse: It is something else (`what` names what it should have been).
    """
    if not isinstance(data, dict):
        raise BadResponse(f"Expected a {what} object, got {type(data).__name__}")
    return data


def first_present(data: dict[str, Any], *keys: str) -> Any:
    """The value of the first of `keys` that `data` holds and is not null; None if none."""
    for key in keys:
        value = data.get(key)
        if value is not None:
            return value
    return None


def finite_number(value: object, limit: float = MAX_NUMBER) -> float | None:
    """`value` as a finite number within ±`limit`, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):  # "abc"; an int of 400 digits
        return None
    return number if math.isfinite(number) and abs(number) <= limit else None


def whole_number(value: object, default: int | None, limit: float = MAX_NUMBER) -> int | None:
    """`value` as an integer within ±`limit` (a fraction truncated), or `default`."""
    number = finite_number(value, limit)
    return default if number is None else int(number)


def as_text(value: object) -> str | None:
    """A string as it is, null as None, anything else as its JSON (an error object)."""
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)
