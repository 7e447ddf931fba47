"""`SpendWatch`: keeps the spend ledger up to date from what the dashboard sees.

It draws nothing. The main screen hands it every instance list, load, delete and run; it
writes them to the ledger (`bytez_tui.local.ledger`), tells the screen the header's figures
(burn rate, today's spend) and warns at 80 % and 100 % of the daily budget, each once a
day, restarts included: a toast, the bell and a desktop notification. It opens the Spend
screen on its ledger, and saves the budget set there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from textual.message import Message
from textual.widget import Widget

from bytez_tui.local.budget import BudgetAlarm, spend_text
from bytez_tui.local.ledger import Ledger
from bytez_tui.models import Instance, Metering

__all__ = ["REFRESH_SECONDS", "SpendWatch"]

REFRESH_SECONDS = 60.0
"""How often the header's figures are worked out again while nothing changes (instance
time is billed to the minute)."""


class SpendWatch(Widget):
    """The ledger's writer for the dashboard, and the budget's alarm.

    Args:
        ledger: Where spend is recorded.
        now: The server's current time.
        budget: Dollars a day, or None.
        notify_desktop: Send OSC 9 desktop notifications.
    """

    DEFAULT_CSS = """
    SpendWatch { display: none; }
    """

    @dataclass
    class Changed(Message):
        """The header's figures changed."""

        text: str
        """What the header shows, such as `≈$0.60/h · today ≈$1.23`."""
        over_budget: bool
        """Today's spend is past the daily budget."""

    def __init__(
        self,
        *,
        ledger: Ledger,
        now: Callable[[], datetime],
        budget: float | None,
        notify_desktop: bool,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.ledger = ledger
        """Where spend is recorded."""
        self.alarm = BudgetAlarm(budget, remember=ledger.alarm_fired)
        """The daily budget's warnings."""
        self.over_budget = False
        """Today's spend is past the daily budget."""
        self.today = 0.0
        """Dollars spent today, as last worked out."""
        self._now = now
        self._notify_desktop = notify_desktop
        self._shown: tuple[str, bool] | None = None

    def on_mount(self) -> None:
        self.set_interval(REFRESH_SECONDS, self.update_figures)
        self.call_later(self.update_figures)

    # --- what the dashboard saw ---------------------------------------------------------

    def observed(
        self, instances: Iterable[Instance], ram_of: Callable[[str], float | None], billed: bool
    ) -> None:
        """The server listed `instances` (all of them)."""
        self._write(
            lambda: self.ledger.observed(instances, at=self._now(), ram_of=ram_of, billed=billed)
        )

    def ram_known(self, ram_of: Callable[[str], float | None]) -> None:
        """The catalogue arrived: instances listed before it get their RAM, and a cost."""
        self._write(lambda: self.ledger.learn_ram(ram_of))

    def loaded(self, model: str, at: datetime, ram_gb: float | None, period: float) -> None:
        """A load of `model` was accepted at `at`."""
        self._write(lambda: self.ledger.loaded(model, at=at, ram_gb=ram_gb, period=period))

    def deleted(self, model: str, at: datetime) -> None:
        """`model`'s instance was deleted from here at `at`."""
        self._write(lambda: self.ledger.deleted(model, at=at))

    def ran(
        self, model: str, at: datetime, seconds: float, metering: Metering | None, outcome: str
    ) -> None:
        """A run ended."""
        self._write(
            lambda: self.ledger.ran(
                model, at=at, seconds=seconds, metering=metering, outcome=outcome
            )
        )

    def set_budget(self, budget: float | None) -> None:
        """Use a new daily budget (its warnings may fire again)."""
        self.alarm = BudgetAlarm(budget, remember=self.ledger.alarm_fired)
        self.update_figures()

    def show_report(self) -> None:
        """Open the Spend screen on this ledger, where the daily budget can be changed."""
        from bytez_tui.screens.spend import SpendScreen

        self.app.push_screen(
            SpendScreen(
                ledger=self.ledger,
                now=self._now,
                budget=self.alarm.budget,
                set_budget=self._save_budget,
            )
        )

    def _save_budget(self, budget: float | None) -> str:
        """Save a new daily budget to config.toml and use it; returns why it failed, or ""."""
        from bytez_tui.config import ConfigError, update_config

        try:
            update_config({"daily_budget": budget})
        except (OSError, ConfigError) as error:
            return f"not saved: {error}"
        self.set_budget(budget)
        return ""

    def confirm_past_budget(
        self, load: Callable[[], object], *, declined: Callable[[], object] | None = None
    ) -> None:
        """Run `load` now, or, once today's spend is past the daily budget, if the user
        says so a second time (else `declined`)."""
        if not self.over_budget:
            load()
            return
        from bytez_tui.screens.confirm import ConfirmDialog

        dialog = ConfirmDialog(
            title="Past today's budget: load anyway?",
            body=f"{self.alarm.message(1.0, self.today)}\n"
            "The instance is billed from now until it stops.",
            confirm="Load",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                load()
            elif declined is not None:
                declined()

        self.app.push_screen(dialog, answered)

    # --- figures ------------------------------------------------------------------------

    def update_figures(self) -> None:
        """Work the header's figures out again and warn if the budget is crossed."""
        now = self._now()
        try:
            burn = self.ledger.burn_rate(now)
            today = self.ledger.today(now)
        except OSError:
            return  # _write has told the user; the header keeps its last figures
        # Nothing running and nothing spent today: the header stays as it was.
        spent = burn > 0 or today.total > 0
        text = spend_text(burn, today.total, estimated=today.estimate > 0) if spent else ""
        self.today = today.total
        self.over_budget = self.alarm.exceeded(today.total)
        day = now.astimezone(self.ledger.tz).date()
        for threshold in self.alarm.crossed(day, today.total):
            self._warn(self.alarm.message(threshold, today.total), final=threshold >= 1.0)
        if (text, self.over_budget) != self._shown:
            self._shown = (text, self.over_budget)
            self.post_message(self.Changed(text, self.over_budget))

    def _warn(self, message: str, *, final: bool) -> None:
        from bytez_tui.osc import osc9
        from bytez_tui.textual_compat import write_to_terminal

        self.notify(
            message,
            title="Daily budget reached" if final else "Daily budget",
            severity="error" if final else "warning",
            markup=False,
            timeout=15,
        )
        self.app.bell()
        if self._notify_desktop:
            write_to_terminal(self.app, osc9(f"bytez-tui: {message}"))

    def _write(self, write: Callable[[], object]) -> None:
        try:
            write()
        except OSError as error:
            self.notify(str(error), title="Spend not recorded", severity="warning", markup=False)
            return
        self.update_figures()
