"""Writing a chat reply into its `ReplyView` while it streams.

The fragments are kept and handed to Textual's `MarkdownStream` of the reply's last piece
at most `FLUSH_RATE` times a second: the stream alone appends whenever the previous append
is done, which at 1,000 fragments/s kept the event loop busy re-laying out the reply back
to back (keys waited ~40 ms). Where `BlockSplitter` cuts the text, a new piece with a
stream of its own takes what follows.

While the conversation shows the end of the reply, the turns and pieces out of view are
parked after each layout of the screen (`turns.py` says why); when the reader scrolls up,
they come back at once, and when the reply ends, once its end is drawn.

Python's full garbage collections wait until then too. Each walks every object of the
process, and the widgets of a long reply are most of them: a 12,000-character reply made
two or three full collections of ~100 ms each while it streamed, and one of them near its
end held the end back as long (bench_chat.py). The young generations are still collected.
"""

from __future__ import annotations

import asyncio
import gc
from typing import ClassVar

from textual.screen import Screen
from textual.widgets import Markdown

from bytez_tui.panes.playground.turns import BlockSplitter, ReplyView, TurnsView

__all__ = ["FLUSH_RATE", "ReplyWriter"]

FLUSH_RATE = 10.0
"""Appends to the reply's Markdown per second while it streams (see the module docstring).
Each append grows the reply, and Textual then draws the whole conversation again (~10 KB
at 120x40), often twice as its new blocks compose: at 15 a second the terminal got up to
~160 KiB/s at 1,000 fragments/s, at 10 ~120-135 KiB/s (bench_chat.py)."""


class _FullCollections:
    """Postpones Python's full (oldest-generation) collections while any reply streams."""

    held: ClassVar[int] = 0
    threshold: ClassVar[int] = 0

    @classmethod
    def hold(cls) -> None:
        if not cls.held:
            young, middle, cls.threshold = gc.get_threshold()
            gc.set_threshold(young, middle, 1 << 30)
        cls.held += 1

    @classmethod
    def release(cls) -> None:
        cls.held -= 1
        if not cls.held:
            young, middle, _ = gc.get_threshold()
            gc.set_threshold(young, middle, cls.threshold)


class ReplyWriter:
    """Writes a streaming reply into `view`, the last turn in `turns`.

    Args:
        view: The reply's view, mounted, its one piece empty.
        turns: The scrolling conversation that shows it.
    """

    def __init__(self, view: ReplyView, turns: TurnsView) -> None:
        self.view = view
        self.turns = turns
        self._pending: list[str] = []
        self._splitter = BlockSplitter()
        self._streams = [Markdown.get_stream(view.markdown)]
        self._flushing = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None
        self._holding = False

    def start(self) -> None:
        """Begin flushing at `FLUSH_RATE`, and parking pieces out of view."""
        _FullCollections.hold()
        self._holding = True
        self._flusher = asyncio.create_task(self._flush_often())
        view = self.view
        view.screen.screen_layout_refresh_signal.subscribe(view, self._laid_out, immediate=True)
        view.watch(self.turns, "scroll_y", self._scrolled, init=False)

    def write(self, text: str) -> None:
        """Add `text` to the reply; it is shown at the next flush."""
        self._pending.append(text)

    async def close(self) -> None:
        """Show the rest of the reply and wait until it is whole in its widgets; once its
        end is drawn, `release`."""
        view = self.view
        try:
            if self._flusher is not None:
                self._flusher.cancel()
            await self._flush()
            view.screen.screen_layout_refresh_signal.unsubscribe(view)
            for stream in self._streams:
                await stream.stop()
            for piece in view.pieces:  # an append under way ends: the reply is whole
                async with piece.lock:
                    pass
        finally:
            if not view.app.call_after_refresh(self.release):
                self.release()

    def release(self) -> None:
        """Bring the parked turns and pieces back, and let full collections run again (the owner
        calls it too when it unmounts, in case the app ends before a refresh)."""
        if self._holding:
            self._holding = False
            _FullCollections.release()
        if self.turns.is_attached:
            self.turns.unpark()

    async def _flush_often(self) -> None:
        while True:
            await asyncio.sleep(1 / FLUSH_RATE)
            await asyncio.shield(self._flush())  # cancelled between flushes, never inside one

    async def _flush(self) -> None:
        async with self._flushing:  # in order: the last flush waits for one under way
            text = "".join(self._pending)
            self._pending.clear()
            first, *rest = self._splitter.feed(text)
            if first:
                await self._streams[-1].write(first)
            for piece in rest:  # a finished piece keeps its layout (see turns.py)
                self._streams.append(Markdown.get_stream(await self.view.next_piece()))
                await self._streams[-1].write(piece)

    def _laid_out(self, screen: Screen[object]) -> None:
        turns = self.turns
        if turns.scroll_y >= turns.max_scroll_y and turns.children[-1] is self.view:
            turns.park(turns.scrollable_content_region.height)

    def _scrolled(self, before: float, after: float) -> None:
        if after < before:
            self.turns.unpark()
