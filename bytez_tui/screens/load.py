"""The load dialog shared by every pane: model, concurrency, expiry presets, projected cost."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import Function, Integer, Regex
from textual.widgets import Button, Input, RadioSet, Static

from bytez_tui.billing import cost_per_hour, cost_usd
from bytez_tui.catalogue.ids import MODEL_ID_PATTERN, is_model_id
from bytez_tui.format import duration, money, parse_duration
from bytez_tui.local.instances import LoadChoice
from bytez_tui.models import MAX_CONCURRENCY, MAX_EXPIRY_SECONDS
from bytez_tui.widgets.text_fields import TextInput
from bytez_tui.widgets.toggles import MarkedRadioButton

__all__ = ["EXPIRY_PRESETS", "MAX_CONCURRENCY", "LoadChoice", "LoadDialog"]

EXPIRY_PRESETS: tuple[tuple[str, int], ...] = (("5 min", 300), ("30 min", 1800), ("1 h", 3600))
"""(label, seconds) of the idle-expiry presets; the first is the default."""
MIN_EXPIRY = 60
"""The shortest custom idle expiry, in seconds (billing has a 60 s minimum anyway)."""


def _expiry_ok(text: str) -> bool:
    try:
        return MIN_EXPIRY <= parse_duration(text) <= MAX_EXPIRY_SECONDS
    except ValueError:
        return False


class LoadDialog(ModalScreen[LoadChoice | None]):
    """Choose concurrency and idle expiry, see what it will cost, and load.

    Args:
        model: The model to load ("" lets the user type one).
        ram_gb: The model's RAM, for the projected cost, when known.
        ram_of: Looks up the RAM of a model typed in the dialog.
        cursor_blink: Blink text cursors (off by default: blinking costs bytes over SSH).
        running_of: The status of a model's instance ("" when it has none): a model
            already up is not loaded again (the server would refuse it with a 409).
        when_ready: The model's job is still queued: the load waits until it is available.
        models: Several models to load with the same options (the Compare pane's "load
            them all"): the model field lists them, the cost is their total, and the
            choice comes back with no model.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="load-cancel", tooltip="Close without loading"),
        Binding("ctrl+s", "submit", "Load", id="load-submit", tooltip="Load with these settings"),
    ]

    DEFAULT_CSS = """
    LoadDialog {
        align: center middle;
    }
    LoadDialog > Vertical {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        overflow-y: auto;  /* a 60x15 terminal: the buttons scroll into view */
        padding: 1 2;
        border: round $primary;
        background: $surface;
    }
    LoadDialog #load-title {
        text-style: bold;
        margin-bottom: 1;
    }
    LoadDialog .field {
        height: auto;
        margin-bottom: 1;
    }
    LoadDialog .field-label {
        width: 14;
        color: $text-muted;
    }
    LoadDialog .field-hint {
        width: 1fr;
        padding-left: 1;
        color: $text-muted;
    }
    LoadDialog .field-error {
        display: none;
        color: $error;
        padding-left: 14;
        margin-top: -1;
        margin-bottom: 1;
    }
    LoadDialog .field-error.-shown {
        display: block;
    }
    LoadDialog #load-model {
        width: 1fr;
    }
    LoadDialog #load-concurrency {
        width: 6;
    }
    LoadDialog RadioSet {
        layout: horizontal;
        width: auto;
        height: 1;
        border: none;
        padding: 0;
        background: transparent;
    }
    LoadDialog RadioSet > RadioButton {
        width: auto;
        padding: 0 1 0 0;
    }
    LoadDialog #load-custom {
        width: 12;
    }
    LoadDialog #load-cost {
        color: $accent;
    }
    LoadDialog #load-buttons {
        height: auto;
        margin-top: 1;
    }
    LoadDialog Button {
        margin-right: 2;
    }
    """

    def __init__(
        self,
        *,
        model: str,
        ram_gb: float | None,
        ram_of: Callable[[str], float | None] | None = None,
        cursor_blink: bool | None = None,
        running_of: Callable[[str], str] | None = None,
        when_ready: bool = False,
        models: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.models = tuple(models)
        """The models loaded together (empty: one model, `model`)."""
        self._running_of = running_of
        self.when_ready = when_ready
        """The load starts once the model's job is available."""
        self.model = model
        """The model the dialog opened for."""
        self.ram_gb = ram_gb
        """That model's RAM in GB, when known."""
        self._ram_of = ram_of
        self._blink = cursor_blink

    def compose(self) -> ComposeResult:
        with Vertical():
            if self.models:
                title = f"Load {len(self.models)} models (each with these settings)"
            else:
                title = "Load when ready" if self.when_ready else "Load a model"
            yield Static(title, id="load-title", markup=False)
            if self.when_ready:
                yield Static(
                    "Its job is still queued: the load starts as soon as it is available.",
                    id="load-when-ready",
                    markup=False,
                )
            with Horizontal(classes="field"):
                yield Static("Model", classes="field-label", markup=False)
                yield TextInput(
                    ", ".join(self.models) or self.model,
                    placeholder="org/name",
                    id="load-model",
                    compact=True,
                    disabled=bool(self.models),
                    validators=[Regex(MODEL_ID_PATTERN, failure_description="expected org/name")],
                )
            yield Static("", id="load-model-error", classes="field-error", markup=False)
            with Horizontal(classes="field"):
                yield Static("Concurrency", classes="field-label", markup=False)
                yield TextInput(
                    "1",
                    type="integer",
                    id="load-concurrency",
                    compact=True,
                    validators=[
                        Integer(
                            minimum=1,
                            maximum=MAX_CONCURRENCY,
                            failure_description=f"a whole number from 1 to {MAX_CONCURRENCY}",
                        )
                    ],
                )
                yield Static(
                    f"parallel instances (1–{MAX_CONCURRENCY}), each billed",
                    classes="field-hint",
                    markup=False,
                )
            yield Static("", id="load-concurrency-error", classes="field-error", markup=False)
            with Horizontal(classes="field"):
                yield Static("Stop if idle", classes="field-label", markup=False)
                with RadioSet(id="load-expiry", compact=True):
                    for index, (label, _) in enumerate(EXPIRY_PRESETS):
                        yield MarkedRadioButton(label, value=index == 0)
                    yield MarkedRadioButton("custom", id="load-expiry-custom")
                yield TextInput(
                    placeholder="45m, 2h",
                    id="load-custom",
                    disabled=True,
                    compact=True,
                    validators=[
                        Function(
                            _expiry_ok,
                            f"a duration from {MIN_EXPIRY} s to {duration(MAX_EXPIRY_SECONDS)}, "
                            "such as 90s, 15m or 1h30m",
                        )
                    ],
                )
            yield Static("", id="load-custom-error", classes="field-error", markup=False)
            yield Static("", id="load-cost", markup=False)
            with Horizontal(id="load-buttons"):
                label = "Load when ready" if self.when_ready else "Load"
                yield Button(f"{label} (ctrl+s)", variant="primary", id="load-ok", compact=True)
                yield Button("Cancel (esc)", id="load-no", compact=True)

    def on_mount(self) -> None:
        blink = self._blink
        if blink is None:
            settings = getattr(self.app, "settings", None)
            blink = bool(getattr(settings, "cursor_blink", False))
        for field in self.query(Input):
            field.cursor_blink = blink
        target = "#load-concurrency" if self.model else "#load-model"
        self.query_one(target, Input).focus()
        self._update_cost()
        self._show_running()

    def _running_status(self) -> str:
        if self.models:
            return ""  # only models that are not running are offered together
        model = self.chosen_model
        return self._running_of(model) if self._running_of is not None and model else ""

    def _show_running(self) -> None:
        status = self._running_status()
        message = (
            f"⚠ already up ({status}): the server refuses a second load; delete it first "
            "to change its settings"
            if status
            else ""
        )
        self._error("#load-model-error", message)
        self.query_one("#load-ok", Button).disabled = bool(status)

    # --- reading the form --------------------------------------------------------------

    @property
    def chosen_model(self) -> str:
        """The model in the form."""
        return self.query_one("#load-model", Input).value.strip()

    def _concurrency(self) -> int | None:
        text = self.query_one("#load-concurrency", Input).value.strip()
        try:
            value = int(text)
        except ValueError:
            return None
        return value if 1 <= value <= MAX_CONCURRENCY else None

    def _expiry(self) -> int | None:
        radio = self.query_one(RadioSet)
        index = radio.pressed_index
        if 0 <= index < len(EXPIRY_PRESETS):
            return EXPIRY_PRESETS[index][1]
        text = self.query_one("#load-custom", Input).value
        return int(parse_duration(text)) if _expiry_ok(text) else None

    def _ram(self) -> float | None:
        if self.models:
            each = [self._ram_of(m) if self._ram_of is not None else None for m in self.models]
            return None if None in each else sum(ram for ram in each if ram is not None)
        model = self.chosen_model
        if model == self.model:
            return self.ram_gb
        return self._ram_of(model) if self._ram_of is not None else None

    def _update_cost(self) -> None:
        concurrency = self._concurrency()
        expiry = self._expiry()
        ram_gb = self._ram()
        rate = cost_per_hour(ram_gb)
        cost = self.query_one("#load-cost", Static)
        if rate is None:
            which = "one of these models" if self.models else "this model"
            cost.update(f"Projected cost: unknown (no RAM figure for {which})")
            return
        if concurrency is None:
            cost.update(f"Projected cost: — (concurrency must be 1 to {MAX_CONCURRENCY})")
            return
        total = f"all {len(self.models)}: " if self.models else ""
        lines = [
            f"Projected cost: {total}{money(rate * concurrency)} per hour while up "
            f"({ram_gb:.2f} GB × {concurrency})"
        ]
        if expiry is not None:
            idle = (cost_usd(ram_gb, expiry) or 0.0) * concurrency
            lines.append(f"Left unused, it stops after {duration(expiry)}: about {money(idle)}")
        cost.update("\n".join(lines))

    # --- events ------------------------------------------------------------------------

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._update_cost()
        error_id = f"#{event.input.id}-error"
        result = event.validation_result
        if event.input.id == "load-model" and not event.value.strip():
            result = None
        if event.input.id == "load-model" and (result is None or result.is_valid):
            self._show_running()
            return
        message = (
            ""
            if result is None or result.is_valid
            else "⚠ " + "; ".join(result.failure_descriptions)
        )
        self._error(error_id, message)

    @on(RadioSet.Changed)
    def _preset(self, event: RadioSet.Changed) -> None:
        custom = self.query_one("#load-custom", Input)
        custom.disabled = event.pressed.id != "load-expiry-custom"
        if not custom.disabled:
            custom.focus()
        self._update_cost()

    @on(Input.Submitted)
    @on(Button.Pressed, "#load-ok")
    def action_submit(self) -> None:
        """Load, if the form is valid."""
        model = self.chosen_model
        concurrency = self._concurrency()
        expiry = self._expiry()
        problems = False
        if self._running_status():
            self._show_running()
            return
        if self.models:
            model = ""  # every model of `models`, as listed
        elif not model or not is_model_id(model):
            self._error("#load-model-error", "⚠ expected org/name")
            problems = True
        if concurrency is None:
            self._error("#load-concurrency-error", f"⚠ a whole number from 1 to {MAX_CONCURRENCY}")
            problems = True
        if expiry is None:
            self._error(
                "#load-custom-error",
                f"⚠ a duration of at least {MIN_EXPIRY} s, such as 90s, 15m or 1h30m",
            )
            problems = True
        if problems or concurrency is None or expiry is None:
            return
        self.dismiss(LoadChoice(concurrency, expiry, model))

    def _error(self, selector: str, message: str) -> None:
        error = self.query_one(selector, Static)
        error.update(message)
        error.set_class(bool(message), "-shown")

    @on(Button.Pressed, "#load-no")
    def action_cancel(self) -> None:
        """Close without loading."""
        self.dismiss(None)
