"""The Compare pane's three columns side by side, and what the pane asks of them together:
start a comparison, stop it, show its progress, the models' states, or a saved one."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence, Set
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal

from bytez_tui.comparing import LETTERS, ColumnRun, CompareRequest
from bytez_tui.local.comparisons import Comparison
from bytez_tui.panes.compare.column import ColumnSetup, CompareColumn

__all__ = ["CompareColumns"]


class CompareColumns(Horizontal):
    """Columns A, B and C, each running on its own (`CompareColumn`).

    Args:
        setup: What every column is built with.
        id: The widget's id.
    """

    def __init__(
        self,
        setup: ColumnSetup,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._setup = setup

    def compose(self) -> ComposeResult:
        for index in range(len(LETTERS)):
            yield CompareColumn(
                index,
                self._setup,
                id=f"column-{index}",
            )

    @property
    def columns(self) -> list[CompareColumn]:
        """The three columns, A to C."""
        return list(self.query(CompareColumn))

    def focused(self, front: int) -> CompareColumn:
        """The column with the focus, else the `front` one."""
        focused = self.screen.focused
        return next(
            (c for c in self.columns if focused is not None and c in focused.ancestors_with_self),
            self.columns[front],
        )

    def set_front(self, front: int) -> None:
        """Bring column `front` forward (the one shown in a narrow terminal)."""
        for column in self.columns:
            column.set_class(column.index == front, "-front")

    def tabs_off(self, front: int, step: int) -> bool:
        """Whether tab (`step` 1) or shift+tab (-1) would leave column `front` for a widget
        outside it while another column lies that way: when the columns are tabs, the
        hidden ones are out of the focus chain, so tab went on to the prompt."""
        columns = self.columns
        if not 0 <= front + step < len(columns):
            return False
        column, focused = columns[front], self.screen.focused
        chain = self.screen.focus_chain
        if focused is None or column not in focused.ancestors or focused not in chain:
            return False
        after = chain[(chain.index(focused) + step) % len(chain)]
        return column not in after.ancestors_with_self

    def typed(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The models and params overrides typed, A first."""
        columns = self.columns
        return (
            tuple(column.model_input.value for column in columns),
            tuple(column.params_input.value for column in columns),
        )

    def retype(self, models: Sequence[str], overrides: Sequence[str]) -> None:
        """Put back models and overrides as typed; the outputs are emptied."""
        for column, model, override in zip(self.columns, models, overrides, strict=True):
            column.model_input.value = model
            column.params_input.value = override
            column.output.set_text("")
            column.show("", "")

    def clear(self) -> None:
        """Empty every output and stats line."""
        for column in self.columns:
            column.output.set_text("")
            column.show("", "")

    def begin(self, request: CompareRequest, runs: Sequence[ColumnRun], waiting: Set[str]) -> None:
        """Start `runs`, one per column of `request` (those whose model is in `waiting` once
        it is RUNNING); the other columns are emptied."""
        columns = self.columns
        taking_part = {index for index, _, _ in request.columns}
        for column in columns:
            if column.index not in taking_part:
                column.output.set_text("")
                column.show("", "")
        for position, ((index, model, _), run) in enumerate(
            zip(request.columns, runs, strict=True)
        ):
            column = columns[index]
            column.output.set_text(request.transcript(position))
            column.run(
                run, request.prompt, wait=model in waiting, messages=request.messages(position)
            )

    def stop(self) -> None:
        """Stop every column: each keeps what arrived."""
        for column in self.columns:
            column.stop()

    def show_progress(self, runs: Mapping[int, ColumnRun], now: float) -> None:
        """Redraw the stats of the columns still streaming."""
        columns = self.columns
        for index, run in runs.items():
            column = columns[index]
            if run.ended is None and not column.waiting:  # not one whose end is on its way
                column.show_running(run.stats(now))

    def show_states(self, running: Set[str], winner: int | None) -> dict[int, str]:
        """Badge each column's model (running, booting, the winner).

        Returns:
            Each column's tab label by its index: its model's short name (and the winner's
            trophy). A column still mounting is left out (the screen can say which models
            run before the columns are drawn).
        """
        labels = {}
        for column in self.columns:
            if not column.is_mounted:
                continue
            model = column.model
            is_running = bool(model) and model in running
            won = winner == column.index
            column.show_state(
                running=is_running, booting=not is_running and column.waiting, winner=won
            )
            labels[column.index] = model.rpartition("/")[2][:18] + (" 🏆" if won else "")
        return labels

    def show_comparison(self, comparison: Comparison) -> None:
        """Fill the columns with a saved comparison, as it was run."""
        for index, column in enumerate(self.columns):
            if index >= len(comparison.columns):
                column.model_input.value = column.params_input.value = ""
                column.output.set_text("")
                column.show("", "")
                continue
            record = comparison.columns[index]
            override = {
                key: value
                for key, value in record.params.items()
                if comparison.params.get(key, object()) != value
            }
            column.model_input.value = record.model
            column.params_input.value = params_text(override)
            text = comparison.transcript(index) if comparison.chat else record.output
            column.output.set_text(text)
            column.show_record(record)


def params_text(value: dict[str, Any]) -> str:
    """Params as typed in a field: JSON, or blank for none."""
    return json.dumps(value, ensure_ascii=False) if value else ""
