"""`bytez-tui emulator`: serve the emulator in the foreground until Ctrl+C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType
from typing import Any

from bytez_tui.clock import SystemClock
from bytez_tui.emulator.server import EmulatorServer
from bytez_tui.emulator.world import World

__all__ = ["build_parser", "main"]


def _bounded(kind: type[int] | type[float], low: float, high: float | None = None) -> Any:
    """An argparse type: a number of `kind` from `low` to `high` (a usage error otherwise,
    not a traceback from the socket or the world)."""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value < low or (high is not None and value > high):
            span = f"from {low:g} to {high:g}" if high is not None else f"at least {low:g}"
            raise argparse.ArgumentTypeError(f"must be {span}: {text!r}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of `bytez-tui emulator`."""
    parser = argparse.ArgumentParser(
        prog="bytez-tui emulator",
        description="Serve a local emulator of the Bytez REST API: v1 (/model/*) and/or "
        "v2 (/models/v2/*) over one shared world.",
    )
    add = parser.add_argument
    add(
        "--api",
        choices=("v1", "v2", "both"),
        default="both",
        help="route families to serve (default: %(default)s)",
    )
    add("--host", default="127.0.0.1", help="interface to bind (default: %(default)s)")
    add(
        "--port",
        type=_bounded(int, 0, 65535),
        default=8080,
        help="port to bind; 0 picks one (default: %(default)s)",
    )
    add(
        "--models", type=_bounded(int, 0), default=500, help="catalogue size (default: %(default)s)"
    )
    add("--seed", type=int, default=0, help="seed for catalogue and text (default: %(default)s)")
    add("--job-delay", type=_bounded(float, 0), default=10.0, help="seconds a job stays queued")
    add("--boot-delay", type=_bounded(float, 0), default=5.0, help="seconds from load to RUNNING")
    add(
        "--grace", type=_bounded(float, 0), default=60.0, help="seconds an expired instance lingers"
    )
    add(
        "--fragment-interval",
        type=_bounded(float, 0),
        default=0.05,
        help="seconds between stream fragments",
    )
    add("--key", default=None, help="accept only this API key (default: any non-empty key)")
    add("--echo-prompt", action="store_true", help="send the prompt as the first fragment")
    add("--demo-instances", type=_bounded(int, 0), default=2, help="instances RUNNING at start")
    add(
        "--cold-start",
        type=_bounded(float, 0),
        default=0.0,
        help="v2: seconds a run waits when it creates its cluster (live: 20-60)",
    )
    add(
        "--stream-type",
        default="text/event-stream; charset=utf-8",
        help="v2: Content-Type of text streams (default: %(default)s)",
    )
    add(
        "--concurrent-runs",
        type=_bounded(int, 1),
        default=None,
        help="v2: runs at once before 429 (the free tier allows 1; default: no limit)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the emulator until interrupted.

    Args:
        argv: Arguments after the word `emulator` (`sys.argv[1:]` when `None`).

    Returns:
        The process exit status: 0 after Ctrl+C, 1 if the address cannot be bound.
    """
    args = build_parser().parse_args(argv)
    world = World(
        SystemClock(),
        models=args.models,
        seed=args.seed,
        job_delay=args.job_delay,
        boot_delay=args.boot_delay,
        grace=args.grace,
        fragment_interval=args.fragment_interval,
        key=args.key,
        echo_prompt=args.echo_prompt,
        demo_instances=args.demo_instances,
        cold_start=args.cold_start,
        stream_content_type=args.stream_type,
        concurrent_runs=args.concurrent_runs,
    )
    server = EmulatorServer(world, host=args.host, port=args.port, api=args.api)
    try:
        server.start()
    except OSError as exc:
        print(
            f"bytez-tui emulator: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr
        )
        return 1
    faces = {"v1": "/model/", "v2": "/models/v2/", "both": "/model/ and /models/v2/"}
    print(
        f"Bytez emulator listening on {server.url} ({faces[args.api]}; Ctrl+C to stop)",
        file=sys.stderr,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    handled = (signal.SIGINT, signal.SIGTERM)
    in_main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, on_signal) for sig in handled} if in_main else {}
    try:
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:  # pragma: no cover - only when signals were not installed
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
        print("Bytez emulator stopped", file=sys.stderr)
    return 0
