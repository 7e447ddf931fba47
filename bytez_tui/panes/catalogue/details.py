"""The side panel with everything about the highlighted model."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widgets import Static

from bytez_tui.billing import cost_per_hour, cost_usd
from bytez_tui.clock import Clock
from bytez_tui.format import duration, money, ram
from bytez_tui.models import ModelInfo
from bytez_tui.text import printable

if TYPE_CHECKING:
    from bytez_tui.models import Instance

__all__ = ["CatalogueDetails", "ExpiresIn"]

_MINUTES = (5, 30, 60)


def _v2_facts(model: ModelInfo) -> list[tuple[str, str]]:
    """The task and the size, where the API said them (v2)."""
    facts = []
    if model.task is not None:
        facts.append(("Task", printable(model.task, one_line=True)))
    if model.params_b is not None:
        facts.append(("Params", f"{model.params_b:g} billion"))
    return facts


class ExpiresIn(Static):
    """When the highlighted model's instance expires; ticks once a second while shown."""

    def __init__(self, *, clock: Clock, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self._clock = clock
        self._timer: Timer | None = None
        self.expires_at: datetime | None = None
        """When the instance expires (None hides the line)."""

    def on_mount(self) -> None:
        self._timer = self.set_interval(1, self._tick, pause=self.expires_at is None)

    def show_expiry(self, expires_at: datetime | None) -> None:
        """Count down to `expires_at`, or hide the line (also before it is mounted)."""
        self.expires_at = expires_at
        self.display = expires_at is not None
        if self._timer is not None:
            if expires_at is None:
                self._timer.pause()
            else:
                self._timer.resume()
        self._tick()

    def _tick(self) -> None:
        if self.expires_at is None:
            return
        left = (self.expires_at - self._clock.now()).total_seconds()
        when = self.expires_at.strftime("%H:%M:%S UTC")
        if left >= 0:
            self.update(f"Expires   in {duration(left)} if idle ({when})")
        else:
            self.update(f"Expires   ⌛ {duration(-left)} ago ({when}), shutting down")


class CatalogueDetails(VerticalScroll, can_focus=False):
    """All fields of one model, its cost at 5/30/60 minutes, and its instance if any."""

    def __init__(
        self,
        *,
        clock: Clock,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._clock = clock
        # Built here, so that `show_model` works at once (the pane mounts this panel
        # the first time it is opened).
        self._body = Static(id="details-body", markup=False)
        self._expiry = ExpiresIn(clock=clock, id="details-expiry")

    def compose(self) -> ComposeResult:
        yield self._body
        yield self._expiry
        yield Static("\nj job · l load · p playground · c copy id", id="details-hint", markup=False)

    def show_model(
        self, model: ModelInfo | None, *, instance: Instance | None, running: bool, tracked: bool
    ) -> None:
        """Show `model` (None: nothing highlighted)."""
        body, expiry = self._body, self._expiry
        if model is None:
            body.update("No model highlighted.")
            expiry.show_expiry(None)
            return
        name = printable(model.name, one_line=True)
        org, _, short = name.partition("/")
        text = Text()
        text.append(f"{name}\n\n", style="bold")
        rows = [("Org", org if short else "—"), ("Name", short or name)]
        rows.extend(_v2_facts(model))
        rows.append(
            ("RAM", f"{ram(model.required_ram_gb)} GB" if model.required_ram_gb else "— unknown")
        )
        price = model.price_per_second
        if model.task is None and price is None:  # v1: benchmarks, and our estimate
            rows.append(
                ("Benchmark", "✓ benchmarked" if model.benchmarked else "· not benchmarked")
            )
            rows.append(("Per hour", money(cost_per_hour(model.required_ram_gb))))
        elif price is not None:
            rows.append(("Per hour", f"{money(price * 3600)}, Bytez's price"))
            per_second = f"{price:.12f}".rstrip("0").rstrip(".")  # never 8.7e-05
            rows.append(("Per sec", f"${per_second}, by the second"))
        else:
            rows.append(("Per hour", f"{money(model.cost_per_hour)}, our estimate from RAM"))
        for minutes in _MINUTES:
            if price is not None:  # v2 bills each second of inference, no minimum
                cost = money(price * minutes * 60)
            else:
                cost = money(cost_usd(model.required_ram_gb, minutes * 60))
            rows.append((f"{minutes} min", cost))
        rows.append(("Job", "◆ tracked in Jobs" if tracked else "not tracked"))
        if instance is not None:
            state = printable(instance.status, one_line=True)
            glyph = "▶" if instance.is_running else "✖" if instance.is_failed else "◌"
            rows.append(("Instance", f"{glyph} {state}, concurrency {instance.concurrency}"))
            if instance.inferences is not None:
                rows.append(("Runs", str(instance.inferences)))
        else:
            rows.append(("Instance", "▶ running" if running else "none running"))
        for number, (label, value) in enumerate(rows):
            text.append(f"{label:<10}", style="dim")
            text.append(value if number == len(rows) - 1 else f"{value}\n")
        body.update(text)
        expiry.show_expiry(instance.expires_at if instance is not None else None)
