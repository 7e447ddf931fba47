"""Print how chat mode copes with a fast reply and a long conversation, next to a bare
`Markdown` widget updated once per fragment.

Run: `python tests/benchmarks/bench_chat.py` (pytest does not collect `bench_*.py`).

Figures, the issue's targets:

1. in-process, headless, 120x40: a reply streaming at 1,000 fragments/s with Markdown on:
   key latency while it streams, from posting a key (one every 50 ms for the stream's
   planned length) to the message box's `Changed` (target ≤ 25 ms median), and the lag at
   the end, from when the last fragment was due to the whole reply in the widget (target
   ≤ 100 ms; a reader that holds the stream up is late by as much).
   Reference: a bare `Markdown` whose `append` is awaited once per fragment (it falls
   behind the stream: its lag is capped at 10 s).
2. in a real pty (120x40, 256 colours), the same stream: bytes written to the terminal
   per second while it streams (target ≤ 200 KiB/s), beside the same reference.
3. a conversation of 200 turns (about 2,000 lines of Markdown): time to open it, from
   `ChatView.show` to the next frame (target ≤ 300 ms), and per `down` keystroke on the
   conversation to the next frame, once every shown turn is drawn (target ≤ 30 ms).

`--open-only` runs the third part alone. The machine's load average is printed first:
figures taken under load are not comparable.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
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
from textual.widgets import Markdown, TextArea  # noqa: E402

from bytez_tui.clock import SystemClock  # noqa: E402
from bytez_tui.config import Settings  # noqa: E402
from bytez_tui.connection import Connection  # noqa: E402
from bytez_tui.local.conversations import Conversation, ConversationStore, Turn  # noqa: E402
from bytez_tui.local.database import LocalDatabase  # noqa: E402
from bytez_tui.panes.playground.chat import ChatView  # noqa: E402
from bytez_tui.panes.playground.turns import SHOWN_TURNS  # noqa: E402

MODEL = "org/bench-chat"
REPLY_SHAPE = """## Step {n}

The model answers in **paragraphs** with `inline code`, a [link](https://example.com)
and sentences long enough to wrap across the width of the conversation, as chat models
usually write them when they explain something at length.

- a first point, with *emphasis*
- a second point
- a third point, somewhat longer than the others

```python
def step_{n}(values: list[int]) -> int:
    total = 0
    for value in values:
        total += value * {n}
    return total
```

| name | value |
|------|-------|
| a    | {n}   |
| b    | 2     |

"""
"""One section of the synthetic reply (~700 characters): a heading, a paragraph, a list,
a code block and a table, each ended as a model ends them, so that the reply is a series
of top-level blocks (a reply that is one endless list re-parses all of it per append)."""


def pieces(count: int) -> list[str]:
    """`count` fragments of about four characters, cut from sections of the reply."""
    out: list[str] = []
    section = 0
    while len(out) < count:
        text = REPLY_SHAPE.format(n=section)
        out.extend(text[index : index + 4] for index in range(0, len(text), 4))
        section += 1
    return out[:count]


TURN_REPLY = "\n".join(
    ["## A heading", "", "A paragraph with **bold** and `code`.", "", "```python"]
    + [f"x_{n} = {n} * {n}" for n in range(8)]
    + ["```", "", "| a | b |", "|---|---|", "| 1 | 2 |"]
)
"""About twenty lines of Markdown per reply."""


async def paced(count: int, rate: float) -> AsyncIterator[str]:
    started = time.perf_counter()
    for index, piece in enumerate(pieces(count)):
        if index % 10 == 0:
            await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
        yield piece


class SyntheticClient:
    """Stands in for `BytezClient`: a chat model that streams synthetic fragments."""

    last_metering = None
    api_version = "v1"

    def __init__(self, count: int, rate: float) -> None:
        self.count, self.rate = count, rate
        self.last_fragment_at = 0.0
        self.due_at = 0.0
        """When the last fragment is due: a reader that holds the stream up makes it late."""

    async def task_of(self, model: str) -> str:
        return "chat"

    async def stream_chat(
        self, model: str, messages: Any, params: Any = None
    ) -> AsyncIterator[str]:
        self.due_at = time.perf_counter() + self.count / self.rate
        async for piece in paced(self.count, self.rate):
            self.last_fragment_at = time.perf_counter()
            yield piece

    def server_now_offset(self) -> float:
        return 0.0

    async def aclose(self) -> None:
        return None


class ChatApp(App[None]):
    """A `ChatView` and a message box, on a synthetic client."""

    CSS_PATH = str(ROOT / "bytez_tui" / "panes" / "playground.tcss")

    def __init__(self, client: SyntheticClient, folder: Path) -> None:
        super().__init__()
        settings = Settings(api_key="bench", base_url="http://127.0.0.1:9")
        self.connection = Connection(settings, SystemClock())
        self.connection._client = client  # type: ignore[assignment]
        self.client = client
        self.store = ConversationStore(database=LocalDatabase(folder / "bench.sqlite3"))
        self.chat = ChatView(api=self.connection, clock=SystemClock(), store=self.store)
        self.changed: list[float] = []
        self.ended_at = 0.0

    def compose(self) -> ComposeResult:
        yield self.chat
        yield TextArea(id="prompt")

    def on_text_area_changed(self) -> None:
        self.changed.append(time.perf_counter())

    def on_chat_view_reply_ended(self) -> None:
        self.ended_at = time.perf_counter()  # the reply is whole in its widget by then


class BareApp(App[None]):
    """The reference: a bare `Markdown`, `append` awaited once per fragment."""

    def __init__(self, client: SyntheticClient) -> None:
        super().__init__()
        self.client = client
        self.changed: list[float] = []
        self.ended_at = 0.0

    def compose(self) -> ComposeResult:
        yield Markdown()
        yield TextArea(id="prompt")

    def on_text_area_changed(self) -> None:
        self.changed.append(time.perf_counter())

    async def stream(self) -> None:
        markdown = self.query_one(Markdown)
        async for piece in self.client.stream_chat(MODEL, []):
            await markdown.append(piece)
        self.ended_at = time.perf_counter()


async def streaming(kind: str, rate: float, seconds: float) -> tuple[float, float]:
    """(median key latency ms, end lag ms) while a reply streams at `rate`/s."""
    client = SyntheticClient(int(rate * seconds), rate)
    with tempfile.TemporaryDirectory() as folder:
        app: ChatApp | BareApp = (
            ChatApp(client, Path(folder)) if kind == "chat" else BareApp(client)
        )
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            start(app)
            app.query_one(TextArea).focus()
            await asyncio.sleep(0.3)
            sent: list[float] = []
            for _ in range(int((seconds - 0.5) / 0.05)):
                sent.append(time.perf_counter())
                app.post_message(events.Key("a", "a"))
                await asyncio.sleep(0.05)
            give_up = time.perf_counter() + 10
            while app.ended_at == 0.0 and time.perf_counter() < give_up:
                await asyncio.sleep(0.005)
            end = app.ended_at or time.perf_counter()  # not caught up: at least this
            lag = (end - client.due_at) * 1000 if client.due_at else float("inf")
            handled = [c - s for s, c in zip(sent, app.changed, strict=False)]
            app.exit()
        return statistics.median(handled) * 1000, lag


def start(app: ChatApp | BareApp) -> None:
    """Start the reply streaming."""
    if isinstance(app, ChatApp):
        app.chat.send(MODEL, "Hello", {})
    else:
        app.run_worker(app.stream(), group="bench")


def child(kind: str, rate: float, seconds: float, marks: str) -> None:
    """Run one app in this (pty) process; write the stream's start and end to `marks`."""
    client = SyntheticClient(int(rate * seconds), rate)
    with tempfile.TemporaryDirectory() as folder:
        app = ChatApp(client, Path(folder)) if kind == "chat" else BareApp(client)

        async def drive() -> None:
            await asyncio.sleep(1.0)
            began = time.time()
            start(app)
            give_up = time.perf_counter() + seconds + 5
            while app.ended_at == 0.0 and time.perf_counter() < give_up:
                await asyncio.sleep(0.05)
            Path(marks).write_text(json.dumps({"start": began, "end": time.time()}))
            await asyncio.sleep(0.3)
            app.exit()

        app.call_later(lambda: app.run_worker(drive(), group="bench-drive"))
        app.run()


def pty_bytes(kind: str, rate: float, seconds: float = 5.0) -> float:
    """Bytes per second written to a 120x40 pty while a reply streams at `rate`/s."""
    return run_in_pty(__file__, [kind, str(rate), str(seconds)], poll=0.05).bytes_per_second()


def long_conversation(turns: int) -> Conversation:
    items = []
    for index in range(turns // 2):
        items.append(Turn("user", f"Question {index}?", id=2 * index + 1))
        items.append(Turn("assistant", TURN_REPLY, id=2 * index + 2))
    return Conversation(1, MODEL, "long", "", "", "", turns=tuple(items))


async def opening(turns: int) -> tuple[float, float, int]:
    """(ms to open, median ms per `down` keystroke, lines of Markdown)."""
    conversation = long_conversation(turns)
    lines = sum(turn.content.count("\n") + 1 for turn in conversation.turns)
    with tempfile.TemporaryDirectory() as folder:
        app = ChatApp(SyntheticClient(0, 1.0), Path(folder))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            painted = asyncio.Event()
            started = time.perf_counter()
            await app.chat.show(conversation)
            app.call_after_refresh(painted.set)
            await painted.wait()
            opened = (time.perf_counter() - started) * 1000
            while len(app.chat.turns.children) < SHOWN_TURNS + 1:  # the rest are drawn
                await asyncio.sleep(0.01)
            app.chat.turns.focus()
            app.chat.turns.scroll_home(animate=False, immediate=True)
            await pilot.pause()
            times = []
            for _ in range(40):
                frame = asyncio.Event()
                began = time.perf_counter()
                app.post_message(events.Key("down", None))
                await asyncio.sleep(0)
                app.call_after_refresh(frame.set)
                await frame.wait()
                times.append((time.perf_counter() - began) * 1000)
            app.exit()
    return opened, statistics.median(times), lines


async def in_process(only_open: bool) -> None:
    for kind in () if only_open else ("chat", "bare"):
        key, lag = await streaming(kind, 1000.0, 3.0)
        label = (
            "bare Markdown, append per fragment" if kind == "bare" else "chat mode (MarkdownStream)"
        )
        print(
            f"1,000 fragments/s, {label}: key {key:.1f} ms median, end lag {lag:.0f} ms",
            flush=True,
        )
    opened, scroll, lines = await opening(200)
    print(
        f"200 turns ({lines:,} lines of Markdown): opened in {opened:.0f} ms, "
        f"{scroll:.1f} ms median per down key",
        flush=True,
    )


def main() -> None:
    arguments = sys.argv[1:]
    if arguments[:1] == ["--child"]:
        kind, rate, seconds, marks = arguments[1:5]
        child(kind, float(rate), float(seconds), marks)
        return
    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
    only_open = "--open-only" in arguments
    asyncio.run(in_process(only_open))
    if not only_open:
        chat, bare = pty_bytes("chat", 1000.0), pty_bytes("bare", 1000.0)
        print(
            f"1,000 fragments/s in a 120x40 pty: chat mode {chat / 1024:.1f} KiB/s, "
            f"bare Markdown {bare / 1024:.1f} KiB/s"
        )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
