"""Print how the Compare pane copes with three fast streams, beside the playground's one.

Run: `python tests/benchmarks/bench_compare.py` (pytest does not collect `bench_*.py`).

The issue's targets, with three columns each streaming 1,000 fragments/s: a key handled
in ≤ 25 ms median and ≤ 300 KiB/s written to the terminal in total. Each app runs in a
real 120x40 pty (256 colours) on a synthetic client (no network), with a key typed into
the prompt every 50 ms, in the same run as the playground's single stream at the same
rate for reference. The stream and the key marks are `bench_playground.py`'s, the pty
driver `ptyrun.py`'s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parents[1]))

from benchmarks.bench_playground import KEYS, PaneApp, SyntheticClient, note_key  # noqa: E402
from benchmarks.ptyrun import run_in_pty  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import TextArea  # noqa: E402

from bytez_tui.clock import SystemClock  # noqa: E402
from bytez_tui.config import Settings  # noqa: E402
from bytez_tui.connection import Connection  # noqa: E402
from bytez_tui.panes.compare import ComparePane  # noqa: E402

ROOT = HERE.parents[1]
MODELS = ("org/bench-a", "org/bench-b", "org/bench-c")


class CompareClient(SyntheticClient):
    """The synthetic stream for each column; says it speaks v2, so nothing is checked
    before the columns run, and reports no cost."""

    api_version = "v2"
    last_metering = None


class CompareApp(App[None]):
    """The Compare pane alone, three columns on the synthetic client."""

    CSS_PATH = str(ROOT / "bytez_tui" / "panes" / "compare.tcss")

    def __init__(self, client: SyntheticClient) -> None:
        super().__init__()
        settings = Settings(api_key="bench", base_url="http://127.0.0.1:9")
        self.connection = Connection(settings, SystemClock())
        self.connection._client = client  # type: ignore[assignment]
        self.pane = ComparePane(api=self.connection, clock=SystemClock(), settings=settings)
        self.changed: list[float] = []
        self.painted: list[float] = []
        self.keys: dict[str, list[float]] = {}

    def compose(self) -> ComposeResult:
        yield self.pane

    def start(self) -> None:
        for column, model in zip(self.pane.columns, MODELS, strict=True):
            column.model_input.value = model
        prompt = self.pane.prompt_area
        prompt.text = "x"
        self.pane.action_run()
        prompt.focus()
        prompt.move_cursor(prompt.document.end)  # keys append

    @property
    def done(self) -> bool:
        return not self.pane.busy

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        note_key(self, event.text_area.text)


def child(kind: str, rate: float, seconds: float, marks: str) -> None:
    """Run one app in this (pty) process; write stream start/end and key times to `marks`."""
    client = CompareClient(int(rate * seconds), rate)
    app: Any = CompareApp(client) if kind == "compare" else PaneApp(client)

    async def drive() -> None:
        await asyncio.sleep(1.0)
        start = time.time()
        app.start()
        while not app.done:
            await asyncio.sleep(0.05)
        Path(marks).write_text(json.dumps({"start": start, "end": time.time(), "keys": app.keys}))
        await asyncio.sleep(0.3)
        app.exit()

    app.call_later(lambda: app.run_worker(drive(), group="bench-drive"))
    app.run()


def pty_run(kind: str, rate: float, seconds: float = 6.0) -> tuple[float, float, float]:
    """Run one app in a 120x40 pty while each stream sends `rate` fragments/s; type a key
    every 50 ms.

    Returns:
        Bytes per second written to the terminal, and the median milliseconds from writing
        a key into the pty to the prompt changing ("handled") and to the next frame.
    """
    run = run_in_pty(__file__, [kind, str(rate), str(seconds)], keys=KEYS, poll=0.005)
    return (run.bytes_per_second(), *run.key_medians())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=4, metavar=("KIND", "RATE", "SECONDS", "MARKS"))
    parser.add_argument("--rate", type=float, default=1_000.0, help="fragments/s per stream")
    options = parser.parse_args()
    if options.child:
        kind, rate, seconds, marks = options.child
        child(kind, float(rate), float(seconds), marks)
        return
    rate = options.rate
    print(f"in a 120x40 pty (256 colours), {rate:,.0f} fragments/s per stream, a key every 50 ms:")
    for kind, label in (("compare", "compare, 3 columns"), ("playground", "playground, 1 stream")):
        written, handled, painted = pty_run(kind, rate)
        print(
            f"  {label:<21} {written / 1024:6.1f} KiB/s in total, key handled "
            f"{handled:5.1f} ms, painted {painted:5.1f} ms (medians)"
        )


if __name__ == "__main__":
    main()
