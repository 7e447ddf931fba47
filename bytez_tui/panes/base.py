"""What every pane shares: the API handle, the clock, and the error sink."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual import events
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from bytez_tui.clock import Clock
from bytez_tui.connection import Connection, Health
from bytez_tui.errors import AuthError, BytezError, RateLimited
from bytez_tui.text import printable

if TYPE_CHECKING:
    from bytez_tui.api import BytezClient
    from bytez_tui.config import Settings
    from bytez_tui.widgets.rows import RowFilter

__all__ = ["Pane", "PaneMessage", "call_api", "record_failure"]

T = TypeVar("T")

NARROW = 100
"""Below this many columns a pane gets the `-narrow` class."""


class Pane(Vertical):
    """Base of the five panes.

    Args:
        api: The app's connection to the API.
        clock: The time source.
        settings: The app's settings.
    """

    PALETTE: ClassVar[list[tuple[str, str, str]]] = []
    """(title, help, action name) entries the pane offers in the command palette."""

    paused: reactive[bool] = reactive(False)
    """Live polling is paused (the screen sets it for every pane)."""

    @dataclass
    class HealthChanged(Message):
        """A request succeeded or failed; the header shows the new health."""

        health: Health
        """The connection's health after the request."""

    @dataclass
    class Unauthorized(Message):
        """The server refused the key: the app asks for another."""

        error: AuthError
        """The refusal."""

    def __init__(
        self,
        *,
        api: Connection,
        clock: Clock,
        settings: Settings,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.api = api
        """The app's handle on the API."""
        self.clock = clock
        """The time source."""
        self.settings = settings
        """The app's settings."""
        self._focused_last: Widget | None = None
        """The widget inside the pane that had the focus last (it gets it back on show)."""

    async def on_event(self, event: events.Event) -> None:
        # A pane still mounting when the app closes is pruned with the screen, and
        # Textual mounts nothing into a node being pruned: its children never come, so
        # its `on_mount`, which sets them up, failed on a query and the app exited with
        # a traceback (quitting in the first moments; the pilot tests hit it under load).
        if isinstance(event, events.Mount) and not self.app.is_running:
            return
        await super().on_event(event)

    @property
    def focus_target(self) -> Widget | None:
        """The widget that takes the focus when the pane is shown (None: leave it)."""
        return None

    def take_focus(self) -> None:
        """Focus what had it when the pane was left (else `focus_target`), unless the
        focus is already inside the pane.

        The screen calls this as it shows the pane, so keys typed right after the
        pane's number reach it; `on_show` covers the other ways a pane appears.
        """
        target = self._focused_last
        if target is None or not target.is_attached or not target.focusable:
            target = self.focus_target
        focused = self.screen.focused
        if target is not None and (focused is None or self not in focused.ancestors):
            self.screen.set_focus(target)

    @property
    def row_filter(self) -> RowFilter | None:
        """The `/` filter of the pane's list, if it has one."""
        return None

    def focus_filter(self) -> bool:
        """Put the cursor in the pane's filter; False when the pane has none."""
        row_filter = self.row_filter
        if row_filter is None:
            return False
        row_filter.open()
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            # Escape clears an active filter from the list; in the field it only leaves.
            row_filter = self.row_filter
            return row_filter is not None and bool(row_filter.value) and not row_filter.has_focus
        return True

    def action_clear_filter(self) -> None:
        """Show every row again."""
        if self.row_filter is not None:
            self.row_filter.clear()
            self.refresh_bindings()

    def key_changed(self) -> None:
        """The user entered a new API key: read again what the old one was refused."""

    def on_resize(self, event: events.Resize) -> None:
        # Every pane's sheet narrows its layout under 100 columns with this class.
        self.set_class(event.size.width < NARROW, "-narrow")

    def on_show(self) -> None:
        self.take_focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._focused_last = event.widget

    def on_hide(self) -> None:
        # A focused widget in a hidden tab keeps the focus (Textual does not blur it),
        # so the pane's keys would act on a pane out of sight: let go with the pane.
        focused = self.screen.focused
        if focused is not None and self in focused.ancestors:
            self.screen.set_focus(None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The sink for anything a worker did not catch: log it, tell the user, carry on.

        Worker state messages do not bubble, so the sink sits on the pane that owns them.
        """
        worker = event.worker
        if event.state is WorkerState.ERROR and worker.error is not None:
            error = worker.error
            self.log.error(f"worker {worker.name!r} failed", error)
            if isinstance(error, BytezError):
                self.report(error)
            else:
                self.notify(
                    f"{type(error).__name__}: {error}",
                    title=f"Unexpected error in {worker.description or worker.name}",
                    severity="error",
                )

    async def call_api(self, request: Callable[[BytezClient], Awaitable[T]]) -> T:
        """Make one request, recording the connection's health either way.

        Raises:
            BytezError: The request failed (already recorded, not yet shown).
        """
        return await call_api(self, self.api, request)

    def record_failure(self, error: BytezError) -> None:
        """Record a failed request made outside `call_api` (a stream): the header's health,
        and the key screen if the key was refused."""
        record_failure(self, self.api, error)

    def report(self, error: BytezError, *, title: str | None = None) -> None:
        """Show `error` to the user as a notification."""
        if isinstance(error, RateLimited):
            self.notify(error.message, title=title or "Rate limited", severity="warning")
        else:
            self.notify(error.message, title=title or "Bytez API", severity="error")


@dataclass
class PaneMessage(Message):
    """Base of the messages a pane posts about itself: `control` is the pane, as it is the
    widget in Textual's own widget messages, so `@on(…)` handlers can select on it."""

    pane: Pane
    """The pane that posted it."""

    @property
    def control(self) -> Pane:
        return self.pane


async def call_api(
    widget: Widget, api: Connection, request: Callable[[BytezClient], Awaitable[T]]
) -> T:
    """Make one request for `widget` (a pane, or a widget in one that makes its own),
    recording the connection's health either way.

    Raises:
        BytezError: The request failed (already recorded, not yet shown).
    """
    try:
        result = await request(api.client)
    except BytezError as error:
        record_failure(widget, api, error)
        raise
    widget.post_message(Pane.HealthChanged(api.succeeded()))
    return result


def record_failure(widget: Widget, api: Connection, error: BytezError) -> None:
    """Record a failed request made by `widget`: the header's health, and the key screen
    if the key was refused."""
    widget.post_message(Pane.HealthChanged(api.failed(error)))
    if isinstance(error, AuthError):
        widget.post_message(Pane.Unauthorized(error))


def worker_failed(widget: Widget, event: Worker.StateChanged) -> None:
    """The sink for what a worker of `widget` (a widget in a pane, running its own) did not
    catch: log it and tell the user. Worker state messages do not bubble, so each widget that
    runs workers calls this from its `on_worker_state_changed`."""
    worker = event.worker
    if event.state is WorkerState.ERROR and worker.error is not None:
        widget.log.error(f"worker {worker.name!r} failed", worker.error)
        widget.notify(
            printable(f"{type(worker.error).__name__}: {worker.error}"),
            title=f"Unexpected error in {worker.description}",
            severity="error",
            markup=False,
        )
