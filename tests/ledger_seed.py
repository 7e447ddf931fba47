"""A fortnight of spend in the ledger, the same every time (for the Spend screen's tests)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bytez_tui.local.ledger import Ledger
from bytez_tui.models import Metering

MODELS = (
    ("meta-llama/Llama-3.1-8B-Instruct", 32.0),
    ("Qwen/Qwen2.5-7B-Instruct", 28.0),
    ("openai-community/gpt2", 0.5),
    ("microsoft/phi-2", 11.0),
)
"""The models seeded, with their RAM in GB."""


def seed_fortnight(ledger: Ledger, now: datetime, *, runs_per_day: int = 12) -> None:
    """One instance life a day (20-48 min) and `runs_per_day` runs, half of them with the
    server's `inference-cost`, half priced from meter price x time, for 14 days to `now`."""
    for back in range(13, -1, -1):
        day = now - timedelta(days=back)
        model, ram = MODELS[back % len(MODELS)]
        start = day - timedelta(hours=3)
        ledger.loaded(model, at=start, ram_gb=ram, period=600)
        ledger.deleted(model, at=start + timedelta(minutes=20 + 7 * (back % 5)))
        for run in range(runs_per_day):
            at = day - timedelta(minutes=run * 9 + 1)
            cost = (0.001 + 0.0007 * ((run * 7 + back) % 13)) * (1 + back % 3)
            metering = (
                Metering("sm-lm", 0.0006, 3.0, cost)
                if run % 2
                else Metering("sm-lm", 0.0006, 2.0 + run % 3, None)
            )
            ledger.ran(MODELS[run % len(MODELS)][0], at=at, seconds=3.0, metering=metering)
