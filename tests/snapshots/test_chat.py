"""Snapshots of the playground's chat mode: a conversation with a code block and a table,
a reply mid-stream, and the same at 80x24.

The conversations are stored before the app starts (times and stats fixed), so what is
drawn is deterministic; chat mode reopens the latest conversation with the model.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from waiting import until

from bytez_tui.app import BytezApp
from bytez_tui.emulator import EmulatorServer
from bytez_tui.local.conversations import ConversationStore, Turn
from bytez_tui.local.history import RunStats
from bytez_tui.messages import OpenPlayground
from bytez_tui.panes.playground import PlaygroundPane
from bytez_tui.panes.playground.status import format_stats
from bytez_tui.panes.playground.turns import ReplyView, UserTurnView

AppFactory = Callable[..., BytezApp]
SnapCompare = Callable[..., bool]

MODEL = "roneneldan/TinyStories-8M"
WHEN = "2024-07-01T12:00:00+00:00"
REPLY = """## Two ways

Use a **list comprehension**:

```python
squares = [n * n for n in range(5)]
print(squares)
```

| way | speed |
|-----|-------|
| loop | slow |
| comprehension | fast |
"""
"""A reply with a heading, a code block and a table."""
STATS = RunStats(first_fragment=0.21, elapsed=1.5, fragments=42, chars=len(REPLY))


def _store(emulator: EmulatorServer) -> None:
    store = ConversationStore(store_key=emulator.url)
    store.set_chat_mode(MODEL, True)
    chat = store.create(MODEL, time=WHEN, system="Answer with code.")
    store.append(chat.id, Turn("user", "How do I square numbers in Python?", time=WHEN))
    store.append(chat.id, Turn("assistant", REPLY, time=WHEN, stats=STATS, cost=0.0004))


async def _open(pilot: Pilot[None]) -> PlaygroundPane:
    await pilot.pause()
    pilot.app.screen.post_message(OpenPlayground(MODEL))
    await until(pilot, lambda: bool(pilot.app.screen.query(PlaygroundPane)))
    pane = pilot.app.screen.query_one(PlaygroundPane)
    await until(pilot, lambda: len(pane.chat.query(ReplyView)) == 1)
    pane.chat.turns.focus()
    turns = pane.chat.turns
    # Opened at its latest turn: wait for the scroll to the end after the replies' layout.
    await until(pilot, lambda: turns.max_scroll_y > 0 and turns.scroll_y == turns.max_scroll_y)
    await pilot.pause()
    return pane


class TestChat:
    def test_conversation(
        self, snap_compare: SnapCompare, make_app: AppFactory, emulator: EmulatorServer
    ) -> None:
        """Chat mode (the chat box ticked, the Message box): the system prompt, the
        question on a tinted row, the reply as Markdown (a heading, bold, a highlighted
        Python block and a two-row table), and its footer: ✓ done, the stats and the cost."""
        _store(emulator)
        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_open)

    def test_mid_stream(
        self, snap_compare: SnapCompare, make_app: AppFactory, emulator: EmulatorServer
    ) -> None:
        """A second question, and its reply half-way: a paragraph and an unclosed code
        block so far, with "● replying" and live stats under it."""
        _store(emulator)

        async def run_before(pilot: Pilot[None]) -> None:
            pane = await _open(pilot)
            turns = pane.chat.turns
            await turns.mount(UserTurnView(Turn("user", "And with numpy?")))
            reply = ReplyView()
            await turns.mount(reply)
            await reply.markdown.update("With **numpy**:\n\n```python\nimport numpy as np\n")
            stats = RunStats(first_fragment=0.18, elapsed=0.6, fragments=9, chars=48)
            reply.footer.update(f"● replying · {format_stats(stats, final=False)}")
            await pilot.pause()
            turns.scroll_end(animate=False, immediate=True)
            await pilot.pause()

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_small_terminal(
        self, snap_compare: SnapCompare, make_app: AppFactory, emulator: EmulatorServer
    ) -> None:
        """At 80x24 the conversation keeps most rows (scrolled to the end of the reply)
        above a short Message box; nothing overlaps."""
        _store(emulator)
        assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_open)
