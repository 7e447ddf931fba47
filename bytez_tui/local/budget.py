"""The daily budget: warnings at 80 % and 100 % of it, each once a day.

Plain Python (no UI): the dashboard asks `BudgetAlarm.crossed` after each change of
today's spend and tells the user of what it returns. Given a memory (the ledger's
`alarm_fired`), a warning that went off before a restart, or in another dashboard on the
same API, does not go off again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bytez_tui.format import money

__all__ = ["THRESHOLDS", "BudgetAlarm", "spend_text"]

THRESHOLDS = (0.8, 1.0)
"""Fractions of the daily budget at which the user is warned."""


class BudgetAlarm:
    """Which warnings of a daily budget are due; each threshold fires once per day.

    Args:
        budget: Dollars a day; None (or 0) for no budget.
        remember: Records that the warning at a threshold of a budget went off on a day,
            returning False when it had already (in this process or another). One that
            cannot record (`OSError`) lets the warning go off: twice is better than never.
    """

    def __init__(
        self,
        budget: float | None,
        *,
        remember: Callable[[date, float, float], bool] | None = None,
    ) -> None:
        self.budget = budget if budget and budget > 0 else None
        """Dollars a day, or None."""
        self._remember = remember
        self._fired: tuple[date, set[float]] | None = None

    def crossed(self, day: date, spent: float) -> list[float]:
        """The thresholds `spent` has reached on `day` that have not fired yet (they now
        have). A new day starts with none fired."""
        if self.budget is None:
            return []
        if self._fired is None or self._fired[0] != day:
            self._fired = (day, set())
        fired = self._fired[1]
        due = [t for t in THRESHOLDS if spent >= t * self.budget and t not in fired]
        fired.update(due)
        return [t for t in due if self._first_time(day, self.budget, t)]

    def _first_time(self, day: date, budget: float, threshold: float) -> bool:
        if self._remember is None:
            return True
        try:
            return self._remember(day, budget, threshold)
        except OSError:
            return True

    def exceeded(self, spent: float) -> bool:
        """Whether `spent` is past the whole budget."""
        return self.budget is not None and spent >= self.budget

    def message(self, threshold: float, spent: float) -> str:
        """What the warning says."""
        budget = self.budget or 0.0
        if threshold >= 1.0:
            return (
                f"Today's spend ≈{money(spent)} has reached the daily budget of "
                f"{money(budget)}: loads now ask before starting."
            )
        return (
            f"Today's spend ≈{money(spent)} is {threshold:.0%} of the daily budget {money(budget)}."
        )


def spend_text(burn_per_hour: float, today: float, *, estimated: bool) -> str:
    """The header's figures: `≈$0.60/h · today ≈$1.23` (≈: our estimate, in part at least;
    the burn rate always is)."""
    mark = "≈" if estimated else ""
    return f"≈{money(burn_per_hour)}/h · today {mark}{money(today)}"
