"""One column of the Compare pane: its model, its params override, its output and stats,
and the worker that runs it.

Each column runs in its own exclusive worker group, so `alt+b` stops column B alone and
a column that fails keeps its text while the others go on. The counters and the stream
are the domain's (`bytez_tui.comparing`, shared with `bytez-tui compare`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import var
from textual.suggester import Suggester
from textual.validation import Function
from textual.widgets import Input, Static
from textual.worker import Worker

from bytez_tui.clock import Clock
from bytez_tui.comparing import LETTERS, ColumnRun, stream_column
from bytez_tui.connection import Connection
from bytez_tui.errors import BytezError, StreamCut, StreamError
from bytez_tui.format import money
from bytez_tui.local.comparisons import ColumnRecord
from bytez_tui.local.history import RunStats
from bytez_tui.messages import RunEnded
from bytez_tui.panes.base import Pane, call_api, record_failure, worker_failed
from bytez_tui.panes.playground.completion import ModelInput
from bytez_tui.panes.playground.output import OutputLog
from bytez_tui.prompting import ParamsError, chat_refusal, parse_params, wait_until_running
from bytez_tui.text import printable
from bytez_tui.widgets.text_fields import TextInput

__all__ = ["ColumnSetup", "CompareColumn", "column_stats", "params_problem"]

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


@dataclass(frozen=True)
class ColumnSetup:
    """What every column is built with, handed down from the pane through the board."""

    api: Connection
    """The app's connection to the API."""
    clock: Clock
    """The time source."""
    suggester: Suggester
    """The model completion shared by the columns."""
    cursor_blink: bool
    """Blink the text cursors."""
    hide_echo: bool
    """Drop a leading copy of the prompt from a stream."""


class CompareColumn(Vertical):
    """A model field (completing over running models and the catalogue), a params
    override, the streamed output and a stats line that says how the run went.

    Args:
        index: Its place, left to right (0 is column A).
        setup: The connection, clock and field settings every column shares.
    """

    paused: var[bool] = var(False)
    """Live polling is paused (a wait for the model skips its turns; set by the pane)."""

    @dataclass
    class Waiting(Message):
        """The column started or stopped waiting for its model (its badge says booting)."""

        column: CompareColumn

        @property
        def control(self) -> CompareColumn:
            return self.column

    @dataclass
    class ModelRunning(Message):
        """The model the column waited for is RUNNING."""

        column: CompareColumn
        model: str

        @property
        def control(self) -> CompareColumn:
            return self.column

    @dataclass
    class Ended(Message):
        """The column's run ended (done, stopped or failed) and is shown as `record`."""

        column: CompareColumn
        record: ColumnRecord

        @property
        def control(self) -> CompareColumn:
            return self.column

    def __init__(
        self,
        index: int,
        setup: ColumnSetup,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.index = index
        """Its place, left to right."""
        self.letter = LETTERS[index]
        """Its name, A, B or C."""
        self.api = setup.api
        self.clock = setup.clock
        self.waiting = False
        """The column waits for its model to be RUNNING."""
        self._setup = setup

    def compose(self) -> ComposeResult:
        with Horizontal(classes="column-head"):
            yield Static(self.letter, classes="column-letter", markup=False)
            model = ModelInput(
                placeholder="org/name" if self.index < 2 else "org/name (optional)",
                suggester=self._setup.suggester,
                compact=True,
                classes="column-model",
            )
            model.cursor_blink = self._setup.cursor_blink
            yield model
            yield Static("", classes="column-state", markup=False)
        override = TextInput(
            placeholder='override {"temperature": 0.2}',
            compact=True,
            classes="column-params",
            validators=[Function(lambda text: not params_problem(text), "not a JSON object")],
        )
        override.cursor_blink = self._setup.cursor_blink
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

    def run(
        self, run: ColumnRun, prompt: str, *, wait: bool, messages: list[dict[str, str]] | None
    ) -> None:
        """Run `run` in the column's own worker: in chat mode refuse a model that is not a
        chat model, wait for the model if it is booting (`wait`), then stream.

        Args:
            run: The column's counters.
            prompt: The prompt (one-shot mode).
            wait: Wait for the model to be RUNNING first.
            messages: Chat mode: the column's conversation, ending with the user's turn.
        """
        self.run_worker(
            self._run(run, prompt, wait=wait, messages=messages),
            group="compare-column",
            exclusive=True,
            exit_on_error=False,
            description=f"Column {self.letter}",
        )

    def stop(self) -> None:
        """Stop the column's run: what arrived stays."""
        self.workers.cancel_group(self, "compare-column")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker_failed(self, event)

    async def _run(
        self,
        run: ColumnRun,
        prompt: str,
        *,
        wait: bool,
        messages: list[dict[str, str]] | None,
    ) -> None:
        sent = False
        try:
            if messages is not None and not await self._takes_chat(run):
                return
            if wait and not await self._wait_until_running(run):
                return
            run.started = self.clock.monotonic()
            self.output.start_stream()
            self.show_running(run.stats(run.started))
            sent = True
            try:
                client = self.api.client
            except BytezError as refused:
                run.outcome, run.error = "failed", refused.message
                return
            error = await stream_column(
                client,
                run,
                prompt,
                monotonic=self.clock.monotonic,
                feed=self.output.feed,
                hide_echo=self._setup.hide_echo,
                messages=messages,
            )
            if error is None:
                self.post_message(Pane.HealthChanged(self.api.succeeded()))
            elif isinstance(error, StreamCut):
                self.post_message(Pane.HealthChanged(self.api.failed(error)))
            elif not isinstance(error, StreamError):
                record_failure(self, self.api, error)
        finally:
            self.output.end_stream()
            self._ended(run, sent=sent)

    async def _takes_chat(self, run: ColumnRun) -> bool:
        """Whether `run.model` can hold a chat (as the playground's chat mode decides); if
        not, the run fails with the reason and the other columns go on."""
        try:
            reason = await chat_refusal(self.api.client, run.model)
        except BytezError as refused:
            reason = refused.message
        if reason is None:
            return True
        run.outcome, run.error = "failed", reason
        return False

    async def _wait_until_running(self, run: ColumnRun) -> bool:
        model = run.model
        self.waiting = True
        self.post_message(self.Waiting(self))
        self.show("-waiting", f"… waiting for {model} to be RUNNING (alt+{self.letter.lower()})")
        try:
            instance = await wait_until_running(
                lambda: call_api(self, self.api, lambda client: client.status(model)),
                clock=self.clock,
                paused=lambda: self.paused,
            )
        finally:
            self.waiting = False
            self.post_message(self.Waiting(self))
        if instance.is_running:
            self.post_message(self.ModelRunning(self, model))
            return True
        run.outcome = "failed"
        run.error = f"did not load: {instance.error or instance.status}"
        return False

    def _ended(self, run: ColumnRun, *, sent: bool) -> None:
        now = self.clock.monotonic()
        if run.ended is None:
            run.ended = now  # stopped or failed before its stream began
        record = run.record(now)
        self.show_record(record)
        if sent:
            at = self.api.server_now() - timedelta(seconds=record.stats.elapsed)
            self.post_message(
                RunEnded(run.model, at, record.stats.elapsed, run.metering, record.outcome)
            )
        if record.outcome == "failed":
            self.notify(
                record.error or "The run failed",
                title=f"Column {self.letter} failed",
                severity="error",
                markup=False,
            )
        self.post_message(self.Ended(self, record))
