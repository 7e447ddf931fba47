"""`run`: the playground's twin; streams the answer to stdout fragment by fragment."""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
from typing import Any

from bytez_tui.cli.context import Context, UsageError
from bytez_tui.cli.output import EXIT_OK, Output, exit_code
from bytez_tui.errors import BadResponse, StreamCut, StreamError
from bytez_tui.prompting import EchoFilter, ParamsError, parse_params

__all__ = ["parse_params_flag", "prepare", "run"]


def prepare(args: argparse.Namespace, out: Output, *, allow_empty: bool = False) -> None:
    """Read the prompt (stdin for `-` or none) and parse `--params`, before connecting.

    Sets `args.prompt_text` and `args.params_dict`.

    Args:
        args: The command's arguments.
        out: Where the command writes.
        allow_empty: Let an empty prompt through: `run` refuses it once the model's task
            is known, as a v2 model that generates from nothing takes none.

    Raises:
        UsageError: No prompt, an empty one (unless allowed), or `--params` that is not
            a JSON object.
    """
    words: list[str] = args.prompt
    if words == ["-"] or (not words and sys.stdin is not None and not sys.stdin.isatty()):
        text = _read_stdin().rstrip("\r\n")
    elif not words:
        raise UsageError("give a prompt, or '-' to read it from stdin")
    elif "-" in words:
        raise UsageError("'-' (read stdin) cannot be mixed with prompt words")
    else:
        text = " ".join(words)
    if not allow_empty and not text.strip():
        raise UsageError("the prompt is empty")
    args.prompt_text = text
    args.params_dict = parse_params_flag(args.params)


def _read_stdin() -> str:
    """The prompt piped in, as UTF-8 text.

    Raises:
        UsageError: stdin is closed, or not UTF-8 (Python may have decoded it with
            surrogate escapes, which could not be sent).
    """
    if sys.stdin is None:
        raise UsageError("stdin is closed: give the prompt as words")
    try:
        text = sys.stdin.read()
        text.encode("utf-8")
    except UnicodeError:
        raise UsageError("the prompt on stdin is not UTF-8 text") from None
    return text


def parse_params_flag(text: str | None) -> dict[str, Any]:
    """Parse `--params`: a JSON object.

    Raises:
        UsageError: Not JSON (the message points at where it failed), or not an object.
    """
    try:
        return parse_params(text or "")
    except ParamsError as error:
        if error.line is None or error.column is None:
            raise UsageError(f"--params must be a JSON object, not {error.found}: {text}") from None
        line = text.splitlines()[error.line - 1] if text else ""
        raise UsageError(
            f"--params is not valid JSON: {error}\n  {line}\n  {' ' * (error.column - 1)}^"
        ) from None


async def run(ctx: Context) -> int:
    """Run the prompt; stream unless `--no-stream` or `--json`; record it in the ledger."""
    from bytez_tui.cli.spend import timed_run

    sent = await _input(ctx, ctx.args.prompt_text)  # a refused prompt is no run to record
    return await timed_run(ctx, functools.partial(_run, sent=sent))


async def _input(ctx: Context, prompt: str) -> str | dict[str, Any]:
    """What to send for `prompt`, read as the model's v2 task takes it (as the playground
    does: `catalogue.tasks`); the prompt as typed for a text task, or on v1.

    Raises:
        UsageError: The prompt is empty, or not what the task takes (nothing is sent).
    """
    from bytez_tui.catalogue.tasks import describe

    task = describe(await ctx.client.task_of(ctx.args.model))
    if not prompt.strip() and (task is None or task.needs_text):
        raise UsageError("the prompt is empty")
    if task is None:
        return prompt
    try:
        return task.read(prompt)
    except ValueError as error:
        raise UsageError(str(error)) from None


async def _run(ctx: Context, *, sent: str | dict[str, Any]) -> int:
    args, out, client = ctx.args, ctx.out, ctx.client
    prompt: str = args.prompt_text
    params: dict[str, Any] = args.params_dict
    hide_echo = ctx.settings.hide_prompt_echo
    out.progress(f"{args.model}: waiting for the answer…")
    try:
        if args.json or args.no_stream:
            result = await client.run(args.model, sent, params=params)
            if args.json:
                out.json({"model": args.model, "text": result.text, "output": result.output})
            else:
                text = result.text
                if hide_echo and text.startswith(prompt):
                    text = text[len(prompt) :]
                out.fragment(text)
                out.end_line()
            return EXIT_OK
        echo = EchoFilter(prompt if hide_echo else "")
        try:
            fragments = client.stream(args.model, sent, params=params)
            async with contextlib.aclosing(fragments):
                async for fragment in fragments:
                    out.fragment(echo.feed(fragment))
        finally:
            out.fragment(echo.close())
            out.end_line()
    except StreamError as exc:
        kind = "the stream was cut off" if isinstance(exc, StreamCut) else "the model failed"
        kept = " (the text received is kept on stdout)" if exc.partial else ""
        out.error(f"{kind}: {exc.message}{kept}")
        return exit_code(exc)
    except BadResponse as exc:
        if exc.status == 409:
            out.error(f"{exc.message} — load it first: bytez-tui load {args.model} --wait")
            return exit_code(exc)
        raise
    return EXIT_OK
