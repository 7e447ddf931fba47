"""Catalogue at 100,000 models: start-up in a real pty, and filtering in-process.

Run: `python tests/benchmarks/bench_catalogue.py [--runs 5] [--models 100000]`.

Prints medians next to a bare Textual app measured in the same run:

* pty: spawn `python -m bytez_tui` (a pre-written 100k cache; the API either dead, a
  loopback port nobody listens on, or answering, the emulator serving the same 100k models
  from another process, in v2 as today's Bytez, so that after the warm-up the app paints
  its cached v2 catalogue, as a returning user sees it) and a bare Textual app, read the
  pty, and time the first frame (the tab bar) and the cached rows (the first model id);
  the app's RSS once the rows show and once the background refresh is over (the status
  line says "updated just now" or "refresh failed") and the fresh catalogue has been
  cached (each run's cache is dated back first, so that only its refresh says "just now");
* in-process (headless, a hook on `App._display`, the frame writer): first paint after
  the data is in memory, keystroke-to-repaint over a typed and erased query, and a burst
  of keys posted at once (none may be dropped or reordered).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import os
import pty
import select
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("bare-app-ready")

Bare().run()
"""
SHELL_APP = """
from textual.app import App
from textual.widgets import Footer, Input, Static, TabbedContent, TabPane

class Shell(App):
    BINDINGS = [("q", "quit", "Quit"), ("question_mark", "help", "Help")]

    def compose(self):
        yield Static("status line")
        with TabbedContent():
            for title in ("Catalogue", "Jobs", "Instances", "Playground"):
                with TabPane(title):
                    if title == "Catalogue":
                        yield Input(placeholder="filter")
                        yield Static("shell-app-ready")
        yield Footer()

Shell().run()
"""
QUERY = "meta-llama 7b"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_cache(models: int, cache_home: Path, base_url: str) -> str:
    """Write the 100k cache where the app will look; return the first id shown."""
    os.environ["XDG_CACHE_HOME"] = str(cache_home)
    from bytez_tui.catalogue.cache import load_cached, save_cache
    from bytez_tui.emulator.catalogue import build_catalogue
    from bytez_tui.models import ModelInfo

    catalogue = build_catalogue(models, 7)
    infos = [ModelInfo(e.name, e.required_ram, e.benchmarked) for e in catalogue]
    save_cache(
        infos, fetched_at=datetime.now(timezone.utc) - timedelta(hours=3), store_key=base_url
    )
    cached = load_cached(base_url)
    assert cached is not None
    return cached.index.names[0]


def age_caches(base_url: str) -> None:
    """Date the cached catalogues of `base_url` (v1's and v2's) 3 hours back.

    A run's refresh caches what it fetched as fetched "just now", and the next run would
    show that at once in the status line, the very words that mark its refresh as over.
    """
    from bytez_tui.catalogue.cache import catalogue_key, load_cached, save_cache

    for dialect in ("v1", "v2"):
        key = catalogue_key(base_url, dialect)
        cached = load_cached(key)
        if cached is not None:
            old = datetime.now(timezone.utc) - timedelta(hours=3)
            save_cache(cached.index, fetched_at=old, store_key=key)


def _written_since(path: Path, since: float) -> bool:
    try:
        return path.stat().st_mtime >= since
    except OSError:
        return False


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by every thread of `pid` (ns-precise, from the scheduler)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e9


def rss_kb(pid: int) -> int:
    """The resident set size of `pid` (kB), 0 if it can't be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def time_pty(
    argv: list[str],
    env: dict[str, str],
    markers: list[bytes],
    *,
    settle: float = 0.0,
    written: Path | None = None,
) -> tuple[list[float], list[float], list[int]]:
    """Spawn `argv` in a 120×40 pty; seconds until each marker appears, and CPU seconds the
    program had used by then (a busy machine stretches the first, hardly the second); RSS
    (kB) as each marker appears, and once more `settle` seconds after the last marker and
    after the file `written` (if given) has been written since the spawn (30 s at most)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    start = time.perf_counter()
    process = subprocess.Popen(
        argv,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
        start_new_session=True,
    )
    os.close(slave)
    seen = b""
    found: list[float] = []
    cpu: list[float] = []
    rss: list[int] = []
    deadline = start + 60
    try:
        while len(found) < len(markers) and time.perf_counter() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
                while len(found) < len(markers) and markers[len(found)] in seen:
                    found.append(time.perf_counter() - start)
                    cpu.append(cpu_seconds(process.pid))
                    rss.append(rss_kb(process.pid))
        settled = time.perf_counter() + settle
        if written is not None:
            spawned, waited = time.time() - (time.perf_counter() - start), time.perf_counter()
            while time.perf_counter() - waited < 30 and not _written_since(written, spawned):
                if select.select([master], [], [], 0.05)[0]:  # keep draining the pty
                    try:
                        os.read(master, 65536)
                    except OSError:
                        break
            settled = max(settled, time.perf_counter() + 1.0)
        while (left := settled - time.perf_counter()) > 0:  # keep draining the pty
            if select.select([master], [], [], left)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
        rss.append(rss_kb(process.pid))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        while True:  # drain so the child never blocks on a full pty
            try:
                if not select.select([master], [], [], 0)[0] or not os.read(master, 65536):
                    break
            except OSError:
                break
        os.close(master)
    if len(found) < len(markers):
        raise RuntimeError(f"markers not seen: {markers[len(found) :]!r}")
    return found, cpu, rss


def pty_runs(
    runs: int, first_id: str, base_url: str, cache_home: Path, *, shell: bool, answering: bool
) -> None:
    from bytez_tui.catalogue.cache import cache_path, catalogue_key

    work = Path(tempfile.mkdtemp(prefix="bench-pty-"))
    bare = work / "bare.py"
    bare.write_text(BARE_APP)
    skeleton = work / "shell.py"
    skeleton.write_text(SHELL_APP)
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="120", LINES="40")
    env.update(XDG_CACHE_HOME=str(cache_home), XDG_CONFIG_HOME=str(work / "config"))
    env.update(XDG_DATA_HOME=str(work / "data"), PYTHONPATH=str(ROOT))
    env.pop("BYTEZ_API_KEY", None)
    # Byte-code as an installed package has it (pip compiles at install time) for every
    # program alike: without it, the app's own modules are compiled at each start while
    # Textual's come precompiled from site-packages.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    app_argv = [sys.executable, "-m", "bytez_tui", "--base-url", base_url, "--api-key", "bench-key"]
    # The refresh is over once its catalogue is cached (in v2: the emulator speaks it).
    cache_file = cache_path(catalogue_key(base_url, "v2")) if answering else None
    programs: dict[str, tuple[list[str], list[bytes]]] = {
        "bare": ([sys.executable, str(bare)], [b"bare-app-ready"]),
        "app": (
            app_argv,
            [b"Catalogue", first_id.encode(), b"just now" if answering else b"refresh failed"],
        ),
    }
    if shell:
        programs["shell"] = ([sys.executable, str(skeleton)], [b"shell-app-ready"])
    # Warm-up: byte-code and the page cache, and what a returning user has. With the API
    # answering, the app learns the emulator speaks v2 and caches its v2 catalogue, which
    # the timed runs then paint first: it must have time to write that cache, or the next
    # run finds no cached rows and paints only the refreshed ones, seconds later.
    for name, (argv, markers) in programs.items():
        app = name == "app"
        time_pty(
            argv, env, markers, settle=3.0 if app else 0.0, written=cache_file if app else None
        )
    walls: dict[str, list[list[float]]] = {name: [] for name in programs}
    cpus: dict[str, list[list[float]]] = {name: [] for name in programs}
    rss: list[list[int]] = []
    for _ in range(runs):  # interleaved, so that a busy moment hits every program alike
        for name, (argv, markers) in programs.items():
            # After the refresh: the cache written (a thread), and 3 s for a collection.
            settle = 3.0 if name == "app" else 0.0
            if name == "app":
                age_caches(base_url)
            found, cpu, kb = time_pty(
                argv, env, markers, settle=settle, written=cache_file if name == "app" else None
            )
            walls[name].append(found)
            cpus[name].append(cpu)
            if name == "app":
                rss.append(kb)

    def median_ms(table: dict[str, list[list[float]]], name: str, marker: int = 0) -> float:
        return statistics.median(run[marker] for run in table[name]) * 1000

    rows = [("bare Textual app, first frame", "bare", 0, "")]
    if shell:
        rows.append(("Textual shell (tabs, Input, Footer)", "shell", 0, ""))
    rows.append(("bytez-tui, first frame", "app", 0, "≤ 1.3×"))
    rows.append(("bytez-tui, cached 100k rows on screen", "app", 1, "≤ 2×"))
    rows.append(("bytez-tui, background refresh over", "app", 2, ""))
    bare_wall, bare_cpu = median_ms(walls, "bare"), median_ms(cpus, "bare")
    api = (
        "answering (emulator, same models, v2: cached and refreshed in v2)"
        if answering
        else "dead (nothing listens)"
    )
    print(f"API {api}: pty, 120×40, TERM=xterm-256color, medians of {runs} interleaved runs.")
    print("wall: from spawn until on screen; CPU: the program's CPU time by then.")
    print("| | wall | × bare | CPU | × bare | target |")
    print("|---|---:|---:|---:|---:|---|")
    for label, name, marker, target in rows:
        wall_ms, cpu_ms = median_ms(walls, name, marker), median_ms(cpus, name, marker)
        values = sorted(run[marker] * 1000 for run in walls[name])
        print(
            f"| {label} | {wall_ms:.0f} ms ({values[0]:.0f}–{values[-1]:.0f}) | "
            f"{wall_ms / bare_wall:.2f} | {cpu_ms:.0f} ms | {cpu_ms / bare_cpu:.2f} | {target} |"
        )
    on_screen = statistics.median(run[1] for run in rss) / 1024
    after = statistics.median(run[-1] for run in rss) / 1024
    print("RSS after, each run (MB):", [round(run[-1] / 1024) for run in rss])
    print(f"bytez-tui RSS with the cached rows on screen: {on_screen:.0f} MB")
    print(f"bytez-tui RSS after the refresh (and the cache write): {after:.0f} MB (≤ 100 MB)")


async def in_process(models: int, base_url: str) -> None:
    from textual import events

    from bytez_tui.__main__ import collect_rarely_until_started
    from bytez_tui.app import BytezApp
    from bytez_tui.catalogue.cache import load_cached
    from bytez_tui.config import Settings
    from bytez_tui.panes.base import Pane
    from bytez_tui.panes.catalogue.pane import CataloguePane
    from bytez_tui.screens.registry import PANES

    started = time.perf_counter()
    cached = load_cached(base_url)
    load_ms = (time.perf_counter() - started) * 1000
    assert cached is not None and len(cached.index) == models

    # The collector as `python -m bytez_tui` sets it: start-up's objects frozen out of
    # every later collection once the dashboard is up.
    frozen = collect_rarely_until_started()
    app = BytezApp(Settings(api_key="bench-key", base_url=base_url), on_started=frozen)
    frames: list[float] = []
    frame_event = asyncio.Event()
    display = app._display

    def hook(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if renderable is not None:
            frames.append(time.perf_counter())
            frame_event.set()

    app._display = hook  # type: ignore[method-assign]

    async def next_frame_after(t0: float) -> float:
        while True:
            frame_event.clear()
            if frames and frames[-1] > t0:
                return (frames[-1] - t0) * 1000
            await asyncio.wait_for(frame_event.wait(), 5)

    async with app.run_test(size=(120, 40)) as pilot:
        # Start-up over: the cached rows shown and the other three panes mounted after them.
        for _ in range(400):
            await pilot.pause()
            panes = app.screen.query(CataloguePane)
            if (
                panes
                and panes.first().index is not None
                and len(app.screen.query(Pane)) == len(PANES)
            ):
                break
        pane = app.screen.query_one(CataloguePane)
        await app.workers.wait_for_complete()
        await pilot.pause()

        # First paint after the data is in memory (the cache already read).
        paints = []
        for _ in range(5):
            t0 = time.perf_counter()
            pane.show_catalogue(cached.index, fetched_at=cached.fetched_at, cached=True)
            paints.append(await next_frame_after(t0))
            await pilot.pause()

        # Keystroke to repaint, typed then erased, one key at a time.
        pane.focus_filter()
        await pilot.pause()
        keys = [*QUERY] + ["backspace"] * len(QUERY)
        latencies = []
        for key in keys:
            character = key if len(key) == 1 else None
            t0 = time.perf_counter()
            app.post_message(events.Key(key if key != " " else "space", character))
            latencies.append(await next_frame_after(t0))
        assert pane.filter_input.value == ""

        # A burst: every key posted at once; nothing dropped or reordered.
        burst = "org:meta-llama llama ram<30 bench"
        t0 = time.perf_counter()
        for character in burst:
            app.post_message(events.Key("space" if character == " " else character, character))
        for _ in range(400):
            await pilot.pause()
            if pane.filter_input.value == burst:
                break
        burst_ms = (time.perf_counter() - t0) * 1000
        intact = pane.filter_input.value == burst

    paint = statistics.median(paints)
    median = statistics.median(latencies)
    p90 = sorted(latencies)[int(len(latencies) * 0.9)]
    outcome = "all applied in order" if intact else "KEYS LOST"
    print(f"in-process, headless 120×40, {models:,} models:")
    print(f"  cache read (load_cached)               {load_ms:7.1f} ms")
    print(f"  first paint after data in memory       {paint:7.1f} ms median of 5  (≤ 50 ms)")
    print(f"  keystroke to repaint, {QUERY!r} typed and erased, {len(latencies)} keys:")
    worst = max(latencies)
    print(f"      median {median:.1f} ms, p90 {p90:.1f} ms, max {worst:.1f} ms  (median ≤ 30 ms)")
    print(f"  burst of {len(burst)} keys posted at once: {outcome} in {burst_ms:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--skip-pty", action="store_true")
    parser.add_argument("--skip-in-process", action="store_true")
    parser.add_argument(
        "--shell", action="store_true", help="also time a Textual skeleton of the dashboard's shell"
    )
    parser.add_argument(
        "--api",
        choices=("dead", "answering", "both"),
        default="both",
        help="the API the app refreshes from (default: %(default)s)",
    )
    options = parser.parse_args()
    cache_home = Path(tempfile.mkdtemp(prefix="bench-cache-"))
    dead = f"http://127.0.0.1:{closed_port()}"
    first_id = write_cache(options.models, cache_home, dead)
    if not options.skip_pty:
        if options.api in ("dead", "both"):
            pty_runs(options.runs, first_id, dead, cache_home, shell=options.shell, answering=False)
        if options.api in ("answering", "both"):
            with emulator(options.models) as url:
                write_cache(options.models, cache_home, url)
                pty_runs(
                    options.runs, first_id, url, cache_home, shell=options.shell, answering=True
                )
    if not options.skip_in_process:
        asyncio.run(in_process(options.models, dead))


@contextlib.contextmanager
def emulator(models: int) -> Iterator[str]:
    """The emulator serving `models` models (the cache's seed) from its own process."""
    port = closed_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bytez_tui", "emulator", "--port", str(port)]
        + ["--models", str(models), "--seed", "7"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the emulator did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    main()
