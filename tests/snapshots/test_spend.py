"""Snapshot of the Spend screen over a fortnight of seeded ledger, at 80×24."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from ledger_seed import seed_fortnight
from textual.pilot import Pilot
from waiting import until

from bytez_tui.app import BytezApp
from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer
from bytez_tui.local.ledger import Ledger
from bytez_tui.screens.spend import SpendScreen
from bytez_tui.widgets.status_bar import StatusBar

MakeApp = Callable[..., BytezApp]
Snap = Callable[..., bool]


@pytest.fixture
def utc_days(monkeypatch: pytest.MonkeyPatch) -> None:
    """Count days in UTC, whatever the machine's zone, so the bars fall on the same days."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


class TestSpendScreen:
    def test_fortnight(
        self,
        snap_compare: Snap,
        make_app: MakeApp,
        emulator: EmulatorServer,
        clock: FixedClock,
        utc_days: None,
    ) -> None:
        """`$` with 14 days in the ledger, under a $5 daily budget: bars for 06-18 to 07-01
        (day numbers under them), beside them the fortnight's total, today, the peak day,
        the burn rate and the budget; below, the models of the last 7 days and the costliest
        items (▣ an instance life, ▷ a run; ≈ our estimate), then the budget field holding
        5 and the footer's keys (esc, t, b)."""
        seed_fortnight(Ledger(store_key=emulator.url), clock.now())

        async def run_before(pilot: Pilot[Any]) -> None:
            bar = pilot.app.screen.query_one(StatusBar)
            await until(pilot, lambda: bool(bar.spend))
            pilot.app.set_focus(None)
            await pilot.press("dollar_sign")
            await until(pilot, lambda: isinstance(pilot.app.screen, SpendScreen))
            await pilot.pause()

        app = make_app(daily_budget=5.0)
        assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
