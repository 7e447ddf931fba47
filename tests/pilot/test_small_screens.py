"""Small terminals: 60×15 stays usable, and 80×24 gives model ids the room."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Button
from waiting import until

from bytez_tui.app import BytezApp
from bytez_tui.messages import RequestLoad
from bytez_tui.panes.jobs import JobsPane
from bytez_tui.panes.playground import PlaygroundPane
from bytez_tui.screens.load import LoadDialog
from bytez_tui.widgets.rows import Cell

AppFactory = Callable[..., BytezApp]


async def test_60x15_playground_keeps_output_rows_and_params_behind_a_key(
    make_app: AppFactory,
) -> None:
    """At 60×15 the output had zero rows and the params panel squeezed the prompt."""
    app = make_app(demo=True)
    async with app.run_test(size=(60, 15)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(PlaygroundPane)))
        await pilot.press("4")
        await pilot.pause()
        pane = app.screen.query_one(PlaygroundPane)
        assert not pane.params_form.display
        assert pane.output.content_size.height >= 2
        assert pane.prompt_area.content_size.height >= 2
        pane.output.focus()
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert pane.params_form.display
        assert app.focused is not None and pane.params_form in app.focused.ancestors
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert not pane.params_form.display
        assert app.focused is pane.prompt_area


async def test_60x15_load_dialog_scrolls_to_its_buttons(make_app: AppFactory) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.pause()
        app.screen.post_message(RequestLoad("openai-community/gpt2"))
        await until(pilot, lambda: isinstance(app.screen, LoadDialog))
        dialog = app.screen
        button = dialog.query_one("#load-ok", Button)
        for _ in range(8):
            if app.focused is button:
                break
            await pilot.press("tab")
        assert app.focused is button
        await pilot.pause()
        box = dialog.query_one("LoadDialog > Vertical").region
        # Inside the border and padding: it was drawn over the bottom border, unseen.
        assert box.y < button.region.y and button.region.bottom <= box.bottom - 2


async def test_80x24_jobs_give_the_model_id_room(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(JobsPane)))
        await pilot.press("2")
        pane = app.screen.query_one(JobsPane)
        pane.track("meta-llama/Meta-Llama-3-8B-Instruct")
        await until(pilot, lambda: len(pane.rows.rows) == 1)
        await pilot.pause()
        row = pane.rows.rows[0]
        model = row.query_one(".job-model", Cell)
        message = row.query_one(".job-message", Cell)
        assert model.size.width >= 30
        assert model.size.width > message.size.width


async def test_60x15_jobs_and_instances_show_every_state(make_app: AppFactory) -> None:
    """At 60 columns the jobs list showed the model column alone: no state, no header."""
    from textual.widget import Widget

    from bytez_tui.panes.instances import InstancesPane

    app = make_app()
    async with app.run_test(size=(60, 15)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(JobsPane)))
        await pilot.press("2")
        pane = app.screen.query_one(JobsPane)
        pane.track("meta-llama/Meta-Llama-3-8B-Instruct")
        await until(pilot, lambda: len(pane.rows.rows) == 1)
        await pilot.pause()
        state: Widget = pane.rows.rows[0].query_one(".job-state")
        assert state.region.width >= 11 and state.region.right <= 60
        assert state.region in app.screen.region
        await pilot.press("3")
        instances = app.screen.query_one(InstancesPane)
        await until(pilot, lambda: instances.loaded and bool(instances.rows.rows))
        await pilot.pause()
        for cell in instances.rows.rows[0].query(".inst-status"):
            assert cell.region.width >= 10 and cell.region.right <= 60


async def test_the_empty_jobs_pane_names_the_catalogues_key() -> None:
    """It said `j` after requesting a job moved to `a` in the catalogue."""
    from textual.binding import Binding

    from bytez_tui.panes.catalogue.keys import BINDINGS
    from bytez_tui.panes.jobs.pane import _EMPTY

    [request] = [b for b in BINDINGS if isinstance(b, Binding) and b.action == "request_job"]
    assert f"or {request.key} on a catalogue row" in _EMPTY.plain


async def test_60x15_key_dialog_shows_why_and_its_buttons_at_once(make_app: AppFactory) -> None:
    """It scrolled to its buttons and the reason (why a key is asked for) went out of sight."""
    from textual.widget import Widget

    from bytez_tui.screens.api_key import ApiKeyScreen

    app = make_app(api_key=None)
    async with app.run_test(size=(60, 15)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ApiKeyScreen))
        await pilot.pause()
        screen = app.screen
        dialog = screen.query_one("#key-dialog")
        assert dialog.scroll_y == 0 and dialog.max_scroll_y == 0
        shown: list[Widget] = [
            screen.query_one("#key-reason"),
            screen.query_one("#key-input"),
            screen.query_one("#key-continue"),
            screen.query_one("#key-cancel"),
        ]
        for widget in shown:
            assert widget.region and widget.region in screen.region, widget.id
        assert "No API key is set" in str(screen.query_one("#key-reason").render())
