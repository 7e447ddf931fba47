"""Toasts never cover a dialog: over one, their words go to a line at the top edge."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widget import Widget
from textual.widgets import Button, Input, RadioSet
from waiting import until

from bytez_tui.app import BytezApp
from bytez_tui.messages import RequestLoad
from bytez_tui.screens.load import LoadDialog
from bytez_tui.screens.main import MainScreen
from bytez_tui.widgets.notice_line import NoticeLine

AppFactory = Callable[..., BytezApp]


def _visible_toasts(app: BytezApp) -> list[Widget]:
    """The toasts drawn on the screen in front (Textual's `Toast` class is private)."""
    return [toast for toast in app.screen.query("Toast") if toast.visible and toast.region]


@pytest.mark.parametrize("size", [(60, 15), (80, 24), (120, 40)])
async def test_toasts_leave_a_dialogs_fields_and_buttons_alone(
    make_app: AppFactory, size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size, notifications=True) as pilot:
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        app.screen.post_message(RequestLoad("openai-community/gpt2"))
        await until(pilot, lambda: isinstance(app.screen, LoadDialog))
        dialog = app.screen
        app.notify(
            "Asked Bytez to make some-org/a-long-model-name available", title="Job", timeout=60
        )
        app.notify(
            "some-org/a-long-model-name is available: press l on the Jobs pane to load it",
            title="Job ready",
            timeout=60,
        )
        await until(pilot, lambda: bool(dialog.query(NoticeLine)))
        await pilot.pause()
        controls: list[Widget] = [*dialog.query(Input), *dialog.query(Button)]
        controls += dialog.query(RadioSet)
        assert dialog.query("Toast"), "the test must see the toasts Textual mounts"
        for toast in _visible_toasts(app):
            covered = [c.id for c in controls if c.region.overlaps(toast.region)]
            assert not covered, f"a toast covers {covered} at {size}"
        line = dialog.query_one(NoticeLine)
        assert line.region.y == 0 and line.region.height == 1
        assert "Job ready: some-org/a-long-model-name is available" in str(line.render())
        # Back on the dashboard, the toasts whose time is not up show as ever.
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        await pilot.pause()
        await until(pilot, lambda: len(_visible_toasts(app)) == 2)
