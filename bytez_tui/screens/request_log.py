"""`RequestLog`: every request this session, newest first: a dismissed toast, read again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from bytez_tui.connection import LoggedRequest
from bytez_tui.text import printable

__all__ = ["RequestLog"]


class RequestLog(ModalScreen[None]):
    """A table of requests: time, method, path, status, duration and the error's words.

    Args:
        requests: The requests, oldest first.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="request-log-close", tooltip="Close the log"),
    ]

    DEFAULT_CSS = """
    RequestLog {
        align: center middle;
    }
    RequestLog > Vertical {
        width: 100%;
        max-width: 140;
        height: 90%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    RequestLog #request-log-title {
        text-style: bold;
    }
    RequestLog DataTable {
        height: 1fr;
    }
    """

    def __init__(self, requests: Sequence[LoggedRequest]) -> None:
        super().__init__()
        self.requests = list(requests)
        """The requests shown, oldest first."""

    def compose(self) -> ComposeResult:
        failed = sum(1 for request in self.requests if request.error)
        with Vertical():
            yield Static(
                f"Requests this session: {len(self.requests)}, {failed} failed "
                "(newest first; escape closes)",
                id="request-log-title",
                markup=False,
            )
            yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Time", "Method", "Path", "Status", "Took", "Error")
        for request in reversed(self.requests):
            status = "—" if request.status is None else str(request.status)
            style = "bold red" if request.error else ""
            # Text cells: the path and the error come from outside and are never markup.
            table.add_row(
                Text(request.at.astimezone().strftime("%H:%M:%S")),
                Text(request.method),
                Text(printable(request.path, one_line=True)),
                Text(status, style=style),
                Text(f"{request.seconds * 1000:,.0f} ms"),
                Text(printable(request.error, one_line=True), style=style),
            )
        table.focus()

    def action_close(self) -> None:
        """Close the log."""
        self.dismiss(None)
