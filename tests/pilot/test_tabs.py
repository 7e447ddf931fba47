"""Tab badges: counts on Jobs and Instances, a spinner on Playground while a run is under way."""

from __future__ import annotations

import functools
from collections.abc import Callable

from waiting import until

from bytez_tui.app import BytezApp
from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer
from bytez_tui.messages import OpenPlayground
from bytez_tui.panes.instances import InstancesPane
from bytez_tui.panes.jobs import JobsPane
from bytez_tui.panes.playground import PlaygroundPane
from bytez_tui.widgets.pane_tabs import SPINNER, PaneTabs

AppFactory = Callable[..., BytezApp]

running = functools.partial(until, workers=False)
"""Wait without waiting for workers: a run must be able to stay mid-stream."""


async def test_tabs_count_instances_and_pending_jobs(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(InstancesPane)))
        tabs = app.screen.query_one(PaneTabs)
        instances = app.screen.query_one(InstancesPane)
        await until(pilot, lambda: instances.loaded)
        await until(pilot, lambda: tabs.badge("instances") == f"({len(instances.instances)})")
        assert tabs.badge("jobs") == ""
        app.screen.query_one(JobsPane).track("someorg/fresh-model")
        await running(pilot, lambda: tabs.badge("jobs") == "(1 pending)")


async def test_a_run_in_the_background_spins_the_playground_tab(
    make_app: AppFactory, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(clock, models=200, seed=7, fragment_interval=0.05)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(PlaygroundPane)))
        app.screen.post_message(OpenPlayground("roneneldan/TinyStories-8M"))
        await pilot.pause()
        pane = app.screen.query_one(PlaygroundPane)
        pane.prompt_area.text = "Once upon a time"
        tabs = app.screen.query_one(PaneTabs)
        await pilot.press("ctrl+j")
        pane.output.focus()
        await pilot.pause()
        await pilot.press("1")  # the run goes on out of sight
        assert tabs.active == "catalogue"
        await running(pilot, lambda: tabs.badge("playground")[:1] in tuple(SPINNER))
        await app.workers.wait_for_complete()
        await running(pilot, lambda: tabs.badge("playground") == "")
