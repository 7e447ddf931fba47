"""Print how the playground copes with fast streams, next to a bare Textual `Log`.

Run: `python tests/benchmarks/bench_playground.py` (pytest does not collect `bench_*.py`).

The reference is a bare app whose `Log` gets one `write()` per fragment, measured
in the same run on the same synthetic stream. Three figures, the issue's targets:

1. ingest: fragments per second from an in-process stream that yields as fast as
   it can (letting the event loop in every 50 fragments); target ≥ 50,000/s;
2. key latency while 10,000 fragments/s arrive: from posting a key to the app
   (the path a real key takes) to the prompt's `Changed` ("handled") and to the
   next frame ("painted"); target ≤ 25 ms median handled;
3. in a real pty (120x40, 256 colours), with a key typed every 50 ms: bytes
   written per second (target ≤ 200 KiB/s at 1,000 fragments/s) and key latency
   measured from the keystroke written into the pty (target ≤ 25 ms median at
   10,000 fragments/s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # `benchmarks.ptyrun`

from benchmarks.ptyrun import run_in_pty  # noqa: E402
from textual import events  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import Log, TextArea  # noqa: E402

from bytez_tui.clock import SystemClock  # noqa: E402
from bytez_tui.config import Settings  # noqa: E402
from bytez_tui.connection import Connection  # noqa: E402
from bytez_tui.panes.playground import PlaygroundPane  # noqa: E402

MODEL = "org/bench-model"
WORDS = [" the", " quick", " brown", " fox", " jumps", " over", " lazy", " dog", ",", "\n"]


async def synthetic(count: int, rate: float | None, batch: int = 50) -> AsyncIterator[str]:
    """`count` fragments, as fast as possible (`rate` None) or paced at `rate` per second."""
    started = time.perf_counter()
    for index in range(count):
        if rate is None:
            if index % batch == 0:
                await asyncio.sleep(0)
        elif index % batch == 0:
            delay = started + index / rate - time.perf_counter()
            await asyncio.sleep(max(0.0, delay))
        yield WORDS[index % len(WORDS)]


def note_key(app: App[None], text: str) -> None:
    """Record when a key reached the prompt, and when the next frame went out."""
    now = time.perf_counter()
    changed: list[float] = app.changed  # type: ignore[attr-defined]
    painted: list[float] = app.painted  # type: ignore[attr-defined]
    keys: dict[str, list[float]] = app.keys  # type: ignore[attr-defined]
    changed.append(now)
    char = text[-1:] if text else ""
    keys[char] = [now]

    def after_frame() -> None:
        painted.append(time.perf_counter())
        keys[char].append(painted[-1])

    app.call_after_refresh(after_frame)


class SyntheticClient:
    """Stands in for `BytezClient`: streams synthetic fragments, knows no instances."""

    def __init__(self, count: int, rate: float | None) -> None:
        self.count = count
        self.rate = rate

    def stream(self, model: str, prompt: Any, *, params: Any = None) -> AsyncIterator[str]:
        return synthetic(self.count, self.rate, batch=50 if self.rate is None else 10)

    async def status(self, model: str) -> None:
        return None

    async def aclose(self) -> None:
        return None


class PaneApp(App[None]):
    """The playground pane alone, on a synthetic client."""

    CSS_PATH = str(ROOT / "bytez_tui" / "panes" / "playground.tcss")

    def __init__(self, client: SyntheticClient) -> None:
        super().__init__()
        settings = Settings(api_key="bench", base_url="http://127.0.0.1:9")
        self.connection = Connection(settings, SystemClock())
        self.connection._client = client  # type: ignore[assignment]
        self.pane = PlaygroundPane(api=self.connection, clock=SystemClock(), settings=settings)
        self.changed: list[float] = []
        self.painted: list[float] = []
        self.keys: dict[str, list[float]] = {}

    def compose(self) -> ComposeResult:
        yield self.pane

    def start(self) -> None:
        self.pane.running_models = frozenset({MODEL})
        self.pane.prompt_area.text = "x"
        self.pane.open_model(MODEL)  # cursor at the end of the prompt: keys append
        self.pane.action_run()

    @property
    def done(self) -> bool:
        return not self.pane.busy

    @property
    def received(self) -> int:
        run = self.pane.runs.active
        return run.fragments if run is not None else 0

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        note_key(self, event.text_area.text)


class BareApp(App[None]):
    """The reference: a bare `Log` and a `TextArea`, one `write()` per fragment."""

    def __init__(self, client: SyntheticClient) -> None:
        super().__init__()
        self.client = client
        self.finished = False
        self.count = 0
        self.changed: list[float] = []
        self.painted: list[float] = []
        self.keys: dict[str, list[float]] = {}

    def compose(self) -> ComposeResult:
        yield TextArea(id="prompt")
        yield Log()

    def start(self) -> None:
        self.query_one(TextArea).focus()
        self.run_worker(self._stream(), group="bench")

    async def _stream(self) -> None:
        log = self.query_one(Log)
        async for fragment in self.client.stream(MODEL, "x"):
            self.count += 1
            log.write(fragment)
        self.finished = True

    @property
    def done(self) -> bool:
        return self.finished

    @property
    def received(self) -> int:
        return self.count

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        note_key(self, event.text_area.text)


AppType = type[PaneApp] | type[BareApp]


async def ingest(kind: AppType, count: int) -> float:
    """Fragments per second, from the first fragment to everything on screen."""
    app = kind(SyntheticClient(count, None))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        started = time.perf_counter()
        app.start()
        while not app.done:
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        await pilot.pause()
        if isinstance(app, PaneApp):  # everything arrived and is in the log
            text = app.pane.output.text
            assert len(text) == sum(len(WORDS[i % len(WORDS)]) for i in range(count))
            assert app.pane.output.line_count >= count // len(WORDS)
        return count / elapsed


async def key_latency(kind: AppType, rate: float, keys: int = 60) -> tuple[float, float, float]:
    """Median handled and painted latency (ms) and the fragments/s actually taken in."""
    seconds = keys * 0.05 + 1.0
    app = kind(SyntheticClient(int(rate * seconds), rate))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.start()
        await asyncio.sleep(0.5)
        sent: list[float] = []
        app.query_one(TextArea).focus()
        app.changed.clear()
        app.painted.clear()
        first = app.received
        began = time.perf_counter()
        for _ in range(keys):
            sent.append(time.perf_counter())
            app.post_message(events.Key("a", "a"))
            await asyncio.sleep(0.05)
        taken = (app.received - first) / (time.perf_counter() - began)
        for _ in range(200):
            if len(app.painted) >= keys:
                break
            await asyncio.sleep(0.05)
        handled = [c - s for s, c in zip(sent, app.changed, strict=False)]
        painted = [p - s for s, p in zip(sent, app.painted, strict=False)]
        app.exit()
    return statistics.median(handled) * 1000, statistics.median(painted) * 1000, taken


def child(kind: str, rate: float, seconds: float, marks: str) -> None:
    """Run one app in this (pty) process; write stream start/end times to `marks`."""
    client = SyntheticClient(int(rate * seconds), rate)
    app: PaneApp | BareApp = PaneApp(client) if kind == "pane" else BareApp(client)

    async def drive() -> None:
        await asyncio.sleep(1.0)
        start = time.time()
        app.start()
        while not app.done:
            await asyncio.sleep(0.05)
        Path(marks).write_text(json.dumps({"start": start, "end": time.time(), "keys": app.keys}))
        await asyncio.sleep(0.3)
        app.exit()

    def on_mount() -> None:
        app.run_worker(drive(), group="bench-drive")

    app.call_later(on_mount)
    app.run()


KEYS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def pty_run(kind: str, rate: float, seconds: float = 6.0) -> tuple[float, float, float]:
    """Run one app in a 120x40 pty while `rate` fragments/s stream; type a key every 50 ms.

    Returns:
        Bytes per second written to the terminal, and the median milliseconds from writing
        a key into the pty to the prompt changing ("handled") and to the next frame.
    """
    run = run_in_pty(__file__, [kind, str(rate), str(seconds)], keys=KEYS, poll=0.005)
    return (run.bytes_per_second(), *run.key_medians())


async def in_process() -> None:
    pane = await ingest(PaneApp, 200_000)
    bare = await ingest(BareApp, 4_000)
    print(f"ingest, fragments/s          pane {pane:>10,.0f}   bare Log {bare:>10,.0f}")
    for rate in (1_000.0, 10_000.0):
        p_handled, p_painted, p_taken = await key_latency(PaneApp, rate)
        b_handled, b_painted, b_taken = await key_latency(BareApp, rate)
        print(
            f"keys at {rate:>6,.0f}/s, median ms   pane handled {p_handled:6.1f} painted "
            f"{p_painted:6.1f} (took {p_taken:,.0f}/s)   bare Log handled {b_handled:6.1f} "
            f"painted {b_painted:6.1f} (took {b_taken:,.0f}/s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=4, metavar=("KIND", "RATE", "SECONDS", "MARKS"))
    options = parser.parse_args()
    if options.child:
        kind, rate, seconds, marks = options.child
        child(kind, float(rate), float(seconds), marks)
        return
    asyncio.run(in_process())
    print("in a 120x40 pty (256 colours), a key typed every 50 ms while the stream runs:")
    for rate in (100.0, 1_000.0, 10_000.0):
        p_bytes, p_handled, p_painted = pty_run("pane", rate)
        b_bytes, b_handled, b_painted = pty_run("bare", rate)
        print(
            f"  {rate:>6,.0f} fragments/s  pane {p_bytes / 1024:6.1f} KiB/s, key handled "
            f"{p_handled:5.1f} ms, painted {p_painted:5.1f} ms   bare Log {b_bytes / 1024:6.1f} "
            f"KiB/s, key handled {b_handled:7.1f} ms, painted {b_painted:7.1f} ms"
        )


if __name__ == "__main__":
    main()
