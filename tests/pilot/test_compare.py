"""The Compare pane against the emulator over loopback: columns streaming at once, failures,
stops, loading every model that is not running, the winner, the history and the export."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable

from textual.pilot import Pilot
from waiting import until as wait_until

from bytez_tui.app import BytezApp
from bytez_tui.clock import FixedClock
from bytez_tui.config import data_dir
from bytez_tui.emulator import EmulatorServer
from bytez_tui.emulator.textgen import continuation
from bytez_tui.local.comparisons import ComparisonStore
from bytez_tui.panes.compare import ComparePane
from bytez_tui.screens.load import LoadDialog

AppFactory = Callable[..., BytezApp]

TINY = "roneneldan/TinyStories-8M"
PHI = "microsoft/phi-1"
BLOOM = "bigscience/bloom-560m"
IDLE = "openai-community/gpt2"
SEED = 7
PROMPT = "Once upon a time"

until = functools.partial(wait_until, workers=False, tries=600)
"""Wait without waiting for workers: columns must be able to stay mid-stream."""


def expected(model: str, count: int = 40) -> str:
    return "".join(continuation(SEED, model, PROMPT, count))


async def open_compare(
    pilot: Pilot[None], models: tuple[str, ...], *, params: str = ""
) -> ComparePane:
    await pilot.pause()
    await pilot.press("5")
    await until(pilot, lambda: bool(pilot.app.screen.query(ComparePane)))
    pane = pilot.app.screen.query_one(ComparePane)
    await until(pilot, lambda: pane.display)
    for column, model in zip(pane.columns, models, strict=False):
        column.model_input.value = model
    pane.prompt_area.text = PROMPT
    pane.params_input.value = params
    pane.columns[0].output.focus()
    await pilot.pause()
    return pane


def state(pane: ComparePane, index: int) -> str:
    """The class of a column's stats line: -running, -done, -failed, -stopped …"""
    status = pane.columns[index].status
    return next((name for name in status.classes if name.startswith("-")), "")


async def test_three_columns_stream_at_their_own_speed_then_a_winner_is_saved_and_reopened(
    make_app: AppFactory, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(
        clock,
        models=200,
        seed=SEED,
        demo_instances=3,
        fragment_interval=0.0,
        paces={PHI: 0.1, BLOOM: 0.01},
    )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_compare(pilot, (TINY, PHI, BLOOM), params='{"max_new_tokens": 12}')
        pane.columns[2].params_input.value = '{"max_new_tokens": 8}'  # C's own override
        await pilot.press("ctrl+j")
        # The fast column is done while the slow ones still stream.
        await until(pilot, lambda: state(pane, 0) == "-done")
        assert state(pane, 1) == "-running"
        await until(pilot, lambda: not pane.busy)
        texts = [column.output.text for column in pane.columns]
        assert texts == [expected(TINY, 12), expected(PHI, 12), expected(BLOOM, 8)]
        for index in range(3):
            assert state(pane, index) == "-done"
            assert str(pane.columns[index].status.render()).startswith("✓ done · first ")
        assert emulator.count("run") == 3
        # One history entry for the whole comparison; B marked the winner afterwards.
        await pilot.press("B")
        await pilot.pause()
        assert pane.winner == 1 and pane.columns[1].has_class("-winner")
        (saved,) = ComparisonStore(store_key=app.settings.store_key).list()
        assert saved.winner == 1 and saved.prompt == PROMPT
        assert [c.model for c in saved.columns] == [TINY, PHI, BLOOM]
        assert saved.columns[2].params == {"max_new_tokens": 8}
        assert [c.output for c in saved.columns] == texts
        # Exported side by side, readable by the owner only.
        await pilot.press("ctrl+s")
        (exported,) = (data_dir() / "comparisons").iterdir()
        assert os.stat(exported).st_mode & 0o777 == 0o600
        markdown = exported.read_text()
        assert f"| | `{TINY}` | `{PHI}` 🏆 winner | `{BLOOM}` |" in markdown

    again = make_app()
    async with again.run_test(size=(120, 40)) as pilot:
        pane = await open_compare(pilot, ())
        pane.prompt_area.text = "a draft"
        await pilot.press("ctrl+up")
        await pilot.pause()
        assert pane.prompt_area.text == PROMPT
        assert [c.model for c in pane.columns] == [TINY, PHI, BLOOM]
        assert pane.columns[2].params_input.value == '{"max_new_tokens": 8}'
        assert [c.output.text for c in pane.columns] == texts
        assert pane.winner == 1 and state(pane, 1) == "-done"
        await pilot.press("ctrl+down")  # back to what was being typed
        assert pane.prompt_area.text == "a draft"


async def test_an_error_fragment_and_a_cut_stream_leave_the_third_column_running(
    make_app: AppFactory, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(
        clock, models=200, seed=SEED, demo_instances=3, fragment_interval=0.0, paces={BLOOM: 0.1}
    )
    emulator.error_fragment_after(5, "Error: CUDA out of memory", model=TINY)
    emulator.cut_stream_after(7, model=PHI)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_compare(pilot, (TINY, PHI, BLOOM))
        await pilot.press("ctrl+j")
        await until(pilot, lambda: state(pane, 0) == "-failed" and state(pane, 1) == "-failed")
        assert state(pane, 2) == "-running"  # the third goes on
        tiny, phi = pane.columns[0], pane.columns[1]
        assert tiny.output.text == "".join(continuation(SEED, TINY, PROMPT, 40)[:5])
        assert "CUDA out of memory" in str(tiny.status.render())
        assert phi.output.text == "".join(continuation(SEED, PHI, PROMPT, 40)[:7])
        assert "connection dropped" in str(phi.status.render())
        assert tiny.output.border_subtitle == "failed"
        await until(pilot, lambda: not pane.busy)
        assert pane.columns[2].output.text == expected(BLOOM)
        assert state(pane, 2) == "-done"
        assert pane.prompt_area.text == PROMPT


async def test_stop_one_column_then_all(
    make_app: AppFactory, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(clock, models=200, seed=SEED, demo_instances=3, fragment_interval=0.05)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_compare(pilot, (TINY, PHI, BLOOM))
        await pilot.press("ctrl+j")
        await until(pilot, lambda: all(len(c.output.text) > 3 for c in pane.columns))
        await pilot.press("alt+b")
        await until(pilot, lambda: state(pane, 1) == "-stopped")
        assert state(pane, 0) == "-running" and state(pane, 2) == "-running"
        await pilot.press("escape")
        await until(pilot, lambda: not pane.busy)
        for index, model in enumerate((TINY, PHI, BLOOM)):
            text = pane.columns[index].output.text
            assert state(pane, index) == "-stopped"
            assert text and expected(model).startswith(text) and text != expected(model)
        (saved,) = ComparisonStore(store_key=app.settings.store_key).list()
        assert [c.outcome for c in saved.columns] == ["stopped"] * 3


async def test_models_not_running_are_loaded_together_then_each_column_runs(
    make_app: AppFactory, emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_compare(pilot, (TINY, IDLE, BLOOM))
        await pilot.press("ctrl+j")
        await until(pilot, lambda: isinstance(app.screen, LoadDialog))
        dialog = app.screen
        assert isinstance(dialog, LoadDialog) and dialog.models == (IDLE, BLOOM)
        cost = str(dialog.query_one("#load-cost").render())
        assert cost.startswith("Projected cost: all 2: ")
        assert emulator.count("run") == 0
        await pilot.press("ctrl+s")  # load both with the dialog's defaults
        await until(pilot, lambda: emulator.count("load") == 2)
        await until(pilot, lambda: state(pane, 1) == "-waiting" and state(pane, 2) == "-waiting")
        clock.advance(emulator.world.boot_delay)
        await until(pilot, lambda: not pane.busy)
        assert [c.output.text for c in pane.columns] == [
            expected(TINY),
            expected(IDLE),
            expected(BLOOM),
        ]
        assert emulator.count("run") == 3


def chat_reply(model: str, messages: list[dict[str, str]], count: int) -> str:
    """What the emulator answers `messages` (its text depends on the whole conversation)."""
    key = json.dumps(messages, sort_keys=True)
    return "".join(continuation(SEED, model, key, count))


async def test_chat_mode_keeps_one_conversation_per_column_over_two_turns(
    make_app: AppFactory, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(clock, models=200, seed=SEED, demo_instances=3, fragment_interval=0.0)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_compare(pilot, (TINY, PHI), params='{"max_new_tokens": 6}')
        await pilot.press("ctrl+t")
        assert pane.chat_mode and pane.chat_box.value and pane.system_input.display
        pane.system_input.value = "Be brief."
        pane.columns[0].output.focus()
        await pilot.press("ctrl+j")
        await until(pilot, lambda: not pane.busy)
        assert pane.prompt_area.text == ""  # sent: the next turn is typed afresh
        first = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": PROMPT}]
        replies = {model: chat_reply(model, first, 6) for model in (TINY, PHI)}
        assert replies[TINY] != replies[PHI]
        # The second turn: each column sends its own model's first reply, no other's.
        pane.prompt_area.text = "And then?"
        await pilot.press("ctrl+j")
        await until(pilot, lambda: not pane.busy)
        seconds = {}
        for model in (TINY, PHI):
            history = [*first, {"role": "assistant", "content": replies[model]}]
            asked = [*history, {"role": "user", "content": "And then?"}]
            seconds[model] = chat_reply(model, asked, 6)
        for column, model in zip(pane.columns, (TINY, PHI), strict=False):
            assert state(pane, column.index) == "-done"
            text = column.output.text
            assert replies[model] in text and text.endswith(seconds[model])
            assert "▸ And then?" in text
        assert emulator.count("run") == 4
        # ctrl+o copies the focused column's last reply, not its transcript.
        pane.columns[1].output.focus()
        await pilot.press("ctrl+o")
        assert app.clipboard == seconds[PHI]
        # One history entry for the conversation, rewritten as it goes on; the winner too.
        await pilot.press("A")
        await pilot.pause()
        (saved,) = ComparisonStore(store_key=app.settings.store_key).list()
        assert saved.chat and saved.system == "Be brief." and saved.winner == 0
        assert saved.turns == (PROMPT,) and saved.prompt == "And then?"
        assert [(c.replies, c.output) for c in saved.columns] == [
            ((replies[TINY],), seconds[TINY]),
            ((replies[PHI],), seconds[PHI]),
        ]
        await pilot.press("ctrl+s")
        (exported,) = (data_dir() / "comparisons").iterdir()
        markdown = exported.read_text()
        assert "### Turn 2" in markdown and seconds[PHI] in markdown
        # ctrl+n starts a new conversation: the next turn sends no earlier reply.
        await pilot.press("ctrl+n")
        assert pane.shown is None and pane.columns[0].output.text == ""


async def test_a_model_already_booting_is_waited_for_then_run_without_a_second_load(
    make_app: AppFactory, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.world.start_instance(IDLE, clock.now(), concurrency=1, period=600)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_compare(pilot, (TINY, IDLE))
        await pilot.press("ctrl+j")
        # No load dialog: the booting model's column waits while the other one runs.
        await until(pilot, lambda: state(pane, 0) == "-done" and state(pane, 1) == "-waiting")
        assert not isinstance(app.screen, LoadDialog)
        assert emulator.count("run", model=IDLE) == 0
        clock.advance(emulator.world.boot_delay)
        await until(pilot, lambda: not pane.busy)
        assert [c.output.text for c in pane.columns[:2]] == [expected(TINY), expected(IDLE)]
        assert emulator.count("load") == 0 and emulator.count("run", model=IDLE) == 1


async def test_chat_mode_refuses_a_column_whose_model_does_not_chat_and_runs_the_others(
    make_app: AppFactory, emulator_v2: EmulatorServer
) -> None:
    chat, vision = "Qwen/Qwen3-4B", "google/vit-base-patch16-224"
    app = make_app(base_url=emulator_v2.url)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_compare(pilot, (chat, vision), params='{"max_new_tokens": 6}')
        await pilot.press("ctrl+t")
        await pilot.press("ctrl+j")
        await until(pilot, lambda: not pane.busy)
        assert state(pane, 0) == "-done" and emulator_v2.count(model=chat) >= 1
        assert state(pane, 1) == "-failed"
        said = str(pane.columns[1].status.render())
        assert f"{vision} is a image-classification model" in said
        assert "chat mode needs a chat or text-generation model" in said
        assert emulator_v2.count(model=vision) <= 1  # the task lookup only: nothing sent


async def test_in_tab_mode_a_column_s_tab_or_key_leads_to_its_empty_model_field(
    make_app: AppFactory,
) -> None:
    """Under 100 columns the columns are tabs and the hidden ones are out of the focus
    chain: tab from column A went on to the prompt, so B's model was typed there. Now `b`
    (or its tab) lands in B's empty model field, and tab crosses from column to column."""
    from bytez_tui.widgets.pane_tabs import PaneTabs

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_compare(pilot, (TINY,))
        await until(pilot, lambda: pane.has_class("-narrow"))
        a, b, c = pane.columns
        assert app.focused is a.output
        await pilot.press("b")
        await until(pilot, lambda: pane.front == 1 and app.focused is b.model_input)
        await pilot.press(*"org/bee", "tab")
        assert b.model == "org/bee" and app.focused is b.params_input
        await pilot.press("tab", "tab")  # the output, then off the column's edge: C
        await until(pilot, lambda: pane.front == 2 and app.focused is c.model_input)
        await pilot.press("shift+tab")  # back to B, at its last field
        await until(pilot, lambda: pane.front == 1 and app.focused is b.output)
        tabs = pane.query_one("#compare-tabs", PaneTabs)
        await pilot.click(tabs, offset=(1, 0))  # A has a model: its output
        await until(pilot, lambda: pane.front == 0 and app.focused is a.output)
        a.model_input.focus()
        await pilot.pause()
        await pilot.press("shift+tab")  # nothing before A: the pane's own fields
        await pilot.pause()
        assert pane.front == 0 and app.focused is not None and a not in app.focused.ancestors
