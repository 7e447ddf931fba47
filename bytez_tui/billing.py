"""How Bytez bills instance time: a rate per GB of model RAM per second, 60 s at the least,
then whole minutes.

Every cost the app estimates (the catalogue's per-hour column, the load dialog's idle cost,
an instance's cost so far, the spend ledger) is made here, so that one rule is applied
everywhere. The server's own figures (v2's `meterPrice` and `inference-cost`) are read in
`bytez_tui.models`.
"""

from __future__ import annotations

import math

__all__ = ["MAX_COST", "RATE_PER_GB_SECOND", "billed_seconds", "cost_per_hour", "cost_usd"]

RATE_PER_GB_SECOND = 0.0000166667
"""Dollars per GB of model RAM per second (API reference §5)."""

MAX_COST = 1_000_000.0
"""The most one run or one instance life can believably cost, in dollars: Bytez's dearest
meter ($0.03 a second) takes a year to reach it. A larger figure from a server (an
`inference-cost` of 1e15) is unknown, and a ledger row holding one is damaged."""


def billed_seconds(seconds: float) -> int:
    """Seconds billed for `seconds` of uptime: 60 s minimum, then whole minutes."""
    if seconds <= 0:
        return 60
    return max(60, math.ceil(seconds / 60) * 60)


def cost_usd(ram_gb: float | None, seconds: float) -> float | None:
    """Cost of running a model of `ram_gb` for `seconds`, as billed; None without RAM."""
    if ram_gb is None:
        return None
    return ram_gb * billed_seconds(seconds) * RATE_PER_GB_SECOND


def cost_per_hour(ram_gb: float | None) -> float | None:
    """Hourly cost of a model of `ram_gb`; None without RAM."""
    return None if ram_gb is None else ram_gb * 3600 * RATE_PER_GB_SECOND
