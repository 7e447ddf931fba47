"""The playground pane: pick a model, type a prompt, stream `/model/run` into a log."""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from typing import Any, ClassVar, NamedTuple

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Static, TextArea
from textual.worker import Worker

from bytez_tui.catalogue.ids import is_model_id
from bytez_tui.config import data_dir, rescue_dir
from bytez_tui.local.conversations import Conversation, ConversationStore, code_blocks
from bytez_tui.local.files import write_new_private, write_private
from bytez_tui.local.history import Recall, RunRecord
from bytez_tui.messages import RequestLoad
from bytez_tui.panes.playground.chat import ChatView
from bytez_tui.panes.playground.completion import ModelInput, ModelSuggester, NameIndex
from bytez_tui.panes.playground.keys import BINDINGS, PALETTE
from bytez_tui.panes.playground.output import OutputLog
from bytez_tui.panes.playground.params import ParamsForm, ParamsInvalid
from bytez_tui.panes.playground.run import RunRequest
from bytez_tui.panes.playground.runner import PlaygroundRuns
from bytez_tui.panes.playground.status import RunStatus
from bytez_tui.widgets.text_editor import TextEditor
from bytez_tui.widgets.toggles import MarkedCheckbox

__all__ = ["Fields", "PlaygroundPane"]

_SHORT = 30
"""Below this many rows the pane drops its spacing (class `-short`)."""
_TINY = 16
"""Below this many rows (a 60×15 terminal) the editors shrink to a few lines (`-tiny`)."""
_PARAMS_MIN_WIDTH = 70
"""Narrower than this (a 60-column terminal, not an 80), the params panel waits for ctrl+g."""


class Fields(NamedTuple):
    """Everything the user can type or see, as kept while browsing the history."""

    model: str
    prompt: str
    params: dict[str, Any]
    stream: bool
    output: str


class PlaygroundPane(PlaygroundRuns):
    """Runs a prompt on a model and streams the answer, keeping every run in a history."""

    BINDINGS: ClassVar[list[BindingType]] = list(BINDINGS)
    PALETTE: ClassVar[list[tuple[str, str, str]]] = list(PALETTE)
    """(title, help, action name) entries offered in the command palette."""

    running_models: var[Set[str]] = var(frozenset())
    """Ids of the models with a RUNNING instance (set by the screen)."""
    catalogue_names: var[Sequence[str]] = var(())
    """Every model id in the catalogue, for completion (set by the screen)."""
    chat_mode: var[bool] = var(False)
    """The pane holds a conversation (ctrl+t) instead of one-shot runs; kept per model."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._recall: Recall[Fields] = Recall(self.history)
        self._blocked_by_params = False
        self._suggester = ModelSuggester()
        self._params_chosen: bool | None = None
        """Shown or hidden by ctrl+g; None follows the terminal's size."""
        self.conversations = ConversationStore(store_key=self.settings.store_key)
        """Chat mode's conversations, and which models open in chat mode."""

    def compose(self) -> ComposeResult:
        blink = self.settings.cursor_blink
        with Horizontal(id="model-row"):
            yield Label("Model", id="model-label", markup=False)
            model = ModelInput(
                placeholder="org/name (tab or → completes)",
                suggester=self._suggester,
                compact=True,
                id="model",
            )
            model.cursor_blink = blink
            yield model
            yield Static("", id="model-state", markup=False)
            # Out of the Tab path (model → prompt → params): a Tab that missed the prompt
            # landed here and each typed space toggled it. ctrl+f or a click toggles it.
            stream = MarkedCheckbox("stream", value=True, compact=True, id="stream")
            stream.can_focus = False
            yield stream
            chat = MarkedCheckbox("chat", compact=True, id="chat-mode")
            chat.can_focus = False  # ctrl+t or a click, like "stream"
            yield chat
        with Horizontal(id="load-offer"):
            yield Static("", id="load-offer-text", markup=False)
            offer = Button("Load and run", compact=True, id="load-offer-button")
            offer.can_focus = False  # ctrl+l; not a stop between the model and the prompt
            yield offer
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
        self.query_one("#load-offer").display = False
        self.status_line.show_idle()
        self.watch(self.params_form, "problem", self._params_problem, init=False)
        # Held for `on_unmount`, which runs once the children are already gone.
        self._fields = (self.model_input, self.prompt_area, self.output)

    def on_unmount(self) -> None:
        if self.app.return_code:  # the app is going down on an unexpected error
            self._rescue()

    def _rescue(self) -> None:
        """Keep what the user had (model, prompt, output) in a private file in
        `rescue_dir()`; the command line names it after the traceback."""
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
        self._suggester.set_running(running)
        self._show_model_state()
        waiting = self._waiting
        if waiting is not None and waiting.model in running:
            self.instance_ready(waiting.model)

    def watch_catalogue_names(self, names: Sequence[str]) -> None:
        self._index_catalogue(names)

    async def watch_chat_mode(self, chat: bool) -> None:
        self.set_class(chat, "-chat")
        with self.chat_box.prevent(Checkbox.Changed):
            self.chat_box.value = chat
        self.prompt_area.border_title = "Message" if chat else "Prompt"
        self.prompt_area.placeholder = "Type a message…" if chat else "Type a prompt…"
        if chat:
            self.status_line.show_chat_idle()
            await self._reopen_latest()
        else:
            self.status_line.show_idle()

    # --- typed accessors ----------------------------------------------------------------

    @property
    def model_input(self) -> Input:
        return self.query_one("#model", Input)

    @property
    def prompt_area(self) -> TextArea:
        return self.query_one("#prompt", TextArea)

    @property
    def params_form(self) -> ParamsForm:
        return self.query_one(ParamsForm)

    @property
    def stream_box(self) -> Checkbox:
        return self.query_one("#stream", Checkbox)

    @property
    def chat_box(self) -> Checkbox:
        return self.query_one("#chat-mode", Checkbox)

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

    def instance_ready(self, model: str) -> None:
        """`model` is RUNNING now: start the run that was waiting for it, if any."""
        waiting = self._waiting
        if waiting is not None and waiting.model == model:
            self._waiting = None
            self._start(waiting, check=False)

    # --- events -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            # Escape falls through to the app's "leave the text field" when nothing runs.
            return self.busy
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
        offered = self._offered
        if offered is not None and offered.model != self.model_input.value.strip():
            self._hide_offer()

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
        if self.busy and self._waiting is None:
            self.notify("A run is under way: escape stops it", severity="warning")
            return
        request = self._request()
        if request is not None and self.chat_mode:
            self._worker = self.chat.send(request.model, request.prompt, request.params)
            self._busy_changed()
        elif request is not None:
            self._hide_offer()
            self._start(request, check=request.model not in self.running_models)

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
        request = self._offered
        model = request.model if request is not None else self.model_input.value.strip()
        if not is_model_id(model):
            self.status_line.show_blocked("choose a model (org/name) to load")
            return
        self.post_message(RequestLoad(model, run_after=request is not None))

    def load_chosen(self, model: str | None) -> None:
        """The load dialog opened by "Load and run" closed, loading `model` (None: cancelled).

        The offered run waits for its model only when that very model is being loaded.
        """
        request = self._offered
        if request is None:
            return
        if model != request.model:
            self.status_line.show_blocked(f"{request.model} was not loaded")
            return
        self._hide_offer()
        self._waiting = request
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

    def action_history_older(self) -> None:
        """Show the previous run from the history (what was typed is kept)."""
        self._recall_step(older=True)

    def action_history_newer(self) -> None:
        """Show the next run, or return to what was being typed after the newest."""
        self._recall_step(older=False)

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
        from bytez_tui.screens.conversations import ConversationsDialog

        if self.busy:
            self.notify("A run is under way: escape stops it", severity="warning")
            return
        self.app.push_screen(ConversationsDialog(self.conversations), self._reopen)

    def _reopen(self, conversation: Conversation | None) -> None:
        if conversation is not None:
            self.run_worker(
                self._show_conversation(conversation),
                group="chat-open",
                exclusive=True,
                exit_on_error=False,
            )

    async def _show_conversation(self, conversation: Conversation) -> None:
        await self.chat.show(conversation)  # first: chat mode then keeps it for its model
        self.model_input.value = conversation.model
        try:
            self.conversations.set_chat_mode(conversation.model, True)
        except OSError:
            pass  # shown all the same; the mode is not remembered
        self.chat_mode = True
        self.status_line.show_chat_idle()

    def action_copy_code(self) -> None:
        """Chat mode: copy the last code block of the last reply."""
        reply = self.chat.last_reply
        blocks = code_blocks(reply.content) if reply is not None else []
        if not blocks:
            self.notify("No code block in the last reply", severity="warning")
            return
        self.app.copy_to_clipboard(blocks[-1])

    def action_copy_output(self) -> None:
        """Copy the whole output (in chat mode, the last reply) with the app's copy helper."""
        if self.chat_mode:
            reply = self.chat.last_reply
            if reply is None or not reply.content:
                self.notify("No reply to copy yet", severity="warning")
                return
            self.app.copy_to_clipboard(reply.content)
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
            self._export_chat()
            return
        text = self.output.text
        if not text:
            self.notify("Nothing to save yet", severity="warning")
            return
        stamp = self.clock.now().strftime("%Y%m%d-%H%M%S")
        model = re.sub(r"[^\w.\-]+", "_", self.model_input.value.strip()) or "output"
        try:
            path = write_new_private(data_dir() / "outputs", f"{stamp}-{model}", text)
        except OSError as error:
            self.notify(str(error), title="Output not saved", severity="error")
            return
        self.notify(f"Saved {len(text):,} characters to {path}", title="Output saved")

    # --- workers ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="playground-index", exit_on_error=False)
    def _index_catalogue(self, names: Sequence[str]) -> None:
        index = NameIndex(names)
        self.app.call_from_thread(self._suggester.set_catalogue, index)

    # --- helpers ------------------------------------------------------------------------

    def _request(self) -> RunRequest | None:
        """The run described by the fields, or None after saying what is missing."""
        model = self.model_input.value.strip()
        prompt = self.prompt_area.text
        if not model:
            self._refuse("choose a model first", self.model_input)
            return None
        if not is_model_id(model):
            self._refuse(f"{model!r} is not a model id (org/name)", self.model_input)
            return None
        if not prompt.strip():
            self._refuse("type a prompt first", self.prompt_area)
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
        )

    def _export_chat(self) -> None:
        conversation = self.chat.conversation
        if conversation is None or not conversation.turns:
            self.notify("Nothing to export yet", severity="warning")
            return
        stamp = self.clock.now().strftime("%Y%m%d-%H%M%S")
        model = re.sub(r"[^\w.\-]+", "_", conversation.model)
        path = data_dir() / "chats" / f"{stamp}-{model}-{conversation.id}.md"
        try:
            write_private(path, conversation.to_markdown())
        except OSError as error:
            self.notify(str(error), title="Not exported", severity="error", markup=False)
            return
        self.notify(f"Saved the conversation to {path}", title="Exported", markup=False)

    async def _reopen_latest(self) -> None:
        """Show the latest conversation with the chosen model (or none)."""
        model = self.model_input.value.strip()
        shown = self.chat.conversation
        if shown is not None and shown.model == model:
            return
        try:
            latest = self.conversations.latest(model) if is_model_id(model) else None
        except OSError as error:
            self.notify(
                str(error), title="Conversations unavailable", severity="error", markup=False
            )
            latest = None
        await self.chat.show(latest)

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

    def model_state_changed(self, *, running: str | None = None) -> None:
        if running is not None and running not in self.running_models:
            self.running_models = frozenset({*self.running_models, running})
        self._show_model_state()

    def _show_model_state(self) -> None:
        model = self.model_input.value.strip()
        running = bool(model) and model in self.running_models
        booting = not running and self._waiting is not None and self._waiting.model == model
        state = self.query_one("#model-state", Static)
        state.update("● running" if running else "◌ booting" if booting else "")
        state.set_class(running, "-running")
        state.set_class(booting, "-booting")

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
            moved, record, saved = self._recall.step(older=older, current=self._capture())
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
        self._recall.shown(self._capture())

    def run_finished(self, record: RunRecord) -> None:
        self._recall.reset()

    def _show_record(self, record: RunRecord) -> None:
        self.model_input.value = record.model
        self.prompt_area.text = record.prompt
        self.params_form.set_params(record.params)
        self.stream_box.value = record.stream
        self.output.set_text(record.output)
        self.output.border_subtitle = record.outcome
        self.status_line.show_record(record, recalled=True)
