"""Snapshots of the Compare pane: mid-stream, finished with a winner, and at 80x24.

Runs go to the seeded emulator on the frozen clock, so text and stats are deterministic
(durations read 0.00 s because the clock does not move); the mid-stream picture is fed
straight into the columns, with no network.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from waiting import until

from bytez_tui.app import BytezApp
from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer
from bytez_tui.emulator.textgen import continuation
from bytez_tui.local.history import RunStats
from bytez_tui.panes.compare import ComparePane

AppFactory = Callable[..., BytezApp]
SnapCompare = Callable[..., bool]

MODELS = ("roneneldan/TinyStories-8M", "microsoft/phi-1", "bigscience/bloom-560m")
PROMPT = "Once upon a time there was a"


async def _open(pilot: Pilot[None]) -> ComparePane:
    await pilot.pause()
    await pilot.press("5")
    await until(pilot, lambda: bool(pilot.app.screen.query(ComparePane)))
    pane = pilot.app.screen.query_one(ComparePane)
    await until(pilot, lambda: pane.display)
    # The instance list is in (the header's health, the tab's count, the ● running badges).
    await until(pilot, lambda: set(MODELS) <= pane.running_models)
    for column, model in zip(pane.columns, MODELS, strict=True):
        column.model_input.value = model
    pane.prompt_area.text = PROMPT
    pane.params_input.value = '{"max_new_tokens": 60}'
    pane.columns[2].params_input.value = '{"temperature": 0.2}'
    return pane


async def _run_and_pick_b(pilot: Pilot[None]) -> None:
    pane = await _open(pilot)
    pane.columns[0].output.focus()
    await pilot.press("ctrl+j")
    await until(pilot, lambda: not pane.busy and pane.shown is not None)
    await pilot.press("B")
    pilot.app.clear_notifications()
    await pilot.pause()
    await pilot.pause()


class TestCompare:
    def test_mid_stream(
        self,
        snap_compare: SnapCompare,
        make_app: AppFactory,
        emulator: EmulatorServer,
        clock: FixedClock,
    ) -> None:
        """Three columns mid-way, fed with 50, 20 and 35 fragments (no network): wrapped
        text in each, "running" on their borders and a live stats line under each."""
        emulator.reset(clock, models=200, seed=7, fragment_interval=0.0, demo_instances=3)

        async def run_before(pilot: Pilot[None]) -> None:
            pane = await _open(pilot)
            pane.columns[0].output.focus()
            for column, model, count in zip(pane.columns, MODELS, (50, 20, 35), strict=True):
                text = "".join(continuation(7, model, PROMPT, count))
                column.output.feed(text)
                column.output.flush()
                column.show_running(RunStats(0.21, 1.5, count, len(text)))
            await pilot.pause()

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_finished_with_a_winner(
        self,
        snap_compare: SnapCompare,
        make_app: AppFactory,
        emulator: EmulatorServer,
        clock: FixedClock,
    ) -> None:
        """Three finished columns (60 fragments each), ✓ done and their stats in green under
        each; B marked the winner: 🏆 after its model, its border green, and the status line
        says it was saved and B wins."""
        emulator.reset(clock, models=200, seed=7, fragment_interval=0.0, demo_instances=3)
        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_run_and_pick_b)

    def test_small_terminal(
        self,
        snap_compare: SnapCompare,
        make_app: AppFactory,
        emulator: EmulatorServer,
        clock: FixedClock,
    ) -> None:
        """80x24 after the same run: the columns become tabs (A, B, C with their model
        names), column A in front with its text, its stats line and the status line on
        screen; nothing cut off at the right."""
        emulator.reset(clock, models=200, seed=7, fragment_interval=0.0, demo_instances=3)
        assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_run_and_pick_b)
