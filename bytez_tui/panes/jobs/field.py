"""`AddJobField`: the model id field that `a` shows on the jobs pane."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.validation import Function
from textual.widgets import Input, Static

from bytez_tui.catalogue.ids import is_model_id, model_id_from
from bytez_tui.widgets.text_fields import TextInput

__all__ = ["AddJobField"]


class AddJobField(Horizontal):
    """A label, the model id input and its error: `org/name` or a Hub URL, checked on enter.

    Args:
        on_submit: Called with what was typed once it passes the check; returns whether
            the model is now tracked (the field then empties).
        on_leave: Called when the field loses the focus while empty.
    """

    def __init__(
        self,
        *,
        on_submit: Callable[[str], bool],
        on_leave: Callable[[], object],
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._submit = on_submit
        self._leave = on_leave

    def compose(self) -> ComposeResult:
        yield Static("Model id ", id="jobs-add-label", markup=False)
        yield TextInput(
            placeholder="org/name, e.g. openai-community/gpt2",
            id="jobs-add-input",
            compact=True,
            validators=[
                Function(lambda text: is_model_id(model_id_from(text)), "expected org/name")
            ],
            validate_on=["submitted"],
        )
        yield Static("", id="jobs-add-error", markup=False)

    @on(Input.Submitted, "#jobs-add-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.query_one("#jobs-add-error", Static)
        if event.validation_result is not None and not event.validation_result.is_valid:
            error.update("⚠ expected org/name")
            return
        error.update("")
        if self._submit(event.value):
            event.input.value = ""

    @on(Input.Blurred, "#jobs-add-input")
    def _left_field(self, event: Input.Blurred) -> None:
        if not event.value.strip():
            self._leave()
            self.query_one("#jobs-add-error", Static).update("")
