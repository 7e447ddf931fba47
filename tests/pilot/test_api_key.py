"""The API-key screen: a key is checked before it is saved, and a new key takes everywhere."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input
from waiting import Toasts, until

from bytez_tui.app import BytezApp
from bytez_tui.clock import FixedClock
from bytez_tui.config import config_path, read_config, update_config
from bytez_tui.emulator import EmulatorServer
from bytez_tui.panes.catalogue import CataloguePane
from bytez_tui.screens.api_key import ApiKeyScreen
from bytez_tui.screens.main import MainScreen
from bytez_tui.widgets.status_bar import StatusBar

AppFactory = Callable[..., BytezApp]

GOOD = "good-key-12345678"
"""The only key the emulator accepts in these tests."""
SAVED = "saved-key-abcdefgh"


@pytest.fixture
def strict(emulator: EmulatorServer, clock: FixedClock) -> EmulatorServer:
    """The emulator, accepting only `GOOD`."""
    emulator.reset(clock, models=200, seed=7, fragment_interval=0.0, key=GOOD)
    return emulator


async def _enter_key(pilot: Pilot[None], key: str) -> None:
    pilot.app.screen.query_one(Input).value = key
    await pilot.press("enter")


async def test_a_refused_key_is_not_saved_and_a_good_one_takes_everywhere(
    make_app: AppFactory, strict: EmulatorServer
) -> None:
    update_config({"api_key": SAVED})
    app = make_app(api_key="wrong-key-00000999")
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ApiKeyScreen))
        screen = app.screen
        await _enter_key(pilot, "another-wrong-key-1")
        await until(pilot, lambda: "refused" in str(screen.query_one("#key-error").render()))
        assert app.screen is screen
        assert read_config()["api_key"] == SAVED  # the refused key overwrote nothing
        assert not [m for m in toasts.messages if "saved" in m.lower()]
        await _enter_key(pilot, GOOD)
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        catalogue = app.screen.query_one(CataloguePane)
        bar = app.screen.query_one(StatusBar)
        await until(pilot, lambda: "…5678" in str(bar.render()))
        await until(pilot, lambda: bar.health.state == "online")
        assert "refused" not in str(catalogue.status.render()).lower()
        await until(pilot, lambda: bool(catalogue.shown))  # the refresh may land after health
    assert read_config()["api_key"] == GOOD
    assert config_path().stat().st_mode & 0o077 == 0


async def test_a_refused_key_from_the_environment_says_so(
    make_app: AppFactory, strict: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BYTEZ_API_KEY", "env-key-00000999")
    app = make_app(api_key="env-key-00000999")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ApiKeyScreen))
        await until(pilot, lambda: bool(app.screen.query("#key-reason")))  # composed
        reason = str(app.screen.query_one("#key-reason").render())
        assert "BYTEZ_API_KEY" in reason


async def test_enter_on_the_save_box_submits_and_escape_quits_with_1(
    make_app: AppFactory, strict: EmulatorServer
) -> None:
    """Enter on the save switch toggled it; escape quit with exit status 0."""
    app = make_app(api_key=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ApiKeyScreen))
        app.screen.query_one(Input).value = GOOD
        box = app.screen.query_one("#key-save", Checkbox)
        box.focus()
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        assert box.value
    assert read_config()["api_key"] == GOOD

    app = make_app(api_key=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ApiKeyScreen))
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code == 1
