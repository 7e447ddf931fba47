"""Command line: parse flags → Settings → BytezApp → run.

`bytez-tui` alone opens the dashboard; `bytez-tui emulator …` serves the
emulator; the other subcommands are the dashboard's scriptable twins.
Heavy imports (Textual, the emulator) wait until the command needs them.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
import time
import traceback
from collections.abc import Callable

from bytez_tui import __version__
from bytez_tui.cli.parser import SUBCOMMANDS, add_connection_flags

_UNDECODED = re.compile("[\udc80-\udcff]")
"""What `os.fsdecode` makes of a byte that is not UTF-8 (`surrogateescape`)."""

STARTUP_GC_THRESHOLD = 100_000
"""Allocations between two young-generation collections while the dashboard starts."""


def _epilog() -> str:
    commands = [("(none)", "open the dashboard")]
    commands.append(
        ("emulator", "serve the offline emulator of the API (bytez-tui emulator --help)")
    )
    commands += [(name, command.summary) for name, command in SUBCOMMANDS.items()]
    lines = [f"  {name:<12} {summary}" for name, summary in commands]
    return "\n".join(
        [
            "commands:",
            *lines,
            "  (each takes --help)",
            "",
            "environment: BYTEZ_API_KEY, BYTEZ_BASE_URL, BYTEZ_API, BYTEZ_PROFILE; "
            "config file: see README.",
        ]
    )


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser (global flags and the command word)."""
    parser = argparse.ArgumentParser(
        prog="bytez-tui",
        description="A terminal dashboard for the Bytez model-serving API.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"bytez-tui {__version__}")
    add_connection_flags(parser)
    parser.add_argument(
        "--demo", action="store_true", help="run against the embedded offline emulator"
    )
    parser.add_argument("--theme", help="Textual theme name (saved when changed in the app)")
    parser.add_argument("command", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `bytez-tui` console script.

    Every failure we foresee has its own message and exit code; anything else ends
    here as one line and exit 1, with the traceback only under `BYTEZ_TUI_DEBUG=1`.
    """
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the last resort: never a traceback by default
        if os.environ.get("BYTEZ_TUI_DEBUG") == "1":
            traceback.print_exception(error)
        if sys.stderr is not None:
            print(
                f"bytez-tui: unexpected error (please report): {type(error).__name__}",
                file=sys.stderr,
            )
        return 1


def _main(argv: list[str]) -> int:
    for position, argument in enumerate(argv, 1):
        if _UNDECODED.search(argument):
            # Python keeps bytes that are not UTF-8 as lone surrogates, which no request,
            # file or terminal can take: say so now, as for stdin, before anything is sent
            # or stored (a conversation was once left behind, empty).
            print(f"bytez-tui: argument {position} is not UTF-8 text", file=sys.stderr)
            return 2
    if argv[:1] == ["emulator"]:
        from bytez_tui.emulator.cli import main as emulator_main

        return emulator_main(argv[1:])
    parser = build_parser()
    options = parser.parse_args(argv)
    _clean_stale_temps()
    if options.command in SUBCOMMANDS:
        from bytez_tui.cli import main as cli_main

        rest = list(options.args)
        if len(argv) > len(rest) and argv[len(argv) - len(rest) - 1] == "--":
            rest.insert(0, "--")  # argparse drops a "--" right after the command word
        code: int = cli_main([options.command, *rest], options)
        return code
    if options.command is not None:
        parser.error(f"unknown command {options.command!r}")
    return run_dashboard(options)


def _clean_stale_temps() -> None:
    """Delete what writes killed mid-way left behind (a cache write is up to ~50 MB)."""
    from bytez_tui.config import cache_dir, config_path, data_dir
    from bytez_tui.local.files import clean_stale_temps

    clean_stale_temps(cache_dir(), data_dir(), config_path().parent)


def collect_rarely_until_started() -> Callable[[], None]:
    """Set the garbage collector for the dashboard's start-up; call the result once it is up.

    Start-up creates ~100,000 container objects that live as long as the app (Textual's
    modules, the widgets), and with the default thresholds the collector walks them
    again and again: ~15 % of the CPU time to the first frame. Collect rarely until the
    dashboard is up, then freeze them out of every later collection (a full one would
    stall the app ~50 ms to find a few hundred garbage objects).

    Returns:
        What to call when start-up is over (`BytezApp`'s `on_started`).
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(STARTUP_GC_THRESHOLD, *thresholds[1:])

    def started() -> None:
        gc.freeze()
        gc.set_threshold(*thresholds)

    return started


def run_dashboard(options: argparse.Namespace) -> int:
    """Open the dashboard, starting the emulator first for --demo."""
    started = collect_rarely_until_started()

    from bytez_tui.config import DEMO_KEY, ConfigError, load_settings
    from bytez_tui.credentials import url_problem

    overrides = {
        "base_url": options.base_url,
        "api_key": options.api_key,
        "allow_insecure_http": options.allow_insecure_http,
        "theme": options.theme,
        "api": options.api,
    }
    server = None
    if options.demo:
        from bytez_tui.cli import demo_face
        from bytez_tui.emulator import EmulatorServer

        face = demo_face(options)  # v1, the fullest feature set, unless --api v2
        server = EmulatorServer(api=face)
        server.start()
        overrides.update(base_url=server.url, api_key=DEMO_KEY, demo=True, api=face)
    try:
        # The demo's emulator is the API: no profile applies (nor BYTEZ_PROFILE).
        settings = load_settings(overrides, profile="" if options.demo else options.profile)
    except ConfigError as exc:
        print(f"bytez-tui: {exc}", file=sys.stderr)
        return 2
    problem = url_problem(settings.base_url, allow_insecure_http=settings.allow_insecure_http)
    if problem:
        print(f"bytez-tui: {problem}", file=sys.stderr)
        return 2
    from bytez_tui.app import BytezApp

    app = BytezApp(settings, on_started=started)
    began = time.time()
    try:
        app.run()
    finally:
        if server is not None:
            server.stop()
    if app.return_code:
        from bytez_tui.config import rescue_dir

        for path in sorted(rescue_dir().glob("*.txt")):
            if path.stat().st_mtime >= began:
                print(
                    f"bytez-tui: your model, prompt and output are kept in {path}", file=sys.stderr
                )
    # 1: quit from the key screen without a key, or an unexpected error (Textual has
    # printed its traceback).
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
