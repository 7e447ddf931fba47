"""Scriptable twins of the dashboard's panes: `bytez-tui models|job|load|status|…`.

They share the dashboard's config file, environment variables and catalogue
cache, write data on stdout and narration on stderr, and exit with the codes
listed in `bytez_tui.cli.output`. Nothing here imports Textual; httpx is
imported only once a command is about to speak to the API.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from bytez_tui.cli.context import Context, UsageError
from bytez_tui.cli.output import (
    EXIT_API,
    EXIT_AUTH,
    EXIT_BROKEN_PIPE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Output,
    OutputFailed,
    exit_code,
)
from bytez_tui.cli.parser import SUBCOMMANDS, build_parser

if TYPE_CHECKING:
    from bytez_tui.api import BytezClient
    from bytez_tui.config import Settings

__all__ = ["demo_face", "main"]


def main(argv: list[str], options: argparse.Namespace) -> int:
    """Run one scripted command and return its exit code.

    Args:
        argv: The command word and its arguments, e.g. `["run", "org/name", "-"]`.
        options: The top-level flags already parsed by `bytez_tui.__main__`.
    """
    parser = build_parser(argv[0])
    args, extra = parser.parse_known_args(argv[1:])
    if extra and args.command == "models" and all(_is_negation(word) for word in extra):
        args.query += extra  # `models llama -onnx`: negated words of the query
    elif extra and args.command == "chat" and not any(word.startswith("-") for word in extra):
        args.prompt += extra  # `chat MODEL --continue what next?`: words after the option
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    out = Output(prog=parser.prog, quiet=args.quiet)
    try:
        if SUBCOMMANDS[args.command].load is None:  # local data only: no key, no server
            return _offline(args, options, out)
        prepare = _PREPARE.get(args.command)
        if prepare is not None and (code := prepare(args, out)) is not None:
            return code
        with _demo_server(options) as demo:
            settings = _settings(args, options, demo)
            from bytez_tui.config import exposed_key_warning

            if (warning := exposed_key_warning()) is not None:
                out.warn(warning)
            if not settings.api_key:
                out.error(
                    "no API key: set BYTEZ_API_KEY, pass --api-key, or save one from the dashboard"
                )
                return EXIT_AUTH
            import asyncio

            return asyncio.run(_run(args, settings, out))
    except UsageError as exc:
        out.error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        out.clear_progress()
        out.end_line()
        if getattr(args, "watch", False):
            if out.stdout_is_tty:
                out.fragment("\n")  # below the terminal's "^C"
            return EXIT_OK  # Ctrl+C is how a watch ends
        out.narrate("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): stop writing, quietly.
        _drop_stdout()
        return EXIT_BROKEN_PIPE
    except OutputFailed as exc:
        _drop_stdout()
        out.error(f"cannot write the output: {exc}")
        return EXIT_API


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that what is still buffered in it cannot fail again
    when Python flushes it on the way out (and print a traceback of its own)."""
    if sys.stdout is None:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


async def _run(args: argparse.Namespace, settings: Settings, out: Output) -> int:
    from bytez_tui.credentials import key_problem, url_problem
    from bytez_tui.errors import BytezError

    # Checked before the command runs, though the client is built only when a request is
    # about to go out (`Context.client`).
    if problem := url_problem(settings.base_url, allow_insecure_http=settings.allow_insecure_http):
        raise UsageError(problem)
    if problem := key_problem(settings.api_key or ""):
        out.error(problem)
        return EXIT_AUTH
    load = SUBCOMMANDS[args.command].load
    assert load is not None  # `main` runs the offline commands itself
    command = load()
    ctx = Context(
        args=args, settings=settings, out=out, connect=lambda: _connect(args, settings, out)
    )
    try:
        return await command(ctx)
    except BytezError as exc:
        out.end_line()
        out.error(exc.message)
        return exit_code(exc)
    finally:
        await ctx.aclose()


def _connect(args: argparse.Namespace, settings: Settings, out: Output) -> BytezClient:
    """The command's API client, narrating its retries."""
    # httpx imports its own command line (rich, click, pygments) when it can: ~35 ms of a
    # ~200 ms start. Marking that module absent makes httpx fall back to a stub.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    from bytez_tui.api import BytezClient
    from bytez_tui.local.dialects import dialect_for, remember_dialect

    client = BytezClient(
        api_key=settings.api_key or "",
        base_url=settings.base_url,
        api=dialect_for(settings.api, settings.store_key),
        timeout=settings.timeout,
        max_body=settings.max_body,
        retries=args.retries,
        allow_insecure_http=settings.allow_insecure_http,
    )
    client.on_detected = lambda found: remember_dialect(settings.store_key, found)
    client.on_retry = lambda error, wait: out.narrate(f"{error.message}; retrying in {wait:.1f} s")
    return client


def demo_face(options: argparse.Namespace) -> str:
    """The emulator face `--demo` serves: v2 with `--api v2`, else v1."""
    return "v2" if getattr(options, "api", None) == "v2" else "v1"


def _offline(args: argparse.Namespace, options: argparse.Namespace, out: Output) -> int:
    from dataclasses import replace

    from bytez_tui.cli.spend import spend

    settings = _settings(args, options, None)
    if getattr(options, "demo", False):
        settings = replace(settings, demo=True)  # the demo's ledger, without its server
    return spend(args, settings, out)


def _is_negation(word: str) -> bool:
    return len(word) > 1 and word[0] == "-" and word[1] != "-"


def _prepare_run(args: argparse.Namespace, out: Output) -> int | None:
    from bytez_tui.cli.run import prepare

    prepare(args, out, allow_empty=True)  # some v2 tasks take no input
    return None


def _prepare_chat(args: argparse.Namespace, out: Output) -> int | None:
    from bytez_tui.cli.chat import prepare

    prepare(args, out)
    return None


def _prepare_compare(args: argparse.Namespace, out: Output) -> int | None:
    from bytez_tui.cli.compare import prepare

    prepare(args, out)
    return None


def _prepare_delete(args: argparse.Namespace, out: Output) -> int | None:
    from bytez_tui.cli.lifecycle import confirm_delete

    return confirm_delete(args, out)


_PREPARE: dict[str, Callable[[argparse.Namespace, Output], int | None]] = {
    "run": _prepare_run,
    "chat": _prepare_chat,
    "compare": _prepare_compare,
    "delete": _prepare_delete,
}
"""Checks that need no network (stdin, --params, confirmation), run before connecting."""


def _settings(args: argparse.Namespace, options: argparse.Namespace, demo: str | None) -> Settings:
    from bytez_tui.config import DEMO_KEY, ConfigError, load_settings

    overrides = {}
    for key in ("base_url", "api_key", "allow_insecure_http", "api"):
        later = getattr(args, key, None)
        overrides[key] = later if later is not None else getattr(options, key, None)
    if demo is not None:
        api = "v2" if overrides["api"] == "v2" else "v1"
        overrides.update(base_url=demo, api_key=DEMO_KEY, demo=True, api=api)
    later = getattr(args, "profile", None)
    profile = later if later is not None else getattr(options, "profile", None)
    try:
        return load_settings(overrides, profile="" if demo is not None else profile)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc


@contextlib.contextmanager
def _demo_server(options: argparse.Namespace) -> Iterator[str | None]:
    """With the global `--demo`, serve the embedded emulator for one command."""
    if not getattr(options, "demo", False):
        yield None
        return
    from bytez_tui.emulator import EmulatorServer

    # The demo shows v1, the fullest feature set, unless v2 is asked for.
    server = EmulatorServer(api=demo_face(options))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
