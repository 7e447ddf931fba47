"""The run status line: how the last run went and its stats, in one small widget.

It is redrawn a few times a second while a run streams, so it is kept to a line
of its own (Textual resends whole widget lines when anything in them changes).
"""

from __future__ import annotations

from textual.widgets import Static

from bytez_tui.format import money
from bytez_tui.local.conversations import Turn
from bytez_tui.local.history import RunRecord, RunStats
from bytez_tui.text import printable

__all__ = ["RunStatus", "format_stats", "reply_footer"]

_STATES = ("-running", "-done", "-stopped", "-failed", "-blocked", "-waiting")


def format_stats(stats: RunStats, *, final: bool = True) -> str:
    """`first fragment 0.12 s · elapsed 3.40 s · 200 fragments · 310 chars/s · 12 inferences`,
    then `· cost $0.000043` when the server reported what the run cost."""
    first = "—" if stats.first_fragment is None else f"{stats.first_fragment:.2f} s"
    rate = stats.chars_per_second
    parts = [
        f"first fragment {first}",
        f"elapsed {stats.elapsed:.2f} s",
        f"{stats.fragments:,} fragment{'' if stats.fragments == 1 else 's'}",
        f"{'—' if rate is None else f'{rate:,.0f}'} chars/s",
    ]
    if final:
        count = stats.inferences
        shown = "—" if count is None else f"{count:,}"
        parts.append(f"{shown} inference{'' if count == 1 else 's'}")
        if stats.cost_usd is not None:
            parts.append(f"cost {money(stats.cost_usd)}")
    return " · ".join(parts)


def reply_footer(turn: Turn) -> str:
    """The line under a reply: how it ended and its stats (and cost, where reported)."""
    if turn.outcome == "failed":
        head = f"✗ {turn.error or 'failed'}"
    elif turn.outcome == "stopped":
        head = "■ stopped"
    else:
        head = "✓ done"
    parts = [head]
    if turn.stats is not None:
        parts.append(format_stats(turn.stats, final=False))
    if turn.cost is not None:
        parts.append(f"cost {money(turn.cost)}")
    return " · ".join(parts)


class RunStatus(Static):
    """One line: the run's state (running, done, stopped, failed …) and its stats."""

    record: RunRecord | None = None
    """The finished run shown, if that is what is shown."""

    def __init__(self, *, id: str | None = None) -> None:
        # Plain text: the line holds the server's error and the model typed.
        super().__init__(id=id, markup=False)

    def _state(self, state: str, text: str) -> None:
        self.record = None
        for name in _STATES:
            self.set_class(name == state, name)
        self.update(printable(text, one_line=True))

    def show_idle(self) -> None:
        """Nothing has run yet."""
        self._state("", "i: prompt · ctrl+j runs · esc stops · ctrl+g params · ctrl+↑/↓ history")

    def show_chat_idle(self) -> None:
        """Chat mode, between replies."""
        self._state(
            "", "chat · ctrl+j sends · escape stops · ctrl+n new · alt+l list · ctrl+t leaves"
        )

    def show_reply(self, turn: Turn) -> None:
        """A chat reply ended."""
        self._state(f"-{turn.outcome}", reply_footer(turn))

    def show_running(self, model: str, stats: RunStats) -> None:
        """A run is under way."""
        self._state("-running", f"● running {model} · {format_stats(stats, final=False)}")

    def show_waiting(self, model: str) -> None:
        """A run waits for its model to be RUNNING."""
        self._state(
            "-waiting",
            f"… waiting for {model} to be RUNNING, then the run starts (escape cancels)",
        )

    def show_checking(self, model: str) -> None:
        """The run first asks whether its model is running (a slow or failing server can
        take seconds to answer: say so rather than look idle)."""
        self._state("-waiting", f"… checking that {model} is running (escape cancels)")

    def show_blocked(self, reason: str) -> None:
        """The run was refused before it started."""
        self._state("-blocked", f"Not run: {reason}")

    def show_record(self, record: RunRecord, *, recalled: bool = False) -> None:
        """A finished run, live or recalled from the history."""
        if record.outcome == "failed":
            head = f"✗ failed: {record.error or 'unknown error'}"
        elif record.outcome == "stopped":
            head = "■ stopped"
        else:
            head = "✓ done"
        if recalled:
            head = f"history {record.time[:19].replace('T', ' ')} · {head}"
        self._state(f"-{record.outcome}", f"{head} · {format_stats(record.stats)}")
        self.record = record
