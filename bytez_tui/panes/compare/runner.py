"""The run half of the Compare pane: a worker per column, the load of what is not running,
and the comparison saved when the last column ends.

`CompareRuns` is the base of `ComparePane`, as `PlaygroundRuns` is the playground's: it
runs, stops and records; the pane adds the fields, keys and history browsing on top.
Each column runs in its own exclusive worker group (`compare-column-0` …), so `alt+b`
stops column B alone and a column that fails keeps its text while the others go on;
`escape` cancels every group. The counters and the stream are the domain's
(`bytez_tui.comparing`, shared with `bytez-tui compare`).
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.reactive import var
from textual.widgets import Static
from textual.worker import Worker

from bytez_tui.comparing import ColumnRun, stream_column
from bytez_tui.errors import BytezError, StreamCut, StreamError
from bytez_tui.local.comparisons import ColumnRecord, Comparison, ComparisonStore, chat_turn
from bytez_tui.messages import RunEnded
from bytez_tui.panes.base import Pane
from bytez_tui.panes.compare.column import CompareColumn
from bytez_tui.panes.compare.keys import LETTERS
from bytez_tui.prompting import chat_refusal, wait_until_running
from bytez_tui.text import printable
from bytez_tui.widgets.pane_tabs import PaneTabs

if TYPE_CHECKING:
    from bytez_tui.api import BytezClient
    from bytez_tui.models import Instance

__all__ = ["STATS_RATE", "CompareRequest", "CompareRuns"]

STATS_RATE = 4.0
"""Stats line redraws per second while columns stream."""


@dataclass(frozen=True)
class CompareRequest:
    """A comparison the user asked for."""

    prompt: str
    """The prompt, the same for every column."""
    params: dict[str, Any]
    """The shared params."""
    columns: tuple[tuple[int, str, dict[str, Any]], ...]
    """(column index, model, params to send) of each column that takes part."""
    time: str
    """When it was asked for (ISO 8601, UTC)."""
    chat: bool = False
    """Chat mode: `prompt` is the next user turn of a conversation shared by the columns."""
    system: str = ""
    """Chat mode: the system prompt."""
    thread: Comparison | None = None
    """Chat mode: the conversation so far (its columns in the order of `columns`), or None
    for a new one."""

    def messages(self, position: int) -> list[dict[str, str]] | None:
        """Chat mode: what the `position`-th column sends (its own earlier replies, the
        shared user turns); None for a one-shot prompt."""
        if not self.chat:
            return None
        if self.thread is None:
            earlier = [{"role": "system", "content": self.system}] if self.system else []
        else:
            earlier = replace(self.thread, system=self.system).messages(position)
        return [*earlier, {"role": "user", "content": self.prompt}]

    def transcript(self, position: int) -> str:
        """Chat mode: what the `position`-th column shows before its reply ("" otherwise)."""
        if not self.chat:
            return ""
        before = "" if self.thread is None else self.thread.transcript(position).rstrip()
        return (before + "\n\n" if before else "") + chat_turn(self.prompt)

    def saved(self, columns: tuple[ColumnRecord, ...]) -> Comparison:
        """The comparison to save once the columns have ended (chat mode: the whole
        conversation, in place of the saved one it continues)."""
        comparison = Comparison(
            time=self.time, prompt=self.prompt, params=self.params, columns=columns
        )
        if not self.chat:
            return comparison
        thread = self.thread
        if thread is None:
            return replace(comparison, chat=True, system=self.system)
        return replace(
            comparison,
            time=thread.time,
            id=thread.id,
            chat=True,
            system=self.system,
            turns=(*thread.turns, thread.prompt),
            columns=tuple(
                replace(column, replies=(*before.replies, before.output))
                for column, before in zip(columns, thread.columns, strict=True)
            ),
        )


class CompareRuns(Pane):
    """Runs every column of a comparison at once, each in its own worker group."""

    running_models: var[Set[str]] = var(frozenset())
    """Ids of the models with a RUNNING instance (set by the screen)."""

    @dataclass
    class LoadRequested(Message):
        """These models are not running: ask the user to load them all (one dialog); the
        screen answers with `load_chosen`."""

        models: tuple[str, ...]
        """The models to load."""

    @dataclass
    class BusyChanged(Message):
        """Columns started, or the last one ended (the tab spins meanwhile)."""

        busy: bool
        """A column streams, or waits for its model."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.store = ComparisonStore(store_key=self.settings.store_key)
        """The saved comparisons."""
        self._runs: dict[int, ColumnRun] = {}
        self._live: set[int] = set()
        self._request: CompareRequest | None = None
        self._pending: tuple[CompareRequest, tuple[str, ...], frozenset[str]] | None = None
        """A request held while the load dialog is open: the models offered, and those
        already booting (which are waited for either way)."""
        self._waiting: set[str] = set()
        self._shown: Comparison | None = None
        """The finished comparison on screen (saved), live or reopened."""
        self._winner: int | None = None
        self._checker: Worker[None] | None = None

    def on_mount(self) -> None:
        # Textual also calls ComparePane.on_mount and Pane's handlers (MRO dispatch).
        self._stats_timer = self.set_interval(1 / STATS_RATE, self._show_progress, pause=True)

    # --- typed accessors ----------------------------------------------------------------

    @property
    def columns(self) -> list[CompareColumn]:
        """The three columns, A to C."""
        return list(self.query(CompareColumn))

    @property
    def status_line(self) -> Static:
        return self.query_one("#compare-status", Static)

    @property
    def busy(self) -> bool:
        """A column streams or waits, or the models are being checked."""
        checking = self._checker is not None and not self._checker.is_finished
        return bool(self._live) or self._pending is not None or checking

    @property
    def winner(self) -> int | None:
        """The column marked the winner (0 is A), if any."""
        return self._winner

    @property
    def shown(self) -> Comparison | None:
        """The finished comparison on screen, as saved (None while running or typing)."""
        return self._shown

    def comparison_started(self) -> None:
        """Called as the columns start (the pane leaves its history walk)."""

    # --- what the screen calls ----------------------------------------------------------

    def load_chosen(self, loaded: bool) -> None:
        """The load dialog closed: the models were loaded (each column then runs once its
        model is RUNNING), or not (nothing runs)."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        request, missing, booting = pending
        if not loaded:
            self._say("-blocked", f"Not run: {', '.join(missing)} not loaded")
            self._busy_changed()
            return
        self._begin(request, waiting=set(missing) | booting)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Pane's sink runs too (Textual calls each class's handler down the MRO).
        if event.worker is self._checker:
            self._busy_changed()

    # --- running ------------------------------------------------------------------------

    def action_stop(self) -> None:
        """Stop every column: each keeps what arrived."""
        self._pending = None
        self.workers.cancel_group(self, "compare-check")
        for index in range(len(LETTERS)):
            self.workers.cancel_group(self, f"compare-column-{index}")
        self._busy_changed()

    def action_stop_column(self, index: int) -> None:
        """Stop one column; the others go on."""
        self.workers.cancel_group(self, f"compare-column-{index}")

    # --- workers ------------------------------------------------------------------------

    @work(exclusive=True, group="compare-check", exit_on_error=False, description="Checking")
    async def _check(self, request: CompareRequest) -> None:
        """Ask whether each model runs (v1); offer one load for those that do not."""
        models = [model for _, model, _ in request.columns]
        missing: list[str] = []
        booting: set[str] = set()
        if self.api.dialect != "v2":  # v2 starts a model on its first run
            self._say("-waiting", "… checking that the models are running (escape cancels)")
            for model in models:
                if model in self.running_models:
                    continue
                try:
                    instance = await self.call_api(partial(_status, model=model))
                except BytezError:
                    continue  # the run itself says what is wrong
                if self.api.dialect == "v2":
                    break
                if instance is None or instance.is_failed:
                    missing.append(model)
                elif instance.is_booting:
                    booting.add(model)  # its column waits until it is RUNNING
        if missing:
            self._pending = (request, tuple(missing), frozenset(booting))
            verb = "is" if len(missing) == 1 else "are"
            self._say(
                "-blocked",
                f"{', '.join(missing)} {verb} not running: each column runs once its model is",
            )
            self.post_message(self.LoadRequested(tuple(missing)))
            return
        self._begin(request, waiting=booting)

    async def _column(
        self,
        index: int,
        run: ColumnRun,
        prompt: str,
        *,
        wait: bool,
        messages: list[dict[str, str]] | None,
    ) -> None:
        """One column: in chat mode refuse a model that is not a chat model, wait for its
        model if it is booting, then stream."""
        column = self.columns[index]
        sent = False
        try:
            if messages is not None and not await self._takes_chat(run):
                return
            if wait and not await self._wait_until_running(column, run):
                return
            run.started = self.clock.monotonic()
            column.output.start_stream()
            column.show_running(run.stats(run.started))
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
                feed=column.output.feed,
                hide_echo=self.settings.hide_prompt_echo,
                messages=messages,
            )
            if error is None:
                self.post_message(self.HealthChanged(self.api.succeeded()))
            elif isinstance(error, StreamCut):
                self.post_message(self.HealthChanged(self.api.failed(error)))
            elif not isinstance(error, StreamError):
                self.record_failure(error)
        finally:
            column.output.end_stream()
            self._column_ended(index, run, sent=sent)

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

    async def _wait_until_running(self, column: CompareColumn, run: ColumnRun) -> bool:
        model = run.model
        self._waiting.add(model)
        self._show_states()
        column.show(
            "-waiting", f"… waiting for {model} to be RUNNING (alt+{column.letter.lower()})"
        )
        try:
            instance = await wait_until_running(
                lambda: self.call_api(partial(_status, model=model)),
                clock=self.clock,
                paused=lambda: self.paused,
            )
            if instance.is_running:
                self.running_models = frozenset({*self.running_models, model})
                return True
            run.outcome = "failed"
            run.error = f"did not load: {instance.error or instance.status}"
            return False
        finally:
            self._waiting.discard(model)
            self._show_states()

    # --- columns ------------------------------------------------------------------------

    def _begin(self, request: CompareRequest, *, waiting: set[str]) -> None:
        """Start every column of `request` (those in `waiting` once their model runs)."""
        self._request = request
        self._shown = None
        self._winner = None
        self.comparison_started()
        now = self.clock.monotonic()
        taking_part = {index for index, _, _ in request.columns}
        for column in self.columns:
            if column.index not in taking_part:
                column.output.set_text("")
                column.show("", "")
        self._runs.clear()
        for position, (index, model, params) in enumerate(request.columns):
            run = ColumnRun(model, params, started=now)
            self._runs[index] = run
            self._live.add(index)
            column = self.columns[index]
            column.output.set_text(request.transcript(position))
            self.query_one(PaneTabs).set_spinning(f"column-{index}", True)
            self.run_worker(
                self._column(
                    index,
                    run,
                    request.prompt,
                    wait=model in waiting,
                    messages=request.messages(position),
                ),
                group=f"compare-column-{index}",
                exclusive=True,
                exit_on_error=False,
                description=f"Column {LETTERS[index]}",
            )
        self._stats_timer.resume()
        self._say("-running", "● running: escape stops all, alt+a/b/c one column")
        self._show_states()
        self._busy_changed()

    def _column_ended(self, index: int, run: ColumnRun, *, sent: bool) -> None:
        now = self.clock.monotonic()
        if run.ended is None:
            run.ended = now  # stopped or failed before its stream began
        self._live.discard(index)
        self.query_one(PaneTabs).set_spinning(f"column-{index}", False)
        record = run.record(now)
        self.columns[index].show_record(record)
        if sent:
            at = self.api.server_now() - timedelta(seconds=record.stats.elapsed)
            self.post_message(
                RunEnded(run.model, at, record.stats.elapsed, run.metering, record.outcome)
            )
        if record.outcome == "failed":
            self.notify(
                record.error or "The run failed",
                title=f"Column {LETTERS[index]} failed",
                severity="error",
                markup=False,
            )
        if not self._live:
            self._all_ended()
        self._busy_changed()

    def _all_ended(self) -> None:
        """The last column ended: save the comparison as one entry of the history."""
        self._stats_timer.pause()
        request = self._request
        if request is None:
            return
        now = self.clock.monotonic()
        comparison = request.saved(
            tuple(self._runs[index].record(now) for index, _, _ in request.columns)
        )
        try:
            self._shown = self.store.save(comparison)
        except OSError as error:
            self._shown = comparison
            self.notify(str(error), title="Not saved to history", severity="warning")
        self._say_saved()

    def _show_progress(self) -> None:
        now = self.clock.monotonic()
        for index in self._live:
            run = self._runs.get(index)
            if run is not None and run.model not in self._waiting:
                self.columns[index].show_running(run.stats(now))

    def _busy_changed(self) -> None:
        self.set_class(self.busy, "-busy")
        self.refresh_bindings()
        self.post_message(self.BusyChanged(self.busy))

    # --- what the lines say ---------------------------------------------------------------

    def _say(self, state: str, text: str) -> None:
        line = self.status_line
        for name in ("-running", "-waiting", "-blocked", "-done"):
            line.set_class(name == state, name)
        line.update(printable(text, one_line=True))

    def _say_saved(self) -> None:
        shown = self._shown
        if shown is None:
            return
        won = "" if self._winner is None else f" · {LETTERS[self._winner]} wins"
        where = f"saved as #{shown.id}" if shown.id else "not saved"
        self._say("-done", f"✓ {where}{won} · A/B/C marks the winner · ctrl+s exports Markdown")

    def _show_states(self) -> None:
        for column in self.columns:
            model = column.model
            running = bool(model) and model in self.running_models
            booting = not running and model in self._waiting
            column.show_state(running=running, booting=booting, winner=self._winner == column.index)
            short = model.rpartition("/")[2][:18]
            won = " 🏆" if self._winner == column.index else ""
            self.query_one(PaneTabs).set_badge(f"column-{column.index}", short + won)


async def _status(client: BytezClient, *, model: str) -> Instance | None:
    return await client.status(model)
