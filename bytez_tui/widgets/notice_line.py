"""`NoticeLine`: a toast's words on one line at the top edge of a dialog's screen.

A toast is up to 60 columns wide and several rows high, at the bottom right of the screen
in front. Over a dialog that is where its fields and buttons are: at 60×15 two toasts hid
the whole right half of the load dialog. While a dialog is in front the app hides the
toasts (they come back on the dashboard if their time is not up) and shows the newest one
here instead: one row, which the dialogs leave to their border at the top.
"""

from __future__ import annotations

from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from bytez_tui.widgets.plain import plain

__all__ = ["NoticeLine"]

_GLYPHS: dict[SeverityLevel, str] = {"information": "ℹ", "warning": "⚠", "error": "✖"}


class NoticeLine(Static):
    """The newest notification, on the top row of a dialog's screen, for as long as its
    toast would have been shown."""

    DEFAULT_CSS = """
    NoticeLine {
        dock: top;
        layer: _toastrack;
        width: 1fr;
        height: 1;
        padding: 0 1;
        background: $panel-lighten-1;
        color: $foreground;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    NoticeLine.-warning { background: $warning 40%; }
    NoticeLine.-error { background: $error 40%; }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__("", name=name, id=id, markup=False)
        self._hide_timer: Timer | None = None

    @classmethod
    def on(cls, screen: Screen[object]) -> NoticeLine:
        """The notice line of `screen`, mounted on first use."""
        try:
            return screen.query_one(cls)
        except NoMatches:
            line = cls()
            screen.mount(line)
            return line

    def show_notice(
        self, message: str, *, title: str, severity: SeverityLevel, timeout: float
    ) -> None:
        """Show a notification (the one before it goes) for `timeout` seconds.

        Args:
            message: Its text (often from the server: shown as plain text, on one line).
            title: Its title, or "".
            severity: information, warning or error.
            timeout: Seconds to show it.
        """
        text = (
            f"{_GLYPHS[severity]} {title}: {message}" if title else f"{_GLYPHS[severity]} {message}"
        )
        self.update(plain(text, one_line=True))
        for level in _GLYPHS:
            self.set_class(level == severity, f"-{level}")
        self.display = True
        if self._hide_timer is not None:
            self._hide_timer.stop()
        self._hide_timer = self.set_timer(timeout, self._hide)

    def _hide(self) -> None:
        self.display = False
