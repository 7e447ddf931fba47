"""The load dialog: a model already up, a job still queued, the keyboard path to a custom expiry."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static
from waiting import until

from bytez_tui.app import BytezApp
from bytez_tui.emulator import EmulatorServer
from bytez_tui.messages import RequestLoad
from bytez_tui.panes.instances import InstancesPane
from bytez_tui.panes.jobs import JobsPane
from bytez_tui.screens.load import LoadDialog

AppFactory = Callable[..., BytezApp]

RUNNING = "roneneldan/TinyStories-8M"
"""A demo instance that is RUNNING in every fresh world."""
QUEUED = "someorg/fresh-model"
"""Not in the catalogue: its job stays queued for a while."""


async def _dialog(app: BytezApp, pilot: Pilot[None], model: str) -> LoadDialog:
    app.screen.post_message(RequestLoad(model))
    await until(pilot, lambda: isinstance(app.screen, LoadDialog))
    assert isinstance(app.screen, LoadDialog)
    return app.screen


async def test_a_model_already_up_is_not_loaded_again(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    """It used to load, and the server's 409 came back afterwards."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(InstancesPane)))
        instances = app.screen.query_one(InstancesPane)
        await until(pilot, lambda: instances.loaded)
        await pilot.pause()
        dialog = await _dialog(app, pilot, RUNNING)
        await pilot.pause()
        error = str(dialog.query_one("#load-model-error", Static).render())
        assert "already up (RUNNING)" in error
        assert dialog.query_one("#load-ok", Button).disabled
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert emulator.count("load") == 0
        # Another model typed in the dialog can be loaded.
        dialog.query_one("#load-model", Input).value = "openai-community/gpt2"
        await pilot.pause()
        assert not dialog.query_one("#load-ok", Button).disabled


async def test_a_queued_job_offers_load_when_ready(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(JobsPane)))
        jobs = app.screen.query_one(JobsPane)
        jobs.track(QUEUED)
        await until(pilot, lambda: QUEUED in jobs.jobs and not jobs.jobs[QUEUED].finished)
        dialog = await _dialog(app, pilot, QUEUED)  # as the catalogue's `l` asks
        await pilot.pause()
        assert str(dialog.query_one("#load-title", Static).render()) == "Load when ready"
        assert "Load when ready" in str(dialog.query_one("#load-ok", Button).label)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: jobs.jobs[QUEUED].planned_load is not None)
        assert emulator.count("load") == 0


async def test_the_keyboard_reaches_a_custom_expiry() -> None:
    """Tab, arrows, space, then typing `1m` lands in the custom field, not on a button."""
    app: App[None] = App()
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = LoadDialog(model="openai-community/gpt2", ram_gb=1.0, cursor_blink=False)
        app.push_screen(dialog)
        await pilot.pause()
        await pilot.press("tab", "right", "right", "right", "space")
        await pilot.pause()
        await pilot.press("1", "m")
        await pilot.pause()
        assert dialog.query_one("#load-custom", Input).value == "1m"
        assert "stops after 1m" in str(dialog.query_one("#load-cost", Static).render())
