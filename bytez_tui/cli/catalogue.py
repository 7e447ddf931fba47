"""`models`: the catalogue pane's twin, with the same query language and cache file.

The catalogue comes from the cache the dashboard writes (one file per API) while
it is younger than `MAX_AGE`; otherwise, or with `--refresh`, it is fetched and
the cache rewritten for both. If a fetch fails and a cache exists, the old
catalogue is used with a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from bytez_tui.catalogue.cache import catalogue_key, load_cached, save_cache
from bytez_tui.catalogue.index import CatalogueIndex, SortKey
from bytez_tui.catalogue.query import QueryError, compile_query
from bytez_tui.cli.context import Context, UsageError
from bytez_tui.cli.output import EXIT_OK
from bytez_tui.cli.shapes import model_json
from bytez_tui.errors import AuthError, BytezError
from bytez_tui.format import DASH, ago, money, ram
from bytez_tui.local.dialects import dialect_for
from bytez_tui.text import cells, pad, printable

__all__ = ["MAX_AGE", "cached_index", "models"]

MAX_AGE = 24 * 3600.0
"""Seconds a cached catalogue is used without fetching it again."""

_SORT_KEYS: dict[str, SortKey] = {"name": "id", "ram": "ram", "cost": "cost"}
_COLUMNS = ("MODEL", "RAM GB", "$/HOUR", "BENCH")
_V2_COLUMNS = ("MODEL", "RAM GB", "BYTEZ $/H", "TASK")
_V2_OUR_COSTS = ("MODEL", "RAM GB", "$/HOUR", "TASK")


def cached_index(store_key: str, api: str = "auto") -> CatalogueIndex | None:
    """The cached catalogue of one API (`Settings.store_key`) in the dialect `api` names or
    `auto` found, without fetching; None if not cached."""
    cached = load_cached(catalogue_key(store_key, dialect_for(api, store_key)))
    return None if cached is None else cached.index


async def models(ctx: Context) -> int:
    """List the catalogue matching the query, sorted and limited."""
    args, out = ctx.args, ctx.out
    text = " ".join(args.query)
    try:
        query = compile_query(text)
    except QueryError as exc:
        raise UsageError(f"bad query: {exc.message}") from None
    index = await _catalogue(ctx)
    running: frozenset[str] = frozenset()
    if query.uses_running:
        running = frozenset(i.model for i in await ctx.client.instances() if not i.is_failed)
    tracked: frozenset[str] = frozenset()
    if query.uses_tracked:
        from bytez_tui.local.jobs import JobStore

        store = JobStore(store_key=ctx.settings.store_key)
        try:
            tracked = frozenset(job.model for job in store.load())
        except OSError as exc:
            ctx.out.narrate(f"warning: tracked jobs unavailable: {exc}")
        for notice in store.take_notices():
            ctx.out.narrate(f"warning: {notice}")
    order = index.order(_SORT_KEYS[args.sort])
    rows = query.filter(index, within=order, running=running, tracked=tracked)
    if args.task and index.has_tasks:  # v2's catalogue says each model's task
        rows = [row for row in rows if index.task(row) == args.task]
    elif args.task:
        # Else the server filters by task (both dialects take `?task=`).
        of_task = {model.name for model in await ctx.client.list_models(task=args.task)}
        rows = [row for row in rows if index.names[row] in of_task]
    shown = rows[: args.limit] if args.limit else rows
    if args.json:
        out.json([model_json(index.model(row)) for row in shown])
    else:
        _table(ctx, index, shown)
    more = f", showing {len(shown)}" if len(shown) < len(rows) else ""
    out.narrate(f"{len(rows)} of {len(index)} models match{more}")
    return EXIT_OK


async def _catalogue(ctx: Context) -> CatalogueIndex:
    store_key = catalogue_key(
        ctx.settings.store_key, dialect_for(ctx.settings.api, ctx.settings.store_key)
    )
    cached = None if ctx.args.refresh else load_cached(store_key)
    now = datetime.now(timezone.utc)
    if cached is not None and (now - cached.fetched_at).total_seconds() < MAX_AGE:
        ctx.out.narrate(
            f"catalogue from cache, updated {ago(cached.fetched_at, now)} (--refresh to fetch)"
        )
        return cached.index
    ctx.out.progress("fetching the catalogue…")
    try:
        fetched = await ctx.client.list_models()
    except AuthError:
        raise
    except BytezError as exc:
        stale = cached or load_cached(store_key)
        if stale is None:
            raise
        ctx.out.narrate(
            f"warning: {exc.message}; using the catalogue cached {ago(stale.fetched_at, now)}"
        )
        return stale.index
    finally:
        ctx.out.clear_progress()
    index = CatalogueIndex.from_models(fetched)
    store_key = catalogue_key(ctx.settings.store_key, ctx.client.api_version)  # known now
    try:
        save_cache(index, fetched_at=now, store_key=store_key)
    except OSError as exc:
        ctx.out.narrate(f"warning: could not write the catalogue cache: {exc}")
    return index


def _table(ctx: Context, index: CatalogueIndex, rows: Sequence[int]) -> None:
    """The rows as aligned columns: v1's, or v2's with the task and the server's price
    (`BYTEZ $/H`; a row it gave no price for shows our RAM estimate, marked `~`)."""
    if not rows:
        return
    v2 = index.has_tasks
    table = [_V2_COLUMNS if v2 and index.has_prices else _V2_OUR_COSTS if v2 else _COLUMNS]
    for row in rows:
        cost = money(index.cost_per_hour(row))
        if index.has_prices and not index.server_priced(row) and cost != DASH:
            cost = "~" + cost
        name = printable(index.names[row], one_line=True)
        if v2:
            task = printable(index.task(row) or DASH, one_line=True)
            table.append((name, ram(index.ram[row]), cost, task))
        else:
            table.append((name, ram(index.ram[row]), cost, "yes" if index.bench[row] else "no"))
    widths = [max(cells(line[i]) for line in table) for i in range(4)]
    for line in table:
        shown = [
            pad(line[0], widths[0]),
            pad(line[1], widths[1], "right"),
            pad(line[2], widths[2], "right"),
        ]
        ctx.out.line("  ".join([*shown, line[3]]))
