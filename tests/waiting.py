"""Waiting on conditions in pilot tests: bounded loops of frames, never sleeps for time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import pytest
from textual.app import App
from textual.message import Message
from textual.notifications import Notification, Notify
from textual.pilot import Pilot

from bytez_tui.clock import FixedClock


class Toasts:
    """Every notification an app raised: pass it as `run_test(message_hook=…)`.

    It reads the app's `Notify` messages through the test harness's public hook, where
    the app's own list of notifications is private (and drops expired ones).
    """

    def __init__(self) -> None:
        self.shown: list[Notification] = []
        """The notifications, oldest first."""

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.shown.append(message.notification)

    @property
    def messages(self) -> list[str]:
        """The notifications' texts, oldest first."""
        return [notification.message for notification in self.shown]

    def titled(self, title: str) -> list[str]:
        """The texts of the notifications with `title`, oldest first."""
        return [n.message for n in self.shown if n.title == title]


def terminal_writes(app: App[Any], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Collect what the running app sends to the terminal outside its frames (OSC 9, 52).

    Textual has no public hook on the terminal's output, so this one place reads the
    driver the app writes through (as `bytez_tui.textual_compat.write_to_terminal` does).
    """
    writes: list[str] = []
    driver = app._driver  # noqa: SLF001
    assert driver is not None, "the app is not running"
    monkeypatch.setattr(driver, "write", writes.append)
    return writes


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
