"""Countdowns render `expires_at - now()` on each tick: never a decremented counter."""

from __future__ import annotations

from datetime import datetime, timedelta

from textual.app import App, ComposeResult

from bytez_tui.clock import FixedClock, utc
from bytez_tui.format import countdown_text
from bytez_tui.widgets.countdown import Countdown, Elapsed

START = datetime(2024, 7, 1, 12, 0, 0, tzinfo=utc)


def test_text_and_phases() -> None:
    expires = START + timedelta(seconds=185)
    assert countdown_text(expires, START) == ("3m05s", "counting")
    assert countdown_text(expires, START + timedelta(seconds=126)) == ("⚠ 59s", "warning")
    assert countdown_text(expires, START + timedelta(seconds=185)) == ("⚠ expiring", "expiring")
    assert countdown_text(expires, START + timedelta(seconds=304)) == ("⚠ expiring", "expiring")
    assert countdown_text(expires, START + timedelta(seconds=305)) == ("expired", "expired")
    assert countdown_text(expires, START + timedelta(seconds=200), gone=True) == (
        "15 s ago",
        "gone",
    )
    assert countdown_text(expires, START, gone=True) == ("stopped", "gone")
    assert countdown_text(None, START) == ("—", "none")
    assert countdown_text(START + timedelta(hours=2, minutes=3), START)[0] == "2h03m"


class Host(App[None]):
    def __init__(self, clock: FixedClock) -> None:
        super().__init__()
        self.clock = clock
        self.phases: list[str] = []

    def compose(self) -> ComposeResult:
        yield Countdown(START + timedelta(seconds=90), now=self.clock.now, grace=120)
        yield Elapsed(START, now=self.clock.now)

    def on_countdown_phase_changed(self, event: Countdown.PhaseChanged) -> None:
        self.phases.append(event.phase)


async def test_widget_follows_the_clock_not_a_counter() -> None:
    clock = FixedClock(START)
    app = Host(clock)
    async with app.run_test() as pilot:
        countdown = app.query_one(Countdown)
        elapsed = app.query_one(Elapsed)
        assert countdown.text == "1m30s"
        countdown.tick()
        countdown.tick()  # ticking without time passing changes nothing
        assert countdown.text == "1m30s"
        clock.advance(45)
        countdown.tick()
        elapsed.tick()
        assert countdown.text == "⚠ 45s"
        assert elapsed.text == "45s"
        assert countdown.has_class("-warning")
        clock.advance(3600)  # a suspended laptop: one tick catches up at once
        countdown.tick()
        assert countdown.text == "expired"
        assert countdown.has_class("-expired") and not countdown.has_class("-warning")
        countdown.expires_at = clock.now() + timedelta(seconds=600)  # a run reset the expiry
        assert countdown.text == "10m00s"
        countdown.gone = True
        assert countdown.text == "stopped"
        elapsed.until = START + timedelta(seconds=90)
        assert elapsed.text == "1m30s"
        await pilot.pause()
        assert app.phases == ["counting", "warning", "expired", "counting", "gone"]


async def test_frozen_countdowns_do_not_start_a_timer() -> None:
    clock = FixedClock(START)
    Countdown.frozen = True
    try:
        app = Host(clock)
        async with app.run_test():
            countdown = app.query_one(Countdown)
            assert countdown._timer is None
            assert countdown.text == "1m30s"
    finally:
        Countdown.frozen = False
