"""The dashboard against the hostile API: it stays up, and nothing the server sent acts
on the terminal or is read as markup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hostile import HostileServer
from textual.pilot import Pilot

from bytez_tui.app import BytezApp

MakeApp = Callable[..., BytezApp]
RAW = ("\x1b", "\x07", "\x9b")
"""Characters that must never be drawn (they would act on the terminal)."""


def screen_text(app: BytezApp) -> str:
    """Everything drawn, as the exported screen holds it."""
    return app.export_screenshot()


def assert_clean(app: BytezApp) -> None:
    drawn = screen_text(app)
    for character in RAW:
        assert character not in drawn, f"{character!r} reached the screen"


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("case", ["names", "errors", "auth", "garbage"])
@pytest.mark.parametrize("pane", ["1", "2", "3", "4"])
async def test_every_pane_survives(
    make_app: MakeApp, hostile: HostileServer, case: str, pane: str
) -> None:
    app = make_app(base_url=hostile.case_url(case))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(pane)
        await settle(pilot)
        assert app.is_running
        assert_clean(app)
