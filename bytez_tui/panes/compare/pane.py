"""The Compare pane: one prompt on two or three models, side by side, each streaming on its own.

The fields, keys and history browsing; the runs themselves are `CompareRuns`'
(`runner.py`). A comparison is saved whole when the last column ends
(`bytez_tui.local.comparisons`), and again when a winner is marked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence, Set
from dataclasses import replace
from typing import Any, ClassVar, NamedTuple

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Static, TextArea

from bytez_tui.catalogue.ids import is_model_id
from bytez_tui.comparing import column_params
from bytez_tui.config import data_dir
from bytez_tui.local.comparisons import Comparison
from bytez_tui.local.files import write_new_private
from bytez_tui.panes.compare.column import CompareColumn, params_problem
from bytez_tui.panes.compare.keys import BINDINGS, LETTERS, PALETTE
from bytez_tui.panes.compare.runner import CompareRequest, CompareRuns
from bytez_tui.panes.playground.completion import ModelSuggester, NameIndex
from bytez_tui.prompting import ParamsError, parse_params
from bytez_tui.widgets.pane_tabs import PaneTabs
from bytez_tui.widgets.text_editor import TextEditor
from bytez_tui.widgets.text_fields import TextInput
from bytez_tui.widgets.toggles import MarkedCheckbox

__all__ = ["ComparePane", "Draft"]

_SHORT = 30
"""Below this many rows the pane drops its spacing (class `-short`)."""
_TINY = 16
"""Below this many rows (a 60×15 terminal) the pane scrolls (`-tiny`)."""


class Draft(NamedTuple):
    """What is typed, as kept while the history is browsed."""

    prompt: str
    params: str
    models: tuple[str, ...]
    overrides: tuple[str, ...]


class ComparePane(CompareRuns):
    """Runs one prompt on two or three models at once and shows the answers side by side."""

    BINDINGS: ClassVar[list[BindingType]] = list(BINDINGS)
    PALETTE: ClassVar[list[tuple[str, str, str]]] = list(PALETTE)

    catalogue_names: var[Sequence[str]] = var(())
    """Every model id in the catalogue, for completion (set by the screen)."""
    front: var[int] = var(0, init=False)
    """The column shown when the terminal is too narrow for all three (its tab)."""
    chat_mode: var[bool] = var(False, init=False)
    """One shared conversation (ctrl+t): each `ctrl+j` sends the next user turn to every
    column, and each column's model sees its own earlier replies."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._suggester = ModelSuggester()
        self._history: list[Comparison] | None = None
        self._position: int | None = None
        self._draft: Draft | None = None

    def compose(self) -> ComposeResult:
        blink = self.settings.cursor_blink
        prompt = TextEditor(id="compare-prompt", soft_wrap=True, placeholder="Type a prompt…")
        prompt.cursor_blink = blink
        prompt.border_title = "Prompt (shared)"
        yield prompt
        with Horizontal(id="compare-params-row"):
            yield Label("Params", id="compare-params-label", markup=False)
            params = TextInput(
                placeholder='shared by every column, e.g. {"max_new_tokens": 64}',
                compact=True,
                id="compare-params",
            )
            params.cursor_blink = blink
            yield params
            yield MarkedCheckbox("chat", compact=True, id="compare-chat")
        system = TextInput(
            placeholder="System prompt (optional, sent first to every model)",
            compact=True,
            id="compare-system",
        )
        system.cursor_blink = blink
        system.display = False  # chat mode only
        yield system
        tabs = PaneTabs([(f"column-{i}", letter) for i, letter in enumerate(LETTERS)], active="")
        tabs.id = "compare-tabs"
        yield tabs
        with Horizontal(id="columns"):
            for index in range(len(LETTERS)):
                yield CompareColumn(
                    index, suggester=self._suggester, cursor_blink=blink, id=f"column-{index}"
                )
        yield Static("", id="compare-status", markup=False)

    def on_mount(self) -> None:
        # Textual also calls CompareRuns.on_mount and Pane's handlers (MRO dispatch).
        self.watch_front(self.front)
        self.watch_chat_mode(self.chat_mode)

    def on_resize(self, event: events.Resize) -> None:
        # Pane sets `-narrow` (under 100 columns) in its own handler.
        self.set_class(event.size.height < _SHORT, "-short")
        self.set_class(event.size.height < _TINY, "-tiny")

    def on_descendant_blur(self) -> None:
        self.call_after_refresh(self._keep_keys_alive)

    def _keep_keys_alive(self) -> None:
        # Escape (the app's "leave the field") leaves focus nowhere, where the pane's keys
        # are dead; the front column's output takes it instead, which is not a text field.
        screen = self.screen
        if screen.focused is None and screen is self.app.screen and self.is_on_screen:
            self.columns[self.front].output.focus()

    def watch_front(self, front: int) -> None:
        self.query_one(PaneTabs).active = f"column-{front}"
        for column in self.columns:
            column.set_class(column.index == front, "-front")

    def watch_chat_mode(self, chat: bool) -> None:
        self.set_class(chat, "-chat")
        self.system_input.display = chat
        with self.chat_box.prevent(Checkbox.Changed):
            self.chat_box.value = chat
        self.prompt_area.border_title = "Message (shared)" if chat else "Prompt (shared)"
        self._idle()

    def watch_running_models(self, running: Set[str]) -> None:
        self._suggester.set_running(running)
        self._show_states()

    def watch_catalogue_names(self, names: Sequence[str]) -> None:
        if names:  # not the empty default at mount: a worker cancelled by the real list
            self._index_catalogue(names)  # made `workers.wait_for_complete()` raise

    # --- typed accessors ----------------------------------------------------------------

    @property
    def prompt_area(self) -> TextArea:
        return self.query_one("#compare-prompt", TextArea)

    @property
    def params_input(self) -> Input:
        return self.query_one("#compare-params", Input)

    @property
    def system_input(self) -> Input:
        return self.query_one("#compare-system", Input)

    @property
    def chat_box(self) -> Checkbox:
        return self.query_one("#compare-chat", Checkbox)

    @property
    def focus_target(self) -> Widget:
        # Not a text field: the app's one-key shortcuts (1-5, /, q) and a/b/c still work.
        return self.columns[self.front].output

    # --- what the screen calls ----------------------------------------------------------

    def open_models(self, models: Sequence[str]) -> None:
        """Put `models` in the first columns and the cursor in the prompt."""
        for column, model in zip(self.columns, models, strict=False):
            column.model_input.value = model
        self.screen.set_focus(self.prompt_area)

    # --- events -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            # Escape falls through to the app's "leave the text field" when nothing runs.
            return self.busy
        if action == "stop_column":
            return bool(parameters) and parameters[0] in self._live
        if action == "mark_winner":
            # Only once a comparison has ended: before, A/B/C are let through (and hidden).
            return self._shown is not None and not self._live
        if action in ("new_chat", "copy_reply"):
            return self.chat_mode
        if action == "copy_column":
            return not self.chat_mode  # chat mode's ctrl+o copies the reply instead
        if action == "cross_column":
            step = parameters[0] if parameters else 0
            return isinstance(step, int) and self._tabs_off_front_column(step)
        return super().check_action(action, parameters)

    @on(PaneTabs.Chosen, "#compare-tabs")
    def _tab_chosen(self, message: PaneTabs.Chosen) -> None:
        message.stop()  # the screen's own tab bar must not see a column's tab
        self.action_show_column(int(message.pane_id.rpartition("-")[2]))

    @on(Checkbox.Changed, "#compare-chat")
    def _chat_box_changed(self, event: Checkbox.Changed) -> None:
        if event.value != self.chat_mode:
            self.action_toggle_chat()

    @on(Input.Changed)
    def _field_changed(self, event: Input.Changed) -> None:
        if event.input.id == "compare-params" or event.input.has_class("column-params"):
            event.input.set_class(bool(params_problem(event.value)), "-invalid")
        if event.input.has_class("column-model"):
            self._show_states()

    # --- actions ------------------------------------------------------------------------

    def action_run(self) -> None:
        """Check what was typed and run every column (or say why not)."""
        if self.busy:
            self.notify("A comparison is under way: escape stops it", severity="warning")
            return
        request = self._make_request()
        if request is not None:
            self._checker = self._check(request)
            self._busy_changed()

    def action_toggle_chat(self) -> None:
        """Hold one conversation with every model, or go back to one-shot prompts; either
        way the next `ctrl+j` starts afresh (what was shown stays in the history)."""
        if self.busy:
            self.notify("A comparison is under way: escape stops it", severity="warning")
            with self.chat_box.prevent(Checkbox.Changed):
                self.chat_box.value = self.chat_mode
            return
        self.chat_mode = not self.chat_mode
        self._clear_columns()

    def action_new_chat(self) -> None:
        """Start a new shared conversation with the next message (chat mode)."""
        if not self.busy:
            self._clear_columns()

    def action_show_column(self, index: int) -> None:
        """Go to a column: its model field while empty, else its output (its tab comes to
        the front in a narrow terminal)."""
        self.front = index
        column = self.columns[index]
        self.screen.set_focus(column.output if column.model else column.model_input)

    def action_cross_column(self, step: int) -> None:
        """Tab off the edge of the front column in a narrow terminal: the next column
        (`step` 1, at its model field) or the previous one (-1, at its output)."""
        self.front += step
        column = self.columns[self.front]
        self.screen.set_focus(column.model_input if step > 0 else column.output)

    def _tabs_off_front_column(self, step: int) -> bool:
        """Whether tab (`step` 1) or shift+tab (-1) would leave the front column for a
        widget outside it while the columns are tabs and another column lies that way:
        the hidden columns are out of the focus chain, so tab went on to the prompt."""
        if not self.has_class("-narrow") or not 0 <= self.front + step < len(self.columns):
            return False
        front, focused = self.columns[self.front], self.screen.focused
        chain = self.screen.focus_chain
        if focused is None or front not in focused.ancestors or focused not in chain:
            return False
        after = chain[(chain.index(focused) + step) % len(chain)]
        return front not in after.ancestors_with_self

    def action_mark_winner(self, index: int) -> None:
        """Mark a column the winner (again: no winner); a saved comparison keeps it."""
        shown = self._shown
        if shown is None:
            return
        positions = self._positions(shown)
        if index not in positions:
            self.notify(f"Column {LETTERS[index]} took no part", severity="warning")
            return
        self._winner = None if self._winner == index else index
        winner = None if self._winner is None else positions.index(self._winner)
        try:
            self._shown = self.store.save(replace(shown, winner=winner))
        except OSError as error:
            self.notify(str(error), title="Winner not saved", severity="error", markup=False)
        self._history = None
        self._show_states()
        self._say_saved()
        self.refresh_bindings()

    def action_edit_prompt(self) -> None:
        """Put the cursor in the shared prompt."""
        self.screen.set_focus(self.prompt_area)

    def action_load_models(self) -> None:
        """Offer to load the models that are not running (as `ctrl+j` does)."""
        self.action_run()

    def action_copy_column(self) -> None:
        """Copy the text of the column with the focus (else the front column's)."""
        text = self._focused_column().output.text
        if not text:
            self.notify("Nothing to copy yet", severity="warning")
            return
        self.app.copy_to_clipboard(text)

    def action_copy_reply(self) -> None:
        """Chat mode: copy the last reply of the column with the focus (else the front
        column's), not the whole transcript."""
        index = self._focused_column().index
        reply = ""
        if index in self._live:
            reply = self._runs[index].text
        elif self._shown is not None:
            positions = self._positions(self._shown)
            if index in positions:
                reply = self._shown.columns[positions.index(index)].output
        if not reply:
            self.notify("No reply to copy yet", severity="warning")
            return
        self.app.copy_to_clipboard(reply)

    def _focused_column(self) -> CompareColumn:
        focused = self.screen.focused
        return next(
            (c for c in self.columns if focused is not None and c in focused.ancestors_with_self),
            self.columns[self.front],
        )

    def action_export(self) -> None:
        """Save the comparison as a side-by-side Markdown file (0600) in the data dir."""
        shown = self._shown
        if shown is None:
            self.notify("Nothing to export yet: run a comparison first", severity="warning")
            return
        stamp = self.clock.now().strftime("%Y%m%d-%H%M%S")
        try:
            path = write_new_private(
                data_dir() / "comparisons", f"{stamp}-compare", shown.to_markdown(), suffix=".md"
            )
        except OSError as error:
            self.notify(str(error), title="Not exported", severity="error", markup=False)
            return
        self.notify(f"Saved the comparison to {path}", title="Exported", markup=False)

    def action_history_older(self) -> None:
        """Reopen the previous saved comparison (what is typed is kept)."""
        self._recall(+1)

    def action_history_newer(self) -> None:
        """Reopen the next saved comparison, or return to what was typed after the newest."""
        self._recall(-1)

    # --- workers ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="compare-index", exit_on_error=False)
    def _index_catalogue(self, names: Sequence[str]) -> None:
        index = NameIndex(names)
        self.app.call_from_thread(self._suggester.set_catalogue, index)

    # --- running ------------------------------------------------------------------------

    # --- helpers ------------------------------------------------------------------------

    def _make_request(self) -> CompareRequest | None:
        """The comparison described by the fields, or None after saying what is missing."""
        prompt = self.prompt_area.text
        try:
            shared = parse_params(self.params_input.value)
        except ParamsError as error:
            return self._refuse(f"Params: {error}", self.params_input)
        columns: list[tuple[int, str, dict[str, Any]]] = []
        for column in self.columns:
            model = column.model
            if not model:
                continue
            if not is_model_id(model):
                return self._refuse(
                    f"column {column.letter}: {model!r} is not a model id (org/name)",
                    column.model_input,
                )
            if model in [chosen for _, chosen, _ in columns]:
                return self._refuse(
                    f"column {column.letter}: {model} is already compared", column.model_input
                )
            try:
                override = column.override()
            except ParamsError as error:
                return self._refuse(f"column {column.letter} params: {error}", column.params_input)
            columns.append((column.index, model, column_params(shared, override)))
        if len(columns) < 2:
            empty = next(c for c in self.columns if not c.model)
            return self._refuse("choose two or three models to compare", empty.model_input)
        if not prompt.strip():
            return self._refuse("type a prompt first", self.prompt_area)
        request = CompareRequest(prompt, shared, tuple(columns), self.clock.now().isoformat())
        if not self.chat_mode:
            return request
        thread = self._shown
        models = [model for _, model, _ in columns]
        if thread is not None and (
            not thread.chat or [column.model for column in thread.columns] != models
        ):
            thread = None  # other models (or a one-shot comparison): a new conversation
        return replace(request, chat=True, system=self.system_input.value, thread=thread)

    def _refuse(self, reason: str, field: Input | TextArea) -> CompareRequest | None:
        """Say why nothing runs and put the cursor where the problem is (returns None)."""
        self._say("-blocked", f"Not run: {reason}")
        self.notify(reason, title="Not run", severity="warning", markup=False)
        field.focus()
        return None

    def _idle(self) -> None:
        if self.chat_mode:
            self._say("", "ctrl+j sends to all · ctrl+n new chat · ctrl+t chat off · esc stops")
        else:
            self._say(
                # The winner's keys come with the end of a comparison (see _say_saved).
                "",
                "ctrl+j runs all · esc stops all · alt+a/b/c stops one · a/b/c or tab: columns",
            )

    def _clear_columns(self) -> None:
        """Empty the columns' outputs: the next run starts a new comparison."""
        for column in self.columns:
            column.output.set_text("")
            column.show("", "")
        self._shown, self._winner, self._request = None, None, None
        self._show_states()
        self._idle()
        self.refresh_bindings()

    def _positions(self, comparison: Comparison) -> list[int]:
        """The column index of each of `comparison`'s columns, as on screen."""
        if self._request is not None and self._position is None:
            return [index for index, _, _ in self._request.columns]
        return list(range(len(comparison.columns)))

    def comparison_started(self) -> None:
        self._position, self._draft, self._history = None, None, None
        if self.chat_mode:
            self.prompt_area.text = ""  # sent: the next turn is typed afresh

    def _capture(self) -> Draft:
        return Draft(
            self.prompt_area.text,
            self.params_input.value,
            tuple(column.model_input.value for column in self.columns),
            tuple(column.params_input.value for column in self.columns),
        )

    def _restore(self, draft: Draft) -> None:
        self.prompt_area.text = draft.prompt
        self.params_input.value = draft.params
        for column, model, override in zip(
            self.columns, draft.models, draft.overrides, strict=True
        ):
            column.model_input.value = model
            column.params_input.value = override
            column.output.set_text("")
            column.show("", "")
        self._shown, self._winner = None, None
        self._show_states()
        self._idle()
        self.refresh_bindings()

    def _recall(self, step: int) -> None:
        if self.busy:
            self.notify("A comparison is under way: escape stops it", severity="warning")
            return
        try:
            if self._history is None:
                self._history = self.store.list()
        except OSError as error:
            self.notify(str(error), title="History unavailable", severity="error", markup=False)
            return
        entries = self._history
        position = (-1 if self._position is None else self._position) + step
        if position >= len(entries):
            self.notify("No older comparisons in the history")
            return
        if position < 0:
            if self._position is not None and self._draft is not None:
                self._position = None
                self._restore(self._draft)
            return
        if self._position is None:
            self._draft = self._capture()
        self._position = position
        self._show_comparison(entries[position])

    def _show_comparison(self, comparison: Comparison) -> None:
        """Put a saved comparison on screen, as it was run."""
        self._request = None
        self._shown = comparison
        self.chat_mode = comparison.chat  # a conversation reopened goes on with ctrl+j
        self.prompt_area.text = "" if comparison.chat else comparison.prompt
        self.system_input.value = comparison.system
        self.params_input.value = _json(comparison.params)
        for index, column in enumerate(self.columns):
            if index < len(comparison.columns):
                record = comparison.columns[index]
                override = {
                    key: value
                    for key, value in record.params.items()
                    if comparison.params.get(key, object()) != value
                }
                column.model_input.value = record.model
                column.params_input.value = _json(override)
                column.output.set_text(
                    comparison.transcript(index) if comparison.chat else record.output
                )
                column.show_record(record)
            else:
                column.model_input.value = column.params_input.value = ""
                column.output.set_text("")
                column.show("", "")
        self._winner = comparison.winner
        self._show_states()
        when = comparison.time[:19].replace("T", " ")
        self._say("-done", f"history {when} · #{comparison.id} · ctrl+↑/↓ browses")
        self.refresh_bindings()


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False) if value else ""
