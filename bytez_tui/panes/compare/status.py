"""The Compare pane's status line: what the comparison is doing, or what it ended as."""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import Static

from bytez_tui.comparing import LETTERS
from bytez_tui.local.comparisons import Comparison
from bytez_tui.text import printable

__all__ = ["CompareStatus"]

_STATES = ("-running", "-waiting", "-blocked", "-done")


class CompareStatus(Static):
    """One line under the columns: idle help, checking, running, refused, or saved."""

    def __init__(self, *, id: str | None = None) -> None:
        # Plain text: the line holds the models typed and the reasons a run was refused.
        super().__init__("", id=id, markup=False)

    def say(self, state: str, text: str) -> None:
        """Show `text` in a state (`-running`, `-waiting`, `-blocked`, `-done`; "" idle)."""
        for name in _STATES:
            self.set_class(name == state, name)
        self.update(printable(text, one_line=True))

    def show_idle(self, *, chat: bool) -> None:
        """Nothing runs: the keys that matter."""
        if chat:
            self.say("", "ctrl+j sends to all · ctrl+n new chat · ctrl+t chat off · esc stops")
        else:
            # The winner's keys come with the end of a comparison (see show_saved).
            self.say(
                "", "ctrl+j runs all · esc stops all · alt+a/b/c stops one · a/b/c or tab: columns"
            )

    def show_checking(self) -> None:
        """The models' states are being asked for."""
        self.say("-waiting", "… checking that the models are running (escape cancels)")

    def show_missing(self, missing: Sequence[str]) -> None:
        """These models are not running: the load dialog is offered."""
        verb = "is" if len(missing) == 1 else "are"
        self.say(
            "-blocked",
            f"{', '.join(missing)} {verb} not running: each column runs once its model is",
        )

    def show_blocked(self, reason: str) -> None:
        """Nothing runs, for `reason`."""
        self.say("-blocked", f"Not run: {reason}")

    def show_running(self) -> None:
        """The columns are running."""
        self.say("-running", "● running: escape stops all, alt+a/b/c one column")

    def show_saved(self, shown: Comparison, winner: int | None) -> None:
        """The comparison ended (and was saved, or not), with its winner."""
        won = "" if winner is None else f" · {LETTERS[winner]} wins"
        where = f"saved as #{shown.id}" if shown.id else "not saved"
        self.say("-done", f"✓ {where}{won} · A/B/C marks the winner · ctrl+s exports Markdown")

    def show_reopened(self, comparison: Comparison) -> None:
        """A saved comparison is shown from the history."""
        when = comparison.time[:19].replace("T", " ")
        self.say("-done", f"history {when} · #{comparison.id} · ctrl+↑/↓ browses")
