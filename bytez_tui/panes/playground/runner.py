"""The run half of the playground: the worker that streams `/model/run`, and its ending.

`PlaygroundRuns` is the base of `PlaygroundPane`: it knows how to run a request,
wait for a model to be RUNNING, stop, and record the outcome; the pane adds the
fields, keys and history browsing on top.
"""

from __future__ import annotations

from contextlib import aclosing
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from textual import work
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker

from bytez_tui.errors import BytezError, StreamCut, StreamError
from bytez_tui.local.history import History, RunRecord
from bytez_tui.messages import RunEnded
from bytez_tui.panes.base import Pane
from bytez_tui.panes.playground.output import OutputLog
from bytez_tui.panes.playground.run import RunRequest, RunState
from bytez_tui.panes.playground.status import RunStatus
from bytez_tui.prompting import EchoFilter
from bytez_tui.widgets.plain import plain

__all__ = ["POLL_SECONDS", "STATS_RATE", "PlaygroundRuns"]

POLL_SECONDS = 5.0
"""How often a run waiting for its model asks for the model's status."""
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
        self.history = History(store_key=self.settings.store_key)
        """Every run, on disk."""
        self._worker: Worker[None] | None = None
        self._active: RunState | None = None
        self._offered: RunRequest | None = None
        self._waiting: RunRequest | None = None

    def show_history_notices(self) -> None:
        """Tell the user what happened to their local data (a damaged file set aside)."""
        for notice in self.history.take_notices():
            self.notify(notice, title="Run history", severity="warning", markup=False, timeout=15)

    def on_mount(self) -> None:
        self._stats_timer = self.set_interval(1 / STATS_RATE, self._show_progress, pause=True)

    # --- typed accessors ----------------------------------------------------------------

    @property
    def output(self) -> OutputLog:
        return self.query_one(OutputLog)

    @property
    def status_line(self) -> RunStatus:
        return self.query_one(RunStatus)

    @property
    def busy(self) -> bool:
        """A run is streaming, or waiting for its model."""
        return self._worker is not None and not self._worker.is_finished

    # --- running -----------------------------------------------------------------------

    def stop(self) -> None:
        """Cancel the run or the wait: the HTTP response is closed, the partial output stays."""
        if self._active is None and self.busy:
            self.status_line.show_blocked("stopped waiting for the model")
        self._waiting = None
        self.model_state_changed()
        self.workers.cancel_group(self, "playground-run")

    def run_finished(self, record: RunRecord) -> None:
        """Called after every run has been recorded (the pane resets its history walk)."""

    def model_state_changed(self, *, running: str | None = None) -> None:
        """Called when the run starts or stops waiting for its model, or finds it running.

        Args:
            running: A model the server just said is RUNNING.
        """

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
        self._waiting = None
        self.model_state_changed(running=request.model)
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
        self._waiting = request
        self.model_state_changed()
        self.status_line.show_waiting(request.model)
        while True:
            await self.clock.sleep(POLL_SECONDS)
            if self.paused:
                continue
            try:
                instance = await self.call_api(lambda client: client.status(request.model))
            except BytezError:
                continue
            if instance is not None and instance.is_running:
                return True
            if instance is not None and instance.is_failed:
                self._waiting = None
                self.model_state_changed()
                reason = instance.error or instance.status
                self.status_line.show_blocked(f"{request.model} did not load: {reason}")
                return False

    async def _execute(self, request: RunRequest) -> None:
        clock, output = self.clock, self.output
        run = RunState(request, started=clock.monotonic())
        self._active = run
        output.set_text("")
        output.border_subtitle = "running"
        output.start_stream()
        self._stats_timer.resume()
        self._show_progress()
        try:
            if request.stream:
                await self._receive_stream(run)
            else:
                await self._receive_whole(run)
            if run.outcome == "done":
                # Not after a failure: the server may be down, and the read's retries
                # would keep the run shown as "running" for seconds.
                run.inferences = await self._inferences(request.model)
        except Exception as error:
            run.outcome, run.error = "failed", f"{type(error).__name__}: {error}"
            raise
        finally:
            self._stats_timer.pause()
            output.end_stream()
            self._finish(run, clock.monotonic())

    async def _receive_stream(self, run: RunState) -> None:
        request, output, clock = run.request, self.output, self.clock
        echo = EchoFilter(request.prompt if self.settings.hide_prompt_echo else "")
        try:
            client = self.api.client
            fragments = client.stream(request.model, request.prompt, params=request.params)
            async with aclosing(fragments):
                async for fragment in fragments:
                    run.fragments += 1
                    if run.first_fragment is None:
                        run.first_fragment = clock.monotonic() - run.started
                    if not echo.decided:
                        fragment = echo.feed(fragment)
                    run.chars += len(fragment)
                    output.feed(fragment)
            rest = echo.close()
            run.chars += len(rest)
            output.feed(rest)
            run.outcome = "done"
            metering = client.last_metering
            run.cost_usd = None if metering is None else metering.cost
            self.post_message(self.HealthChanged(self.api.succeeded()))
        except StreamError as error:
            output.feed(echo.close())
            run.outcome, run.error = "failed", error.message
            if isinstance(error, StreamCut):  # the server (or the way to it) went away
                self.post_message(self.HealthChanged(self.api.failed(error)))
        except BytezError as error:
            self.record_failure(error)
            self._failed_before_output(run, error)

    async def _receive_whole(self, run: RunState) -> None:
        request = run.request
        try:
            result = await self.call_api(
                lambda client: client.run(request.model, request.prompt, params=request.params)
            )
        except BytezError as error:
            self._failed_before_output(run, error)
            return
        run.first_fragment = self.clock.monotonic() - run.started
        run.fragments, run.chars = 1, len(result.text)
        run.cost_usd = None if result.metering is None else result.metering.cost
        self.output.feed(result.text)
        run.outcome = "done"

    async def _inferences(self, model: str) -> int | None:
        try:
            instance = await self.call_api(lambda client: client.status(model))
        except BytezError:
            return None
        return None if instance is None else instance.inferences

    # --- endings ------------------------------------------------------------------------

    def _failed_before_output(self, run: RunState, error: BytezError) -> None:
        """The run failed before any output (already recorded): offer a load if it says so."""
        run.outcome, run.error = "failed", error.message
        if error.status == 409 and "not running" in error.message.lower():
            self._offer_load(run.request)

    def _offer_load(self, request: RunRequest) -> None:
        self._offered = request
        self.query_one("#load-offer-text", Static).update(
            plain(
                f"{request.model} is not running. Load it (ctrl+l) and the run starts once it "
                "is RUNNING."
            )
        )
        self.query_one("#load-offer").display = True
        self.status_line.show_blocked(f"{request.model} is not running")

    def _hide_offer(self) -> None:
        self._offered = None
        self.query_one("#load-offer").display = False

    def _finish(self, run: RunState, now: float) -> None:
        self._active = None
        record = run.record(self.output.text, now)
        # On disk first: whatever showing it does, the run is never lost.
        try:
            self.history.append(record)
        except OSError as error:
            self.notify(
                str(error), title="Run not saved to history", severity="warning", markup=False
            )
        self.show_history_notices()
        self.output.border_subtitle = record.outcome
        self.status_line.show_record(record)
        self.run_finished(record)
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
        run = self._active
        if run is not None:
            self.status_line.show_running(run.request.model, run.stats(self.clock.monotonic()))
