"""Waiting on conditions in pilot tests: bounded loops of frames, never sleeps for time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from textual.pilot import Pilot

from bytez_tui.clock import FixedClock


class Settling(Protocol):
    """A pane whose pollers can all be waiting on the clock at once."""

    @property
    def settled(self) -> bool: ...


async def until(
    pilot: Pilot[Any], condition: Callable[[], bool], *, tries: int = 300, workers: bool = True
) -> None:
    """Let the app run until `condition` holds.

    Args:
        pilot: The running app's pilot.
        condition: What to wait for.
        tries: How many rounds before giving up.
        workers: Also wait for running workers each round (off while a stream must
            stay mid-way).

    Raises:
        AssertionError: The condition never held.
    """
    for _ in range(tries):
        if condition():
            return
        if workers:
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    raise AssertionError("condition not reached")


async def step(pilot: Pilot[Any], pane: Settling, clock: FixedClock, seconds: float) -> None:
    """Move the clock once every poller of `pane` waits on it, then let them run."""
    await until(pilot, lambda: pane.settled)
    clock.advance(seconds)
    await pilot.pause()
    await until(pilot, lambda: pane.settled)


def type_burst(pilot: Pilot[Any], *keys: str) -> None:
    """Post `keys` to the app all at once, as a burst over SSH arrives in one read."""
    from textual import events

    for key in keys:
        character = key if len(key) == 1 else None
        pilot.app.post_message(events.Key(key, character))
