"""The run's parameters: quick fields for the common generation kwargs, JSON for the rest.

Everything is validated as it is typed. The first problem is shown under the
fields, saying which field and where, and `ParamsForm.params()` refuses to build
params while there is one, so an invalid run never leaves the pane.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.validation import Integer, Number, Validator
from textual.widgets import Checkbox, Input, Label, Static, TextArea

from bytez_tui.prompting import ParamsError, parse_params
from bytez_tui.widgets.text_editor import TextEditor
from bytez_tui.widgets.text_fields import TextInput
from bytez_tui.widgets.toggles import MarkedCheckbox

__all__ = ["QUICK_FIELDS", "ParamsForm", "ParamsInvalid", "QuickField", "parse_json_params"]


class ParamsInvalid(ValueError):
    """The params cannot be used; the message says which field and why."""


@dataclass(frozen=True)
class QuickField:
    """One quick field: a generation kwarg with a numeric range."""

    key: str
    """The kwarg name sent in `params`."""
    integer: bool
    """Whole numbers only."""
    minimum: float | None = None
    """Smallest allowed value."""
    maximum: float | None = None
    """Largest allowed value."""

    def parse(self, text: str) -> int | float | None:
        """The value typed, None when empty.

        Raises:
            ParamsInvalid: Not a number, or out of range.
        """
        text = text.strip()
        if not text:
            return None
        value: int | float
        try:
            value = int(text) if self.integer else float(text)
        except ValueError:
            kind = "a whole number" if self.integer else "a number"
            raise ParamsInvalid(f"{self.key}: {text!r} is not {kind}") from None
        if self.minimum is not None and value < self.minimum:
            raise ParamsInvalid(f"{self.key}: must be at least {self.minimum:g}")
        if self.maximum is not None and value > self.maximum:
            raise ParamsInvalid(f"{self.key}: must be at most {self.maximum:g}")
        return value

    def validator(self) -> Validator:
        """The Textual validator that marks the field invalid as it is typed."""
        if self.integer:
            return Integer(minimum=self.minimum, maximum=self.maximum)
        return Number(minimum=self.minimum, maximum=self.maximum)


QUICK_FIELDS = (
    QuickField("max_new_tokens", integer=True, minimum=1),
    QuickField("max_length", integer=True, minimum=1),
    QuickField("min_length", integer=True, minimum=0),
    QuickField("temperature", integer=False, minimum=0),
    QuickField("top_p", integer=False, minimum=0, maximum=1),
)
"""The common `generate` kwargs, in the order shown."""


def parse_json_params(text: str) -> dict[str, Any]:
    """The JSON editor's params ({} when empty), a quick field's key held to its rules.

    A run with `{"max_new_tokens": -5}` in the JSON is refused as the quick field
    would refuse it: it must not run now and fail to re-run once recalled from the
    history (where the value moves into the quick field).

    Raises:
        ParamsInvalid: Not JSON (the message gives line and column), not an object, or
            a quick field's key with a value that field would refuse.
    """
    try:
        params = parse_params(text)
    except ParamsError as error:
        if error.line is None:
            raise ParamsInvalid('JSON params must be an object, such as {"top_k": 50}') from None
        raise ParamsInvalid(f"JSON params, {error}") from None
    for field in QUICK_FIELDS:
        value = params.get(field.key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParamsInvalid(f"JSON params, {field.key}: {json.dumps(value)} is not a number")
        if field.integer and not float(value).is_integer():
            raise ParamsInvalid(f"JSON params, {field.key}: {value!r} is not a whole number")
        try:
            field.parse(str(int(value)) if field.integer else str(value))
        except ParamsInvalid as error:
            raise ParamsInvalid(f"JSON params, {error}") from None
    return params


class ParamsForm(Vertical):
    """Quick fields, a do_sample box and a JSON editor; the quick fields win over JSON.

    Args:
        cursor_blink: Whether text cursors blink (`settings.cursor_blink`).
    """

    problem: reactive[str] = reactive("")
    """What is wrong with the params, or "" when they can be sent."""

    def __init__(
        self,
        *,
        cursor_blink: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._cursor_blink = cursor_blink

    def compose(self) -> ComposeResult:
        for field in QUICK_FIELDS:
            with Horizontal(classes="param-row"):
                yield Label(field.key, classes="param-label", markup=False)
                text_input = TextInput(
                    id=f"param-{field.key}",
                    type="integer" if field.integer else "number",
                    validators=[field.validator()],
                    valid_empty=True,
                    compact=True,
                    classes="param-input",
                )
                text_input.cursor_blink = self._cursor_blink
                yield text_input
        yield MarkedCheckbox("do_sample", id="param-do_sample", compact=True)
        editor = TextEditor(
            id="params-json",
            soft_wrap=True,
            compact=True,
            placeholder='more params as JSON: {"top_k": 50}',
        )
        editor.cursor_blink = self._cursor_blink
        yield editor
        yield Static("", id="params-problem", markup=False)

    def watch_problem(self, problem: str) -> None:
        shown = self.query_one("#params-problem", Static)
        shown.update(problem)
        shown.display = bool(problem)
        self.set_class(bool(problem), "-invalid")

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    def _revalidate(self) -> None:
        try:
            self.params()
        except ParamsInvalid as error:
            self.problem = str(error)
        else:
            self.problem = ""
        self.query_one("#params-json", TextArea).set_class(
            self.problem.startswith("JSON"), "-invalid"
        )

    @property
    def json_editor(self) -> TextArea:
        """The JSON editor."""
        return self.query_one("#params-json", TextArea)

    def _input(self, key: str) -> Input:
        return self.query_one(f"#param-{key}", Input)

    def params(self) -> dict[str, Any]:
        """The params to send: the JSON object with the quick fields laid over it.

        Raises:
            ParamsInvalid: A field or the JSON is invalid.
        """
        values = dict(parse_json_params(self.json_editor.text))
        for field in QUICK_FIELDS:
            value = field.parse(self._input(field.key).value)
            if value is not None:
                values[field.key] = value
        if self.query_one("#param-do_sample", Checkbox).value:
            values["do_sample"] = True
        return values

    def snapshot(self) -> dict[str, Any]:
        """Exactly what is typed, valid or not, for `restore`."""
        state: dict[str, Any] = {f.key: self._input(f.key).value for f in QUICK_FIELDS}
        state["do_sample"] = self.query_one("#param-do_sample", Checkbox).value
        state["json"] = self.json_editor.text
        return state

    def restore(self, state: Mapping[str, Any]) -> None:
        """Put back what `snapshot` saw."""
        for field in QUICK_FIELDS:
            self._input(field.key).value = str(state.get(field.key, ""))
        self.query_one("#param-do_sample", Checkbox).value = bool(state.get("do_sample"))
        self.json_editor.text = str(state.get("json", ""))
        self._revalidate()

    def set_params(self, params: Mapping[str, Any]) -> None:
        """Show `params`: numbers in the quick fields, everything else as JSON."""
        rest = dict(params)
        for field in QUICK_FIELDS:
            value = rest.get(field.key)
            shown = ""
            if isinstance(value, int | float) and not isinstance(value, bool):
                if not field.integer or float(value).is_integer():
                    shown = str(int(value)) if field.integer else str(value)
                    del rest[field.key]
            self._input(field.key).value = shown
        do_sample = rest.get("do_sample") is True
        if do_sample:
            del rest["do_sample"]
        self.query_one("#param-do_sample", Checkbox).value = do_sample
        self.json_editor.text = json.dumps(rest) if rest else ""
        self._revalidate()
