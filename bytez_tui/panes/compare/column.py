"""One column of the Compare pane: its model, its params override, its output and stats."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.suggester import Suggester
from textual.validation import Function
from textual.widgets import Input, Static

from bytez_tui.format import money
from bytez_tui.local.comparisons import ColumnRecord
from bytez_tui.local.history import RunStats
from bytez_tui.panes.compare.keys import LETTERS
from bytez_tui.panes.playground.completion import ModelInput
from bytez_tui.panes.playground.output import OutputLog
from bytez_tui.prompting import ParamsError, parse_params
from bytez_tui.text import printable
from bytez_tui.widgets.text_fields import TextInput

__all__ = ["CompareColumn", "column_stats", "params_problem"]

_STATES = ("-running", "-done", "-stopped", "-failed", "-blocked", "-waiting")


def params_problem(text: str) -> str:
    """Why `text` is not a params object ("" when it is, or is blank)."""
    try:
        parse_params(text)
    except ParamsError as error:
        return str(error)
    return ""


def column_stats(stats: RunStats) -> str:
    """`first 0.12 s · 3.40 s · 200 fragments · 310 chars/s · $0.0004` (cost when known)."""
    first = "—" if stats.first_fragment is None else f"{stats.first_fragment:.2f} s"
    rate = stats.chars_per_second
    parts = [
        f"first {first}",
        f"{stats.elapsed:.2f} s",
        f"{stats.fragments:,} fragment{'' if stats.fragments == 1 else 's'}",
        f"{'—' if rate is None else f'{rate:,.0f}'} chars/s",
    ]
    if stats.cost_usd is not None:
        parts.append(money(stats.cost_usd))
    return " · ".join(parts)


class CompareColumn(Vertical):
    """A model field (completing over running models and the catalogue), a params
    override, the streamed output and a stats line that says how the run went.

    Args:
        index: Its place, left to right (0 is column A).
        suggester: The model completion shared by the columns.
        cursor_blink: Blink the text cursors.
    """

    def __init__(
        self,
        index: int,
        *,
        suggester: Suggester,
        cursor_blink: bool,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.index = index
        """Its place, left to right."""
        self.letter = LETTERS[index]
        """Its name, A, B or C."""
        self._suggester = suggester
        self._blink = cursor_blink

    def compose(self) -> ComposeResult:
        with Horizontal(classes="column-head"):
            yield Static(self.letter, classes="column-letter", markup=False)
            model = ModelInput(
                placeholder="org/name" if self.index < 2 else "org/name (optional)",
                suggester=self._suggester,
                compact=True,
                classes="column-model",
            )
            model.cursor_blink = self._blink
            yield model
            yield Static("", classes="column-state", markup=False)
        override = TextInput(
            placeholder='override {"temperature": 0.2}',
            compact=True,
            classes="column-params",
            validators=[Function(lambda text: not params_problem(text), "not a JSON object")],
        )
        override.cursor_blink = self._blink
        yield override
        output = OutputLog(classes="column-output")
        output.border_title = f"{self.letter}"
        yield output
        yield Static("", classes="column-status", markup=False)

    # --- typed accessors ----------------------------------------------------------------

    @property
    def model_input(self) -> Input:
        return self.query_one(".column-model", Input)

    @property
    def params_input(self) -> Input:
        return self.query_one(".column-params", Input)

    @property
    def output(self) -> OutputLog:
        return self.query_one(OutputLog)

    @property
    def status(self) -> Static:
        return self.query_one(".column-status", Static)

    @property
    def model(self) -> str:
        """The model typed, without blanks."""
        return self.model_input.value.strip()

    def override(self) -> dict[str, Any]:
        """The params override typed.

        Raises:
            ParamsError: It is not a JSON object.
        """
        return parse_params(self.params_input.value)

    # --- what the pane calls ------------------------------------------------------------

    def show_state(self, *, running: bool, booting: bool, winner: bool) -> None:
        """The badge after the model: running, booting, and the winner's trophy."""
        state = self.query_one(".column-state", Static)
        text = "● running" if running else "◌ booting" if booting else ""
        if winner:
            text = f"🏆 {text}".rstrip()
        state.update(text)
        state.set_class(running, "-running")
        state.set_class(booting, "-booting")
        self.set_class(winner, "-winner")

    def show(self, state: str, text: str) -> None:
        """The stats line, in a state (`-running`, `-done`, `-failed` …; "" for idle)."""
        status = self.status
        for name in _STATES:
            status.set_class(name == state, name)
        status.update(printable(text, one_line=True))

    def show_running(self, stats: RunStats) -> None:
        """The run is under way."""
        self.show("-running", f"● {column_stats(stats)}")
        self.output.border_subtitle = "running"

    def show_record(self, column: ColumnRecord) -> None:
        """A finished run (live, or reopened from the history)."""
        if column.outcome == "failed":
            head = f"✗ {column.error or 'failed'}"
        elif column.outcome == "stopped":
            head = "■ stopped"
        else:
            head = "✓ done"
        self.show(f"-{column.outcome}", f"{head} · {column_stats(column.stats)}")
        self.output.border_subtitle = column.outcome
