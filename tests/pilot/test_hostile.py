"""The dashboard against the hostile API: it stays up, and nothing the server sent acts
on the terminal or is read as markup."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from hostile import MARKUP, MARKUP_MODEL, HostileServer
from textual.command import CommandPalette
from textual.pilot import Pilot
from waiting import Toasts, until

from bytez_tui.app import BytezApp
from bytez_tui.config import rescue_dir, update_config
from bytez_tui.local.history import History
from bytez_tui.messages import OpenPlayground
from bytez_tui.panes.catalogue.pane import CataloguePane
from bytez_tui.panes.instances import InstancesPane
from bytez_tui.panes.jobs import JobsPane
from bytez_tui.panes.playground import PlaygroundPane
from bytez_tui.screens.api_key import ApiKeyScreen
from bytez_tui.widgets.rows import Cell

MakeApp = Callable[..., BytezApp]
RAW = ("\x1b", "\x07", "\x9b")
"""Characters that must never be drawn (they would act on the terminal)."""


def screen_text(app: BytezApp) -> str:
    """The text drawn on the screen (the exported SVG without its tags)."""
    return html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")


def assert_clean(app: BytezApp) -> None:
    drawn = app.export_screenshot()
    for character in RAW:
        assert character not in drawn, f"{character!r} reached the screen"


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("case", ["names", "errors", "auth", "garbage", "stream-error"])
async def test_every_pane_survives(make_app: MakeApp, hostile: HostileServer, case: str) -> None:
    """Each pane in turn on each hostile case: the app stays up and nothing the server
    sent is drawn raw."""
    app = make_app(base_url=hostile.case_url(case))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for pane in ("1", "2", "3", "4"):
            if not isinstance(app.screen, ApiKeyScreen):  # `auth` asks for another key
                await pilot.press(pane)
            await settle(pilot)
            assert app.is_running
            assert_clean(app)


async def test_copying_a_markup_model_id(make_app: MakeApp, hostile: HostileServer) -> None:
    """`c` on `aaa/[/INST]-model` crashed the app: the toast read the id as markup."""
    app = make_app(base_url=hostile.case_url("names"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(CataloguePane)
        await until(pilot, lambda: pane.highlighted is not None)
        assert pane.highlighted == MARKUP_MODEL  # it sorts first
        pane.table.focus()
        await pilot.press("c")
        await settle(pilot)
        assert app.is_running
        assert app.clipboard == MARKUP_MODEL
        assert MARKUP_MODEL in screen_text(app)
        assert_clean(app)


async def test_hostile_rows_are_shown_visibly(make_app: MakeApp, hostile: HostileServer) -> None:
    app = make_app(base_url=hostile.case_url("names"))
    async with app.run_test(size=(140, 40)) as pilot:
        # The id is shown, its escape sequence made visible.
        await until(pilot, lambda: "org/^[]0;pwned^Gtitle" in screen_text(app))
        await until(pilot, lambda: bool(app.screen.query(InstancesPane)))
        await pilot.press("3")
        await settle(pilot)
        instances = app.screen.query_one(InstancesPane)
        await until(pilot, lambda: len(instances.rows.rows) == 4)
        assert_clean(app)
        await pilot.press("2", "a")
        await pilot.press(*"org/name", "enter")
        await settle(pilot)
        jobs = app.screen.query_one(JobsPane)
        said = [str(cell.render()) for cell in jobs.query(".job-message").results(Cell)]
        assert any(MARKUP in text and "^[]0;pwned^G" in text for text in said), said
        assert_clean(app)


async def test_an_error_fragment_with_markup_is_recorded(
    make_app: MakeApp, hostile: HostileServer
) -> None:
    """`Error: prompt must end with [/INST]` in a stream crashed the app before the run
    reached the history: now the run is recorded, and the partial answer stays."""
    app = make_app(base_url=hostile.case_url("stream-error"))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(PlaygroundPane)))
        app.screen.post_message(OpenPlayground("org/name"))
        await pilot.pause()
        pane = app.screen.query_one(PlaygroundPane)
        pane.prompt_area.text = "[INST] hi"
        await pilot.press("ctrl+j")
        await settle(pilot)
        assert app.is_running
        assert pane.output.text == "Partial answer "
        record = History(store_key=app.settings.store_key).entries[-1]
        assert record.outcome == "failed"
        assert record.error is not None and "[/INST]" in record.error
        status = str(pane.status_line.render())
        assert "[/INST]" in status and "^[]0;pwned^G" in status
        assert_clean(app)


async def test_a_hostile_refusal_on_the_key_screen(
    make_app: MakeApp, hostile: HostileServer
) -> None:
    app = make_app(base_url=hostile.case_url("auth"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await until(
            pilot,
            lambda: isinstance(app.screen, ApiKeyScreen) and bool(app.screen.query("#key-reason")),
        )
        reason = str(app.screen.query_one("#key-reason").render())
        assert MARKUP in reason
        assert_clean(app)


async def test_an_unexpected_error_exits_non_zero_and_keeps_the_draft(
    make_app: MakeApp, emulator: object
) -> None:
    """Not reachable through data any more; a bug still must not lose the user's work."""
    app = make_app()
    with pytest.raises(ZeroDivisionError):
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: bool(app.screen.query(PlaygroundPane)))
            app.screen.post_message(OpenPlayground("org/name"))
            await pilot.pause()
            pane = app.screen.query_one(PlaygroundPane)
            pane.prompt_area.text = "a long prompt I spent an hour on"
            app.call_later(lambda: 1 / 0)  # a bug somewhere in the app
            await pilot.pause()
    assert app.return_code == 1
    [path] = rescue_dir().glob("*.txt")
    assert path.stat().st_mode & 0o777 == 0o600
    kept = path.read_text(encoding="utf-8")
    assert "model: org/name" in kept and "a long prompt I spent an hour on" in kept


async def test_a_key_file_readable_by_others_is_toasted(make_app: MakeApp) -> None:
    path = update_config({"api_key": "secret-key-12345"})
    path.chmod(0o640)
    app = make_app()
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        await until(pilot, lambda: bool(toasts.titled("Your API key is exposed")))
        [warning] = toasts.titled("Your API key is exposed")
        assert "chmod 600" in warning and "secret-key" not in warning


async def test_the_palette_lists_a_markup_model(make_app: MakeApp, hostile: HostileServer) -> None:
    """The palette highlights what matches by reading the hit as markup: a model named
    `aaa/[/INST]-model` must still be listed, plain."""
    app = make_app(base_url=hostile.case_url("names"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"INST")
        await until(pilot, lambda: MARKUP_MODEL in screen_text(app))
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running
        assert app.screen.query_one(CataloguePane).highlighted == MARKUP_MODEL
        assert_clean(app)
