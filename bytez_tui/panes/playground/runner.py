"""The run half of the playground: the request read from the fields, the worker that
streams `/model/run`, its ending, and the run history it is recorded in.

`PlaygroundRuns` is the base of `PlaygroundPane`: it knows how to read a request from
the fields (or say what is missing), run it, wait for a model to be RUNNING, stop, record
the outcome, and walk the history back through the fields; the pane adds the fields'
layout, the keys and chat mode on top.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from textual import work
from textual.message import Message
from textual.widgets import Checkbox, Input, TextArea
from textual.worker import Worker

from bytez_tui.catalogue.tasks import TaskInput
from bytez_tui.errors import BytezError, StreamCut, StreamError
from bytez_tui.local.history import History, RunRecord
from bytez_tui.local.runs import Fields, RunBook, RunRequest, RunState
from bytez_tui.messages import RunEnded
from bytez_tui.panes.base import Pane
from bytez_tui.panes.playground.model_row import ModelRow
from bytez_tui.panes.playground.offer import LoadOffer
from bytez_tui.panes.playground.output import OutputLog
from bytez_tui.panes.playground.params import ParamsForm, ParamsInvalid
from bytez_tui.panes.playground.status import RunStatus
from bytez_tui.prompting import NotRun, read_input, run_once, wait_until_running

__all__ = ["STATS_RATE", "PlaygroundRuns"]

STATS_RATE = 4.0
"""Stats line redraws per second while a run streams."""


class PlaygroundRuns(Pane):
    """Runs requests one at a time in the exclusive worker group "playground-run".

    Escape cancels the group: the stream's response is closed, the partial output
    stays and the run is recorded as stopped.
    """

    @dataclass
    class BusyChanged(Message):
        """A run started, or the last one ended (the tab shows a spinner meanwhile)."""

        busy: bool
        """A run is streaming, or waiting for its model."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runs = RunBook(History(store_key=self.settings.store_key))
        """The run under way, the one waiting or offered a load, and the history."""
        self._worker: Worker[None] | None = None
        self._blocked_by_params = False

    def show_history_notices(self) -> None:
        """Tell the user what happened to their local data (a damaged file set aside)."""
        for notice in self.runs.history.take_notices():
            self.notify(notice, title="Run history", severity="warning", markup=False, timeout=15)

    def on_mount(self) -> None:
        self._stats_timer = self.set_interval(1 / STATS_RATE, self._show_progress, pause=True)
        self.watch(self.params_form, "problem", self._params_problem, init=False)

    # --- typed accessors ----------------------------------------------------------------

    @property
    def output(self) -> OutputLog:
        return self.query_one(OutputLog)

    @property
    def status_line(self) -> RunStatus:
        return self.query_one(RunStatus)

    @property
    def model_row(self) -> ModelRow:
        return self.query_one(ModelRow)

    @property
    def model_input(self) -> Input:
        return self.model_row.model_input

    @property
    def prompt_area(self) -> TextArea:
        return self.query_one("#prompt", TextArea)

    @property
    def params_form(self) -> ParamsForm:
        return self.query_one(ParamsForm)

    @property
    def stream_box(self) -> Checkbox:
        return self.model_row.stream_box

    @property
    def load_offer(self) -> LoadOffer:
        return self.query_one(LoadOffer)

    @property
    def busy(self) -> bool:
        """A run is streaming, or waiting for its model."""
        return self._worker is not None and not self._worker.is_finished

    # --- running -----------------------------------------------------------------------

    def stop(self) -> None:
        """Cancel the run or the wait: the HTTP response is closed, the partial output stays."""
        if self.runs.active is None and self.busy:
            self.status_line.show_blocked("stopped waiting for the model")
        self.runs.waiting = None
        self.model_state_changed()
        self.workers.cancel_group(self, "playground-run")

    def model_state_changed(self, *, running: str | None = None) -> None:
        """Called when the run starts or stops waiting for its model, or finds it running.

        Args:
            running: A model the server just said is RUNNING.
        """

    def send_turn(self, request: RunRequest) -> None:
        """Called with a chat turn once its model runs: the pane sends it."""

    def _request(self) -> RunRequest | None:
        """The run described by the fields, or None after saying what is missing."""
        model = self.model_input.value.strip()
        prompt = self.prompt_area.text
        try:
            sent = read_input(model, prompt, self.task_input(model))
        except NotRun as refusal:
            field = self.model_input if refusal.field == "model" else self.prompt_area
            self._refuse(refusal.reason, field)
            return None
        try:
            params = self.params_form.params()
        except ParamsInvalid as error:
            self._refuse(str(error), None)
            self._blocked_by_params = True
            return None
        return RunRequest(
            model=model,
            prompt=prompt,
            params=params,
            stream=self.stream_box.value,
            time=self.clock.now().isoformat(),
            input=sent,
        )

    def task_input(self, model: str) -> TaskInput | None:
        """What `model`'s task takes, when it is not a prompt as typed (the pane knows the
        catalogue's tasks); None sends the prompt."""
        return None

    def _params_problem(self, problem: str) -> None:
        # "Not run: JSON params, line 1 …" outlived the fix; the form shows live problems.
        if not problem and self._blocked_by_params and self.status_line.has_class("-blocked"):
            self.status_line.show_idle()
        self._blocked_by_params = self._blocked_by_params and bool(problem)

    def _refuse(self, reason: str, field: Input | TextArea | None) -> None:
        self._blocked_by_params = False
        self.status_line.show_blocked(reason)
        self.notify(reason, title="Not run", severity="warning")
        if field is not None:
            field.focus()

    def _start(self, request: RunRequest, *, check: bool = True, wait: bool = False) -> None:
        self._worker = self._run(request, check=check, wait=wait)
        self._busy_changed()

    def _busy_changed(self) -> None:
        busy = self.busy
        self.set_class(busy, "-busy")
        self.refresh_bindings()
        self.post_message(self.BusyChanged(busy))

    @work(exclusive=True, group="playground-run", exit_on_error=False, description="Running")
    async def _run(self, request: RunRequest, *, check: bool, wait: bool) -> None:
        if wait:
            if not await self._wait_until_running(request):
                return
        elif check:
            self.status_line.show_checking(request.model)
            if not await self._is_running(request):
                return
        self.runs.waiting = None
        self.model_state_changed(running=request.model)
        if request.chat:
            self.send_turn(request)
            return
        await self._execute(request)

    async def _is_running(self, request: RunRequest) -> bool:
        """Ask for the model's status; offer to load it (or wait) when it is not running.

        v2 starts a model on its first run, so there is nothing to check there.
        """
        if self.api.dialect == "v2":
            return True
        try:
            instance = await self.call_api(lambda client: client.status(request.model))
        except BytezError:
            return True  # Let the run itself report what is wrong.
        if self.api.dialect == "v2":  # `auto` found v2 with that very call
            return True
        if instance is not None and instance.is_running:
            return True
        if instance is not None and instance.is_booting:
            return await self._wait_until_running(request)
        self._offer_load(request)
        return False

    async def _wait_until_running(self, request: RunRequest) -> bool:
        self.runs.wait_for(request)
        self.model_state_changed()
        self.status_line.show_waiting(request.model)
        instance = await wait_until_running(
            lambda: self.call_api(lambda client: client.status(request.model)),
            clock=self.clock,
            paused=lambda: self.paused,
        )
        if instance.is_running:
            return True
        self.runs.waiting = None
        self.model_state_changed()
        reason = instance.error or instance.status
        self.status_line.show_blocked(f"{request.model} did not load: {reason}")
        return False

    async def _execute(self, request: RunRequest) -> None:
        clock, output = self.clock, self.output
        run = self.runs.begin(request, clock.monotonic())
        output.set_text("")
        output.border_subtitle = "running"
        output.start_stream()
        self._stats_timer.resume()
        self._show_progress()
        try:
            error = await run_once(
                self.api,
                run,
                monotonic=clock.monotonic,
                feed=output.feed,
                hide_echo=self.settings.hide_prompt_echo,
            )
            if error is None:
                self.post_message(self.HealthChanged(self.api.succeeded()))
                # Not after a failure: the server may be down, and the read's retries
                # would keep the run shown as "running" for seconds.
                run.inferences = await self._inferences(request.model)
            elif isinstance(error, StreamCut):  # the server (or the way to it) went away
                self.post_message(self.HealthChanged(self.api.failed(error)))
            elif not isinstance(error, StreamError):
                self.record_failure(error)
                if self.runs.offer_if_not_running(request, error):
                    self._offer_load(request)
        except Exception as error:
            run.outcome, run.error = "failed", f"{type(error).__name__}: {error}"
            raise
        finally:
            self._stats_timer.pause()
            output.end_stream()
            self._finish(run, clock.monotonic())

    async def _inferences(self, model: str) -> int | None:
        try:
            instance = await self.call_api(lambda client: client.status(model))
        except BytezError:
            return None
        return None if instance is None else instance.inferences

    # --- the history ----------------------------------------------------------------------

    def action_history_older(self) -> None:
        """Show the previous run from the history (what was typed is kept)."""
        self._recall_step(older=True)

    def action_history_newer(self) -> None:
        """Show the next run, or return to what was being typed after the newest."""
        self._recall_step(older=False)

    def _capture(self) -> Fields:
        return Fields(
            self.model_input.value,
            self.prompt_area.text,
            self.params_form.snapshot(),
            self.stream_box.value,
            self.output.text,
        )

    def _restore(self, fields: Fields) -> None:
        self.model_input.value = fields.model
        self.prompt_area.text = fields.prompt
        self.params_form.restore(fields.params)
        self.stream_box.value = fields.stream
        self.output.set_text(fields.output)
        self.output.border_subtitle = ""
        self.status_line.show_idle()

    def _recall_step(self, *, older: bool) -> None:
        try:
            moved, record, saved = self.runs.recall.step(older=older, current=self._capture())
        except OSError as error:
            self.notify(str(error), title="History unavailable", severity="error", markup=False)
            return
        finally:
            self.show_history_notices()
        if not moved:
            if older:
                self.notify("No older runs in the history")
            return
        if saved is not None:
            self._restore(saved)
        elif record is not None:
            self._show_record(record)
        self.runs.recall.shown(self._capture())

    def _show_record(self, record: RunRecord) -> None:
        self.model_input.value = record.model
        self.prompt_area.text = record.prompt
        self.params_form.set_params(record.params)
        self.stream_box.value = record.stream
        self.output.set_text(record.output)
        self.output.border_subtitle = record.outcome
        self.status_line.show_record(record, recalled=True)

    # --- endings ------------------------------------------------------------------------

    def _offer_load(self, request: RunRequest) -> None:
        self.runs.offered = request
        self.load_offer.offer(request)
        self.status_line.show_blocked(f"{request.model} is not running")

    def _hide_offer(self) -> None:
        self.runs.offered = None
        self.load_offer.hide()

    def _finish(self, run: RunState, now: float) -> None:
        # On disk first: whatever showing it does, the run is never lost.
        record, unsaved = self.runs.end(run, self.output.text, now)
        if unsaved is not None:
            self.notify(
                str(unsaved), title="Run not saved to history", severity="warning", markup=False
            )
        self.show_history_notices()
        self.output.border_subtitle = record.outcome
        self.status_line.show_record(record)
        self._tell_ledger(record)
        if record.outcome == "failed":
            self.notify(record.error or "The run failed", title="Run failed", severity="error")
        elif record.outcome == "stopped":
            self._late_inferences(record)

    def _tell_ledger(self, record: RunRecord) -> None:
        """Post what the run cost: its metering headers are fresh after a stream (reset when
        it starts) or an answer, never after a whole run that failed before answering."""
        client = self.api.client
        fresh = record.stream or record.outcome != "failed"
        at = self.api.server_now() - timedelta(seconds=record.stats.elapsed)
        metering = client.last_metering if fresh else None
        self.post_message(
            RunEnded(record.model, at, record.stats.elapsed, metering, record.outcome)
        )

    @work(exclusive=True, group="playground-stats", exit_on_error=False, description="Stats")
    async def _late_inferences(self, record: RunRecord) -> None:
        """A stopped run's worker was cancelled before asking: ask now, for the stats line."""
        inferences = await self._inferences(record.model)
        if inferences is not None and self.status_line.record is record:
            stats = replace(record.stats, inferences=inferences)
            self.status_line.show_record(replace(record, stats=stats))

    def _show_progress(self) -> None:
        run = self.runs.active
        if run is not None:
            self.status_line.show_running(run.request.model, run.stats(self.clock.monotonic()))
