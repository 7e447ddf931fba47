"""Spend in the dashboard, on a frozen clock: instances through their life into the ledger,
the header's burn rate and today's spend, the daily budget's warnings (once each) and the
second question before a load past the budget."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Sparkline, Static
from waiting import Toasts, step, terminal_writes, until

from bytez_tui.app import BytezApp
from bytez_tui.clock import FixedClock
from bytez_tui.config import read_config
from bytez_tui.emulator import EmulatorServer
from bytez_tui.format import money
from bytez_tui.local.ledger import Ledger
from bytez_tui.panes.instances import InstancesPane
from bytez_tui.panes.jobs import JobsPane
from bytez_tui.screens.confirm import ConfirmDialog
from bytez_tui.screens.load import LoadDialog
from bytez_tui.screens.main import MainScreen
from bytez_tui.screens.spend import RANGES, SpendScreen
from bytez_tui.widgets.status_bar import StatusBar

TINY = "roneneldan/TinyStories-8M"
"""RUNNING at start, expiring 180 s after it."""
PHI = "microsoft/phi-1"
"""RUNNING at start, expiring 420 s after it."""
GPT2 = "openai-community/gpt2"
"""In the catalogue, not running."""
QUEUED = "someorg/fresh-model"
"""Not in the emulator's catalogue, so its job queues for `job_delay` seconds."""


async def started(pilot: Pilot[Any]) -> tuple[MainScreen, InstancesPane]:
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    await pilot.press("3")
    pane = screen.query_one(InstancesPane)
    await until(pilot, lambda: pane.loaded and TINY in pane.ram_gb)
    pane.refresh_now()  # read again now that the catalogue's RAM figures are known
    await until(pilot, lambda: pane.loaded and bool(screen.query_one(StatusBar).spend))
    return screen, pane


def ledger(screen: MainScreen) -> Ledger:
    return screen.spend.ledger


def header(screen: MainScreen) -> str:
    return str(screen.query_one(StatusBar).render())


def titles(toasts: Toasts) -> list[str]:
    return [notification.title for notification in toasts.shown]


async def test_instances_go_through_their_life_into_the_ledger_and_header(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    toasts = Toasts()
    app = make_app()
    start = clock.now()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        screen, pane = await started(pilot)
        book = ledger(screen)
        burn = book.burn_rate(clock.now())
        assert burn > 0
        assert f"≈{money(burn)}/h · today" in header(screen)
        items = {item.model: item for item in book.most_expensive(start, clock.now())}
        # Both were up before the app first saw them: counted from then, and said so.
        assert items[TINY].from_seen and items[TINY].start == start
        assert items[TINY].ending == "running"

        pane.rows.focus()
        pane.rows.select(TINY)
        await pilot.pause()
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await until(pilot, lambda: pane.row(TINY) is None)
        await until(pilot, lambda: book.burn_rate(clock.now()) < burn)

        for _ in range(10):  # PHI expires at 420 s and is gone within the grace
            await step(pilot, pane, clock, 60)
        await until(pilot, lambda: book.burn_rate(clock.now()) == 0)
        items = {item.model: item for item in book.most_expensive(start, clock.now())}
        assert items[TINY].ending == "deleted"
        assert items[PHI].ending == "expired"
        assert items[PHI].estimate
        today = book.today(clock.now())
        assert today.estimate > 0 and today.server == 0
        screen.spend.update_figures()
        await pilot.pause()
        assert f"today ≈{money(today.total)}" in header(screen)


async def test_budget_warnings_fire_once_each(
    make_app: Callable[..., BytezApp],
    emulator: EmulatorServer,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first list bills a minute of each instance: ~$0.0095, 95 % of the budget.
    toasts = Toasts()
    app = make_app(daily_budget=0.01)
    bells: list[None] = []
    monkeypatch.setattr(app, "bell", lambda: bells.append(None))
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        writes = terminal_writes(app, monkeypatch)
        screen, pane = await started(pilot)
        await until(pilot, lambda: "Daily budget" in titles(toasts))
        assert not screen.spend.over_budget
        await step(pilot, pane, clock, 90)  # billed to the minute: two minutes now
        await until(pilot, lambda: "Daily budget reached" in titles(toasts))
        assert screen.spend.over_budget
        for _ in range(3):
            await step(pilot, pane, clock, 60)
            screen.spend.update_figures()
        assert titles(toasts).count("Daily budget") == 1
        assert titles(toasts).count("Daily budget reached") == 1
        assert len(bells) == 2
        desktop = [write for write in writes if write.startswith("\x1b]9;")]
        assert len(desktop) == 2 and "daily budget" in desktop[-1]
    # Restarted the same day: both went off already, neither goes off again.
    toasts = Toasts()
    async with make_app(daily_budget=0.01).run_test(size=(120, 40), message_hook=toasts) as pilot:
        screen, pane = await started(pilot)
        await until(pilot, lambda: screen.spend.over_budget)
        await step(pilot, pane, clock, 60)
        screen.spend.update_figures()
        await pilot.pause()
        assert not [title for title in titles(toasts) if title.startswith("Daily budget")]


async def test_a_load_past_the_budget_asks_again(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    toasts = Toasts()
    app = make_app(daily_budget=0.001)
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        screen, pane = await started(pilot)
        await until(pilot, lambda: screen.spend.over_budget)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, LoadDialog))
        await pilot.press(*GPT2)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "budget" in str(app.screen.query_one("#confirm-title").render())
        await pilot.press("n")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        await app.workers.wait_for_complete()
        assert emulator.count("load") == 0
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, LoadDialog))
        await pilot.press(*GPT2)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await until(pilot, lambda: emulator.count("load", model=GPT2) == 1)


async def test_a_load_armed_for_when_ready_asks_again_past_the_budget(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    """Options chosen while a job was queued do not skip the budget's second question."""
    app = make_app(daily_budget=0.001)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, _ = await started(pilot)
        await until(pilot, lambda: screen.spend.over_budget)
        await pilot.press("2")
        jobs = screen.query_one(JobsPane)
        jobs.track(QUEUED)
        await until(pilot, lambda: len(jobs.rows.rows) == 1)
        jobs.rows.focus()
        await until(pilot, lambda: emulator.count("job", model=QUEUED) == 1)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, LoadDialog))
        await pilot.press("enter")
        await until(pilot, lambda: jobs.jobs[QUEUED].load_when_ready)
        await step(pilot, jobs, clock, 15)  # the job is done: the load would start now
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "budget" in str(app.screen.query_one("#confirm-title").render())
        await pilot.press("n")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        await app.workers.wait_for_complete()
        assert emulator.count("load", model=QUEUED) == 0


async def test_spend_screen_shows_the_fortnight_and_sets_the_budget(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    toasts = Toasts()
    app = make_app()
    async with app.run_test(size=(80, 24), message_hook=toasts) as pilot:
        screen, _ = await started(pilot)
        app.set_focus(None)
        await pilot.press("dollar_sign")
        await until(pilot, lambda: isinstance(app.screen, SpendScreen))
        spend = app.screen
        assert isinstance(spend, SpendScreen)
        data = list(spend.query_one(Sparkline).data or [])
        assert len(data) == 14 and data[-1] > 0 and sum(data[:-1]) == 0
        figures = str(spend.query_one("#spend-figures", Static).render())
        assert f"today ≈{money(ledger(screen).today(clock.now()).total)}" in figures
        await pilot.press("t")
        assert RANGES[spend.range_index][0] == "14 days"
        await pilot.press("b", *"0.001", "enter")
        await until(pilot, lambda: screen.spend.alarm.budget == 0.001)
        assert read_config()["daily_budget"] == 0.001
        await until(pilot, lambda: screen.spend.over_budget)
        assert "Daily budget reached" in titles(toasts)
        assert app.focused is None or not isinstance(app.focused, Input)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)


async def test_no_to_the_budget_question_disarms_load_and_run(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    """ "Load and run" past the budget: the dialog, then the budget question; no leaves no
    run waiting to start, billed, when the model is loaded later."""
    from bytez_tui.messages import OpenPlayground
    from bytez_tui.panes.playground import PlaygroundPane

    app = make_app(daily_budget=0.001)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, _ = await started(pilot)
        await until(pilot, lambda: screen.spend.over_budget)
        screen.post_message(OpenPlayground(GPT2))
        await until(pilot, lambda: screen.query_one(PlaygroundPane).display)
        pane = screen.query_one(PlaygroundPane)
        pane.prompt_area.text = "Hello"
        await pilot.press("ctrl+j")
        await until(pilot, lambda: pane.query_one("#load-offer").display)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, LoadDialog))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        assert not pane.busy and emulator.count("load") == 0
        pane.running_models = frozenset({GPT2})  # loaded later, from elsewhere
        pane.instance_ready(GPT2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert emulator.count("run") == 0
