"""Small shared widgets in a tiny host app."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from bytez_tui.clock import FixedClock
from bytez_tui.connection import Health
from bytez_tui.widgets.status_bar import StatusBar


class _Host(App[None]):
    def __init__(self, clock: FixedClock) -> None:
        super().__init__()
        self.clock = clock

    def compose(self) -> ComposeResult:
        yield StatusBar(label="emulator", masked_key="…0000", clock=self.clock)


async def test_header_counts_the_rate_limit_retry_down(clock: FixedClock) -> None:
    """The header said "retrying in 30s" until the next answer, however long it waited; it
    counts down to the retry, says why, then says the retry is under way."""
    app = _Host(clock)
    async with app.run_test(size=(120, 3)) as pilot:
        bar = app.query_one(StatusBar)
        bar.health = Health("retrying", "Rate limited", clock.monotonic() + 30.0, None, True)
        await pilot.pause()
        assert "↻ rate limited, retrying in 30s" in str(bar.render())
        clock.advance(12)
        bar._refresh_age()  # what the once-a-second timer calls
        assert "↻ rate limited, retrying in 18s" in str(bar.render())
        clock.advance(60)
        bar._refresh_age()
        assert "↻ rate limited, retrying now…" in str(bar.render())  # the retry is under way
        assert bar._retry_timer is not None and bar._retry_timer._active.is_set()
        bar.health = Health("online")
        await pilot.pause()
        assert "● online" in str(bar.render()) and "retrying" not in str(bar.render())
        assert not bar._retry_timer._active.is_set()


@pytest.mark.parametrize(
    ("width", "line"),
    [
        (
            120,
            "bytez-tui  emulator │ key …0000 │ ● online │ ≈$0.57/h · today ≈$1.23"
            " │ updated just now",
        ),
        (80, "emulator │ key …0000 │ ● online │ ≈$0.57/h · today ≈$1.23 │ updated just now"),
        (60, "emulator │ key …0000 │ ● online │ ≈$0.57/h · today ≈$1.23"),
        (50, "emulator │ ● online │ ≈$0.57/h · today ≈$1.23"),
        (40, "● online │ ≈$0.57/h · today ≈$1.23"),
    ],
)
async def test_a_narrow_header_keeps_the_state_and_the_spend(
    clock: FixedClock, width: int, line: str
) -> None:
    """At 60 columns the spend figure fell off the end of the line: the app's name, the
    data's age, the key and the host give way first."""
    app = _Host(clock)
    async with app.run_test(size=(width, 3)) as pilot:
        bar = app.query_one(StatusBar)
        bar.health = Health("online", updated=clock.now())
        bar.spend = "≈$0.57/h · today ≈$1.23"
        await pilot.pause()
        assert str(bar.render()) == line
