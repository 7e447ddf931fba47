"""Snapshots of the live panes: jobs and instances, in their states and at 80×24.

Time is a FixedClock and the emulator is seeded, so countdowns show the same text on
every run; toasts are cleared before the picture is taken.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from waiting import step, until

from bytez_tui.app import BytezApp
from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer
from bytez_tui.panes.base import Pane
from bytez_tui.panes.instances import InstancesPane
from bytez_tui.panes.jobs import JobsPane
from bytez_tui.screens.load import LoadChoice, LoadDialog

GPT2 = "openai-community/gpt2"
RAM = {"roneneldan/TinyStories-8M": 0.37, "microsoft/phi-1": 9.16, GPT2: 0.5}
"""The catalogue's RAM figures for the models shown, so costs never wait on the catalogue."""


async def finish(pilot: Pilot[Any], pane: Pane) -> None:
    """Tick every countdown, drop toasts, and let the screen settle."""
    await pilot.app.workers.wait_for_complete()
    if isinstance(pane, InstancesPane):
        pane.ram_gb = RAM
    for widget in pane.query("Countdown, Elapsed"):
        widget.tick()  # type: ignore[attr-defined]
    if isinstance(pane, InstancesPane):
        pane._tick()
    pilot.app.clear_notifications()
    await pilot.pause()
    await pilot.pause()


async def show_instances(pilot: Pilot[Any]) -> InstancesPane:
    app = pilot.app
    assert isinstance(app, BytezApp)
    await pilot.press("3")
    pane = app.screen.query_one(InstancesPane)
    await until(pilot, lambda: pane.loaded)
    await until(pilot, lambda: pane.settled)
    return pane


async def show_jobs(pilot: Pilot[Any]) -> JobsPane:
    app = pilot.app
    assert isinstance(app, BytezApp)
    await pilot.press("2")
    return app.screen.query_one(JobsPane)


class TestInstancesPane:
    def test_populated(self, snap_compare: Any, make_app: Callable[..., BytezApp]) -> None:
        """Two RUNNING demo instances: countdowns 3m00s and 7m00s, uptime, RAM, cost so far
        and per hour; the summary line totals the hourly cost."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await finish(pilot, await show_instances(pilot))

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_empty(
        self,
        snap_compare: Any,
        make_app: Callable[..., BytezApp],
        emulator: EmulatorServer,
        clock: FixedClock,
    ) -> None:
        """No instances: the pane says nothing is billed and how to load one."""
        emulator.reset(clock, models=200, seed=7, fragment_interval=0.0, demo_instances=0)

        async def run_before(pilot: Pilot[Any]) -> None:
            await finish(pilot, await show_instances(pilot))

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_booting(
        self,
        snap_compare: Any,
        make_app: Callable[..., BytezApp],
        emulator: EmulatorServer,
        clock: FixedClock,
    ) -> None:
        """gpt2 is INSTANTIATING (a busy glyph, no countdown yet) under the two running
        demo instances; the summary says one is booting."""
        emulator.reset(clock, models=200, seed=7, fragment_interval=0.0, boot_delay=20)

        async def run_before(pilot: Pilot[Any]) -> None:
            pane = await show_instances(pilot)
            pane.start_load(GPT2, LoadChoice(1, 300))
            await until(pilot, lambda: pane.row(GPT2) is not None)
            await step(pilot, pane, clock, 5)
            await step(pilot, pane, clock, 5)
            await until(pilot, lambda: pane.row(GPT2).instance.status == "INSTANTIATING")  # type: ignore[union-attr]
            await finish(pilot, pane)

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_failed(
        self,
        snap_compare: Any,
        make_app: Callable[..., BytezApp],
        emulator: EmulatorServer,
        clock: FixedClock,
    ) -> None:
        """gpt2 FAILED: a red ✖ FAILED badge and the server's error on the line below."""
        emulator.reset(clock, models=200, seed=7, fragment_interval=0.0, fail_models=[GPT2])

        async def run_before(pilot: Pilot[Any]) -> None:
            pane = await show_instances(pilot)
            pane.start_load(GPT2, LoadChoice(1, 300))
            await until(pilot, lambda: pane.row(GPT2) is not None)
            await step(pilot, pane, clock, 5)
            await until(pilot, lambda: pane.row(GPT2).has_class("-failed"))  # type: ignore[union-attr]
            await finish(pilot, pane)

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_expiring(
        self, snap_compare: Any, make_app: Callable[..., BytezApp], clock: FixedClock
    ) -> None:
        """190 s in: TinyStories is past expiresAt and says ⚠ expiring in red; phi-1 has
        3m50s left."""

        async def run_before(pilot: Pilot[Any]) -> None:
            pane = await show_instances(pilot)
            await step(pilot, pane, clock, 190)
            await finish(pilot, pane)

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_expired_and_warning(
        self, snap_compare: Any, make_app: Callable[..., BytezApp], clock: FixedClock
    ) -> None:
        """370 s in: TinyStories is gone, dimmed and struck through, "expired 3 min ago";
        phi-1 has under a minute left (⚠ 50s, in the warning colour)."""

        async def run_before(pilot: Pilot[Any]) -> None:
            pane = await show_instances(pilot)
            for _ in range(4):
                await step(pilot, pane, clock, 92.5)
            await finish(pilot, pane)

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_paused(self, snap_compare: Any, make_app: Callable[..., BytezApp]) -> None:
        """P pressed: a paused banner above the table and in the status line."""

        async def run_before(pilot: Pilot[Any]) -> None:
            pane = await show_instances(pilot)
            await pilot.press("P")
            await finish(pilot, pane)

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_narrow(self, snap_compare: Any, make_app: Callable[..., BytezApp]) -> None:
        """80×24: conc, runs, idle, RAM and per-hour columns hide; model, status, expires
        in, uptime and cost stay."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await finish(pilot, await show_instances(pilot))

        assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)

    def test_delete_confirmation(
        self, snap_compare: Any, make_app: Callable[..., BytezApp]
    ) -> None:
        """d on phi-1: the dialog states 25 min of uptime, about $0.23 so far and $0.55/h;
        y confirms, n keeps it."""

        async def run_before(pilot: Pilot[Any]) -> None:
            pane = await show_instances(pilot)
            await finish(pilot, pane)
            pane.rows.focus()
            await pilot.press("d")
            await pilot.pause()

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)


class TestJobsPane:
    def test_populated(
        self,
        snap_compare: Any,
        make_app: Callable[..., BytezApp],
        emulator: EmulatorServer,
        clock: FixedClock,
    ) -> None:
        """Four jobs: gpt2 available (✔, took 0s), one queued for 5s with "→ loads ×1,
        5 min idle when ready" (the cursor row: its words wrap onto a second line), one just
        requested, and one failed with the server's words in red."""

        async def run_before(pilot: Pilot[Any]) -> None:
            pane = await show_jobs(pilot)
            pane.track(GPT2)
            pane.track("someorg/queued-model")
            await step(pilot, pane, clock, 5)
            emulator.fail_next("job", 404, body='{"error": "not a Hugging Face model"}')
            pane.track("someorg/typo-model")
            await until(pilot, lambda: pane.jobs["someorg/typo-model"].state == "failed")
            pane.track("someorg/new-model")
            await until(pilot, lambda: pane.settled and len(pane.rows.rows) == 4)
            pane.rows.focus()
            pane.rows.select("someorg/queued-model")
            await pilot.press("l")  # under way: the options now, the load when ready
            await until(pilot, lambda: isinstance(pilot.app.screen, LoadDialog))
            await pilot.press("enter")
            await until(pilot, lambda: pane.jobs["someorg/queued-model"].load_when_ready)
            await finish(pilot, pane)

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_empty(self, snap_compare: Any, make_app: Callable[..., BytezApp]) -> None:
        """No jobs: how to add one (a, or j in the catalogue)."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await finish(pilot, await show_jobs(pilot))

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_add_with_error(self, snap_compare: Any, make_app: Callable[..., BytezApp]) -> None:
        """a opened the model id field; "gpt2" was refused with "⚠ expected org/name"."""

        async def run_before(pilot: Pilot[Any]) -> None:
            pane = await show_jobs(pilot)
            await pilot.press("a", *"gpt2", "enter")
            await finish(pilot, pane)

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_paused(
        self, snap_compare: Any, make_app: Callable[..., BytezApp], clock: FixedClock
    ) -> None:
        """P pressed with one queued job: the paused banner says no job is polled."""

        async def run_before(pilot: Pilot[Any]) -> None:
            pane = await show_jobs(pilot)
            pane.track("someorg/queued-model")
            await step(pilot, pane, clock, 5)
            await pilot.press("P")
            await finish(pilot, pane)

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_narrow(
        self, snap_compare: Any, make_app: Callable[..., BytezApp], clock: FixedClock
    ) -> None:
        """80×24 with one queued and one available job: the requested column hides, and
        the queued job's words (the cursor row) wrap whole instead of ending in "…"."""

        async def run_before(pilot: Pilot[Any]) -> None:
            pane = await show_jobs(pilot)
            pane.track(GPT2)
            pane.track("someorg/queued-model")
            await step(pilot, pane, clock, 5)
            await finish(pilot, pane)

        assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)
