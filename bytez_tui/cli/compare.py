"""`compare`: the Compare pane's twin; one prompt on two or three models at once.

`bytez-tui compare MODEL MODEL [MODEL] [PROMPT… | -] [--params JSON] [--json]` streams
every model in parallel, then prints each answer under its model's name, in the order
given, and a stats table (or one JSON document). The comparison is saved where the
Compare pane lists it. The exit code is `run`'s for the worst column: a refused key (4)
over a failure (1) over one worth retrying (3) over success (0). Ctrl+C prints what
arrived, marked stopped, and exits 130.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from bytez_tui.catalogue.ids import is_model_id
from bytez_tui.cli.context import Context, UsageError
from bytez_tui.cli.output import EXIT_API, EXIT_AUTH, EXIT_OK, EXIT_RETRYABLE, Output, exit_code
from bytez_tui.cli.run import prepare as prepare_run
from bytez_tui.comparing import ColumnRun, stream_column
from bytez_tui.errors import BytezError, StreamCut, StreamError
from bytez_tui.format import money
from bytez_tui.local.comparisons import MAX_COLUMNS, Comparison
from bytez_tui.text import cells, pad

if TYPE_CHECKING:
    from bytez_tui.local.ledger import Ledger

__all__ = ["PROGRESS_RATE", "compare", "prepare", "worst"]

_SEVERITY = (EXIT_OK, EXIT_RETRYABLE, EXIT_API, EXIT_AUTH)
"""Exit codes from the mildest to the worst."""
PROGRESS_RATE = 10.0
"""Progress line redraws per second at most (on a terminal's stderr)."""


def worst(codes: list[int]) -> int:
    """The exit code of the worst column: auth over failure over retry over success."""
    return max(codes, key=_SEVERITY.index, default=EXIT_OK)


def prepare(args: argparse.Namespace, out: Output) -> None:
    """Split the models from the prompt, read the prompt (stdin for `-` or none) and parse
    `--params`, before connecting.

    The first two words are models; the third is one too when it is an `org/name` id (a
    prompt that starts with such a word goes on stdin). Sets `args.models`,
    `args.prompt_text` and `args.params_dict`.

    Raises:
        UsageError: Fewer than two models, or a bad prompt or `--params`.
    """
    from bytez_tui.catalogue.ids import model_id_from

    words: list[str] = args.words
    models = [model_id_from(word) for word in words[:2]]
    if len(words) > 2 and is_model_id(model_id_from(words[2])):
        models.append(model_id_from(words[2]))
    for model in models:
        if not is_model_id(model):
            raise UsageError(f"expected a Hugging Face id, org/name: {model!r}")
    if len(models) < 2:
        raise UsageError("compare needs two or three models, then the prompt")
    if len(set(models)) < len(models):
        raise UsageError("each model can be compared once")
    assert len(models) <= MAX_COLUMNS
    args.models = models
    args.prompt = words[len(models) :]
    prepare_run(args, out)


async def compare(ctx: Context) -> int:
    """Run every column at once, then print the answers and the stats."""
    args, out, client = ctx.args, ctx.out, ctx.client
    prompt: str = args.prompt_text
    params: dict[str, Any] = args.params_dict
    runs = [ColumnRun(model, dict(params), time.monotonic()) for model in args.models]
    errors: list[BytezError | None] = [None] * len(runs)
    started_at = ctx.now()
    progress = _Progress(out, runs)

    async def column(index: int) -> None:
        errors[index] = await stream_column(
            client,
            runs[index],
            prompt,
            monotonic=time.monotonic,
            feed=progress.fragment,
            hide_echo=ctx.settings.hide_prompt_echo,
        )

    out.progress(f"waiting for {len(runs)} answers…")
    tasks = [asyncio.ensure_future(column(index)) for index in range(len(runs))]
    try:
        await asyncio.gather(*tasks)
    finally:
        # Also on Ctrl+C: every column is stopped, what arrived is printed and kept.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        out.clear_progress()
        now = time.monotonic()
        comparison = Comparison(
            time=started_at.isoformat(),
            prompt=prompt,
            params=params,
            columns=tuple(run.record(now) for run in runs),
        )
        _record(ctx, runs, comparison)
        if args.json:
            out.json(_document(comparison, errors))
        else:
            _print(out, comparison)
    codes = [EXIT_OK if error is None else exit_code(error) for error in errors]
    for run, error in zip(runs, errors, strict=True):
        if error is not None and error.status == 409:
            out.error(f"{run.model}: {error.message} — load it first: bytez-tui load {run.model}")
        elif isinstance(error, StreamError):
            kind = "the stream was cut off" if isinstance(error, StreamCut) else "the model failed"
            kept = " (the text received is kept above)" if error.partial else ""
            out.error(f"{run.model}: {kind}: {error.message}{kept}")
        elif error is not None:
            out.error(f"{run.model}: {error.message}")
    return worst(codes)


class _Progress:
    """The stderr line that counts each column's fragments while they stream."""

    def __init__(self, out: Output, runs: list[ColumnRun]) -> None:
        self.out = out
        self.runs = runs
        self._next = 0.0

    def fragment(self, _text: str) -> None:
        if not self.out.progress_enabled:
            return
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + 1 / PROGRESS_RATE
        shown = " · ".join(f"{run.model.rpartition('/')[2]} {run.fragments}" for run in self.runs)
        self.out.progress(f"{shown} fragments · Ctrl+C stops")


def _record(ctx: Context, runs: list[ColumnRun], comparison: Comparison) -> None:
    """Save the comparison, and each column's run in the spend ledger."""
    from bytez_tui.cli.spend import record
    from bytez_tui.local.comparisons import ComparisonStore

    for run, column in zip(runs, comparison.columns, strict=True):
        seconds = column.stats.elapsed
        record(ctx, partial(_ran, run, ctx.now() - timedelta(seconds=seconds), seconds))
    try:
        saved = ComparisonStore(store_key=ctx.settings.store_key).save(comparison)
    except OSError as exc:
        ctx.out.narrate(f"warning: the comparison was not saved: {exc}")
        return
    ctx.out.narrate(f"saved as comparison {saved.id} (the Compare pane's history lists it)")


def _ran(run: ColumnRun, at: datetime, seconds: float, ledger: Ledger) -> None:
    ledger.ran(run.model, at=at, seconds=seconds, metering=run.metering, outcome=run.outcome)


def _print(out: Output, comparison: Comparison) -> None:
    for column in comparison.columns:
        out.line(f"── {column.model} ──")
        out.fragment(column.output.lstrip(" "))  # the space a completion opens with
        out.end_line()
        out.line()
    heads = ("MODEL", "OUTCOME", "FIRST", "ELAPSED", "FRAGMENTS", "CHARS/S", "COST")
    rows = [
        (
            column.model,
            column.outcome,
            "—" if s.first_fragment is None else f"{s.first_fragment:.2f} s",
            f"{s.elapsed:.2f} s",
            f"{s.fragments:,}",
            "—" if s.chars_per_second is None else f"{s.chars_per_second:,.0f}",
            money(s.cost_usd),
        )
        for column in comparison.columns
        for s in [column.stats]
    ]
    widths = [max(cells(row[i]) for row in [heads, *rows]) for i in range(len(heads))]
    for row in [heads, *rows]:
        first = pad(row[0], widths[0])
        rest = [pad(value, widths[i], "right") for i, value in enumerate(row) if i > 1]
        out.line("  ".join([first, pad(row[1], widths[1]), *rest]).rstrip())


def _document(comparison: Comparison, errors: list[BytezError | None]) -> dict[str, Any]:
    return {
        "prompt": comparison.prompt,
        "params": comparison.params,
        "columns": [
            {
                "model": column.model,
                "text": column.output,
                "outcome": column.outcome,
                "error": column.error,
                "exit_code": EXIT_OK if error is None else exit_code(error),
                "first_fragment_seconds": _rounded(column.stats.first_fragment),
                "elapsed_seconds": _rounded(column.stats.elapsed),
                "fragments": column.stats.fragments,
                "chars": column.stats.chars,
                "chars_per_second": _rounded(column.stats.chars_per_second),
                "cost_usd": column.stats.cost_usd,
            }
            for column, error in zip(comparison.columns, errors, strict=True)
        ],
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
