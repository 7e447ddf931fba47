"""How numbers, durations and money read on screen (shared by panes and the CLI)."""

from __future__ import annotations

from datetime import datetime

__all__ = ["ago", "duration", "money", "ram"]

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
