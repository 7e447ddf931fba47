"""Live time cells: `Countdown` (to an instance's expiry) and `Elapsed` (since a moment).

Both store an instant and render its distance from `now()` each time they tick; they never
decrement a counter, so a late timer, a suspended laptop or a corrected server clock can't
make them drift. Each is a narrow widget of its own because Textual resends a widget's whole
line when it repaints: a ticking cell inside a wide row would resend the row every second.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from bytez_tui.format import GRACE_SECONDS, WARN_SECONDS, Phase, countdown_text, duration

__all__ = ["Countdown", "Elapsed"]


class _Ticking(Widget):
    """A one-line widget that re-renders from the time once a second.

    Every instance ticks on the same whole-second phase of the wall clock, so twenty of
    them repaint in one frame rather than in twenty.
    """

    frozen: bool = False
    """Class switch for benchmarks: when True nothing ticks (the "frozen" baseline)."""

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._now = now
        self._text = ""
        self._timer: Timer | None = None

    def on_mount(self) -> None:
        self.tick()
        if not self.frozen:
            import time

            # Start on the next whole second, so every ticking cell repaints together.
            self.set_timer(1.0 - time.time() % 1.0, self._start)

    def _start(self) -> None:
        self.tick()
        self._timer = self.set_interval(1.0, self.tick)

    def render(self) -> str:
        # Pad to the full width in one run of text: a separate run of alignment blanks
        # would cost an extra pair of colour escapes per repaint.
        width = self.content_size.width
        align = self.styles.text_align
        if align in ("right", "end"):
            return self._text.rjust(width)
        if align == "center":
            return self._text.center(width)
        return self._text.ljust(width)

    def tick(self) -> None:
        """Recompute the text from the time; repaint only if it changed."""
        text = self.compute_text(self._now())
        if text != self._text:
            self._text = text
            self.refresh()

    def compute_text(self, now: datetime) -> str:
        """The text to show at `now`."""
        raise NotImplementedError

    @property
    def text(self) -> str:
        """What the widget shows now."""
        return self._text


class Countdown(_Ticking):
    """Time left until `expires_at`, then "expiring" for the grace window, then "expired".

    Args:
        expires_at: When the idle timeout runs out (server time).
        now: The server's current time (the client clock corrected by the measured offset).
        grace: Seconds past `expires_at` shown as "expiring".
        warn_below: Seconds left under which the countdown warns.
    """

    DEFAULT_CSS = """
    Countdown {
        width: 10;
        height: 1;
        text-align: right;
    }
    Countdown.-warning { color: $warning; text-style: bold; }
    Countdown.-expiring { color: $error; text-style: bold; }
    Countdown.-expired, Countdown.-gone { color: $text-muted; }
    """

    expires_at: reactive[datetime | None] = reactive(None, init=False)
    """When the idle timeout runs out, in server time."""
    gone: reactive[bool] = reactive(False, init=False)
    """The instance has disappeared from the server."""

    @dataclass
    class PhaseChanged(Message):
        """The countdown moved to another phase (for example from counting to warning)."""

        countdown: Countdown
        """The countdown that changed."""
        phase: Phase
        """The new phase."""

        @property
        def control(self) -> Countdown:
            return self.countdown

    def __init__(
        self,
        expires_at: datetime | None,
        *,
        now: Callable[[], datetime],
        grace: float = GRACE_SECONDS,
        warn_below: float = WARN_SECONDS,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(now=now, name=name, id=id, classes=classes)
        self.set_reactive(Countdown.expires_at, expires_at)
        self.grace = grace
        """Seconds past `expires_at` shown as "expiring"."""
        self.warn_below = warn_below
        """Seconds left under which the countdown warns."""
        self.phase: Phase = "none"
        """The current phase."""

    def watch_expires_at(self) -> None:
        self.tick()

    def watch_gone(self) -> None:
        self.tick()

    def compute_text(self, now: datetime) -> str:
        text, phase = countdown_text(
            self.expires_at, now, gone=self.gone, grace=self.grace, warn_below=self.warn_below
        )
        if phase != self.phase:
            self.remove_class(f"-{self.phase}")
            self.add_class(f"-{phase}")
            self.phase = phase
            self.post_message(self.PhaseChanged(self, phase))
        return text


class Elapsed(_Ticking):
    """Time since `since` (or between `since` and `until` once that is set).

    Args:
        since: The start (server time), or None for a dash.
        now: The server's current time.
        until: The end, which freezes the widget.
    """

    DEFAULT_CSS = """
    Elapsed {
        width: 10;
        height: 1;
        text-align: right;
    }
    """

    since: reactive[datetime | None] = reactive(None, init=False)
    """The start."""
    until: reactive[datetime | None] = reactive(None, init=False)
    """The end, when known: the widget then shows a fixed duration."""

    def __init__(
        self,
        since: datetime | None,
        *,
        now: Callable[[], datetime],
        until: datetime | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(now=now, name=name, id=id, classes=classes)
        self.set_reactive(Elapsed.since, since)
        self.set_reactive(Elapsed.until, until)

    def watch_since(self) -> None:
        self.tick()

    def watch_until(self) -> None:
        self.tick()

    def compute_text(self, now: datetime) -> str:
        if self.since is None:
            return "—"
        end = self.until or now
        return duration((end - self.since).total_seconds())
