"""The job tracker: request, poll with backoff, notify, persist and resume."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from waiting import Toasts, step, terminal_writes, until

from bytez_tui.app import BytezApp
from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer
from bytez_tui.local.jobs import JobStore
from bytez_tui.panes.jobs import JobsPane
from bytez_tui.panes.jobs.row import JobRow
from bytez_tui.widgets.rows import Cell
from bytez_tui.widgets.status_bar import StatusBar

NEW_MODEL = "someorg/fresh-model"
"""Not in the emulator's catalogue, so its job queues for `job_delay` seconds."""


async def advance(pilot: Pilot[Any], clock: FixedClock, seconds: float) -> None:
    """Step the clock once every poller of the JobsPane waits on it, then let them run."""
    await step(pilot, pilot.app.screen.query_one(JobsPane), clock, seconds)


def jobs_pane(app: BytezApp) -> JobsPane:
    return app.screen.query_one(JobsPane)


def state_of(app: BytezApp, model: str) -> str | None:
    panes = app.screen.query(JobsPane)  # mounted after the catalogue's first frame
    job = panes.first().jobs.get(model) if panes else None
    return job.state if job else None


async def open_jobs(pilot: Pilot[Any]) -> JobsPane:
    await pilot.press("2")
    await pilot.pause()
    return jobs_pane(pilot.app)  # type: ignore[arg-type]


async def track_new_model(pilot: Pilot[Any], pane: JobsPane) -> None:
    """Track NEW_MODEL and give its row the focus."""
    pane.track(NEW_MODEL)
    await until(pilot, lambda: len(pane.rows.rows) == 1)
    pane.rows.focus()


async def test_job_goes_requested_queued_available_and_notifies(
    make_app: Callable[..., BytezApp],
    emulator: EmulatorServer,
    clock: FixedClock,
    monkeypatch: Any,
) -> None:
    app = make_app()
    bells: list[None] = []
    monkeypatch.setattr(app, "bell", lambda: bells.append(None))
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        pane = await open_jobs(pilot)
        writes = terminal_writes(app, monkeypatch)
        await pilot.press("a")
        await pilot.press(*"bad id")
        await pilot.press("enter")
        await pilot.pause()
        assert not pane.jobs
        assert "org/name" in str(pane.query_one("#jobs-add-error").render())
        pane.add_input.value = ""
        await pilot.press(*NEW_MODEL, "enter")
        await until(pilot, lambda: emulator.count("job", model=NEW_MODEL) == 1)
        await until(pilot, lambda: pane.settled)
        assert state_of(app, NEW_MODEL) == "requested"
        await advance(pilot, clock, 5)
        await until(pilot, lambda: state_of(app, NEW_MODEL) == "queued")
        row = pane.rows.get_row(NEW_MODEL)
        assert isinstance(row, JobRow)
        assert "queued" in (row.job.message or "")
        await advance(pilot, clock, 10)
        await until(pilot, lambda: state_of(app, NEW_MODEL) == "available")
        await pilot.pause()
        assert bells, "the terminal bell rang"
        assert any("\x1b]9;" in data and NEW_MODEL in data for data in writes)
        assert any("available" in m for m in toasts.messages)
        polls = emulator.count("job", model=NEW_MODEL)
        await advance(pilot, clock, 120)
        await pilot.pause()
        assert emulator.count("job", model=NEW_MODEL) == polls, "polling stopped"


async def test_desktop_notification_can_be_switched_off(
    make_app: Callable[..., BytezApp], clock: FixedClock, monkeypatch: Any
) -> None:
    app = make_app(desktop_notifications=False)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_jobs(pilot)
        writes = terminal_writes(app, monkeypatch)
        pane.track("openai-community/gpt2")  # in the catalogue: available at once
        await until(pilot, lambda: state_of(app, "openai-community/gpt2") == "available")
        await pilot.pause()
        assert not any("\x1b]9;" in data for data in writes)


async def test_restart_resumes_a_tracked_job(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_jobs(pilot)
        pane.track(NEW_MODEL)
        await until(pilot, lambda: emulator.count("job", model=NEW_MODEL) == 1)
        await until(pilot, lambda: pane.settled)
    stored = JobStore(store_key=emulator.url).load()
    assert [job.model for job in stored] == [NEW_MODEL]
    clock.advance(30)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: state_of(app, NEW_MODEL) == "available")
        assert emulator.count("job", model=NEW_MODEL) == 2
    assert JobStore(store_key=emulator.url).load()[0].state == "available"


async def test_jobs_belong_to_the_api_they_were_requested_from(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer
) -> None:
    """A job tracked on another API (say the demo) is neither shown nor polled here."""
    from datetime import datetime, timezone

    from bytez_tui.local.jobs import TrackedJob

    when = datetime(2024, 7, 1, tzinfo=timezone.utc)
    JobStore(store_key="http://127.0.0.1:1").save([TrackedJob("demo/elsewhere", when)])
    JobStore(store_key=emulator.url).save([TrackedJob(NEW_MODEL, when)])
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_jobs(pilot)
        await until(pilot, lambda: emulator.count("job", model=NEW_MODEL) == 1)
        assert list(pane.jobs) == [NEW_MODEL]
        assert emulator.count("job", model="demo/elsewhere") == 0


async def test_demo_jobs_survive_the_demo_s_new_port(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer
) -> None:
    """The demo's emulator takes a new port each run; its jobs are kept under "demo"."""
    from datetime import datetime, timezone

    from bytez_tui.local.jobs import TrackedJob

    when = datetime(2024, 7, 1, tzinfo=timezone.utc)
    JobStore(store_key="demo").save([TrackedJob(NEW_MODEL, when)])
    app = make_app(demo=True)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_jobs(pilot)
        assert list(pane.jobs) == [NEW_MODEL]
        await until(pilot, lambda: emulator.count("job", model=NEW_MODEL) == 1)
    assert JobStore(store_key=emulator.url).load() == []


async def test_leaving_an_empty_jobs_pane_takes_its_keys_along(
    make_app: Callable[..., BytezApp],
) -> None:
    """The empty (hidden) row list had focus: after `1` the Jobs keys acted out of sight."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_jobs(pilot)
        assert not pane.jobs
        assert app.focused is pane.rows
        await pilot.press("1")
        await pilot.pause()
        await pilot.pause()
        focused = app.focused
        assert focused is None or pane not in focused.ancestors_with_self


async def test_a_pasted_id_or_hub_url_is_tracked(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer
) -> None:
    """Pasted text keeps its blanks, and people copy the Hub page's URL: both were
    refused as "expected org/name"."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_jobs(pilot)
        await pilot.press("a")
        pane.add_input.insert_text_at_cursor(f"  {NEW_MODEL}  ")
        await pilot.press("enter")
        await until(pilot, lambda: NEW_MODEL in pane.jobs)
        await pilot.press("a")
        pane.add_input.insert_text_at_cursor(
            "https://huggingface.co/openai-community/gpt2/tree/main"
        )
        await pilot.press("enter")
        await until(pilot, lambda: "openai-community/gpt2" in pane.jobs)
        assert str(pane.query_one("#jobs-add-error").render()) == ""
        assert emulator.count("job", model=NEW_MODEL) >= 1


async def test_untrack_and_clear(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_jobs(pilot)
        changes: list[frozenset[str]] = []
        pane.track(NEW_MODEL)
        pane.track("openai-community/gpt2")
        await until(pilot, lambda: state_of(app, "openai-community/gpt2") == "available")
        await until(pilot, lambda: len(pane.rows.rows) == 2)
        pane.rows.focus()
        pane.rows.select(NEW_MODEL)
        await pilot.press("x")
        await until(pilot, lambda: NEW_MODEL not in pane.jobs)
        await pilot.press("X")
        await until(pilot, lambda: not pane.jobs)
        assert JobStore(store_key=emulator.url).load() == []
        assert not changes


async def test_load_from_jobs_asks_now_and_loads_when_ready(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    """On a job under way, `l` asks for the options at once; when the model is ready the
    load starts by itself, with no dialog popping up over what the user does by then."""
    from bytez_tui.screens.load import LoadDialog

    app = make_app()
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        pane = await open_jobs(pilot)
        await track_new_model(pilot, pane)
        await until(pilot, lambda: emulator.count("job", model=NEW_MODEL) == 1)
        await pilot.press("l")  # not available yet: choose the options now
        await until(pilot, lambda: isinstance(app.screen, LoadDialog))
        assert isinstance(app.screen, LoadDialog) and app.screen.model == NEW_MODEL
        await pilot.press("enter")
        await until(pilot, lambda: pane.jobs[NEW_MODEL].load_when_ready)
        assert emulator.count("load", model=NEW_MODEL) == 0
        row = pane.rows.get_row(NEW_MODEL)
        assert row is not None
        assert row.query_one(".job-message", Cell).text.startswith("→ loads ×1, ")
        await pilot.press("4")  # the user moves on while the job runs
        await advance(pilot, clock, 15)
        await until(pilot, lambda: emulator.count("load", model=NEW_MODEL) == 1)
        assert not isinstance(app.screen, LoadDialog)
        ready = toasts.titled("Job ready")
        assert ready == [f"{NEW_MODEL} is available: loading it as chosen"]
        await pilot.press("2")
        pane.rows.focus()
        await pilot.press("l")  # available: the dialog opens at once
        await until(pilot, lambda: isinstance(app.screen, LoadDialog))


async def test_l_again_cancels_the_load_armed_for_when_ready(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    from bytez_tui.screens.load import LoadDialog

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_jobs(pilot)
        await track_new_model(pilot, pane)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, LoadDialog))
        await pilot.press("enter")
        await until(pilot, lambda: pane.jobs[NEW_MODEL].load_when_ready)
        await pilot.press("l")
        await until(pilot, lambda: not pane.jobs[NEW_MODEL].load_when_ready)
        assert not isinstance(app.screen, LoadDialog)
        await advance(pilot, clock, 15)
        await until(pilot, lambda: pane.jobs[NEW_MODEL].state == "available")
        assert emulator.count("load", model=NEW_MODEL) == 0


async def test_a_rate_limited_poll_waits_for_retry_after(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_jobs(pilot)
        emulator.fail_next("job", 429, retry_after=30)
        pane.track(NEW_MODEL)
        await until(pilot, lambda: emulator.count("job", model=NEW_MODEL) == 1)
        await until(pilot, lambda: pane.rows.get_row(NEW_MODEL) is not None)
        row = pane.rows.get_row(NEW_MODEL)
        assert isinstance(row, JobRow)
        bar = app.screen.query_one(StatusBar)
        # The client does not retry on its own: the row and the header say so at once.
        await until(pilot, lambda: row.has_class("-retrying"))
        await until(pilot, lambda: "rate limited, retrying in 30s" in str(bar.render()))
        assert emulator.count("job", model=NEW_MODEL) == 1
        await advance(pilot, clock, 20)
        await pilot.pause()
        assert emulator.count("job", model=NEW_MODEL) == 1, "waits for Retry-After"
        await advance(pilot, clock, 10)
        await until(pilot, lambda: emulator.count("job", model=NEW_MODEL) == 2)
        await until(pilot, lambda: not row.has_class("-retrying"))


async def test_unknown_model_fails_the_job(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_jobs(pilot)
        emulator.fail_next("job", 404, body='{"error": "no such model on Hugging Face"}')
        pane.track(NEW_MODEL)
        await until(pilot, lambda: state_of(app, NEW_MODEL) == "failed")
        assert pane.jobs[NEW_MODEL].message == "no such model on Hugging Face"


async def test_pause_stops_job_polling(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_jobs(pilot)
        pane.track(NEW_MODEL)
        await until(pilot, lambda: emulator.count("job", model=NEW_MODEL) == 1)
        await pilot.press("P")
        await until(pilot, lambda: pane.paused)
        assert pane.query_one("#jobs-paused").display
        await advance(pilot, clock, 300)
        for _ in range(10):
            await pilot.pause()
        assert emulator.count("job", model=NEW_MODEL) == 1
        await pilot.press("P")
        await until(pilot, lambda: state_of(app, NEW_MODEL) == "available")


async def test_a_ready_job_for_an_unknown_model_refreshes_the_catalogue(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_jobs(pilot)
        await until(pilot, lambda: emulator.count("list") == 1)
        pane.track(NEW_MODEL)
        await until(pilot, lambda: state_of(app, NEW_MODEL) == "requested")
        await advance(pilot, clock, 5)
        assert emulator.count("list") == 1
        await advance(pilot, clock, emulator.world.job_delay + 60)
        await until(pilot, lambda: state_of(app, NEW_MODEL) == "available")
        await until(pilot, lambda: emulator.count("list") == 2)


async def test_the_pane_keys_still_work_once_the_last_job_is_gone(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_jobs(pilot)
        await track_new_model(pilot, pane)
        await pilot.press("x")
        await until(pilot, lambda: not pane.jobs)
        await pilot.press("a")  # the empty pane says "press a": it must work
        assert app.focused is pane.add_input


async def test_slash_filters_the_jobs_and_escape_clears_it(
    make_app: Callable[..., BytezApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_jobs(pilot)
        pane.track(NEW_MODEL)
        pane.track("openai-community/gpt2")
        await until(pilot, lambda: len(pane.rows.rows) == 2)
        pane.rows.focus()
        await pilot.press("slash", *"gpt", "enter", "x")  # x untracks the one row shown
        await until(pilot, lambda: "openai-community/gpt2" not in pane.jobs)
        assert NEW_MODEL in pane.jobs
        assert pane.rows.shown_rows == []
        await pilot.press("escape")
        assert [row.key for row in pane.rows.shown_rows] == [NEW_MODEL]


async def test_a_damaged_jobs_file_is_kept_aside_and_the_user_told(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer
) -> None:
    """A truncated jobs file of an earlier version: nothing shown from it, nothing of it
    overwritten; it is renamed aside and a toast names the copy."""
    from bytez_tui.local.jobs import legacy_jobs_path

    legacy = legacy_jobs_path(emulator.url)
    legacy.parent.mkdir(parents=True, exist_ok=True)
    text = '{"jobs": [{"model": "org/a", "requested_at": "2024-07-01T12:00:00Z"}, {"mod'
    legacy.write_text(text)
    app = make_app()
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        pane = await open_jobs(pilot)
        await until(pilot, lambda: bool(toasts.titled("Tracked jobs")))
        [kept] = legacy.parent.glob(legacy.name + ".damaged-*")
        assert any(kept.name in m for m in toasts.messages)
        pane.track(NEW_MODEL)
        await until(pilot, lambda: state_of(app, NEW_MODEL) is not None)
    assert kept.read_text() == text
    assert [job.model for job in JobStore(store_key=emulator.url).load()] == [NEW_MODEL]


async def test_requested_shows_local_time_and_utc_in_its_tooltip(
    make_app: Callable[..., BytezApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Requested column showed UTC (`12:00:00Z`) to people who think in local time."""
    import time

    monkeypatch.setenv("TZ", "IST-5:30")  # POSIX form: UTC+05:30, no zone database needed
    time.tzset()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_jobs(pilot)
        await track_new_model(pilot, pane)
        row = pane.rows.rows[0]
        await until(pilot, lambda: bool(row.query(".job-requested")))
        cell = row.query_one(".job-requested", Cell)
        await until(pilot, lambda: cell.text != "")
        assert cell.text == "17:30:00"
        assert cell.tooltip == "Requested 2024-07-01 12:00:00 UTC"


async def test_the_cursor_row_shows_the_server_s_words_whole_at_80_columns(
    make_app: Callable[..., BytezApp],
) -> None:
    """At 80 columns "Server says" was cut with no way to read the rest: the cursor row
    now wraps it, the other rows keep one line (ending in "…")."""
    from bytez_tui.screens.load import LoadDialog

    other = "otherorg/second-model"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_jobs(pilot)
        await track_new_model(pilot, pane)
        pane.track(other)
        await until(pilot, lambda: len(pane.rows.rows) == 2)
        first, second = (pane.rows.get_row(model) for model in (NEW_MODEL, other))
        assert first is not None and second is not None
        await until(pilot, lambda: pane.rows.highlighted is second)  # the new row
        assert pane.rows.rows == [first, second]
        await pilot.press("k")
        await pilot.press("l")  # the planned load makes the words long
        await until(pilot, lambda: isinstance(app.screen, LoadDialog))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: pane.jobs[NEW_MODEL].load_when_ready)
        says = first.query_one(".job-message", Cell)
        await until(pilot, lambda: says.text.startswith("→ loads ×1, "))
        await until(pilot, lambda: says.size.height > 1)
        assert says.size.width * says.size.height >= len(says.text)  # all of it fits
        assert first.size.height == says.size.height
        await pilot.press("j")  # the cursor leaves: one line again
        await until(pilot, lambda: says.size.height == 1 and first.size.height == 1)
        assert pane.rows.highlighted is second
        assert second.size.height == 1  # short words take one line on the cursor row too
