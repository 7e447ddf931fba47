"""Tab badges: counts on Jobs and Instances, a spinner on Playground while a run is under way."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest
from textual.app import App, ComposeResult
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


async def test_at_60_columns_the_tabs_take_their_short_titles(make_app: AppFactory) -> None:
    """At 60 columns "5 Compare" was cut to "5 Compa"; the short titles fit, badges too."""
    app = make_app()
    async with app.run_test(size=(60, 15)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(InstancesPane)))
        tabs = app.screen.query_one(PaneTabs)
        await until(pilot, lambda: app.screen.query_one(InstancesPane).loaded)
        await until(pilot, lambda: tabs.badge("instances") != "")
        assert tabs.shown == ["1 Cat", "2 Jobs", "3 Inst (2)", "4 Play", "5 Comp"]
        await pilot.click(PaneTabs, offset=(len(" 1 Cat  2 Jobs  3 Inst (2)  4"), 0))
        await until(pilot, lambda: tabs.active == "playground")
        await pilot.resize_terminal(120, 40)
        await until(pilot, lambda: tabs.shown[0] == "1 Catalogue")
        assert tabs.shown[-1] == "5 Compare"


class _Tabs(App[None]):
    def compose(self) -> ComposeResult:
        yield PaneTabs([("a", "A"), ("b", "B"), ("c", "C")], active="a", short={"a": "A", "b": "B"})


@pytest.mark.parametrize(
    ("width", "shown"),
    [
        (80, ["A Llama-3-8B-Instruct", "B gemma-2b-it", "C Qwen2-1.5B"]),
        (45, ["A Llama-3-8B-Instruct", "B gemma-…", "C Qwen2-…"]),
        (30, ["A Llama-3-8B-Instruct", "B", "C"]),
        (10, ["A Llama-3-8B-Instruct", "B", "C"]),  # no shorter way: the rest is cut off
    ],
)
async def test_narrow_tabs_cut_the_other_tabs_badges_first(width: int, shown: list[str]) -> None:
    """Compare's column tabs carry the model names: the active tab's stays whole, the
    others are cut a character at a time, then dropped."""
    app = _Tabs()
    async with app.run_test(size=(width, 3)) as pilot:
        tabs = app.query_one(PaneTabs)
        models = ["Llama-3-8B-Instruct", "gemma-2b-it", "Qwen2-1.5B"]
        for pane_id, model in zip("abc", models, strict=True):
            tabs.set_badge(pane_id, model)
        await pilot.pause()
        assert tabs.shown == shown
        assert sum(len(text) + 2 for text in shown) <= width or width == 10
