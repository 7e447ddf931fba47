"""What the instances pane tells the user: load answers, the delete question, the summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bytez_tui.errors import AlreadyLoaded, BytezError, LoadInProgress, OutOfCredits, RateLimited
from bytez_tui.format import duration, money, plural
from bytez_tui.models import cost_per_hour
from bytez_tui.panes.instances.row import InstanceRow

__all__ = ["CAPACITY_MANAGED", "LoadAnswer", "delete_question", "explain_load_error", "summary"]

CAPACITY_MANAGED = (
    "This API manages capacity itself: a model starts on its first run and stops when it "
    "has been idle a while, and you pay per second of inference, not for idle time.\n\n"
    "So there are no instances to load, delete or count down here. Run a model from the "
    "playground (4); the catalogue (1) shows what each one costs."
)
"""What the pane shows when the server has no cluster routes (v2 without them)."""


@dataclass(frozen=True)
class LoadAnswer:
    """How to tell the user about a load the server refused."""

    title: str
    """The toast's title."""
    message: str
    """What happened and what to do."""
    severity: Literal["information", "warning", "error"]
    """The toast's severity."""
    follow: bool = False
    """Follow the boot anyway (a load already in progress)."""
    refresh: bool = False
    """Refresh the list (the server knows something we don't show)."""


def explain_load_error(model: str, error: BytezError) -> LoadAnswer:
    """Turn a refused `/model/load` into words (API reference §4 and §6)."""
    if isinstance(error, AlreadyLoaded):
        return LoadAnswer(
            "Already loaded",
            f"{model} is already running (409), so nothing new was started. "
            "Delete it first to load it with other settings.",
            "warning",
            refresh=True,
        )
    if isinstance(error, LoadInProgress):
        return LoadAnswer(
            "Load in progress",
            f"A load of {model} is already under way (429): following it "
            "instead of starting another.",
            "information",
            follow=True,
        )
    if isinstance(error, OutOfCredits):
        return LoadAnswer(
            "Out of credits",
            f"No instance was started: {error.message} Add credits to your Bytez "
            "account, or delete an instance you no longer need.",
            "error",
        )
    if isinstance(error, RateLimited):
        wait = f" in {error.retry_after:.0f} s" if error.retry_after else " in a moment"
        return LoadAnswer(
            "Rate limited",
            f"Bytez is rate limiting requests (429): try loading {model} again{wait}.",
            "warning",
        )
    return LoadAnswer(f"Loading {model} failed", error.message, "error")


def delete_question(uptime: float | None, cost: float | None, ram_gb: float | None) -> str:
    """The body of the delete confirmation: what the instance has cost so far."""
    if cost is None:
        bill = "Its cost is unknown (no RAM figure for it, or its boot failed)."
    else:
        bill = (
            f"It has been up {duration(uptime, to_minute=True)}: about {money(cost)} so far "
            f"(billed per started minute, 60 s minimum; {money(cost_per_hour(ram_gb))} per hour)."
        )
    return f"{bill}\nIt stops at once; using it again means a new load and a cold boot."


def summary(rows: Sequence[InstanceRow]) -> str:
    """The line under the table: how many instances, and what they bill per hour."""
    live = [row for row in rows if not row.gone]
    if not live:
        return ""
    failed = sum(1 for row in live if row.instance.is_failed)
    booting = sum(1 for row in live if row.instance.is_booting)
    rates = [cost_per_hour(row.ram_gb) for row in live if not row.instance.is_failed]
    known = [rate for rate in rates if rate is not None]
    total = money(sum(known)) + ("+" if len(known) < len(rates) else "")
    text = plural(len(live), "instance")
    text += f", {booting} booting" if booting else ""
    text += f", {failed} failed" if failed else ""
    if not rates:
        return text + " · nothing billing"  # a failed instance costs nothing
    return text + f" · billing {total} per hour while they run"
