"""A long chat reply streaming in: the turns and pieces out of view are parked while the
conversation follows the end, and come back as they were when the reader scrolls up or the
reply ends;
Python's full collections wait for the end of the reply, and come back even if the app
ends first."""

from __future__ import annotations

import functools
import gc
from collections.abc import Iterator

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from waiting import until as wait_until

from bytez_tui.app import BytezApp
from bytez_tui.emulator import EmulatorServer
from bytez_tui.local.conversations import Turn
from bytez_tui.messages import OpenPlayground
from bytez_tui.panes.playground import PlaygroundPane
from bytez_tui.panes.playground.reply_writer import ReplyWriter
from bytez_tui.panes.playground.turns import ParkedBlank, ReplyView, TurnsView, UserTurnView

until = functools.partial(wait_until, workers=False, tries=400)

SECTION = """## Step {n}

A paragraph with **bold** and `code`, long enough to wrap across the width of the
conversation as chat models write when they explain something.

- a first point
- a second point

```python
def step_{n}() -> int:
    return {n}
```

| name | value |
|------|-------|
| a    | {n}   |

"""
LONG = "".join(SECTION.format(n=n) for n in range(14))
"""~300 lines of Markdown: several pieces, most of them out of a 30-row view."""


class _Host(App[None]):
    CSS = ".turn { height: auto; margin: 0 0 1 0; } .-user { padding: 0 1; }"  # as in chat mode

    def compose(self) -> ComposeResult:
        yield TurnsView()


@pytest.fixture
def full_collections() -> Iterator[tuple[int, int, int]]:
    """The collector's thresholds before the test, which it must leave as they were."""
    thresholds = gc.get_threshold()
    yield thresholds
    left = gc.get_threshold()
    gc.set_threshold(*thresholds)  # first, so that a failed test does not fail the next ones
    assert left == thresholds


async def _streaming(
    pilot: Pilot[None], earlier: tuple[Turn, ...] = ()
) -> tuple[TurnsView, ReplyView, ReplyWriter]:
    turns = pilot.app.query_one(TurnsView)
    await turns.show(earlier)
    await until(pilot, lambda: len(turns.children) == len(earlier))  # all drawn
    view = ReplyView()
    await turns.mount(view)
    turns.anchor()
    writer = ReplyWriter(view, turns)
    writer.start()
    return turns, view, writer


def _parked(view: ReplyView) -> list[bool]:
    return [not piece.display for piece in view.pieces]


async def test_pieces_out_of_view_are_parked_and_come_back_as_they_were(
    full_collections: tuple[int, int, int],
) -> None:
    app = _Host()
    async with app.run_test(size=(100, 30)) as pilot:
        turns, view, writer = await _streaming(pilot)
        assert gc.get_threshold()[2] > full_collections[2]  # full collections wait
        writer.write(LONG)
        await until(pilot, lambda: view.source == LONG and any(_parked(view)))
        await until(pilot, lambda: turns.scroll_y == turns.max_scroll_y)
        await pilot.pause()
        parked = _parked(view)
        first_shown = parked.index(False)
        assert len(parked) > 3 and not any(parked[first_shown:])  # only the first ones
        height = turns.virtual_size.height
        drawn = app.export_screenshot()

        await writer.close()
        await until(pilot, lambda: not any(_parked(view)))
        await pilot.pause()
        assert gc.get_threshold() == full_collections
        assert view.source == LONG
        assert turns.virtual_size.height == height  # the blank was as high as they were
        assert turns.scroll_y == turns.max_scroll_y
        assert app.export_screenshot() == drawn  # the reader saw no difference


async def test_earlier_turns_out_of_view_are_parked_too(
    full_collections: tuple[int, int, int],
) -> None:
    earlier = (Turn("user", "Go on"), Turn("assistant", SECTION.format(n=99))) * 3
    app = _Host()
    async with app.run_test(size=(100, 30)) as pilot:
        turns, view, writer = await _streaming(pilot, earlier)
        text = LONG[: len(LONG) // 3]
        writer.write(text)

        def parked() -> list[bool]:
            return [not child.display for child in turns.children[1:]]

        # The reply reaches the screen in several frames, each parking what it pushed out.
        await until(pilot, lambda: view.source == text and parked()[:6] == [True] * 6)
        await until(pilot, lambda: turns.scroll_y == turns.max_scroll_y)
        await pilot.pause()
        assert len(turns.query_children(ParkedBlank)) == 1
        assert parked()[:6] == [True] * 6 and parked()[-1] is False  # the reply itself stays
        assert len(turns.query(UserTurnView)) == 3
        height = turns.virtual_size.height
        drawn = app.export_screenshot()

        await writer.close()
        await until(pilot, lambda: all(child.display for child in turns.query(ReplyView)))
        await pilot.pause()
        assert turns.virtual_size.height == height  # margins between turns and all
        assert app.export_screenshot() == drawn


async def test_a_scroll_up_brings_the_parked_pieces_back_and_parks_no_more(
    full_collections: tuple[int, int, int],
) -> None:
    app = _Host()
    async with app.run_test(size=(100, 30)) as pilot:
        turns, view, writer = await _streaming(pilot)
        writer.write(LONG)
        await until(pilot, lambda: view.source == LONG and any(_parked(view)))
        turns.focus()
        await pilot.press("home")
        await until(pilot, lambda: not any(_parked(view)))
        assert turns.scroll_y == 0
        writer.write(LONG)  # it goes on streaming while the reader is up there
        await until(pilot, lambda: view.source == LONG * 2)
        await pilot.pause()
        assert not any(_parked(view)) and turns.scroll_y == 0
        await writer.close()
        await until(pilot, lambda: gc.get_threshold() == full_collections)


async def test_full_collections_come_back_when_the_app_ends_mid_reply(
    make_app: functools.partial[BytezApp],
    emulator: EmulatorServer,
    full_collections: tuple[int, int, int],
) -> None:
    emulator.stall_stream_after(3)  # the reply holds until the app hangs up
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.post_message(OpenPlayground("roneneldan/TinyStories-8M"))
        await until(pilot, lambda: bool(app.screen.query(PlaygroundPane)))
        pane = app.screen.query_one(PlaygroundPane)
        if not pane.chat_mode:
            await pilot.press("ctrl+t")
        await until(pilot, lambda: pane.chat_mode and pane.chat.display)
        pane.prompt_area.text = "Tell me a story"
        await pilot.press("ctrl+j")
        await until(pilot, lambda: any(view.source for view in pane.chat.query(ReplyView)))
        assert gc.get_threshold()[2] > full_collections[2]
