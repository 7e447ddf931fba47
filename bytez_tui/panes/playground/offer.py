"""The playground's load offer: a line saying the model is not running, and a button."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from bytez_tui.local.runs import RunRequest
from bytez_tui.widgets.plain import plain

__all__ = ["LoadOffer"]


class LoadOffer(Horizontal):
    """Offers to load a model that is not running, then run (or send) once it is.

    Hidden until `offer`; the button's press reaches the pane, which asks for the load.
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="load-offer-text", markup=False)
        button = Button("Load and run", compact=True, id="load-offer-button")
        button.can_focus = False  # ctrl+l; not a stop between the model and the prompt
        yield button

    def on_mount(self) -> None:
        self.display = False

    def offer(self, request: RunRequest) -> None:
        """Show the offer for `request`."""
        then = "the message is sent" if request.chat else "the run starts"
        self.query_one("#load-offer-text", Static).update(
            plain(
                f"{request.model} is not running. Load it (ctrl+l) and {then} once it is RUNNING."
            )
        )
        self.display = True

    def hide(self) -> None:
        """Take the offer away."""
        self.display = False
