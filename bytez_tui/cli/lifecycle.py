"""`job`, `load` and `delete`: the twins of the jobs pane and the instance actions."""

from __future__ import annotations

import argparse
import sys

from bytez_tui.cli.context import Context, UsageError, Waiter, WaitTimedOut
from bytez_tui.cli.instances import lookup_ram, print_instance
from bytez_tui.cli.output import EXIT_API, EXIT_OK, EXIT_TIMEOUT, Output
from bytez_tui.cli.shapes import deletion_json, job_json
from bytez_tui.cli.spend import record
from bytez_tui.errors import AlreadyLoaded, LoadInProgress
from bytez_tui.format import duration
from bytez_tui.models import Instance, Job

__all__ = ["confirm_delete", "delete", "job", "load"]

JOB_POLL = 5.0
"""Seconds before the first re-poll of a job; then ×1.5 up to `JOB_POLL_MAX`."""
JOB_POLL_MAX = 30.0
LOAD_POLL = 5.0
"""Seconds before the first status poll of a load (the official clients' rate) …"""
LOAD_POLL_MAX = 10.0
"""… slowing to this."""


async def job(ctx: Context) -> int:
    """Request a model (`/model/job`); with `--wait`, poll until it is available."""
    args, out = ctx.args, ctx.out
    current = await ctx.client.job(args.model)
    if args.wait and not current.finished:
        out.narrate(_job_words(current))
        interval = ctx.poll_interval(JOB_POLL)
        waiter = Waiter(
            out,
            timeout=args.timeout,
            interval=interval,
            max_interval=JOB_POLL_MAX * interval / JOB_POLL,
        )
        ctx.client.retry_deadline = waiter.deadline
        try:
            while not current.finished:
                await waiter.pause(f"{args.model}: {current.state}")
                previous = current
                current = await waiter.poll(lambda: ctx.client.job(args.model))
                if current.state != previous.state and not current.finished:
                    out.narrate(_job_words(current))
        except WaitTimedOut as stop:
            _print_job(ctx, current)
            out.error(_gave_up(args.timeout, f"{args.model} is still {current.state}", stop))
            return EXIT_TIMEOUT
    _print_job(ctx, current)
    if current.state == "failed":
        out.error(f"the job for {args.model} failed: {current.message or 'no reason given'}")
        return EXIT_API
    if not args.wait and not current.finished:
        out.narrate(f"poll again with: bytez-tui job {args.model} --wait")
    return EXIT_OK


async def load(ctx: Context) -> int:
    """Start an instance (`/model/load`); with `--wait`, poll `/model/status` until RUNNING."""
    args, out, client = ctx.args, ctx.out, ctx.client
    instance: Instance | None
    try:
        instance = await client.load(
            args.model,
            concurrency=args.concurrency,
            expiration_period_seconds=round(args.expire),
        )
        _record_load(ctx)
        out.narrate(
            f"{args.model}: load requested (concurrency {args.concurrency}, "
            f"stops after {duration(args.expire)} idle)"
        )
    except AlreadyLoaded:
        out.narrate(f"{args.model} is already loaded")
        instance = await client.status(args.model)
    except LoadInProgress:
        out.narrate(f"{args.model}: a load is already in progress")
        instance = await client.status(args.model)
    if args.wait:
        interval = ctx.poll_interval(LOAD_POLL)
        waiter = Waiter(
            out,
            timeout=args.timeout,
            interval=interval,
            max_interval=LOAD_POLL_MAX * interval / LOAD_POLL,
        )
        client.retry_deadline = waiter.deadline
        seen = instance.status if instance is not None else ""
        try:
            while instance is None or instance.is_booting:
                await waiter.pause(f"{args.model}: {seen or 'waiting'}")
                instance = await waiter.poll(lambda: client.status(args.model))
                if instance is not None and instance.status != seen:
                    seen = instance.status
                    if instance.is_booting:
                        out.narrate(f"{args.model}: {seen}")
        except WaitTimedOut as stop:
            print_instance(ctx, args.model, instance)
            out.error(_gave_up(args.timeout, f"{args.model} is still {seen}", stop))
            return EXIT_TIMEOUT
    print_instance(ctx, args.model, instance)
    if instance is not None and instance.is_failed:
        reason = instance.error or f"status {instance.status}"
        out.error(reason if args.model in reason else f"{args.model} failed to start: {reason}")
        return EXIT_API
    if not args.wait and instance is not None and instance.is_booting:
        out.narrate(f"wait for it with: bytez-tui load {args.model} --wait")
    return EXIT_OK


async def delete(ctx: Context) -> int:
    """Stop an instance (`/model/delete`); a model with none is not an error."""
    args, out = ctx.args, ctx.out
    deleted = await ctx.client.delete(args.model)
    at = ctx.now()
    record(ctx, lambda ledger: ledger.deleted(args.model, at=at))
    if args.json:
        out.json(deletion_json(args.model, deleted))
    else:
        out.line(f"{args.model}: {'stopped' if deleted else 'no instance'}")
    if not deleted:
        out.narrate(f"{args.model} had no instance; nothing to stop")
    return EXIT_OK


def confirm_delete(args: argparse.Namespace, out: Output) -> int | None:
    """Ask before deleting, unless `--yes`; without a terminal, `--yes` is required.

    Returns:
        None to go ahead, or the exit code (1) when the user declined.

    Raises:
        UsageError: No `--yes` and stdin is not a terminal.
    """
    if args.yes:
        return None
    if sys.stdin is None or not sys.stdin.isatty():
        raise UsageError(f"refusing to stop {args.model} without --yes (stdin is not a terminal)")
    out.stderr.write(f"Stop the instance of {args.model}? Billing ends now. [y/N] ")
    out.stderr.flush()
    try:
        answer = input()
    except EOFError:
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        out.narrate("left running")
        return EXIT_API
    return None


def _record_load(ctx: Context) -> None:
    """The load was accepted: the instance's life (and billing) starts now."""
    args, at = ctx.args, ctx.now()
    ram_gb = lookup_ram(ctx, args.model)
    billed = ctx.client.api_version != "v2"
    record(
        ctx,
        lambda ledger: ledger.loaded(
            args.model, at=at, ram_gb=ram_gb, period=round(args.expire), billed=billed
        ),
    )


def _span(seconds: float) -> str:
    return duration(seconds) if seconds >= 1 else f"{seconds:g}s"


def _gave_up(timeout: float, state: str, stop: WaitTimedOut) -> str:
    """The error line when `--wait` stops: the state, and why it stopped early, if it did."""
    if str(stop):
        return f"gave up within the {_span(timeout)} --timeout: {state} ({stop})"
    return f"gave up after {_span(timeout)}: {state}"


def _job_words(current: Job) -> str:
    said = f" ({current.message})" if current.message else ""
    return f"{current.model}: {current.state}{said}"


def _print_job(ctx: Context, current: Job) -> None:
    if ctx.args.json:
        ctx.out.json(job_json(current))
    else:
        ctx.out.line(_job_words(current))
