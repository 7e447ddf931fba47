"""Profiles: `[profiles.NAME]` tables in config.toml, switched from the command palette."""

from __future__ import annotations

import html
import re
from typing import Any

from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input
from waiting import Toasts, until

from bytez_tui.app import BytezApp
from bytez_tui.clock import FixedClock
from bytez_tui.config import config_path, load_settings, read_config
from bytez_tui.emulator import EmulatorServer
from bytez_tui.messages import RequestJob
from bytez_tui.panes.base import Pane
from bytez_tui.screens.api_key import ApiKeyScreen
from bytez_tui.screens.main import MainScreen
from bytez_tui.screens.registry import PANES
from bytez_tui.widgets.status_bar import StatusBar


def _write_profiles(emulator: EmulatorServer, extra: str = "") -> None:
    """Two profiles on the one emulator, under two API roots (so two sets of local data)."""
    port = emulator.url.rstrip("/").rsplit(":", 1)[1]
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text(
        "[profiles.prod]\n"
        f'base_url = "http://127.0.0.1:{port}"\n'
        'api_key = "prod-secret-key-1111"\n'
        "\n"
        "[profiles.staging]\n"
        f'base_url = "http://localhost:{port}"\n'
        'api_key = "staging-secret-key-2222"\n' + extra
    )


def _app(clock: FixedClock, profile: str) -> BytezApp:
    app = BytezApp(load_settings(profile=profile), clock=clock)
    app.animation_level = "none"
    return app


def _header(app: BytezApp) -> str:
    return str(app.screen.query_one(StatusBar).render())


def _dashboard_ready(app: BytezApp) -> bool:
    return isinstance(app.screen, MainScreen) and len(app.screen.query(Pane)) == len(PANES)


def _drawn(app: BytezApp) -> str:
    """The text on the screen (the exported SVG without its tags)."""
    body = app.export_screenshot().split("</style>")[-1]
    return html.unescape(re.sub(r"<[^>]+>", "", body)).replace("\xa0", " ")


async def _palette(pilot: Pilot[Any], app: BytezApp, command: str) -> None:
    await pilot.press("ctrl+p")
    await until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*command)
    await pilot.pause()
    await pilot.press("enter")


async def test_switching_profile_rebuilds_every_pane_on_the_other_api(
    emulator: EmulatorServer, clock: FixedClock
) -> None:
    from bytez_tui.panes.jobs import JobsPane

    _write_profiles(emulator)
    app = _app(clock, "prod")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: _dashboard_ready(app))
        first = app.screen
        assert "prod (127.0.0.1:" in _header(app) and "key …1111" in _header(app)
        first.post_message(RequestJob("openai-community/gpt2"))
        await until(pilot, lambda: "openai-community/gpt2" in first.query_one(JobsPane).jobs)

        await _palette(pilot, app, "profile: staging")
        await until(pilot, lambda: app.settings.profile == "staging")
        await until(pilot, lambda: _dashboard_ready(app))
        assert app.settings.profile == "staging"
        await until(pilot, lambda: "staging (localhost:" in _header(app))
        assert "key …2222" in _header(app)
        # Its own local data: the job tracked on prod is not staging's.
        jobs = app.screen.query_one(JobsPane)
        assert "openai-community/gpt2" not in jobs.jobs
        await until(pilot, lambda: "● online" in _header(app))

        await _palette(pilot, app, "profile: prod")
        await until(pilot, lambda: app.settings.profile == "prod" and _dashboard_ready(app))
        jobs = app.screen.query_one(JobsPane)
        await until(pilot, lambda: "openai-community/gpt2" in jobs.jobs)
        screen_text = app.export_screenshot()
        assert "secret" not in screen_text


async def test_a_profile_without_a_key_asks_for_one_and_keeps_it_in_its_table(
    emulator: EmulatorServer, clock: FixedClock
) -> None:
    port = emulator.url.rstrip("/").rsplit(":", 1)[1]
    _write_profiles(emulator, f'\n[profiles.bare]\nbase_url = "http://127.0.0.1:{port}/"\n')
    app = _app(clock, "prod")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: _dashboard_ready(app))
        await _palette(pilot, app, "profile: bare")
        await until(pilot, lambda: isinstance(app.screen, ApiKeyScreen))
        assert "bare has no API key" in str(app.screen.query_one("#key-reason").render())
        app.screen.query_one(Input).value = "bare-new-key-3333"
        await pilot.press("enter")
        await until(pilot, lambda: app.settings.api_key == "bare-new-key-3333")
    data = read_config()
    assert data["profiles"]["bare"]["api_key"] == "bare-new-key-3333"
    assert "api_key" not in data  # never the top level's


async def test_a_profile_that_cannot_be_used_changes_nothing(
    emulator: EmulatorServer, clock: FixedClock
) -> None:
    _write_profiles(emulator, '\n[profiles.plain]\nbase_url = "http://example.com"\n')
    toasts = Toasts()
    app = _app(clock, "prod")
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        await until(pilot, lambda: _dashboard_ready(app))
        first = app.screen
        await _palette(pilot, app, "profile: plain")
        await until(pilot, lambda: bool(toasts.titled("Profile not switched")))
        assert "plain http to example.com" in toasts.titled("Profile not switched")[0]
        assert app.screen is first and app.settings.profile == "prod"


async def test_a_profile_named_like_markup_and_controls_is_listed_and_used(
    emulator: EmulatorServer, clock: FixedClock
) -> None:
    """The palette read `Profile: [/INST]` as markup, and the app stopped (MarkupError):
    a profile's name and label are the user's text, shown as they are."""
    port = emulator.url.rstrip("/").rsplit(":", 1)[1]
    _write_profiles(
        emulator,
        '\n[profiles."\\u001b]0;pwned\\u0007[/INST]"]\n'
        f'base_url = "http://localhost:{port}/"\n'
        'api_key = "odd-secret-key-4444"\n'
        'label = "lab[bold]el[/INST]\\u001b[2J\\u009b2J"\n',
    )
    app = _app(clock, "prod")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: _dashboard_ready(app))
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"profile: pwned")
        await until(pilot, lambda: "Profile: ^[]0;pwned^G[/INST]" in _drawn(app))
        await pilot.press("enter")
        await until(pilot, lambda: app.settings.profile == "\x1b]0;pwned\x07[/INST]")
        await until(pilot, lambda: _dashboard_ready(app))
        assert "^[]0;pwned^G[/INST] (lab[bold]el[/INST]^[[2J^[[2J)" in _header(app)
        await pilot.press("ctrl+p")  # the list of the others, the top level among them
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"profile")
        await until(pilot, lambda: "Profile: prod" in _drawn(app))
        assert app.is_running
        drawn = app.export_screenshot()
        assert not any(character in drawn for character in ("\x1b", "\x07", "\x9b"))
