"""Bytes per second the app writes to the terminal while idle on the Instances pane.

Runs each app in a pseudo-terminal (120×40, TERM=xterm-256color, no truecolor) against a
local emulator holding 20 RUNNING instances whose countdowns show seconds, lets it settle,
then counts the bytes it writes over a window that includes one list refresh (every 15 s).

    /work/venv/bin/python tests/benchmarks/bench_live_bytes.py [--seconds 20] [--runs 3]

Prints, from one run of each: the app live, the same app with countdowns frozen, and a
bare Textual app (one Static) for the floor. Target: live ≤ 1,500 bytes/s.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import termios
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
COLUMNS, LINES = 120, 40
INSTANCES = 20


def serve() -> tuple[object, str]:
    """An emulator with 20 RUNNING instances, expiring 20–39 min from now."""
    from bytez_tui.clock import SystemClock
    from bytez_tui.emulator import EmulatorServer

    server = EmulatorServer(api="v1")
    server.start()
    world = server.reset(SystemClock(), models=200, seed=7, demo_instances=0, boot_delay=0)
    names = [entry.name for entry in world.catalogue if entry.required_ram is not None]
    models = [name for name in names if "will-fail" not in name][:INSTANCES]
    for index, model in enumerate(models):
        reply = world.load(
            {"model": model, "concurrency": 1, "expirationPeriodSeconds": 1200 + 61 * index}
        )
        assert reply.status == 200, reply
    # Make them look like they've been up for a while.
    for instance in world._instances.values():  # noqa: SLF001 - a benchmark's setup
        instance.created -= timedelta(minutes=30)
        instance.last_run = world.clock.now()
    return server, server.url


def child(kind: str, url: str) -> None:
    """Run one app in this (pseudo-)terminal."""
    if kind == "bare":
        from textual.app import App, ComposeResult
        from textual.widgets import Static

        class Bare(App[None]):
            def compose(self) -> ComposeResult:
                yield Static("a bare Textual app")

        Bare().run()
        return
    from bytez_tui.app import BytezApp
    from bytez_tui.config import Settings
    from bytez_tui.widgets.countdown import Countdown

    if kind == "frozen":
        Countdown.frozen = True
    settings = Settings(api_key="bench-key-0000", base_url=url, label="bench")
    BytezApp(settings).run()


def measure(kind: str, url: str, seconds: float, settle: float) -> float:
    """Bytes per second written by one app over `seconds`, after `settle` seconds."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLORTERM", "TMUX", "NO_COLOR")}
    env.update(TERM="xterm-256color", PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", kind, "--url", url],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        cwd=ROOT,
    )
    os.close(slave)

    def drain(until: float) -> int:
        count = 0
        while (left := until - time.monotonic()) > 0:
            ready, _, _ = select.select([master], [], [], left)
            if ready:
                try:
                    count += len(os.read(master, 65536))
                except OSError:
                    break
        return count

    try:
        drain(time.monotonic() + 3.0)  # start-up and first frame
        if kind != "bare":
            os.write(master, b"3")  # the Instances pane
        drain(time.monotonic() + settle)
        start = time.monotonic()
        written = drain(start + seconds)
        return written / (time.monotonic() - start)
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
        os.close(master)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["live", "frozen", "bare"])
    parser.add_argument("--url", default="")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    if options.child:
        child(options.child, options.url)
        return
    server, url = serve()
    try:
        results: dict[str, list[float]] = {"live": [], "frozen": [], "bare": []}
        for _ in range(options.runs):
            for kind in results:
                results[kind].append(measure(kind, url, options.seconds, options.settle))
    finally:
        server.stop()  # type: ignore[attr-defined]
    print(
        f"idle bytes/s on the Instances pane, {INSTANCES} running instances, "
        f"{COLUMNS}x{LINES}, 256 colours, {options.seconds:.0f} s windows, "
        f"{options.runs} run(s), median [min–max]"
    )
    for kind, label in (
        ("live", "bytez-tui, countdowns live"),
        ("frozen", "bytez-tui, countdowns frozen"),
        ("bare", "bare Textual app"),
    ):
        values = results[kind]
        print(
            f"  {label:<30} {statistics.median(values):8,.0f}"
            f"   [{min(values):,.0f}–{max(values):,.0f}]"
        )
    print("  target for live: ≤ 1,500 bytes/s")


if __name__ == "__main__":
    main()
