"""The one-line header: API host (and `v2` when the app speaks it), masked key, connection
state, data age."""

from __future__ import annotations

from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from bytez_tui.clock import Clock
from bytez_tui.connection import Health
from bytez_tui.format import ago
from bytez_tui.text import printable

__all__ = ["StatusBar"]

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
        parts = [f"bytez-tui  {host}", f"key {self._key}", state]
        if self.spend:  # before the age: at 80 columns the end of the line is cut
            parts.append(self.spend)
        if health.updated is not None:
            parts.append(f"updated {ago(health.updated, self._clock.now())}")
        if self.paused:
            parts.append("⏸ live updates paused")
        if health.detail and health.state != "online":
            parts.append(health.detail)
        self.update(printable(" │ ".join(parts), one_line=True))
