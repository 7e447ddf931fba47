"""What the dashboard remembers across restarts: the pane in front, the catalogue's sort and
the playground's draft. Each test runs the app twice over the same data dir."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable

from textual.widgets import Input
from waiting import Toasts, until

from bytez_tui.app import BytezApp
from bytez_tui.config import data_dir
from bytez_tui.local.remembered import STATE_FILE
from bytez_tui.panes.base import Pane
from bytez_tui.panes.catalogue import CataloguePane
from bytez_tui.screens.main import MainScreen
from bytez_tui.screens.registry import PANES
from bytez_tui.widgets.pane_tabs import PaneTabs

AppFactory = Callable[..., BytezApp]

MODEL = "openai-community/gpt2"
PROMPT = "Once upon a time,\nin a 世界 of tabs\tand [b]markup[/b]"


def _ready(app: BytezApp) -> bool:
    return isinstance(app.screen, MainScreen) and len(app.screen.query(Pane)) == len(PANES)


def _state() -> dict[str, object]:
    data: dict[str, object] = json.loads((data_dir() / STATE_FILE).read_text())
    return data


async def test_the_pane_sort_and_draft_come_back_after_a_restart(make_app: AppFactory) -> None:
    from bytez_tui.panes.playground import PlaygroundPane

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: _ready(app))
        await pilot.press("s", "S")  # by RAM, largest first
        catalogue = app.screen.query_one(CataloguePane)
        await pilot.press("4", "i")
        await pilot.press(*MODEL, "tab")
        playground = app.screen.query_one(PlaygroundPane)
        playground.prompt_area.insert(PROMPT)
        playground.query_one("#param-max_new_tokens", Input).value = "-5"  # kept invalid
        await pilot.press("ctrl+f")  # streaming off
        await pilot.pause()
        shown = catalogue.shown
    assert stat.S_IMODE((data_dir() / STATE_FILE).stat().st_mode) == 0o600

    again = make_app()
    async with again.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: _ready(again))
        assert again.screen.query_one(PaneTabs).active == "playground"
        playground = again.screen.query_one(PlaygroundPane)
        await until(pilot, lambda: playground.model_input.value == MODEL)
        assert playground.prompt_area.text == PROMPT
        assert playground.query_one("#param-max_new_tokens", Input).value == "-5"
        assert playground.stream_box.value is False
        catalogue = again.screen.query_one(CataloguePane)
        assert (catalogue.header.sort_key, catalogue.header.descending) == ("ram", True)
        assert catalogue.shown == shown
        # The playground has the focus, as a pane shown by its key does.
        assert again.focused is not None and playground in again.focused.ancestors_with_self


async def test_the_draft_is_on_disk_while_typing_not_only_on_the_way_out(
    make_app: AppFactory,
) -> None:
    """A kill -9 runs no exit code: what was typed must already be on disk."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: _ready(app))
        await pilot.press("4", "i", *MODEL, "tab", *"Hello there")
        for _ in range(100):  # the writes are spaced in real time (SAVE_EVERY)
            path = data_dir() / STATE_FILE
            if path.exists() and "Hello there" in path.read_text():
                break
            await pilot.pause(0.05)
        draft = _state()["draft"]
        assert isinstance(draft, dict)
        assert (draft["model"], draft["prompt"]) == (MODEL, "Hello there")


async def test_a_damaged_state_file_is_set_aside_with_a_clear_message(
    make_app: AppFactory,
) -> None:
    path = data_dir() / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"pane": "playground", "draft": {"prompt": "half a wri')
    toasts = Toasts()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        await until(pilot, lambda: _ready(app))
        assert app.screen.query_one(PaneTabs).active == "catalogue"
        [notice] = toasts.titled("State not restored")
        assert str(path) in notice and ".damaged-" in notice and "start afresh" in notice
        await pilot.press("2")
    aside = [p for p in path.parent.iterdir() if p.name.startswith(f"{STATE_FILE}.damaged-")]
    assert len(aside) == 1 and "half a wri" in aside[0].read_text()
    assert _state()["pane"] == "jobs"  # a fresh file, written on the way out


async def test_a_crash_keeps_the_draft_for_the_next_start(make_app: AppFactory) -> None:
    """An unexpected error ends the app at once: the draft typed a moment before comes back."""
    import pytest

    from bytez_tui.messages import OpenPlayground
    from bytez_tui.panes.playground import PlaygroundPane

    app = make_app()
    with pytest.raises(ZeroDivisionError):
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: _ready(app))
            app.screen.post_message(OpenPlayground("org/name"))
            await pilot.pause()
            await pilot.press(*"typed just before")
            await pilot.pause()  # less than SAVE_EVERY: the exit, not the timer, writes it
            app.call_later(lambda: 1 / 0)  # a bug somewhere in the app
            await pilot.pause()
    assert app.return_code == 1

    again = make_app()
    async with again.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: _ready(again))
        pane = again.screen.query_one(PlaygroundPane)
        assert again.screen.query_one(PaneTabs).active == "playground"
        await until(pilot, lambda: pane.prompt_area.text == "typed just before")
        assert pane.model_input.value == "org/name"
