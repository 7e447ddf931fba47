"""The dashboard speaking v2: the header, the remembered dialect, and each pane."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from waiting import until

from bytez_tui.app import BytezApp
from bytez_tui.app import make_app as build_app
from bytez_tui.clock import FixedClock
from bytez_tui.config import Settings
from bytez_tui.emulator import EmulatorServer
from bytez_tui.local.dialects import remembered_dialect
from bytez_tui.widgets.status_bar import StatusBar

TEST_KEY = "test-key-0000"
AppFactory = Callable[..., BytezApp]


@pytest.fixture
def make_app_v2(emulator_v2: EmulatorServer, clock: FixedClock) -> AppFactory:
    """Build a `BytezApp` on the emulator that serves both dialects (`api` auto)."""

    def factory(**overrides: Any) -> BytezApp:
        values: dict[str, Any] = {
            "api_key": TEST_KEY,
            "base_url": emulator_v2.url,
            "label": "emulator",
        }
        values.update(overrides)
        app = build_app(Settings(**values), clock=clock)
        app.animation_level = "none"
        return app

    return factory


async def test_header_shows_v2_once_auto_finds_it(
    make_app_v2: AppFactory, emulator_v2: EmulatorServer
) -> None:
    app = make_app_v2()
    async with app.run_test(size=(120, 40)) as pilot:
        bar = app.screen.query_one(StatusBar)
        await until(pilot, lambda: "● online" in str(bar.render()))
        assert "bytez-tui  emulator v2 │" in str(bar.render())
    assert remembered_dialect(emulator_v2.url) == "v2"
    assert emulator_v2.count("tasks") == 1
    again = make_app_v2()
    async with again.run_test(size=(120, 40)) as pilot:
        bar = again.screen.query_one(StatusBar)
        assert "emulator v2" in str(bar.render())  # remembered: shown before any answer
        await until(pilot, lambda: "● online" in str(bar.render()))
    assert emulator_v2.count("tasks") == 1  # and not asked again


async def test_header_leaves_v1_unmarked(make_app: AppFactory) -> None:
    app = make_app(api="v1")
    async with app.run_test(size=(120, 40)) as pilot:
        bar = app.screen.query_one(StatusBar)
        await until(pilot, lambda: "● online" in str(bar.render()))
        assert "bytez-tui  emulator │" in str(bar.render())
