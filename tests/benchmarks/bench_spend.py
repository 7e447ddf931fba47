"""The Spend screen over a year of ledger: 100,000 runs and an instance life a day.

Run: `python tests/benchmarks/bench_spend.py [--runs 7] [--ledger-runs 100000]`.

Headless, in-process. Times, as medians of `--runs`, from `push_screen` until the screen's
first frame is written (a hook on `App._display`, the frame writer): the Spend screen over
the year, and beside it, as the reference measured in the same run, a modal screen holding
one Static. Also the ledger's reads alone (what `show_figures` asks: 14 days, per model and
the costliest over 7 days, the burn rate), and the Spend screen opened the way the user
opens it: `$` in the whole dashboard (on a local emulator, the year in its own database),
its first opening (which imports the screen) apart. The budget: ≤ 200 ms to open. The
machine's load average is printed beside the figures: figures taken under load are not
comparable.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

NOW = datetime(2024, 7, 1, 12, 0, tzinfo=timezone.utc)


def seed_year(
    runs: int, *, now: datetime = NOW, store_key: str = "bench", database: Any = None
) -> Any:
    """A ledger (in a fresh database unless given one): `runs` runs over the 365 days
    before `now`, one instance life a day."""
    from bytez_tui.local.database import LocalDatabase
    from bytez_tui.local.ledger import Ledger

    database = database or LocalDatabase(Path(tempfile.mkdtemp()) / "ledger.sqlite3")
    ledger = Ledger(store_key=store_key, database=database, tz=timezone.utc)
    models = [f"org/model-{n:02d}" for n in range(40)]
    start = now - timedelta(days=365)
    for day in range(365):
        at = start + timedelta(days=day, hours=9)
        ledger.loaded(models[day % 40], at=at, ram_gb=16.0, period=600)
        ledger.deleted(models[day % 40], at=at + timedelta(minutes=45))
    step = 365 * 86400 / runs
    rows = [
        (
            store_key,
            models[n % 40],
            start.timestamp() + n * step,
            2.5,
            0.0004 + (n % 17) * 0.0001,
            "server" if n % 2 else "estimate",
            "done",
        )
        for n in range(runs)
    ]
    with database.transaction() as connection:  # one write, as 100k `ran` calls would be slow
        connection.executemany(
            "INSERT INTO ledger_runs (store, model, at, seconds, cost, basis, outcome) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return ledger


async def time_open(make_screen: Callable[[], Any], runs: int) -> list[float]:
    """Milliseconds from `push_screen` to the first frame written with the screen on top."""
    from textual.app import App

    times: list[float] = []

    class Host(App[None]):
        pass

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        display = app._display
        for _ in range(runs):
            screen = make_screen()
            shown = asyncio.get_running_loop().create_future()

            def hooked(*args: Any, screen: Any = screen, shown: Any = shown, **kwargs: Any) -> Any:
                result = display(*args, **kwargs)
                if app.screen is screen and not shown.done():
                    shown.set_result(time.perf_counter())
                return result

            app._display = hooked  # type: ignore[method-assign]
            started = time.perf_counter()
            await app.push_screen(screen)
            ended = await asyncio.wait_for(shown, 10)
            times.append((ended - started) * 1000)
            app._display = display  # type: ignore[method-assign]
            app.pop_screen()
            await pilot.pause()
    return times


async def time_in_dashboard(runs: int, ledger_runs: int) -> list[float]:
    """Milliseconds from `$` (the screen's `action_spend`) to the Spend screen's first frame,
    in the whole dashboard over a local emulator; the first opening first."""
    from bytez_tui.app import BytezApp
    from bytez_tui.clock import SystemClock
    from bytez_tui.config import Settings
    from bytez_tui.emulator import EmulatorServer
    from bytez_tui.local.database import LocalDatabase
    from bytez_tui.screens.main import MainScreen

    server = EmulatorServer(api="v1")
    server.start()
    server.reset(SystemClock(), models=200, seed=7)
    settings = Settings(api_key="bench-key-0000", base_url=server.url, label="bench")
    seed_year(
        ledger_runs,
        now=datetime.now(timezone.utc),
        store_key=settings.store_key,
        database=LocalDatabase(),
    )
    app = BytezApp(settings)
    times: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.sleep(2.0)  # the first lists arrive and settle
        main = app.screen
        assert isinstance(main, MainScreen)
        display = app._display
        for _ in range(runs + 1):
            shown = asyncio.get_running_loop().create_future()
            pushed = len(app.screen_stack) + 1

            def hooked(*args: Any, shown: Any = shown, pushed: int = pushed, **kwargs: Any) -> Any:
                result = display(*args, **kwargs)
                if len(app.screen_stack) == pushed and not shown.done():
                    shown.set_result(time.perf_counter())
                return result

            app._display = hooked  # type: ignore[method-assign]
            started = time.perf_counter()
            main.action_spend()
            ended = await asyncio.wait_for(shown, 10)
            times.append((ended - started) * 1000)
            app._display = display  # type: ignore[method-assign]
            app.pop_screen()
            await pilot.pause()
            await asyncio.sleep(0.2)
    server.stop()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--ledger-runs", type=int, default=100_000)
    options = parser.parse_args()
    os.environ.setdefault("TZ", "UTC")

    from textual.containers import Vertical
    from textual.screen import ModalScreen
    from textual.widgets import Static

    from bytez_tui.screens.spend import SpendScreen

    print(f"load average {os.getloadavg()[0]:.2f}")
    began = time.perf_counter()
    ledger = seed_year(options.ledger_runs)
    print(f"seeded {options.ledger_runs:,} runs in {time.perf_counter() - began:.1f} s")

    class Reference(ModalScreen[None]):
        def compose(self) -> Any:
            with Vertical():
                yield Static("reference: one Static on a modal screen")

    def spend_screen() -> SpendScreen:
        return SpendScreen(ledger=ledger, now=lambda: NOW, budget=5.0, set_budget=lambda budget: "")

    reads: list[float] = []
    for _ in range(options.runs):
        started = time.perf_counter()
        first = NOW - timedelta(days=13)
        ledger.by_day(first, NOW)
        ledger.by_model(NOW - timedelta(days=6), NOW)
        ledger.most_expensive(NOW - timedelta(days=6), NOW, limit=7)
        ledger.burn_rate(NOW)
        reads.append((time.perf_counter() - started) * 1000)
    reference = asyncio.run(time_open(Reference, options.runs))
    spend = asyncio.run(time_open(spend_screen, options.runs))
    print(f"ledger reads alone:           median {statistics.median(reads):7.1f} ms")
    print(f"reference screen (a Static):  median {statistics.median(reference):7.1f} ms")
    print(f"Spend screen, a year:         median {statistics.median(spend):7.1f} ms  (budget 200)")
    with tempfile.TemporaryDirectory() as home:
        os.environ["XDG_DATA_HOME"] = os.environ["XDG_CONFIG_HOME"] = home
        opening, *dashboard = asyncio.run(time_in_dashboard(options.runs, options.ledger_runs))
    print(
        f"Spend screen in the dashboard: median {statistics.median(dashboard):6.1f} ms, "
        f"worst {max(dashboard):.1f} ms, first opening {opening:.1f} ms  (budget 200)"
    )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
