"""`status` and `instances`: the twins of the instances pane, with expiry countdowns."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from bytez_tui.billing import cost_usd
from bytez_tui.cli.context import Context
from bytez_tui.cli.output import EXIT_OK
from bytez_tui.cli.shapes import instance_json, no_instance_json
from bytez_tui.errors import AuthError, BytezError
from bytez_tui.format import DASH, Phase, countdown_text, duration, money
from bytez_tui.models import Instance
from bytez_tui.text import cells, pad, printable

__all__ = ["instance_line", "instances", "lookup_ram", "print_instance", "status"]

_COLUMNS = ("MODEL", "STATUS", "CONC", "RUNS", "EXPIRES IN", "UPTIME", "COST")
_RIGHT = {"CONC", "RUNS", "COST"}


async def status(ctx: Context) -> int:
    """Print one model's instance; a model without one is not an error."""
    model = ctx.args.model
    print_instance(ctx, model, await ctx.client.status(model), detailed=True)
    return EXIT_OK


def print_instance(
    ctx: Context, model: str, instance: Instance | None, *, detailed: bool = False
) -> None:
    """One instance as JSON, as one line, or (`detailed`) as labelled lines."""
    now = ctx.now()
    if ctx.args.json:
        ctx.out.json(
            no_instance_json(model)
            if instance is None
            else instance_json(instance, now, lookup_ram(ctx, model))
        )
    elif instance is None:
        ctx.out.line(f"{model}: no instance")
    elif detailed:
        for label, value in _details(ctx, instance, now):
            ctx.out.line(f"{label:<12} {value}")
    else:
        ctx.out.line(instance_line(instance, now))


async def instances(ctx: Context) -> int:
    """List the instances once, or keep refreshing them with `--watch`."""
    if ctx.args.watch:
        return await _watch(ctx)
    found = await ctx.client.instances()
    _record(ctx, found)
    _print(ctx, found)
    return EXIT_OK


def instance_line(instance: Instance, now: datetime) -> str:
    """One line about an instance, such as `org/name: RUNNING · concurrency 1 · expires in 4m`."""
    parts = [f"{instance.model}: {instance.status}", f"concurrency {instance.concurrency}"]
    if instance.is_failed:
        parts.append(instance.error or "no reason given")
    elif instance.is_running:
        parts.append(_expiry(instance, now))
    return " · ".join(parts)


def lookup_ram(ctx: Context, model: str) -> float | None:
    """The model's RAM from the catalogue cache, without fetching; None when unknown."""
    store_key = ctx.settings.store_key
    table = _RAM.get(store_key)
    if table is None:
        from bytez_tui.cli.catalogue import cached_index

        index = cached_index(store_key, ctx.settings.api)
        table = _RAM[store_key] = (
            {} if index is None else dict(zip(index.names, index.ram, strict=True))
        )
    return table.get(model)


_RAM: dict[str, dict[str, float | None]] = {}
"""RAM per model per API, read once from the catalogue cache."""


async def _watch(ctx: Context) -> int:
    args, out = ctx.args, ctx.out
    interval = args.interval or ctx.settings.instances_refresh
    redraw = out.stdout_is_tty and not args.json
    tick = ctx.poll_interval(1.0)
    found: list[Instance] | None = None
    problem = ""
    next_fetch = 0.0
    while True:
        if time.monotonic() >= next_fetch:
            try:
                found, problem = await ctx.client.instances(), ""
                _record(ctx, found)
            except AuthError:
                raise
            except BytezError as exc:
                problem = exc.message
                if not redraw:
                    out.narrate(f"refresh failed: {problem}")
            next_fetch = time.monotonic() + interval
            if not redraw and found is not None and not problem:
                _print(ctx, found)
        if redraw:
            _draw(ctx, found, problem, interval)
            await asyncio.sleep(tick)
        else:
            await asyncio.sleep(max(0.0, next_fetch - time.monotonic()))


def _record(ctx: Context, found: list[Instance]) -> None:
    """Tell the ledger what the server listed (lives start and end by it)."""
    from bytez_tui.cli.spend import record

    at, billed = ctx.now(), ctx.client.api_version != "v2"
    record(
        ctx,
        lambda ledger: ledger.observed(
            found, at=at, ram_of=lambda model: lookup_ram(ctx, model), billed=billed
        ),
    )


def _draw(ctx: Context, found: list[Instance] | None, problem: str, interval: float) -> None:
    now = ctx.now()
    lines = [f"Every {duration(interval)} · {now:%H:%M:%S} UTC · Ctrl+C to stop", ""]
    if problem:
        lines += [f"! refresh failed: {problem}", ""]
    if found is None:
        lines.append("Loading…")
    elif not found:
        lines.append("No instances.")
    else:
        lines += _table(ctx, found, now)
    ctx.out.redraw("\n".join(lines) + "\n")


def _print(ctx: Context, found: list[Instance]) -> None:
    now = ctx.now()
    if ctx.args.json:
        ctx.out.json([instance_json(i, now, lookup_ram(ctx, i.model)) for i in found])
    elif not found:
        ctx.out.narrate("No instances.")
    else:
        for line in _table(ctx, found, now):
            ctx.out.line(line)
        if ctx.args.watch:
            ctx.out.line()


def _table(ctx: Context, found: list[Instance], now: datetime) -> list[str]:
    rows = [_COLUMNS]
    for instance in found:
        ram = lookup_ram(ctx, instance.model)
        uptime = instance.uptime(now)
        rows.append(
            (
                printable(instance.model, one_line=True),
                printable(instance.status, one_line=True),
                str(instance.concurrency),
                DASH if instance.inferences is None else str(instance.inferences),
                _countdown(instance, now)[0],
                duration(uptime),
                money(None if uptime is None else cost_usd(ram, uptime)),
            )
        )
    widths = [max(cells(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    return [
        "  ".join(
            pad(cell, width, "right" if name in _RIGHT else "left")
            for cell, width, name in zip(row, widths, _COLUMNS, strict=True)
        ).rstrip()
        for row in rows
    ]


def _countdown(instance: Instance, now: datetime) -> tuple[str, Phase]:
    """The dashboard's countdown text and phase (a failed instance has no expiry)."""
    return countdown_text(None if instance.is_failed else instance.expires_at, now)


def _left(instance: Instance, now: datetime) -> str:
    expires_at = instance.expires_at
    return DASH if expires_at is None else duration((expires_at - now).total_seconds())


def _expiry(instance: Instance, now: datetime) -> str:
    _text, phase = _countdown(instance, now)
    if phase == "none":
        return "no expiry reported"
    if phase in ("expiring", "expired"):
        return "expiring now"
    return f"expires in {_left(instance, now)}"


def _details(ctx: Context, instance: Instance, now: datetime) -> list[tuple[str, str]]:
    ram = lookup_ram(ctx, instance.model)
    rows = [
        ("model", instance.model),
        ("status", instance.status),
        ("concurrency", str(instance.concurrency)),
        ("inferences", DASH if instance.inferences is None else str(instance.inferences)),
    ]
    if instance.expires_at is not None:
        _text, phase = _countdown(instance, now)
        at = f"{instance.expires_at:%Y-%m-%d %H:%M:%S} UTC"
        if phase in ("expiring", "expired"):
            rows.append(("expires", f"expiring: idle since {at}, shutting down"))
        elif phase != "none":
            rows.append(("expires", f"in {_left(instance, now)}, at {at}"))
    if instance.expiration_period_seconds is not None:
        rows.append(("idle expiry", duration(instance.expiration_period_seconds)))
    uptime = instance.uptime(now)
    if instance.created is not None and uptime is not None:
        rows.append(("created", f"{instance.created:%Y-%m-%d %H:%M:%S} UTC"))
        rows.append(("uptime", duration(uptime)))
        rows.append(("cost so far", money(cost_usd(ram, uptime))))
    if instance.error:
        rows.append(("error", instance.error))
    return rows
