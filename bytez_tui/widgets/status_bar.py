"""The one-line header: API host (and `v2` when the app speaks it), masked key, connection
state, spend, data age; in a narrow terminal the least needed of them go first."""

from __future__ import annotations

import itertools

from rich.cells import cell_len
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from bytez_tui.clock import Clock
from bytez_tui.connection import Health
from bytez_tui.format import ago
from bytez_tui.text import printable

__all__ = ["StatusBar"]

_NAME = "bytez-tui"

_STATE_TEXT = {
    "connecting": "◌ connecting",
    "online": "● online",
    "offline": "✖ offline",
    "retrying": "↻ retrying",
    "unauthorized": "⚠ unauthorized",
}


class StatusBar(Static):
    """Where the API is, with which key, and whether it answers.

    Args:
        label: What to call the API: a name, or its host.
        masked_key: The key as the user may see it.
        dialect: The API dialect when already known (`v2` is shown beside the host; v1,
            the dialect the app was first built on, is left unmarked).
        clock: For "updated N ago".
    """

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    StatusBar.-offline, StatusBar.-unauthorized { background: $error 30%; }
    StatusBar.-retrying { background: $warning 30%; }
    """

    health: reactive[Health] = reactive(Health, always_update=True)
    """The connection's health."""
    paused: reactive[bool] = reactive(False)
    """Live updates are paused."""
    spend: reactive[str] = reactive("")
    """The burn rate and today's spend, once there is any (from `SpendWatch`)."""

    def __init__(
        self,
        *,
        label: str,
        masked_key: str,
        clock: Clock,
        dialect: str | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, markup=False)
        self._host = label
        self._key = masked_key
        self._clock = clock
        self._dialect = dialect
        self._retry_timer: Timer | None = None

    def on_mount(self) -> None:
        self.set_interval(15, self._refresh_age)
        # Ticks only while a "retrying in Ns" countdown is shown (one short line a second).
        self._retry_timer = self.set_interval(1, self._refresh_age, pause=self._retry_at is None)

    @property
    def _retry_at(self) -> float | None:
        """When the next retry is due, while the header counts down to it."""
        health = self.health
        return health.retry_at if health.state == "retrying" else None

    def watch_health(self, health: Health) -> None:
        for state in _STATE_TEXT:
            self.set_class(health.state == state, f"-{state}")
        if self._retry_timer is not None:
            if self._retry_at is not None:
                self._retry_timer.resume()
            else:
                self._retry_timer.pause()
        self._refresh_age()

    def watch_paused(self) -> None:
        self._refresh_age()

    def watch_spend(self) -> None:
        self._refresh_age()

    def show_key(self, masked_key: str) -> None:
        """Show a new key (masked): the user entered one."""
        self._key = masked_key
        self._refresh_age()

    def _refresh_age(self) -> None:
        health = self.health
        state = _STATE_TEXT[health.state]
        if health.state == "retrying" and health.rate_limited:
            state = "↻ rate limited, retrying"
        if self._retry_at is not None:
            # Counted down to a due time, not from a figure frozen in the answer.
            left = self._retry_at - self._clock.monotonic()
            # At zero the request is under way (its own retries can take a few seconds).
            state += f" in {left:.0f}s" if left >= 0.5 else " now…"
        dialect = health.dialect or self._dialect
        host = f"{self._host} v2" if dialect == "v2" else self._host
        # (text, rank): where the line is too narrow, the highest rank goes first.
        parts = [(_NAME, 6), (host, 3), (f"key {self._key}", 4), (state, 0)]
        if self.spend:
            parts.append((self.spend, 1))
        if health.updated is not None:
            parts.append((f"updated {ago(health.updated, self._clock.now())}", 5))
        if self.paused:
            parts.append(("⏸ live updates paused", 2))
        self.update(
            _fit(parts, self.content_size.width, health.detail if health.state != "online" else "")
        )

    def on_resize(self) -> None:
        self._refresh_age()


def _fit(parts: list[tuple[str, int]], width: int, tail: str) -> str:
    """The header's line: `parts` in order, less the highest-ranked ones while they don't
    fit in `width` (the connection state and the spend stay), then `tail` (an error's
    words), which is cut where the line ends."""
    shown = [(printable(text, one_line=True), rank) for text, rank in parts]

    def line(items: list[tuple[str, int]]) -> str:
        # The app's name is followed by a wider gap, as a title is.
        joined = items[0][0]
        for (before, _), (text, _) in itertools.pairwise(items):
            joined += ("  " if before == _NAME else " │ ") + text
        return joined

    while width and cell_len(line(shown)) > width:
        rank = max(rank for _, rank in shown)
        if rank <= 1:
            break  # the state and the spend: cut rather than dropped
        shown = [(text, r) for text, r in shown if r != rank]
    text = line(shown)
    if tail:
        text += " │ " + printable(tail, one_line=True)
    return text
