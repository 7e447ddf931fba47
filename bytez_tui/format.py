"""How numbers, durations and money read on screen (shared by panes and the CLI)."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Literal

__all__ = [
    "DASH",
    "GRACE_SECONDS",
    "WARN_SECONDS",
    "Phase",
    "ago",
    "countdown_text",
    "duration",
    "money",
    "parse_duration",
    "plural",
    "ram",
]

DASH = "—"
"""What a cell shows for a value that is unknown."""


def duration(seconds: float | None, *, to_minute: bool = False) -> str:
    """A compact duration: `45s`, `4m05s`, `2h03m`, `3d04h`; `—` when unknown.

    Two units at most, the larger first. `to_minute` drops the seconds (`<1m`, `25m`,
    `1h05m`), for a cell that should change once a minute rather than every second.
    """
    if seconds is None:
        return DASH
    seconds = int(max(0, seconds))
    minutes, secs = divmod(seconds, 60)
    if minutes < 1:
        return "<1m" if to_minute else f"{seconds}s"
    if minutes < 60:
        return f"{minutes}m" if to_minute else f"{minutes}m{secs:02d}s"
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
    """Dollars as every table, dialog and CLI line shows them; `—` when unknown.

    The one rule: cents (`$0.03`, `$1.68`); a sum under one cent keeps four decimals so it
    does not read as nothing (`$0.0005`), and under a hundredth of a cent two significant
    digits (`$0.000043`, what one v2 run of a small model costs); nothing at all is `$0.00`;
    from $100, whole dollars (`$1,234`); a negative amount has its sign before the `$`, and a
    figure that is not finite is unknown. The same amount reads the same everywhere, on one
    screen or across front ends.
    """
    if dollars is None or not math.isfinite(dollars):
        return DASH  # unknown, never "$inf" or "$nan"
    if dollars < 0:
        return "-" + money(-dollars)
    if dollars == 0:
        return "$0.00"  # nothing, exactly: no need for four decimals to say so
    if 0 < dollars < 0.0001:
        places = 1 - math.floor(math.log10(dollars))
        return f"${dollars:.{places}f}"
    if dollars < 0.01:
        return f"${dollars:.4f}"
    if dollars < 100:
        return f"${dollars:.2f}"
    return f"${dollars:,.0f}"


def ram(gb: float | None) -> str:
    """RAM in GB with two decimals; `—` when unknown."""
    return DASH if gb is None else f"{gb:.2f}"


GRACE_SECONDS = 120.0
"""How long past `expiresAt` an instance may linger before shutdown (API reference §5)."""
WARN_SECONDS = 60.0
"""Under this many seconds left, the countdown turns into a warning."""

Phase = Literal["none", "counting", "warning", "expiring", "expired", "gone"]
"""What a countdown is showing: nothing, time left, little time left, inside the grace
window, past the grace window, or the instance has disappeared."""


def countdown_text(
    expires_at: datetime | None,
    now: datetime,
    *,
    gone: bool = False,
    grace: float = GRACE_SECONDS,
    warn_below: float = WARN_SECONDS,
) -> tuple[str, Phase]:
    """What a countdown shows at `now`, and its phase.

    Args:
        expires_at: When the idle timeout runs out, or None when unknown.
        now: The server's current time.
        gone: The instance has disappeared from the server.
        grace: Seconds past `expires_at` still shown as "expiring".
        warn_below: Seconds left under which the countdown warns.

    Returns:
        The text (`29m59s`, `⚠ 45s`, `⚠ expiring`, `expired`, `—`) and the phase; once
        `gone`, how long ago it expired (`3 min ago`: the row's status says "expired").
    """
    if expires_at is None:
        return ("gone" if gone else "—"), ("gone" if gone else "none")
    left = (expires_at - now).total_seconds()
    if gone:
        return ("stopped" if left > 0 else ago(expires_at, now)), "gone"
    if left <= -grace:
        return "expired", "expired"
    if left <= 0:
        return "⚠ expiring", "expiring"
    if left < warn_below:
        return f"⚠ {int(left)}s", "warning"
    return duration(left), "counting"
