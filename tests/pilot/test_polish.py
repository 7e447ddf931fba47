"""Small things seen on a first use: the footer while paused, the palette's help entries."""

from __future__ import annotations

import re
from collections.abc import Callable

from waiting import until

from bytez_tui.app import BytezApp
from bytez_tui.emulator import EmulatorServer
from bytez_tui.panes.playground import PlaygroundPane
from bytez_tui.screens.main import MainScreen
from bytez_tui.widgets.footer import KeyFooter

AppFactory = Callable[..., BytezApp]


def footer_text(app: BytezApp) -> str:
    """The screen's last line, as the terminal shows it (the footer)."""
    assert app.screen.query_one(KeyFooter).is_mounted
    svg = app.export_screenshot()
    lines = re.sub(r"<[^>]*>", "", svg).replace("&#160;", " ").splitlines()
    return " ".join(" ".join(line.split()) for line in lines if "Quit" in line)


async def test_the_footer_offers_resume_while_paused(make_app: AppFactory) -> None:
    """The footer kept "P Pause" while paused."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(PlaygroundPane)))
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert "P Pause" in footer_text(app)
        await pilot.press("P")
        await until(pilot, lambda: "P Resume" in footer_text(app))
        assert screen.paused
        assert "P Pause" not in footer_text(app)
        await pilot.press("P")
        await until(pilot, lambda: not screen.paused)


async def test_the_palette_lists_one_keys_entry_ours(make_app: AppFactory) -> None:
    """Textual's "Keys" panel sat beside our `?` help in the palette."""
    from bytez_tui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        keys = [c for c in app.get_system_commands(app.screen) if c.title == "Keys"]
        assert len(keys) == 1
        keys[0].callback()
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_the_request_log_keeps_what_a_toast_said(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    """A dismissed toast could not be read again: the palette's request log keeps it."""
    from textual.widgets import DataTable

    from bytez_tui.screens.request_log import RequestLog

    emulator.fail_next("list", status=500, count=10)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: any(r.status == 500 for r in app.connection.requests))
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Request log")
        command.callback()
        await until(pilot, lambda: isinstance(app.screen, RequestLog))
        await until(pilot, lambda: bool(app.screen.query(DataTable)))
        table = app.screen.query_one(DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        failed = [row for row in rows if row[3] == "500"]
        assert failed and failed[0][2] == "/model/list" and failed[0][5]
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, RequestLog))
