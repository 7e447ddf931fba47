"""The playground against the emulator over loopback: runs, stops, failures, history, loads."""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Static, TextArea
from waiting import Toasts, type_burst
from waiting import until as wait_until

from bytez_tui.app import BytezApp
from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer
from bytez_tui.emulator.textgen import DEFAULT_FRAGMENTS, continuation
from bytez_tui.local.history import History
from bytez_tui.messages import OpenPlayground
from bytez_tui.panes.playground import PlaygroundPane
from bytez_tui.panes.playground.output import OutputLog
from bytez_tui.screens.load import LoadDialog
from bytez_tui.widgets.pane_tabs import PaneTabs
from bytez_tui.widgets.status_bar import StatusBar

AppFactory = Callable[..., BytezApp]

RUNNING = "roneneldan/TinyStories-8M"
"""A demo instance that is RUNNING in every fresh world."""
IDLE = "openai-community/gpt2"
"""In the catalogue, never loaded."""
SEED = 7
PROMPT = "Once upon a time"

until = functools.partial(wait_until, workers=False, tries=400)
"""Wait without waiting for workers: a run must be able to stay mid-stream."""


def expected(model: str, prompt: str, count: int = DEFAULT_FRAGMENTS) -> list[str]:
    return continuation(SEED, model, prompt, count)


async def open_playground(pilot: Pilot[None], model: str, prompt: str = PROMPT) -> PlaygroundPane:
    await pilot.pause()
    pilot.app.screen.post_message(OpenPlayground(model))
    await pilot.pause()
    pane = pilot.app.screen.query_one(PlaygroundPane)
    pane.prompt_area.text = prompt
    return pane


async def test_open_model_lands_in_prompt(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING, prompt="")
        assert pane.model_input.value == RUNNING
        assert app.focused is pane.prompt_area
        await pilot.press(*"Hi")
        assert pane.prompt_area.text == "Hi"


async def test_streamed_run_reaches_end_text(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING)
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.output.text == "".join(expected(RUNNING, PROMPT))
        status = str(pane.status_line.render())
        assert status.startswith("✓ done")
        assert f"{DEFAULT_FRAGMENTS} fragments" in status
        assert "inferences" in status and "— inferences" not in status
        assert pane.output.border_subtitle == "done"
        assert pane.prompt_area.text == PROMPT
        # The log holds wrapped rows no wider than itself.
        width = pane.output.scrollable_content_region.width
        assert all(len(row) <= width for row in pane.output.lines)


async def test_non_streamed_run_shows_generated_text(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING)
        pane.stream_box.value = False
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.output.text == PROMPT + "".join(expected(RUNNING, PROMPT))


async def test_params_reach_the_server(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING)
        pane.query_one("#param-max_new_tokens", Input).value = "7"
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.output.text == "".join(expected(RUNNING, PROMPT, 7))


async def test_escape_stops_mid_stream_and_closes_the_connection(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    # The stream holds after 5 fragments until the client hangs up: mid-stream however
    # long the test takes to get there (a timed stream could end before escape).
    emulator.stall_stream_after(5)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING)
        await pilot.press("ctrl+j")
        await until(pilot, lambda: pane.output.text == "".join(expected(RUNNING, PROMPT)[:5]))
        assert pane.busy
        await pilot.press("escape")
        await until(pilot, lambda: not pane.busy)  # bounded: a stop that fails fails here
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert await asyncio.to_thread(emulator.wait_for_disconnect, 5.0)
        assert emulator.disconnects == 1
        full = "".join(expected(RUNNING, PROMPT))
        partial = pane.output.text
        assert partial and full.startswith(partial) and partial != full
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(pane.status_line.render())
        assert status.startswith("■ stopped") and status.endswith(" inferences")
        assert "— inferences" not in status  # asked for after the stop
        assert pane.output.border_subtitle == "stopped"
        assert pane.prompt_area.text == PROMPT
        # Nothing runs now, so escape goes back to leaving the text field.
        assert not pane.busy
        pane.prompt_area.focus()
        await pilot.press("escape")
        assert not isinstance(app.focused, (Input, TextArea))
        assert History(store_key=app.settings.store_key).entries[-1].outcome == "stopped"


async def test_error_fragment_keeps_partial_output(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    emulator.error_fragment_after(5, "Error: CUDA out of memory")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING)
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.output.text == "".join(expected(RUNNING, PROMPT)[:5])
        status = str(pane.status_line.render())
        assert status.startswith("✗ failed: Error: CUDA out of memory")
        assert pane.prompt_area.text == PROMPT
        record = History(store_key=app.settings.store_key).entries[-1]
        assert (record.outcome, record.error) == ("failed", "Error: CUDA out of memory")
        # Still responsive: another run works.
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.output.text == "".join(expected(RUNNING, PROMPT))


async def test_cut_stream_keeps_partial_output(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    emulator.cut_stream_after(4)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING)
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.output.text == "".join(expected(RUNNING, PROMPT)[:4])
        status = str(pane.status_line.render())
        assert status.startswith("✗ failed: The connection dropped")
        assert pane.prompt_area.text == PROMPT
        # The server died mid-stream: the header says so at once, not "online".
        bar = app.screen.query_one(StatusBar)
        assert "✖ offline" in str(bar.render()) and "dropped" in str(bar.render())


async def test_a_failed_run_ends_at_once_without_asking_for_stats(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    """With the server failing, the run shows "failed" at once: no status read (and
    its retries) keeps it "running" after the run itself has failed."""
    emulator.fail_next("run", 503, count=1)
    emulator.fail_next("status", 503, count=100)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING)
        pane.running_models = frozenset({RUNNING})
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert str(pane.status_line.render()).startswith("✗ failed")
        assert emulator.count("status", model=RUNNING) == 0
        assert pane.prompt_area.text == PROMPT


async def test_a_failed_whole_run_is_recorded_once(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    """A non-streamed run that fails counts as one failure for the header, not two."""
    from textual.message import Message

    from bytez_tui.panes.base import Pane

    failures: list[Message] = []

    def hook(message: Message) -> None:
        # The hook sees a message at each node it bubbles through: count each message once.
        if isinstance(message, Pane.HealthChanged) and message.health.state == "offline":
            if not any(seen is message for seen in failures):
                failures.append(message)

    emulator.fail_next("run", 503, count=1)
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        pane = await open_playground(pilot, RUNNING)
        pane.running_models = frozenset({RUNNING})
        pane.stream_box.value = False
        await pilot.pause()
        failures.clear()
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert str(pane.status_line.render()).startswith("✗ failed")
        assert len(failures) == 1


async def test_check_boxes_show_their_state_without_colour(make_app: AppFactory) -> None:
    """Off is a blank box, on is an X: not the same X in another colour (NO_COLOR)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING)
        do_sample = pane.query_one("#param-do_sample", Checkbox)
        assert not do_sample.value
        assert str(do_sample.render()).startswith("▐ ▌")
        assert str(pane.stream_box.render()).startswith("▐X▌")
        do_sample.toggle()
        pane.stream_box.toggle()
        await pilot.pause()
        assert str(do_sample.render()).startswith("▐X▌")
        assert str(pane.stream_box.render()).startswith("▐ ▌")


async def test_the_running_check_says_what_it_is_doing(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    """Before a run on a model not known to be running, the pane asks /model/status; on a
    slow server that took seconds with the status line still saying "i: prompt …"."""
    emulator.slow("status", 0.5)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING)
        pane.running_models = frozenset()
        await pilot.press("ctrl+j")
        await until(pilot, lambda: "checking" in str(pane.status_line.render()))
        assert str(pane.status_line.render()).startswith(f"… checking that {RUNNING} is running")
        emulator.slow("status", None)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert str(pane.status_line.render()).startswith("✓ done")


async def test_leaving_from_a_check_box_does_not_bounce_back(make_app: AppFactory) -> None:
    """With focus on the do_sample box (where escape leaves it), `1` showed the catalogue
    for a moment and came back here with focus in a text field, so the next key replaced
    the model id."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING)
        tabs = app.screen.query_one(PaneTabs)
        pane.query_one("#param-do_sample", Checkbox).focus()
        await pilot.pause()
        await pilot.press("1")
        for _ in range(4):
            await pilot.pause()
        assert tabs.active == "catalogue"
        focused = app.focused
        assert focused is None or pane not in focused.ancestors
        await pilot.press("4")
        await pilot.pause()
        assert pane.model_input.value == RUNNING


async def test_tab_accepts_the_completion_then_goes_model_prompt_params(
    make_app: AppFactory,
) -> None:
    """Tab used to skip the suggestion and land on the stream box, where each typed space
    toggled streaming and the text was lost."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(PlaygroundPane)), workers=True)
        pane = app.screen.query_one(PlaygroundPane)
        await until(pilot, lambda: len(pane.catalogue_names) > 0, workers=True)
        await pilot.press("4")
        pane.model_input.focus()
        await pilot.press(*"openai-community/gp")
        await until(pilot, lambda: bool(pane.model_input._suggestion))
        await pilot.press("tab")
        assert pane.model_input.value == IDLE
        assert app.focused is pane.model_input
        await pilot.press("tab")
        assert app.focused is pane.prompt_area
        await pilot.press(*"Hello there")
        assert pane.prompt_area.text == "Hello there"
        assert pane.stream_box.value
        await pilot.press("tab")
        assert app.focused is pane.query_one("#param-max_new_tokens", Input)
        await pilot.press("ctrl+f")
        assert not pane.stream_box.value


async def test_json_params_are_held_to_the_quick_fields_rules(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    """`{"max_new_tokens": -5}` ran from the JSON box, then could not be re-run once
    recalled (the value moves into the quick field, which refuses it)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING)
        pane.params_form.json_editor.text = '{"max_new_tokens": -5}'
        await pilot.pause()
        assert pane.params_form.problem == "JSON params, max_new_tokens: must be at least 1"
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        assert emulator.count("run") == 0
        pane.params_form.json_editor.text = '{"top_p": "high"}'
        await pilot.pause()
        assert pane.params_form.problem == 'JSON params, top_p: "high" is not a number'
        pane.params_form.set_params({"max_new_tokens": -5})
        await pilot.pause()
        assert pane.params_form.problem == "max_new_tokens: must be at least 1"


async def test_invalid_json_params_block_the_run(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING)
        editor = pane.params_form.json_editor
        editor.focus()
        await pilot.press(*'{"top_k": 5,')
        await pilot.pause()
        assert pane.params_form.problem.startswith("JSON params, line 1 column 13")
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert emulator.count("run") == 0
        assert str(pane.status_line.render()).startswith("Not run: JSON params, line 1")
        assert editor.text == '{"top_k": 5,'
        await pilot.press(*' "top_p": 0.5}')
        await pilot.pause()
        assert pane.params_form.problem == ""
        # The refusal does not outlive its cause.
        assert str(pane.status_line.render()).startswith("i: prompt")
        pane.query_one("#param-temperature", Input).value = "-1"
        await pilot.pause()
        assert pane.params_form.problem == "temperature: must be at least 0"


async def test_history_survives_restart_and_recall_restores(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING, prompt="first prompt")
        pane.query_one("#param-max_new_tokens", Input).value = "5"
        pane.params_form.json_editor.text = '{"top_k": 3}'
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        first_output = pane.output.text
    saved = History(store_key=app.settings.store_key).entries[-1]
    assert saved.params == {"top_k": 3, "max_new_tokens": 5}

    again = make_app()
    async with again.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, "microsoft/phi-1", prompt="a draft")
        await pilot.press("ctrl+up")
        assert pane.model_input.value == RUNNING
        assert pane.prompt_area.text == "first prompt"
        assert pane.params_form.params() == {"top_k": 3, "max_new_tokens": 5}
        assert pane.query_one("#param-max_new_tokens", Input).value == "5"
        assert pane.output.text == first_output
        await pilot.press("ctrl+down")
        assert pane.model_input.value == "microsoft/phi-1"
        assert pane.prompt_area.text == "a draft"
        # The params panel came back with the restart, as the first run left it.
        assert pane.params_form.params() == {"top_k": 3, "max_new_tokens": 5}


async def test_not_running_model_offers_to_load_then_runs(
    make_app: AppFactory, emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, IDLE)
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert emulator.count("run") == 0
        assert pane.query_one("#load-offer").display
        assert str(pane.status_line.render()) == f"Not run: {IDLE} is not running"
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LoadDialog)
        await pilot.press("ctrl+s")  # load with the dialog's defaults
        await pilot.pause()
        assert pane.busy
        assert str(pane.status_line.render()).startswith(f"… waiting for {IDLE}")
        badge = pane.query_one("#model-state", Static)
        await until(pilot, lambda: str(badge.render()) == "◌ booting", workers=False)
        # The instances pane loads it; RUNNING after boot_delay.
        await until(pilot, lambda: emulator.count("load", model=IDLE) == 1, workers=False)
        clock.advance(emulator.world.boot_delay)
        pane.instance_ready(IDLE)
        await until(pilot, lambda: not pane.busy)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.output.text == "".join(expected(IDLE, PROMPT))
        assert emulator.count("run", model=IDLE) == 1
        assert str(badge.render()) == "● running"  # without waiting for the instance list


async def test_cancelling_the_load_dialog_disarms_the_run(
    make_app: AppFactory, emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, IDLE)
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LoadDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert not pane.busy
        assert str(pane.status_line.render()) == f"Not run: {IDLE} was not loaded"
        assert pane.query_one("#load-offer").display  # still offered, not armed
        # Loaded later from elsewhere: the old prompt must not run by itself (billed).
        await asyncio.to_thread(_load, emulator, IDLE)
        clock.advance(emulator.world.boot_delay)
        pane.running_models = frozenset({IDLE})
        pane.instance_ready(IDLE)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert emulator.count("run") == 0
        assert not pane.busy


async def test_escape_cancels_a_waiting_run(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, IDLE)
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        pane.output.focus()
        assert pane.busy
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        assert not pane.busy


async def test_copy_and_save_output(make_app: AppFactory) -> None:
    app = make_app()
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        pane = await open_playground(pilot, RUNNING)
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("ctrl+o")
        assert app.clipboard == pane.output.text
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = toasts.titled("Output saved")
        assert saved
        path = saved[-1].rsplit(" to ", 1)[1]
        with open(path, encoding="utf-8") as handle:
            assert handle.read() == pane.output.text
        assert os.stat(path).st_mode & 0o777 == 0o600  # it holds the model's answer


def _load(emulator: EmulatorServer, model: str) -> None:
    import httpx

    response = httpx.post(
        f"{emulator.url}/model/load",
        json={"model": model},
        headers={"Authorization": "Key test-key-0000"},
    )
    response.raise_for_status()


async def test_recall_keeps_edits_and_the_draft(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING, prompt="one")
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        pane.prompt_area.text = "two"
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane.prompt_area.text = "draft"
        await pilot.press("ctrl+up")
        assert pane.prompt_area.text == "two"
        pane.prompt_area.text = "two, edited"
        await pilot.press("ctrl+up")
        assert pane.prompt_area.text == "one"
        await pilot.press("ctrl+up")  # the oldest: stays
        assert pane.prompt_area.text == "one"
        await pilot.press("ctrl+down")
        assert pane.prompt_area.text == "two, edited"
        await pilot.press("ctrl+down")
        assert pane.prompt_area.text == "draft"
        assert pane.output.text == "".join(expected(RUNNING, "two"))


async def test_focus_survives_the_load_dialog(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, IDLE)
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.focused is pane.prompt_area
        await pilot.press("escape")  # stops waiting; focus stays
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not pane.busy
        assert str(pane.status_line.render()) == "Not run: stopped waiting for the model"
        assert app.focused is pane.prompt_area


async def test_tab_switch_keeps_shortcuts_and_i_goes_to_the_prompt(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.set_focus(None)
        await pilot.press("4")
        pane = app.screen.query_one(PlaygroundPane)
        assert app.focused is pane.output
        await pilot.press("i")
        assert app.focused is pane.model_input  # no model chosen yet
        await pilot.press(*RUNNING, "enter")
        assert app.focused is pane.prompt_area
        await pilot.press("escape")
        await pilot.press("i")
        assert app.focused is pane.prompt_area


class LogHost(App[None]):
    """The output log alone, 40 columns wide."""

    CSS = "OutputLog { width: 40; height: 10; overflow-x: hidden; overflow-y: scroll; }"

    def compose(self) -> ComposeResult:
        yield OutputLog()


async def test_output_log_wraps_follows_and_rewraps() -> None:
    app = LogHost()
    async with app.run_test(size=(60, 20)) as pilot:
        log = app.query_one(OutputLog)
        width = log.scrollable_content_region.width
        log.start_stream()
        words = [" word"] * 200
        for fragment in words:
            log.feed(fragment)
        assert log.line_count == 0  # nothing on screen before the flush
        await until(pilot, lambda: log.line_count > 0)
        log.end_stream()
        assert log.text == "".join(words)
        assert all(len(row) <= width for row in log.lines)
        assert " ".join(row.strip() for row in log.lines) == "".join(words).strip()
        await pilot.pause()
        assert log.is_vertical_scroll_end  # followed the text
        log.scroll_home(animate=False, immediate=True)
        log.feed("\nmore")
        log.flush()
        await pilot.pause()
        assert log.scroll_y == 0  # reading earlier output is not interrupted
        log.styles.width = 25
        await pilot.pause()
        narrow = log.scrollable_content_region.width
        assert narrow < width
        assert all(len(row) <= narrow for row in log.lines)
        assert log.text.endswith("\nmore")


async def test_output_log_aligns_the_first_row_with_the_rest() -> None:
    """The space a completion opens with is kept in the text, not shown."""
    app = LogHost()
    async with app.run_test(size=(60, 20)) as pilot:
        log = app.query_one(OutputLog)
        for fragment in [" ", " there was", " a girl", "\n  indented", " " * 3]:
            log.feed(fragment)
        log.flush()
        await pilot.pause()
        assert log.lines[0] == "there was a girl"
        assert log.lines[1] == "  indented   "  # only the very first row is trimmed
        assert log.text.startswith("  there was")
        log.styles.width = 12  # re-wrapped from the text: still aligned
        await pilot.pause()
        assert log.lines[0] == "there was"
        assert "  indented" in log.lines


async def test_a_burst_of_keys_edits_the_prompt_in_order(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING, prompt="")
        pane.prompt_area.focus()
        await pilot.pause()
        type_burst(pilot, *"hello wrold", *["backspace"] * 4, *"orld")
        await wait_until(pilot, lambda: pane.prompt_area.text.endswith("orld"))
        assert pane.prompt_area.text == "hello world"


async def test_ctrl_c_stops_a_stream_from_the_prompt_and_alt_enter_runs(
    make_app: AppFactory, emulator: EmulatorServer, clock: FixedClock
) -> None:
    """ctrl+c stops a run, as in every chat TUI, even with the cursor in the prompt
    (whose own ctrl+c copies); alt+enter runs."""
    emulator.stall_stream_after(3)  # mid-stream until the client hangs up
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_playground(pilot, RUNNING)
        assert app.focused is pane.prompt_area
        await pilot.press("alt+enter")
        await until(pilot, lambda: pane.runs.active is not None and pane.runs.active.chars > 0)
        await pilot.press("ctrl+c")
        await until(pilot, lambda: not pane.busy)  # bounded: a stop that fails fails here
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not pane.busy
        assert pane.output.border_subtitle == "stopped"
        assert pane.prompt_area.text == PROMPT
        assert app.is_running


def test_esc_cr_arrives_as_alt_enter() -> None:
    """tmux sends M-Enter as ESC CR; Textual 8.2 alone reads it as a plain enter."""
    from textual._xterm_parser import XTermParser

    from bytez_tui.textual_compat import decode_alt_enter

    decode_alt_enter()
    keys = [getattr(event, "key", None) for event in XTermParser().feed("\x1b\r")]
    assert keys == ["alt+enter"]
