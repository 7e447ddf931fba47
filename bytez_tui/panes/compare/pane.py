"""The Compare pane: one prompt on two or three models, side by side, each streaming on its own.

The pane checks what was typed in its fields (`CompareForm`) and the columns, then hands
the comparison to its board (`CompareBoard`), which checks that the models run (the
screen offers one load dialog for those that do not) and runs each column on its own
(`CompareColumn`); `escape` stops them all. What the pane knows (the request,
each column's run, the live columns, the winner) is kept by a `ComparisonBook`
(`bytez_tui.local.comparison_book`). The board saves a comparison whole when the last
column ends (`bytez_tui.local.comparisons`), and again when a winner is marked.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.reactive import var
from textual.widget import Widget
from textual.widgets import Checkbox, Input, TextArea

from bytez_tui.comparing import CompareRequest, Typed, compare_request, export_markdown
from bytez_tui.local.comparison_book import ComparisonBook
from bytez_tui.local.comparisons import Comparison, ComparisonStore
from bytez_tui.panes.base import Pane, PaneMessage
from bytez_tui.panes.compare.board import CompareBoard
from bytez_tui.panes.compare.column import ColumnSetup, CompareColumn, params_problem
from bytez_tui.panes.compare.columns import CompareColumns, params_text
from bytez_tui.panes.compare.form import CompareForm
from bytez_tui.panes.compare.keys import BINDINGS, PALETTE
from bytez_tui.panes.compare.status import CompareStatus
from bytez_tui.panes.playground.completion import ModelSuggester, NameIndex
from bytez_tui.prompting import NotRun
from bytez_tui.widgets.pane_tabs import PaneTabs

__all__ = ["ComparePane"]

_SHORT = 30
"""Below this many rows the pane drops its spacing (class `-short`)."""
_TINY = 16
"""Below this many rows (a 60×15 terminal) the pane scrolls (`-tiny`)."""


class ComparePane(Pane):
    """Runs one prompt on two or three models at once and shows the answers side by side."""

    BINDINGS: ClassVar[list[BindingType]] = list(BINDINGS)
    PALETTE: ClassVar[list[tuple[str, str, str]]] = list(PALETTE)

    running_models: var[Set[str]] = var(frozenset())
    """Ids of the models with a RUNNING instance (set by the screen)."""
    catalogue_names: var[Sequence[str]] = var(())
    """Every model id in the catalogue, for completion (set by the screen)."""
    front: var[int] = var(0, init=False)
    """The column shown when the terminal is too narrow for all three (its tab)."""
    chat_mode: var[bool] = var(False, init=False)
    """One shared conversation (ctrl+t): each `ctrl+j` sends the next user turn to every
    column, and each column's model sees its own earlier replies."""

    @dataclass
    class LoadRequested(PaneMessage):
        """These models are not running: ask the user to load them all (one dialog); the
        screen answers with `load_chosen`."""

        models: tuple[str, ...]
        """The models to load."""

    @dataclass
    class BusyChanged(PaneMessage):
        """Columns started, or the last one ended (the tab spins meanwhile)."""

        busy: bool
        """A column streams, or waits for its model."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.book: ComparisonBook[Typed] = ComparisonBook(
            ComparisonStore(store_key=self.settings.store_key)
        )
        """The comparison running or shown, each column's run, and the saved ones."""
        self._suggester = ModelSuggester()

    def compose(self) -> ComposeResult:
        blink = self.settings.cursor_blink
        yield CompareForm(cursor_blink=blink, id="compare-form")
        setup = ColumnSetup(
            api=self.api,
            clock=self.clock,
            suggester=self._suggester,
            cursor_blink=blink,
            hide_echo=self.settings.hide_prompt_echo,
        )
        yield CompareBoard(self.book, setup, id="compare-board")

    def on_mount(self) -> None:
        self.watch_front(self.front)
        self.watch_chat_mode(self.chat_mode)
        self.watch_paused(self.paused)
        self.board.show_states()

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
        self.board.set_front(front)

    def watch_chat_mode(self, chat: bool) -> None:
        self.set_class(chat, "-chat")
        self.form.show_chat(chat)
        self.status_line.show_idle(chat=self.chat_mode)

    def watch_paused(self, paused: bool) -> None:
        for column in self.query(CompareColumn):  # none yet while the pane mounts
            column.paused = paused

    def watch_running_models(self, running: Set[str]) -> None:
        self._suggester.set_running(running)
        self.board.running_models = running
        self.board.show_states()

    def watch_catalogue_names(self, names: Sequence[str]) -> None:
        if names:  # not the empty default at mount: a worker cancelled by the real list
            self._index_catalogue(names)  # made `workers.wait_for_complete()` raise

    # --- typed accessors ----------------------------------------------------------------

    @property
    def board(self) -> CompareBoard:
        return self.query_one(CompareBoard)

    @property
    def column_row(self) -> CompareColumns:
        return self.board.column_row

    @property
    def columns(self) -> list[CompareColumn]:
        """The three columns, A to C."""
        return self.board.columns

    @property
    def status_line(self) -> CompareStatus:
        return self.board.status_line

    @property
    def busy(self) -> bool:
        """A column streams or waits, or the models are being checked."""
        return self.board.busy

    @property
    def winner(self) -> int | None:
        """The column marked the winner (0 is A), if any."""
        return self.book.winner

    @property
    def shown(self) -> Comparison | None:
        """The finished comparison on screen, as saved (None while running or typing)."""
        return self.book.shown

    @property
    def form(self) -> CompareForm:
        return self.query_one(CompareForm)

    @property
    def prompt_area(self) -> TextArea:
        return self.form.prompt_area

    @property
    def params_input(self) -> Input:
        return self.form.params_input

    @property
    def system_input(self) -> Input:
        return self.form.system_input

    @property
    def chat_box(self) -> Checkbox:
        return self.form.chat_box

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

    def load_chosen(self, loaded: bool) -> None:
        """The load dialog closed: the models were loaded (each column then runs once its
        model is RUNNING), or not (nothing runs)."""
        self.board.load_chosen(loaded)

    # --- events -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            # Escape falls through to the app's "leave the text field" when nothing runs.
            return self.busy
        if action == "stop_column":
            return bool(parameters) and parameters[0] in self.book.live
        if action == "mark_winner":
            # Only once a comparison has ended: before, A/B/C are let through (and hidden).
            return self.book.shown is not None and not self.book.live
        if action in ("new_chat", "copy_reply"):
            return self.chat_mode
        if action == "copy_column":
            return not self.chat_mode  # chat mode's ctrl+o copies the reply instead
        if action == "cross_column":
            step = parameters[0] if parameters else 0
            narrow = self.has_class("-narrow")
            return isinstance(step, int) and narrow and self.column_row.tabs_off(self.front, step)
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
            self.board.show_states()

    @on(CompareColumn.ModelRunning)
    def _column_model_running(self, message: CompareColumn.ModelRunning) -> None:
        self.running_models = frozenset({*self.running_models, message.model})

    @on(CompareBoard.LoadRequested)
    def _load_requested(self, message: CompareBoard.LoadRequested) -> None:
        message.stop()
        self.post_message(self.LoadRequested(self, message.models))

    @on(CompareBoard.Began)
    def _began(self, message: CompareBoard.Began) -> None:
        if message.request.chat:
            self.prompt_area.text = ""  # sent: the next turn is typed afresh
        self._busy_changed()

    # --- actions ------------------------------------------------------------------------

    def action_run(self) -> None:
        """Check what was typed and run every column (or say why not)."""
        if self.busy:
            self.notify("A comparison is under way: escape stops it", severity="warning")
            return
        request = self._make_request()
        if request is not None:
            self.board.check(request)
            self._busy_changed()

    def action_stop(self) -> None:
        """Stop every column: each keeps what arrived."""
        self.board.stop()
        self._busy_changed()

    def action_stop_column(self, index: int) -> None:
        """Stop one column; the others go on."""
        self.columns[index].stop()

    def action_toggle_chat(self) -> None:
        """Hold one conversation with every model, or go back to one-shot prompts; either
        way the next `ctrl+j` starts afresh (what was shown stays in the history)."""
        if self.busy:
            self.notify("A comparison is under way: escape stops it", severity="warning")
            self.form.show_chat(self.chat_mode)  # the switch goes back
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

    def action_mark_winner(self, index: int) -> None:
        """Mark a column the winner (again: no winner); a saved comparison keeps it."""
        if self.book.shown is not None:
            self.board.mark_winner(index)
            self.refresh_bindings()

    def action_edit_prompt(self) -> None:
        """Put the cursor in the shared prompt."""
        self.screen.set_focus(self.prompt_area)

    def action_load_models(self) -> None:
        """Offer to load the models that are not running (as `ctrl+j` does)."""
        self.action_run()

    def action_copy_column(self) -> None:
        """Copy the text of the column with the focus (else the front column's)."""
        text = self.column_row.focused(self.front).output.text
        if not text:
            self.notify("Nothing to copy yet", severity="warning")
            return
        self.app.copy_to_clipboard(text)

    def action_copy_reply(self) -> None:
        """Chat mode: copy the last reply of the column with the focus (else the front
        column's), not the whole transcript."""
        reply = self.book.reply(self.column_row.focused(self.front).index)
        if not reply:
            self.notify("No reply to copy yet", severity="warning")
            return
        self.app.copy_to_clipboard(reply)

    def action_export(self) -> None:
        """Save the comparison as a side-by-side Markdown file (0600) in the data dir."""
        shown = self.book.shown
        if shown is None:
            self.notify("Nothing to export yet: run a comparison first", severity="warning")
            return
        try:
            path = export_markdown(shown, at=self.clock.now())
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

    # --- helpers ------------------------------------------------------------------------

    def _make_request(self) -> CompareRequest | None:
        """The comparison described by the fields, or None after saying what is missing."""
        try:
            return compare_request(
                self.prompt_area.text,
                self.params_input.value,
                [(c.model_input.value, c.params_input.value) for c in self.columns],
                time=self.clock.now().isoformat(),
                chat=self.chat_mode,
                system=self.system_input.value,
                shown=self.book.shown,
            )
        except NotRun as refusal:
            self.status_line.show_blocked(refusal.reason)
            self.notify(refusal.reason, title="Not run", severity="warning", markup=False)
            self._field(refusal).focus()
            return None

    def _field(self, refusal: NotRun) -> Input | TextArea:
        """The field a refusal points at."""
        if refusal.field == "prompt":
            return self.prompt_area
        if refusal.column is None:
            return self.params_input
        column = self.columns[refusal.column]
        return column.model_input if refusal.field == "model" else column.params_input

    @on(CompareBoard.CheckEnded)
    @on(CompareColumn.Ended)  # the board has taken the end in (and saved the last one's)
    def _busy_changed(self) -> None:
        self.set_class(self.busy, "-busy")
        self.refresh_bindings()
        self.post_message(self.BusyChanged(self, self.busy))

    def _clear_columns(self) -> None:
        """Empty the columns' outputs: the next run starts a new comparison."""
        self.board.clear(chat=self.chat_mode)
        self.refresh_bindings()

    def _capture(self) -> Typed:
        models, overrides = self.column_row.typed()
        return Typed(self.prompt_area.text, self.params_input.value, models, overrides)

    def _recall(self, step: int) -> None:
        if self.busy:
            self.notify("A comparison is under way: escape stops it", severity="warning")
            return
        try:
            shown = self.book.browse(step, self._capture())
        except IndexError as error:
            self.notify(str(error))
            return
        except OSError as error:
            self.notify(str(error), title="History unavailable", severity="error", markup=False)
            return
        if isinstance(shown, Comparison):
            self._show_comparison(shown)
        elif shown is not None:
            self.prompt_area.text = shown.prompt
            self.params_input.value = shown.params
            self.column_row.retype(shown.models, shown.overrides)
        self.board.show_states()
        if shown is not None and not isinstance(shown, Comparison):
            self.status_line.show_idle(chat=self.chat_mode)
        self.refresh_bindings()

    def _show_comparison(self, comparison: Comparison) -> None:
        """Put a saved comparison on screen, as it was run."""
        self.chat_mode = comparison.chat  # a conversation reopened goes on with ctrl+j
        self.prompt_area.text = "" if comparison.chat else comparison.prompt
        self.system_input.value = comparison.system
        self.params_input.value = params_text(comparison.params)
        self.board.show_comparison(comparison)
