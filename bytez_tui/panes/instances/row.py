"""`InstanceRow`: one instance as a row of small cells, the countdown one of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from bytez_tui.billing import cost_per_hour
from bytez_tui.format import DASH, duration, money, ram
from bytez_tui.local.instances import Listed
from bytez_tui.models import Instance
from bytez_tui.widgets.countdown import Countdown
from bytez_tui.widgets.plain import plain
from bytez_tui.widgets.rows import Cell, Row
from bytez_tui.widgets.status_badge import StatusBadge

__all__ = ["InstanceHeader", "InstanceRow"]

_CELLS = ("conc", "inf", "idle", "up", "ram", "cost", "rate")
"""The row's plain cells, by the name in their `inst-` class."""


class InstanceHeader(Horizontal):
    """The column titles."""

    def compose(self) -> ComposeResult:
        for text, name in (
            ("Model", "model"),
            ("Status", "status"),
            ("Conc", "conc"),
            ("Runs", "inf"),
            ("Expires in", "expires"),
            ("Stop if idle", "idle"),  # the setting, as the load dialog calls it
            ("Up", "up"),
            ("RAM GB", "ram"),
            ("Cost", "cost"),
            ("$/hour", "rate"),
        ):
            yield Cell(text, classes=f"inst-{name}")


class InstanceRow(Row):
    """An instance: model, status, concurrency, runs, expiry countdown, idle period,
    uptime, RAM, cost so far (billed per started minute, 60 s minimum) and cost per hour.

    A failed instance shows its error on a second line. An instance that disappeared
    stays, dimmed, with "expired N min ago". The row draws an entry of the pane's
    `InstanceBook`; it keeps no state of its own.

    Args:
        entry: The instance as the book has it.
        now: The server's current time.
    """

    def __init__(self, entry: Listed, *, now: Callable[[], datetime]) -> None:
        super().__init__(entry.model)
        self.entry = entry
        """What the row shows."""
        self._now = now
        self._ready = False
        # The cells are held, not queried: a refresh or a tick may reach a row whose
        # children are already being removed (a closing app, a cleared list).
        self._badge = StatusBadge(classes="inst-status")
        self._countdown = Countdown(None, now=now, classes="inst-expires")
        self._cells = {name: Cell(classes=f"inst-{name}") for name in _CELLS}
        self._error = Static("", classes="inst-error", markup=False)

    def compose(self) -> ComposeResult:
        cells = self._cells
        with Horizontal(classes="inst-cells"):
            yield Cell(self.entry.model, classes="inst-model")
            yield self._badge
            yield cells["conc"]
            yield cells["inf"]
            yield self._countdown
            yield from (cells[name] for name in ("idle", "up", "ram", "cost", "rate"))
        yield self._error

    def on_mount(self) -> None:
        self._ready = True
        self.show(self.entry)

    @property
    def countdown(self) -> Countdown:
        """The "expires in" cell."""
        return self._countdown

    @property
    def instance(self) -> Instance:
        """What the server last said."""
        return self.entry.instance

    @property
    def gone(self) -> bool:
        """The instance disappeared from the server."""
        return self.entry.gone

    def show(self, entry: Listed) -> None:
        """Draw `entry`."""
        self.entry = entry
        if not self._ready:
            return  # on_mount shows it
        instance, gone = entry.instance, entry.gone
        status = instance.status
        if gone:
            expired = instance.expires_at is not None and instance.expires_at <= self._now()
            status = "expired" if expired else "stopped"
        cells = self._cells
        self._badge.status = status
        cells["conc"].show(f"×{instance.concurrency}")
        cells["inf"].show(DASH if instance.inferences is None else str(instance.inferences))
        countdown = self.countdown
        countdown.expires_at = instance.expires_at if instance.is_running or gone else None
        countdown.gone = gone
        idle = instance.expiration_period_seconds
        cells["idle"].show(duration(idle, to_minute=True))
        cells["ram"].show(ram(entry.ram_gb))
        cells["rate"].show(
            money(cost_per_hour(entry.ram_gb)) if not gone and not instance.is_failed else DASH
        )
        self._error.update(plain(f"  ✖ {instance.error or 'the instance failed to start'}"))
        self.set_class(instance.is_failed and not gone, "-failed")
        self.set_class(instance.is_booting and not gone, "-booting")
        self.set_class(gone, "-gone")
        self.tick(self._now())

    def tick(self, now: datetime) -> None:
        """Refresh the cells that follow the clock (uptime and cost, to the minute)."""
        if not self._ready:
            return
        self._cells["up"].show(duration(self.entry.uptime(now), to_minute=True))
        self._cells["cost"].show(money(self.entry.cost(now)))

    @on(Countdown.PhaseChanged)
    def _phase(self, event: Countdown.PhaseChanged) -> None:
        for phase in ("warning", "expiring", "expired"):
            self.set_class(event.phase == phase, f"-{phase}")
