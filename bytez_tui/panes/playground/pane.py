"""The playground pane: pick a model, type a prompt, stream `/model/run` into a log."""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Static, TextArea
from textual.worker import Worker

from bytez_tui.catalogue.ids import is_model_id
from bytez_tui.catalogue.index import CatalogueIndex
from bytez_tui.catalogue.tasks import TaskInput, describe
from bytez_tui.config import data_dir, rescue_dir
from bytez_tui.local.conversations import ConversationStore
from bytez_tui.local.files import write_new_private
from bytez_tui.local.remembered import Draft
from bytez_tui.local.runs import RunRequest
from bytez_tui.messages import RequestLoad
from bytez_tui.panes.playground.chat import ChatView
from bytez_tui.panes.playground.keys import BINDINGS, PALETTE
from bytez_tui.panes.playground.model_row import ModelRow
from bytez_tui.panes.playground.offer import LoadOffer
from bytez_tui.panes.playground.output import OutputLog
from bytez_tui.panes.playground.params import ParamsForm, ParamsInvalid
from bytez_tui.panes.playground.runner import PlaygroundRuns
from bytez_tui.panes.playground.status import RunStatus
from bytez_tui.text import printable
from bytez_tui.widgets.text_editor import TextEditor

__all__ = ["PlaygroundPane"]

_SHORT = 30
"""Below this many rows the pane drops its spacing (class `-short`)."""
_TINY = 16
"""Below this many rows (a 60×15 terminal) the editors shrink to a few lines (`-tiny`)."""
_PARAMS_MIN_WIDTH = 70
"""Narrower than this (a 60-column terminal, not an 80), the params panel waits for ctrl+g."""


class PlaygroundPane(PlaygroundRuns):
    """Runs a prompt on a model and streams the answer, keeping every run in a history."""

    BINDINGS: ClassVar[list[BindingType]] = list(BINDINGS)
    PALETTE: ClassVar[list[tuple[str, str, str]]] = list(PALETTE)
    """(title, help, action name) entries offered in the command palette."""

    running_models: var[Set[str]] = var(frozenset())
    """Ids of the models with a RUNNING instance (set by the screen)."""
    catalogue_names: var[Sequence[str]] = var(())
    """Every model id in the catalogue, for completion (set by the screen)."""
    catalogue: var[CatalogueIndex | None] = var(None)
    """The catalogue, for each model's task (v2; set by the screen)."""
    chat_mode: var[bool] = var(False)
    """The pane holds a conversation (ctrl+t) instead of one-shot runs; kept per model."""

    @dataclass
    class DraftChanged(Message):
        """What is typed changed (the app keeps it across restarts)."""

        pane: PlaygroundPane
        """The pane."""
        draft: Draft
        """The model, prompt, params and stream switch, as they are now."""

        @property
        def control(self) -> PlaygroundPane:
            return self.pane

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._params_chosen: bool | None = None
        """Shown or hidden by ctrl+g; None follows the terminal's size."""
        self.conversations = ConversationStore(store_key=self.settings.store_key)
        """Chat mode's conversations, and which models open in chat mode."""
        self._fields: tuple[Input, TextArea, OutputLog] | None = None

    def compose(self) -> ComposeResult:
        blink = self.settings.cursor_blink
        yield ModelRow(cursor_blink=blink, id="model-row")
        yield Static("", id="task-note", markup=False)
        yield LoadOffer(id="load-offer")
        yield ChatView(api=self.api, clock=self.clock, store=self.conversations, id="chat")
        with Horizontal(id="editors"):
            prompt = TextEditor(id="prompt", soft_wrap=True, placeholder="Type a prompt…")
            prompt.cursor_blink = blink
            prompt.border_title = "Prompt"
            yield prompt
            params = ParamsForm(cursor_blink=blink, id="params")
            params.border_title = "Params"
            yield params
        output = OutputLog(id="output")
        output.border_title = "Output"
        yield output
        yield RunStatus(id="run-status")

    def on_mount(self) -> None:
        # Textual also calls PlaygroundRuns.on_mount and Pane's handlers (MRO dispatch).
        self.query_one("#task-note").display = False
        self.status_line.show_idle()
        # Held for `on_unmount`, which runs once the children are already gone.
        self._fields = (self.model_input, self.prompt_area, self.output)

    def on_unmount(self) -> None:
        if self.app.return_code:  # the app is going down on an unexpected error
            self._rescue()

    def _rescue(self) -> None:
        """Keep what the user had (model, prompt, output) in a private file in
        `rescue_dir()`; the command line names it after the traceback."""
        if self._fields is None:
            return  # unmounted before it was ever mounted: nothing was typed
        model_input, prompt_area, output_log = self._fields
        model, prompt, output = model_input.value, prompt_area.text, output_log.text
        if not (prompt.strip() or output.strip()):
            return
        text = f"model: {model}\n\n--- prompt ---\n{prompt}\n\n--- output ---\n{output}\n"
        stamp = self.clock.now().strftime("%Y%m%d-%H%M%S")
        try:
            write_new_private(rescue_dir(), stamp, text)
        except OSError as error:
            self.log.error("could not rescue the draft", error)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.height < _SHORT, "-short")
        self.set_class(event.size.height < _TINY, "-tiny")
        self._show_params()

    def _show_params(self) -> None:
        """Show the params panel where it fits, or as ctrl+g last chose."""
        fits = self.size.width >= _PARAMS_MIN_WIDTH and self.size.height >= _TINY
        shown = fits if self._params_chosen is None else self._params_chosen
        self.params_form.display = shown

    @property
    def focus_target(self) -> Widget:
        # Keys such as ctrl+j act only with focus inside the pane. The output takes it, so
        # the app's one-key shortcuts (1-4, /, q) still work; `i` goes to the prompt.
        return self.output

    def on_descendant_blur(self) -> None:
        self.call_after_refresh(self._keep_keys_alive)

    def _keep_keys_alive(self) -> None:
        # Escape (the app's "leave the field") leaves focus nowhere, where the pane's keys
        # are dead; the output takes it instead, which is not a text field either.
        screen = self.screen
        if screen.focused is None and screen is self.app.screen and self.is_on_screen:
            self.output.focus()

    def watch_running_models(self, running: Set[str]) -> None:
        self.model_row.set_running(running)
        self._show_model_state()
        waiting = self.runs.waiting
        if waiting is not None and waiting.model in running:
            self.instance_ready(waiting.model)

    def watch_catalogue_names(self, names: Sequence[str]) -> None:
        self.model_row.set_catalogue(names)

    def watch_catalogue(self) -> None:
        self._show_task()

    async def watch_chat_mode(self, chat: bool) -> None:
        self.set_class(chat, "-chat")
        self.refresh_bindings()  # the footer's ctrl+j says Send or Run, ctrl+o what it copies
        with self.chat_box.prevent(Checkbox.Changed):
            self.chat_box.value = chat
        self._show_task()
        if chat:
            self.status_line.show_chat_idle()
            await self.chat.reopen_latest(self.model_input.value.strip())
        else:
            self.status_line.show_idle()

    # --- typed accessors ----------------------------------------------------------------

    @property
    def chat_box(self) -> Checkbox:
        return self.model_row.chat_box

    @property
    def chat(self) -> ChatView:
        return self.query_one(ChatView)

    # --- what the screen calls ----------------------------------------------------------

    def open_model(self, model: str) -> None:
        """Choose `model` and put the cursor in the prompt, ready to type."""
        self.model_input.value = model
        self._hide_offer()
        prompt = self.prompt_area
        prompt.focus()
        prompt.move_cursor(prompt.document.end)

    @property
    def draft(self) -> Draft:
        """What is typed: the model, the prompt, the params panel and the stream switch."""
        return Draft(
            model=self.model_input.value,
            prompt=self.prompt_area.text,
            params=self.params_form.snapshot(),
            stream=self.stream_box.value,
        )

    def restore_draft(self, draft: Draft) -> None:
        """Put back what was typed when the app last closed (the focus stays put)."""
        self.model_input.value = draft.model
        self.prompt_area.text = draft.prompt
        if draft.params:
            self.params_form.restore(draft.params)
        self.stream_box.value = draft.stream

    def instance_ready(self, model: str) -> None:
        """`model` is RUNNING now: start the run that was waiting for it, if any."""
        request = self.runs.ready(model)
        if request is not None:
            self._start(request, check=False)

    # --- events -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            # Escape falls through to the app's "leave the text field" when nothing runs.
            return self.busy
        if action in ("run", "send", "copy_output", "copy_reply"):
            # One key, named for what it does: "Run" and "Copy output" in one-shot mode,
            # "Send" and "Copy reply" in chat mode.
            return self.chat_mode == (action in ("send", "copy_reply"))
        return True

    @on(Input.Changed, "#model")
    def _model_changed(self) -> None:
        self._show_model_state()
        model = self.model_input.value.strip()
        if is_model_id(model):
            try:
                self.chat_mode = self.conversations.chat_mode(model)
            except OSError:
                pass  # the mode stays as it is
        offered = self.runs.offered
        if offered is not None and offered.model != self.model_input.value.strip():
            self._hide_offer()
        self._show_task()

    def task_input(self, model: str) -> TaskInput | None:
        """What `model`'s task takes, when the catalogue says its task (v2) and it is not a
        prompt as typed; None in chat mode, which sends messages."""
        index = self.catalogue
        if self.chat_mode or index is None or not index.has_tasks:
            return None
        row = index.find(model) if is_model_id(model) else None
        return None if row is None else describe(index.task(row))

    def _show_task(self) -> None:
        """Say what the chosen model's task takes and gives, and title the prompt box for
        it (a text task keeps the plain prompt)."""
        task = self.task_input(self.model_input.value.strip())
        note = self.query_one("#task-note", Static)
        note.display = task is not None
        note.update(task.note if task is not None else "")
        prompt = self.prompt_area
        if self.chat_mode:
            prompt.border_title, prompt.placeholder = "Message", "Type a message…"
        elif task is not None:
            prompt.border_title, prompt.placeholder = task.title, task.placeholder
        else:
            prompt.border_title, prompt.placeholder = "Prompt", "Type a prompt…"

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    def _draft_changed(self) -> None:
        self.post_message(self.DraftChanged(self, self.draft))

    @on(Input.Submitted, "#model")
    def _model_submitted(self) -> None:
        self.prompt_area.focus()

    @on(Checkbox.Changed, "#chat-mode")
    def _chat_box_changed(self, event: Checkbox.Changed) -> None:
        if event.value != self.chat_mode:
            self.action_toggle_chat()

    @on(ChatView.Sent)
    def _chat_sent(self) -> None:
        self.prompt_area.text = ""

    @on(ChatView.Opened)
    def _chat_opened(self, message: ChatView.Opened) -> None:
        model = message.conversation.model
        self.model_input.value = model
        try:
            self.conversations.set_chat_mode(model, True)
        except OSError:
            pass  # shown all the same; the mode is not remembered
        self.chat_mode = True
        self.status_line.show_chat_idle()

    @on(ChatView.Refused)
    def _chat_refused(self, message: ChatView.Refused) -> None:
        self.status_line.show_blocked(message.reason)
        self.notify(message.reason, title="Not sent", severity="warning", markup=False)

    @on(ChatView.Busy)
    def _chat_busy(self) -> None:
        self._busy_changed()

    @on(ChatView.ReplyEnded)
    def _chat_reply_ended(self, message: ChatView.ReplyEnded) -> None:
        turn = message.turn
        self.status_line.show_reply(turn)
        if turn.outcome == "failed":
            self.notify(
                turn.error or "The reply failed",
                title="Reply failed",
                severity="error",
                markup=False,
            )

    @on(Button.Pressed, "#load-offer-button")
    def _load_pressed(self) -> None:
        self.action_load_model()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is self._worker:
            self._busy_changed()

    # --- actions ------------------------------------------------------------------------

    def action_run(self) -> None:
        """Validate what was typed and start the run (or say why not)."""
        if self.busy and self.runs.waiting is None:
            self.notify("A run is under way: escape stops it", severity="warning")
            return
        request = self._request()
        if request is not None:
            # A chat turn too is sent only once its model runs: a v1 model that is not
            # running is offered a load ("Load and run"), as a one-shot run is.
            request = replace(request, chat=self.chat_mode)
            self._hide_offer()
            self._start(request, check=request.model not in self.running_models)

    def action_send(self) -> None:
        """Chat mode: send the message (the same as "run" in one-shot mode)."""
        self.action_run()

    def action_stop(self) -> None:
        """Cancel the run: the HTTP response is closed, the partial output stays."""
        self.stop()
        self.chat.stop()

    def action_toggle_chat(self) -> None:
        """Hold a conversation with the model, or go back to one-shot runs (kept per model)."""
        if self.busy:
            self.notify("A run is under way: escape stops it", severity="warning")
            self.chat_box.value = self.chat_mode
            return
        self.chat_mode = not self.chat_mode
        model = self.model_input.value.strip()
        if is_model_id(model):
            try:
                self.conversations.set_chat_mode(model, self.chat_mode)
            except OSError as error:
                self.notify(str(error), title="Mode not saved", severity="warning", markup=False)

    async def action_new_chat(self) -> None:
        """Start a new conversation with the next message (the current one is kept)."""
        if self.chat_mode and not self.busy:
            await self.chat.show(None)
            self.status_line.show_chat_idle()

    def action_load_model(self) -> None:
        """Ask the screen for the load dialog; an offered run then waits for RUNNING."""
        request = self.runs.offered
        model = request.model if request is not None else self.model_input.value.strip()
        if not is_model_id(model):
            self.status_line.show_blocked("choose a model (org/name) to load")
            return
        self.post_message(RequestLoad(model, run_after=request is not None))

    def load_chosen(self, model: str | None) -> None:
        """The load dialog opened by "Load and run" closed, loading `model` (None: cancelled).

        The offered run waits for its model only when that very model is being loaded.
        """
        request = self.runs.offered
        if request is None:
            return
        if model != request.model:
            self.status_line.show_blocked(f"{request.model} was not loaded")
            return
        self._hide_offer()
        self.runs.wait_for(request)
        self._start(request, wait=True)

    def action_toggle_params(self) -> None:
        """Show or hide the params panel (hidden at first in small terminals)."""
        form = self.params_form
        self._params_chosen = not form.display
        self._show_params()
        focused = self.screen.focused
        if form.display:
            self.screen.set_focus(form.query_one(Input))
        elif focused is not None and form in focused.ancestors:
            self.screen.set_focus(self.prompt_area)

    def action_toggle_stream(self) -> None:
        """Stream the answer as it comes, or wait for it whole."""
        box = self.stream_box
        box.value = not box.value

    def action_edit_prompt(self) -> None:
        """Put the cursor in the prompt (in the model field while none is chosen)."""
        field = self.prompt_area if self.model_input.value.strip() else self.model_input
        # At once, not on the next turn as `focus()` does: keys typed in the same burst
        # as `i` then land in the field.
        self.screen.set_focus(field)

    def action_regenerate(self) -> None:
        """Chat mode: ask for the last reply again."""
        if not self.chat_mode:
            return
        if self.busy:
            self.notify("A reply is under way: escape stops it", severity="warning")
            return
        try:
            params = self.params_form.params()
        except ParamsInvalid as error:
            self._refuse(str(error), None)
            return
        worker = self.chat.regenerate(params)
        if worker is None:
            self.notify("Nothing to regenerate yet", severity="warning")
            return
        self._worker = worker
        self._busy_changed()

    async def action_edit_last(self) -> None:
        """Chat mode: take the last message back into the message box, to edit and resend."""
        if not self.chat_mode or self.busy:
            return
        try:
            text = await self.chat.take_last_message()
        except OSError as error:
            self.notify(str(error), title="Not edited", severity="error", markup=False)
            return
        if text is None:
            self.notify("No message to edit yet", severity="warning")
            return
        prompt = self.prompt_area
        prompt.text = text
        prompt.focus()
        prompt.move_cursor(prompt.document.end)

    def action_conversations(self) -> None:
        """List the stored conversations, to reopen, rename or delete one."""
        if self.busy:
            self.notify("A run is under way: escape stops it", severity="warning")
            return
        self.chat.choose_conversation()

    def action_copy_code(self) -> None:
        """Chat mode: copy the last code block of the last reply."""
        self.chat.copy_code()

    def action_copy_reply(self) -> None:
        """Chat mode: copy the last reply with the app's copy helper."""
        self.chat.copy_reply()

    def action_copy_output(self) -> None:
        """Copy the whole output (in chat mode, the last reply) with the app's copy helper."""
        if self.chat_mode:
            self.action_copy_reply()
            return
        text = self.output.text
        if not text:
            self.notify("Nothing to copy yet", severity="warning")
            return
        self.app.copy_to_clipboard(text)

    def action_save_output(self) -> None:
        """Write the whole output (in chat mode, the conversation as Markdown) to a new
        file in the data dir and say where."""
        if self.chat_mode:
            self.chat.export()
            return
        text = self.output.text
        if not text:
            self.notify("Nothing to save yet", severity="warning")
            return
        text = printable(text)  # a file to read, as the exports: controls shown, not acted on
        stamp = self.clock.now().strftime("%Y%m%d-%H%M%S")
        model = re.sub(r"[^\w.\-]+", "_", self.model_input.value.strip()) or "output"
        try:
            path = write_new_private(data_dir() / "outputs", f"{stamp}-{model}", text)
        except OSError as error:
            self.notify(str(error), title="Output not saved", severity="error")
            return
        self.notify(f"Saved {len(text):,} characters to {path}", title="Output saved")

    # --- helpers ------------------------------------------------------------------------

    def send_turn(self, request: RunRequest) -> None:
        self._worker = self.chat.send(request.model, request.prompt, request.params)
        self._busy_changed()

    def model_state_changed(self, *, running: str | None = None) -> None:
        if running is not None and running not in self.running_models:
            self.running_models = frozenset({*self.running_models, running})
        self._show_model_state()

    def _show_model_state(self) -> None:
        model = self.model_input.value.strip()
        running = bool(model) and model in self.running_models
        booting = not running and self.runs.booting(model)
        self.model_row.show_state(running=running, booting=booting)
