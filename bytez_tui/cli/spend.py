"""`spend`: the twin of the Spend screen, from the ledger alone (no request is made); and
the ledger writes of the commands that start, use, list and stop instances.

`bytez-tui spend [--since 7d|2024-07-01] [--by day|model] [--json]`: one line per day (every
day of the range, the empty ones too) or per model, then the totals. Amounts that are our
estimate, in whole or in part, read `≈$…`; `--json` keeps the server-reported and estimated
parts apart (`server_usd`, `estimate_usd`).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from bytez_tui.cli.output import EXIT_OK, Output
from bytez_tui.format import money
from bytez_tui.text import cells, pad, printable

if TYPE_CHECKING:
    from bytez_tui.cli.context import Context
    from bytez_tui.config import Settings
    from bytez_tui.local.ledger import Ledger
    from bytez_tui.local.spend import Spend

__all__ = ["record", "record_run", "spend", "timed_run"]


def spend(args: argparse.Namespace, settings: Settings, out: Output) -> int:
    """Print the spend of `--since` … now, by day or by model."""
    from bytez_tui.local.ledger import Ledger

    ledger = Ledger(store_key=settings.store_key)
    now = datetime.now(timezone.utc)
    since = _since(args.since, now, ledger)
    try:
        if args.by == "model":
            rows = [
                {
                    "model": row.model,
                    "runs": row.runs,
                    "instances": row.instances,
                    **_amounts(row.spend),
                }
                for row in ledger.by_model(since, now)
            ]
        else:
            rows = [
                {"day": row.day.isoformat(), **_amounts(row.spend)}
                for row in ledger.by_day(since, now)
            ]
        total = ledger.total(since, now)
        burn = ledger.burn_rate(now)
    except OSError as exc:
        out.error(str(exc))
        return 1
    if args.json:
        out.json(
            {
                "since": since.isoformat(),
                "until": now.isoformat(),
                "by": args.by,
                "rows": rows,
                "total": _amounts(total),
                "burn_rate_usd_per_hour": round(burn, 6),
            }
        )
        return EXIT_OK
    key = "model" if args.by == "model" else "day"
    # Every cell as it will be printed (a model id with its controls shown), then each
    # column as wide as its widest cell, in terminal cells.
    heads = [key.upper(), "SPEND", *(("RUNS", "INSTANCES") if key == "model" else ())]
    lines = [
        [
            printable(str(row[key]), one_line=True),
            _shown(row),
            *((str(row["runs"]), str(row["instances"])) if key == "model" else ()),
        ]
        for row in rows
    ]
    lines.append(["total", _shown(_amounts(total))])
    widths = [
        max(cells(line[i]) for line in [heads, *lines] if i < len(line)) for i in range(len(heads))
    ]
    for line in [heads, *lines]:
        shown = [pad(line[0], widths[0])]
        shown += [
            pad(cell, width, "right") for cell, width in zip(line[1:], widths[1:], strict=False)
        ]
        out.line("  ".join(shown))
    out.narrate(
        f"burn rate now ≈{money(burn)}/h; ≈ marks our estimate (instance time billed as "
        f"Bytez bills it), plain amounts the server's own inference-cost"
    )
    return EXIT_OK


def record(ctx: Context, write: Callable[[Ledger], object]) -> None:
    """Write to the ledger of `ctx`'s API; a failure is a warning, never the command's."""
    from bytez_tui.local.ledger import Ledger

    try:
        write(Ledger(store_key=ctx.settings.store_key))
    except OSError as exc:
        ctx.out.narrate(f"warning: spend not recorded: {exc}")


async def timed_run(ctx: Context, run: Callable[[Context], Any]) -> int:
    """Run `run(ctx)` and record it in the ledger: when, how long, what it cost."""
    started = time.monotonic()
    outcome = "failed"
    try:
        code: int = await run(ctx)
        outcome = "done" if code == EXIT_OK else "failed"
        return code
    except (KeyboardInterrupt, BrokenPipeError):
        outcome = "stopped"
        raise
    finally:
        # Timed after the request: only then does `ctx.now()` know the server's clock.
        seconds = time.monotonic() - started
        record_run(ctx, ctx.now() - timedelta(seconds=seconds), seconds, outcome)


def record_run(ctx: Context, at: datetime, seconds: float, outcome: str) -> None:
    """Record a run of `ctx.args.model` with the metering the server sent."""
    metering = ctx.client.last_metering
    record(
        ctx,
        lambda ledger: ledger.ran(
            ctx.args.model, at=at, seconds=seconds, metering=metering, outcome=outcome
        ),
    )


def _since(value: float | date, now: datetime, ledger: Ledger) -> datetime:
    """The start of the range: a date's midnight; `Nd` is the last N calendar days, today
    included (as the Spend screen's bars); other durations go back exactly that long."""
    if isinstance(value, float) and value >= 86400 and value % 86400 == 0:
        value = now.astimezone(ledger.tz).date() - timedelta(days=int(value // 86400) - 1)
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time(), ledger.tz)
    return now - timedelta(seconds=value)


def _amounts(amount: Spend) -> dict[str, float]:
    return {
        "server_usd": round(amount.server, 6),
        "estimate_usd": round(amount.estimate, 6),
        "total_usd": round(amount.total, 6),
    }


def _shown(row: dict[str, Any]) -> str:
    mark = "≈" if row["estimate_usd"] > 0 else ""
    return mark + money(float(row["total_usd"]))
