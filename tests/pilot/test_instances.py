"""The instances pane: live countdowns, loads that boot, deletes, pause and failures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from waiting import Toasts, step, until

from bytez_tui.app import BytezApp
from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer
from bytez_tui.panes.instances import InstanceRow, InstancesPane
from bytez_tui.panes.instances.listing import InstanceList
from bytez_tui.screens.confirm import ConfirmDialog
from bytez_tui.screens.load import LoadChoice, LoadDialog
from bytez_tui.widgets.pane_tabs import PaneTabs
from bytez_tui.widgets.status_badge import StatusBadge

TINY = "roneneldan/TinyStories-8M"
"""A demo instance: RUNNING at start, expiring 180 s after it (then 60 s of grace)."""
PHI = "microsoft/phi-1"
"""The other demo instance, expiring 420 s after the start."""
GPT2 = "openai-community/gpt2"
"""In the catalogue, not running."""


async def open_instances(pilot: Pilot[Any]) -> InstancesPane:
    app = pilot.app
    assert isinstance(app, BytezApp)
    await pilot.press("3")
    pane = app.screen.query_one(InstancesPane)
    await until(pilot, lambda: pane.loaded and len(pane.rows.rows) >= 1)
    await pilot.pause()
    return pane


async def advance(pilot: Pilot[Any], clock: FixedClock, seconds: float) -> None:
    """Step the clock once every poller of the InstancesPane waits on it, then let them run."""
    await step(pilot, pilot.app.screen.query_one(InstancesPane), clock, seconds)


def row(pane: InstancesPane, model: str) -> InstanceRow:
    found = pane.row(model)
    assert found is not None, f"no row for {model}"
    return found


async def test_countdown_decreases_then_expiring_then_expired(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_instances(pilot)
        tiny = row(pane, TINY)
        assert tiny.countdown.text == "3m00s"
        await advance(pilot, clock, 60)
        tiny.countdown.tick()
        assert tiny.countdown.text == "2m00s"
        await advance(pilot, clock, 70)
        tiny.countdown.tick()
        assert tiny.countdown.text == "⚠ 50s"
        await until(pilot, lambda: tiny.has_class("-warning"))
        await advance(pilot, clock, 60)
        tiny.countdown.tick()
        assert tiny.countdown.text == "⚠ expiring"
        await until(pilot, lambda: tiny.has_class("-expiring"))
        await advance(
            pilot, clock, 60
        )  # past the emulator's grace: the next refresh no longer lists it
        await until(pilot, lambda: tiny.gone)
        assert tiny.countdown.text == "1 min ago"
        assert tiny.query_one(StatusBadge).status == "expired"
        assert tiny.has_class("-gone")
        assert TINY not in {instance.model for instance in pane.instances}
        phi = row(pane, PHI).countdown
        phi.tick()
        assert phi.text == "2m50s"  # 420 s - 250 s


async def test_load_boots_through_transitional_states(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(clock, models=200, seed=7, fragment_interval=0.0, boot_delay=20)
    app = make_app()
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        pane = await open_instances(pilot)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, LoadDialog))
        await pilot.press(*GPT2)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: pane.row(GPT2) is not None)
        seen: list[str] = []

        def status() -> str:
            current = row(pane, GPT2).instance.status
            if not seen or seen[-1] != current:
                seen.append(current)
            return current

        await until(pilot, lambda: status() == "STARTING")
        assert row(pane, GPT2).has_class("-booting")
        await advance(pilot, clock, 5)
        await pilot.pause()
        await advance(pilot, clock, 5)
        await until(pilot, lambda: status() == "INSTANTIATING")
        await advance(pilot, clock, 5)
        await pilot.pause()
        await advance(pilot, clock, 5)
        await until(pilot, lambda: status() == "RUNNING")
        assert seen[-3:] == ["STARTING", "INSTANTIATING", "RUNNING"]
        assert not row(pane, GPT2).has_class("-booting")
        await until(pilot, lambda: any("is running" in m for m in toasts.messages))
        assert emulator.world.status({"model": GPT2}).body["expirationPeriodSeconds"] == 300


async def test_failed_boot_shows_its_error(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(
        clock, models=200, seed=7, fragment_interval=0.0, fail_models=[GPT2], boot_delay=5
    )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_instances(pilot)
        pane.start_load(GPT2, LoadChoice(1, 300))
        await until(pilot, lambda: pane.row(GPT2) is not None)
        await advance(pilot, clock, 5)
        await until(pilot, lambda: row(pane, GPT2).has_class("-failed"))
        error = row(pane, GPT2).query_one(".inst-error")
        assert "CUDA out of memory" in str(error.render())
        assert error.display


async def test_409_and_429_load_answers_are_explained(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        pane = await open_instances(pilot)
        pane.start_load(TINY, LoadChoice(1, 300))
        await until(pilot, lambda: any("already running (409)" in m for m in toasts.messages))
        pane.start_load(GPT2, LoadChoice(1, 300))
        await until(pilot, lambda: pane.row(GPT2) is not None)
        pane.start_load(GPT2, LoadChoice(1, 300))
        await until(pilot, lambda: any("already under way (429)" in m for m in toasts.messages))
    emulator.reset(clock, models=200, seed=7, fragment_interval=0.0, credits_exhausted=True)
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        pane = await open_instances(pilot)
        pane.start_load(GPT2, LoadChoice(1, 300))
        await until(pilot, lambda: any("No instance was started" in m for m in toasts.messages))
        assert pane.row(GPT2) is None


async def test_delete_asks_first_with_the_cost(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        pane = await open_instances(pilot)
        pane.ram_gb = {TINY: 0.37, PHI: 9.16}
        pane.rows.focus()
        pane.rows.select(TINY)
        await pilot.pause()
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        body = str(app.screen.query_one("#confirm-body").render())
        assert "$0.0074 so far" in body  # 20 min of 0.37 GB at $0.06 per GB-hour
        await pilot.press("n")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        assert emulator.count("delete") == 0
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await until(pilot, lambda: pane.row(TINY) is None)
        assert emulator.count("delete", model=TINY) == 1
        assert any("Deleted" in m and "$0.0074" in m for m in toasts.messages)


async def test_pause_stops_requests_while_countdowns_tick(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_instances(pilot)
        await pilot.press("P")
        await until(pilot, lambda: pane.paused)
        assert pane.query_one("#instances-paused").display
        before = emulator.count()
        phi = row(pane, PHI)
        shown = phi.countdown.text
        for _ in range(4):
            await advance(pilot, clock, 15)
            await pilot.pause()
        phi.countdown.tick()
        assert phi.countdown.text != shown
        assert emulator.count() == before, "nothing requested while paused"
        await pilot.press("P")
        await until(pilot, lambda: emulator.count("instances") > 0 and emulator.count() > before)


async def test_server_error_shows_a_notice_and_the_next_refresh_recovers(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        pane = await open_instances(pilot)
        notice = pane.query_one("#instances-notice")
        emulator.fail_next("instances", 500)
        await advance(pilot, clock, 15)
        await until(pilot, lambda: bool(notice.display))
        assert "500" in str(notice.render())
        assert any("500" in m for m in toasts.messages)
        assert len(pane.instances) == 2, "the last list stays on screen"
        await advance(pilot, clock, 5)
        await until(pilot, lambda: not notice.display)
        assert len(pane.instances) == 2


async def test_keys_post_messages(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_instances(pilot)
        pane.rows.focus()
        pane.rows.select(PHI)
        await pilot.press("c")
        await until(pilot, lambda: app.clipboard == PHI)
        await pilot.press("r")
        await until(pilot, lambda: emulator.count("instances") == 2)
        await pilot.press("l")  # on a running model: the dialog asks which model to load
        await until(pilot, lambda: isinstance(app.screen, LoadDialog))
        assert isinstance(app.screen, LoadDialog) and app.screen.model == ""
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, LoadDialog))
        await pilot.press("p")
        await until(pilot, lambda: app.screen.query_one(PaneTabs).active == "playground")


async def test_polling_slows_while_the_terminal_is_unfocused(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_instances(pilot)
        app.app_focus = False
        await advance(pilot, clock, 15)
        assert emulator.count("instances") == 1, "a blurred app waits 4 × 15 s"
        await advance(pilot, clock, 45)
        await until(pilot, lambda: emulator.count("instances") == 2)
        await advance(pilot, clock, 15)
        app.app_focus = True  # focus back: the normal interval applies at once
        await until(pilot, lambda: emulator.count("instances") == 3)


async def test_load_dialog_marks_the_chosen_preset_without_colour() -> None:
    """Only the chosen expiry preset shows a dot; the others are blank (NO_COLOR)."""
    from textual.app import App
    from textual.widgets import RadioButton

    app: App[None] = App()
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = LoadDialog(model=GPT2, ram_gb=1.0, cursor_blink=False)
        app.push_screen(dialog)
        await pilot.pause()

        def marks() -> list[str]:
            return [str(button.render())[:3] for button in dialog.query(RadioButton)]

        assert marks() == ["▐●▌", "▐ ▌", "▐ ▌", "▐ ▌"]
        dialog.query(RadioButton)[2].value = True
        await pilot.pause()
        assert marks() == ["▐ ▌", "▐ ▌", "▐●▌", "▐ ▌"]


async def test_load_dialog_cost_follows_the_concurrency() -> None:
    """The projection uses the concurrency typed, and says so when it is not valid."""
    from textual.app import App
    from textual.widgets import Input, Static

    app: App[None] = App()
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = LoadDialog(model=GPT2, ram_gb=1.0, cursor_blink=False)
        app.push_screen(dialog)
        await pilot.pause()

        def cost() -> str:
            return str(dialog.query_one("#load-cost", Static).render())

        assert "$0.06 per hour" in cost() and "× 1" in cost()
        dialog.query_one("#load-concurrency", Input).value = "4"
        await pilot.pause()
        assert "$0.24 per hour" in cost() and "× 4" in cost()
        dialog.query_one("#load-concurrency", Input).value = "33"
        await pilot.pause()
        assert "per hour" not in cost() and "concurrency must be 1 to 32" in cost()


async def test_dismissing_the_last_expired_row_keeps_a_cursor(
    make_app: Callable[..., BytezApp], clock: FixedClock
) -> None:
    """`d` on an expired last row drops it; the cursor was left past the end, so no row
    was highlighted and `p`, `c`, `d` did nothing until an arrow key."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_instances(pilot)
        tiny = row(pane, TINY)
        for _ in range(4):
            await advance(pilot, clock, 60)
        await until(pilot, lambda: tiny.gone)
        pane.rows.focus()
        pane.rows.select(TINY)
        assert pane.rows.cursor == len(pane.rows.rows) - 1
        await pilot.press("d")
        await until(pilot, lambda: pane.row(TINY) is None)
        await pilot.pause()
        highlighted = pane.rows.highlighted
        assert highlighted is not None and highlighted.key == PHI
        assert highlighted.has_class("-cursor")


async def test_vim_keys_move_through_the_rows(make_app: Callable[..., BytezApp]) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await open_instances(pilot)
        count = len(pane.rows.rows)
        assert count >= 2
        await pilot.press("G")
        assert pane.rows.cursor == count - 1
        await pilot.press("g")
        assert pane.rows.cursor == 0
        await pilot.press("j")
        assert pane.rows.cursor == 1
        await pilot.press("k")
        assert pane.rows.cursor == 0


async def test_slash_filters_the_list_and_escape_clears_it(
    make_app: Callable[..., BytezApp],
) -> None:
    """`/` filters the list in front (it used to jump to the catalogue); escape in the
    list clears the filter first."""
    from bytez_tui.widgets.rows import RowFilter

    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await open_instances(pilot)
        keys = [row.key for row in pane.rows.rows]
        assert len(keys) >= 2
        wanted = keys[-1]
        await pilot.press("slash", *wanted.split("/")[1], "enter")
        assert pilot.app.screen.query_one(PaneTabs).active == "instances"
        assert isinstance(pilot.app.focused, InstanceList)
        shown = [row.key for row in pane.rows.shown_rows]
        assert shown == [key for key in keys if wanted.split("/")[1].lower() in key.lower()]
        assert pane.rows.highlighted is not None
        assert pane.rows.highlighted.key == shown[0]
        assert pane.query_one(RowFilter).display
        await pilot.press("escape")
        assert [row.key for row in pane.rows.shown_rows] == keys
        assert not pane.query_one(RowFilter).display
        assert isinstance(pilot.app.focused, InstanceList)


async def test_absurd_numbers_are_an_unreadable_answer_not_a_stuck_pane(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    """concurrency 10**400 used to raise OverflowError in the worker: "Loading…" forever."""
    emulator.malformed_next(
        "instances",
        body=f'[{{"model": "{TINY}", "status": "RUNNING", "concurrency": 1{"0" * 400}}}]',
    )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        pane = app.screen.query_one(InstancesPane)
        notice = pane.query_one("#instances-notice")
        await until(pilot, lambda: bool(notice.display))
        assert "unreadable concurrency" in str(notice.render())
        await advance(pilot, clock, 5)
        await until(pilot, lambda: pane.loaded and len(pane.rows.rows) == 2)


async def test_the_cursor_row_shows_without_colour(
    make_app: Callable[..., BytezApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under NO_COLOR the cursor row was only grey 233 → 235: it carries `▸` and bold."""
    monkeypatch.setenv("NO_COLOR", "1")
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await open_instances(pilot)
        await pilot.press("j")
        await pilot.pause()
        marked = [row.key for row in pane.rows.rows if row.has_class("-cursor")]
        assert marked == [pane.rows.rows[1].key]
        assert pilot.app.export_screenshot().count("▸") == 1


async def test_only_a_failed_instance_bills_nothing(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    """The summary said "billing $0.0000 per hour" with only a failed instance."""
    emulator.reset(
        clock,
        models=200,
        seed=7,
        fragment_interval=0.0,
        fail_models=[GPT2],
        boot_delay=5,
        demo_instances=0,
    )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        pane = app.screen.query_one(InstancesPane)
        await until(pilot, lambda: pane.loaded)
        pane.start_load(GPT2, LoadChoice(1, 300))
        await until(pilot, lambda: pane.row(GPT2) is not None)
        await advance(pilot, clock, 5)
        await until(pilot, lambda: row(pane, GPT2).has_class("-failed"))
        summary = pane.query_one("#instances-summary")
        await until(pilot, lambda: "nothing billing" in str(summary.render()))
        assert "$0" not in str(summary.render())


async def test_unknown_is_not_zero(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    """'Nothing is running, so nothing is billed' only when the server said so: not while
    the first answer is awaited, and not when the answer could not be read."""
    emulator.reset(clock, models=50, seed=7, fragment_interval=0.0, demo_instances=0)
    emulator.slow("instances", 3.0)  # the first answer is awaited for a while
    emulator.malformed_next("instances", body='{"unexpected": true}')
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(InstancesPane)), workers=False)
        pane = app.screen.query_one(InstancesPane)
        empty = pane.query_one("#instances-empty")
        assert "Asking Bytez" in str(empty.render())
        await pilot.press("3")
        notice = pane.query_one("#instances-notice")
        await until(pilot, lambda: bool(notice.display))
        shown = str(empty.render())
        assert "Nothing is running" not in shown and "Unknown" in shown
        emulator.slow("instances", None)
        await advance(pilot, clock, 5)
        await until(pilot, lambda: pane.loaded and not notice.display)
        assert "Nothing is running, so nothing is billed" in str(empty.render())
