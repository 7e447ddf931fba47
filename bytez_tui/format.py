"""How numbers, durations and money read on screen (shared by panes and the CLI)."""

from __future__ import annotations

import re
from datetime import datetime

__all__ = ["ago", "duration", "money", "parse_duration", "plural", "ram"]

DASH = "—"


def duration(seconds: float) -> str:
    """A compact duration: `45s`, `4m05s`, `2h03m`, `3d04h`."""
    seconds = int(max(0, seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([dhms])", re.IGNORECASE)
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> float:
    """Read a duration typed by a person: `90`, `90s`, `15m`, `1h`, `1h30m`, `2.5m`.

    A bare number is seconds. Units are d, h, m and s, largest first.

    Raises:
        ValueError: The text is not a duration, or it is negative.
    """
    cleaned = text.strip().lower().replace(" ", "")
    try:
        seconds = float(cleaned)
    except ValueError:
        parts = _DURATION_PART.findall(cleaned)
        units = [unit for _, unit in parts]
        rebuilt = "".join(number + unit for number, unit in parts)
        if not parts or rebuilt != cleaned or units != sorted(set(units), key="dhms".index):
            raise ValueError(f"not a duration: {text!r} (try 90s, 15m, 1h30m)") from None
        seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    if not seconds >= 0 or seconds == float("inf"):
        raise ValueError(f"not a duration: {text!r} (try 90s, 15m, 1h30m)")
    return seconds


def ago(then: datetime, now: datetime) -> str:
    """How long ago `then` was, roughly: `just now`, `12 s ago`, `3 h ago`."""
    seconds = (now - then).total_seconds()
    if seconds < 5:
        return "just now"
    if seconds < 60:
        return f"{int(seconds)} s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"


def plural(count: int, noun: str) -> str:
    """`1 job`, `2 jobs`: the count with its noun, in the plural when it is not one."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def money(dollars: float | None) -> str:
    """Dollars with enough precision for small sums; `—` when unknown."""
    if dollars is None:
        return DASH
    if dollars < 0.01:
        return f"${dollars:.4f}"
    if dollars < 100:
        return f"${dollars:.2f}"
    return f"${dollars:,.0f}"


def ram(gb: float | None) -> str:
    """RAM in GB with two decimals; `—` when unknown."""
    return DASH if gb is None else f"{gb:.2f}"
