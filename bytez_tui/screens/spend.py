"""The Spend screen: the last 14 days as bars, then per model and the costliest items.

Pictures first, numbers beside them: a `Sparkline` of the 14 days (each day the same
width, its day of the month under it) with the total, today, the burn rate and the budget
beside it; below, the models and the most expensive instance lives and runs of the chosen
range. Amounts that are our estimate, in whole or in part, read `≈$…`. Everything is text
and block characters, so it reads the same under NO_COLOR; it fits 80×24.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import Number
from textual.widgets import Footer, Input, Sparkline, Static

from bytez_tui.billing import MAX_COST
from bytez_tui.format import duration, money
from bytez_tui.local.ledger import DAYS_SHOWN, Ledger
from bytez_tui.local.spend import Item, ModelSpend, Spend
from bytez_tui.text import printable

__all__ = ["RANGES", "SpendScreen", "amount"]

RANGES: tuple[tuple[str, int], ...] = (
    ("today", 1),
    ("7 days", 7),
    ("14 days", 14),
    ("30 days", 30),
)
"""The ranges `t` steps through for the per-model and costliest tables: (name, days)."""

_BAR_COLUMNS = 4
"""Columns per day in the chart (its width is 14 of these)."""
_ROWS = 7
"""Lines in each table (at 80×24 the screen holds this many)."""


def amount(spend: Spend) -> str:
    """Dollars, marked `≈` when any of it is our estimate."""
    return ("≈" if spend.estimate > 0 else "") + money(spend.total)


class SpendScreen(ModalScreen[None]):
    """What instances and runs have cost, from the ledger.

    Args:
        ledger: Where the figures come from.
        now: The server's current time.
        budget: The daily budget in dollars, or None.
        set_budget: Saves a new daily budget (None clears it); returns an error or "".
    """

    AUTO_FOCUS = ""
    """Nothing focused on opening: `t` and `b` are keys here, not text in the budget field."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="spend-close", tooltip="Back to the dashboard"),
        Binding(
            "t",
            "next_range",
            "Range",
            id="spend-range",
            tooltip="Per model and costliest over today, 7, 14 or 30 days",
        ),
        Binding("b", "budget", "Budget", id="spend-budget", tooltip="Set the daily budget"),
    ]

    DEFAULT_CSS = """
    SpendScreen { background: $background; }
    SpendScreen > Vertical { height: 1fr; padding: 0 1; }
    SpendScreen #spend-title { text-style: bold; height: 1; }
    SpendScreen #spend-top { height: 7; margin-top: 1; }
    SpendScreen #spend-chart { width: 58; height: 7; }
    SpendScreen Sparkline { width: 56; height: 5; }
    SpendScreen #spend-axis { width: 56; height: 1; color: $text-muted; }
    SpendScreen #spend-figures { width: 1fr; height: 7; padding-left: 1; }
    SpendScreen #spend-tables { height: 1fr; }
    SpendScreen #spend-models, SpendScreen #spend-items {
        width: 1fr; height: 1fr; text-wrap: nowrap; text-overflow: ellipsis;
    }
    SpendScreen #spend-budget-row { height: 1; }
    SpendScreen #spend-budget-row Static { width: auto; }
    SpendScreen #spend-budget { width: 14; height: 1; border: none; padding: 0 1; }
    SpendScreen #spend-budget-note { color: $text-muted; padding-left: 1; }
    """

    def __init__(
        self,
        *,
        ledger: Ledger,
        now: Callable[[], datetime],
        budget: float | None,
        set_budget: Callable[[float | None], str],
    ) -> None:
        super().__init__()
        self.ledger = ledger
        """Where the figures come from."""
        self.budget = budget
        """The daily budget, or None."""
        self.range_index = 1
        """Which of `RANGES` the tables show."""
        self._now = now
        self._set_budget = set_budget

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                "Spend · ≈ marks our estimates; plain amounts are the server's own",
                id="spend-title",
                markup=False,
            )
            with Horizontal(id="spend-top"):
                with Vertical(id="spend-chart"):
                    yield Sparkline([], id="spend-bars")
                    yield Static("", id="spend-axis", markup=False)
                yield Static("", id="spend-figures", markup=False)
            with Horizontal(id="spend-tables"):
                yield Static("", id="spend-models", markup=False)
                yield Static("", id="spend-items", markup=False)
            with Horizontal(id="spend-budget-row"):
                yield Static("Daily budget $", markup=False)
                yield Input(
                    "" if self.budget is None else f"{self.budget:g}",
                    placeholder="none",
                    id="spend-budget",
                    validators=[Number(minimum=0, maximum=MAX_COST)],  # as config.toml takes
                )
                yield Static("enter saves, empty clears", id="spend-budget-note", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.show_figures()

    @on(Input.Submitted, "#spend-budget")
    def _budget_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text and (event.validation_result is None or not event.validation_result.is_valid):
            self.query_one("#spend-budget-note", Static).update("not an amount: e.g. 5 or 2.50")
            return
        budget = float(text) if text and float(text) > 0 else None
        problem = self._set_budget(budget)
        note = problem or ("saved" if budget is not None else "no budget")
        self.query_one("#spend-budget-note", Static).update(note)
        if not problem:
            self.budget = budget
            self.show_figures()
            self.set_focus(None)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_next_range(self) -> None:
        self.range_index = (self.range_index + 1) % len(RANGES)
        self.show_figures()

    def action_budget(self) -> None:
        self.query_one("#spend-budget", Input).focus()

    def show_figures(self) -> None:
        """Read the ledger and draw everything again."""
        now = self._now()
        ledger = self.ledger
        today = now.astimezone(ledger.tz).date()
        first = datetime.combine(
            today - timedelta(days=DAYS_SHOWN - 1), datetime.min.time(), ledger.tz
        )
        days = ledger.by_day(first, now)
        self.query_one(Sparkline).data = [day.spend.total for day in days]
        self.query_one("#spend-axis", Static).update(
            Text("".join(f"{day.day.day:<{_BAR_COLUMNS}}" for day in days), no_wrap=True)
        )
        name, span = RANGES[self.range_index]
        since = datetime.combine(today - timedelta(days=span - 1), datetime.min.time(), ledger.tz)
        fortnight = sum((day.spend for day in days), Spend())
        top = max(days, key=lambda day: day.spend.total)
        lines = [
            f"14 d  {amount(fortnight)}",
            f"today {amount(days[-1].spend)}",
            f"peak  {amount(top.spend)} {top.day:%m-%d}",
            f"now   ≈{money(ledger.burn_rate(now))}/h",
        ]
        if self.budget is not None:
            share = days[-1].spend.total / self.budget
            lines.append(f"limit {money(self.budget)}/day")
            lines.append(f"      {share:.0%} used" + (" ⚠" if share >= 1 else ""))
        self.query_one("#spend-figures", Static).update(Text("\n".join(lines)))
        self.query_one("#spend-models", Static).update(
            _models_table(ledger.by_model(since, now), name)
        )
        self.query_one("#spend-items", Static).update(
            _items_table(ledger.most_expensive(since, now, limit=_ROWS), name)
        )


def _models_table(rows: list[ModelSpend], range_name: str) -> Text:
    """Amounts first and the model last, so a narrow column cuts only the name's end.

    Plain text rather than a Rich `Table`: the screen opens in a fifth of the time.
    """
    lines = [f"By model · {range_name} (t)", f"{'Spend':>9} {'Runs':>5}  Model"]
    for row in rows[:_ROWS]:
        lines.append(f"{amount(row.spend):>9} {row.runs:>5}  {printable(row.model, one_line=True)}")
    if not rows:
        lines.append("nothing recorded")
    elif len(rows) > _ROWS:
        rest = sum((row.spend for row in rows[_ROWS:]), Spend())
        lines.append(f"{amount(rest):>9} {'':>5}  {len(rows) - _ROWS} more")
    return _table_text(lines)


def _items_table(items: list[Item], range_name: str) -> Text:
    """The costliest items: ▣ an instance life (`seen`: counted from when first seen), ▷ a
    run; amounts first, as in `_models_table`."""
    lines = [f"Most expensive · {range_name}", f"{'Cost':>9} {'Time':>6}  What"]
    for item in items:
        cost = ("≈" if item.estimate else "") + money(item.cost)
        what = ("▣ " if item.kind == "instance" else "▷ ") + printable(item.model, one_line=True)
        note = " (seen)" if item.from_seen else ""
        lines.append(f"{cost:>9} {duration(item.seconds):>6}  {what}{note}")
    if not items:
        lines.append("nothing recorded")
    return _table_text(lines)


def _table_text(lines: list[str]) -> Text:
    text = Text("\n".join(lines))
    text.stylize("bold", 0, len(lines[0]))
    return text
