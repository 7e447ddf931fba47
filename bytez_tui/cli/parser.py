"""The scripted commands (`bytez-tui models|job|…`): the one list of them, and their flags.

Each subcommand also takes the connection flags of the dashboard (`--base-url`,
`--api-key`, `--allow-insecure-http`); given after the command word they win
over the same flags given before it.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, NamedTuple

from bytez_tui.cli.arguments import (
    concurrency_arg,
    count_arg,
    expiry_arg,
    model_arg,
    positive_duration_arg,
    positive_int,
    since_arg,
)

if TYPE_CHECKING:
    from bytez_tui.cli.context import Context

Command = Callable[["Context"], Awaitable[int]]
"""A scripted command: runs with its context, returns the exit code."""

__all__ = [
    "EXIT_CODES_EPILOG",
    "SUBCOMMANDS",
    "Subcommand",
    "add_connection_flags",
    "build_parser",
]

EXIT_CODES_EPILOG = (
    "exit codes: 0 ok, 1 API error, 2 usage, 3 worth retrying (rate limit, 5xx,\n"
    "            network, cut stream), 4 auth (no key, key refused),\n"
    "            5 --wait timed out, 130 interrupted (Ctrl+C)"
)
QUERY_EPILOG = """query: every word must match (case-insensitive substrings of the id);
  -word excludes, org:NAME, ram<8 ram>=2.5 cost<0.5 (< <= > >= =), bench,
  running, tracked. Put words starting with '-' after '--':
  bytez-tui models -- llama -onnx ram<16

"""

DEFAULT_TIMEOUT = "15m"
"""How long `--wait` waits by default (the official clients gave up after 15 minutes)."""
DEFAULT_EXPIRE = "5m"
"""Idle expiry sent with `load` by default (what the official clients sent)."""


def build_parser(name: str) -> argparse.ArgumentParser:
    """The parser of one scripted command, such as `build_parser("run")`.

    Each command has a parser of its own (not argparse sub-parsers), so that `--`
    works: `bytez-tui models -- llama -qwen` passes `-qwen` as a query word.

    Raises:
        KeyError: `name` is not a scripted command.
    """
    return SUBCOMMANDS[name].build()


def _command(name: str, description: str, epilog: str = "") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"bytez-tui {name}",
        description=description,
        epilog=epilog + EXIT_CODES_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common_flags(parser)
    parser.set_defaults(command=name)
    return parser


def _models() -> argparse.ArgumentParser:
    models = _command(
        "models",
        "List the catalogue, filtered with the catalogue pane's query language.",
        QUERY_EPILOG,
    )
    models.add_argument(
        "query", nargs="*", metavar="QUERY", help="filter, as typed in the catalogue pane"
    )
    models.add_argument(
        "--sort",
        choices=("ram", "name", "cost"),
        default="name",
        help="order of the rows (default: name)",
    )
    models.add_argument("--limit", type=positive_int, metavar="N", help="show at most N models")
    models.add_argument(
        "--task",
        metavar="TASK",
        help="only models of this task, as the server lists them (e.g. chat, text-to-image)",
    )
    models.add_argument(
        "--refresh", action="store_true", help="fetch the catalogue again instead of the cache"
    )
    _json_flag(models, "write a JSON array of models")
    return models


def _job() -> argparse.ArgumentParser:
    job = _command("job", "Ask Bytez to make a model available; optionally wait until it is.")
    _model_argument(job)
    _wait_flags(job, "wait until the model is available")
    _json_flag(job, "write the job as JSON")
    return job


def _load() -> argparse.ArgumentParser:
    load = _command("load", "Start an instance of a model; optionally wait until it runs.")
    _model_argument(load)
    load.add_argument(
        "--concurrency",
        type=concurrency_arg,
        default=1,
        metavar="N",
        help="parallel inferences (default: 1)",
    )
    load.add_argument(
        "--expire",
        type=expiry_arg,
        default=DEFAULT_EXPIRE,
        metavar="DURATION",
        help=f"stop after this long without a run, e.g. 90s, 5m, 1h (default: {DEFAULT_EXPIRE})",
    )
    _wait_flags(load, "wait until the instance is RUNNING (FAILED exits 1)")
    _json_flag(load, "write the instance as JSON")
    return load


def _status() -> argparse.ArgumentParser:
    status = _command("status", "Show the instance of one model.")
    _model_argument(status)
    _json_flag(status, "write the instance as JSON (status null when there is none)")
    return status


def _instances() -> argparse.ArgumentParser:
    instances = _command("instances", "List the running instances with their expiry countdowns.")
    instances.add_argument(
        "--watch",
        action="store_true",
        help="keep refreshing until Ctrl+C (redraws on a terminal, else prints each interval)",
    )
    instances.add_argument(
        "--interval",
        type=positive_duration_arg,
        metavar="DURATION",
        help="time between refreshes with --watch (default: instances_refresh in config, 15s)",
    )
    _json_flag(instances, "write a JSON array of instances (one per line with --watch)")
    return instances


RUN_EPILOG = """v2 reads the prompt as the model's task takes it, as the playground does:
  an image, audio or video URL (or a data: URL) for classification, captioning,
  speech recognition…; the question, then the context on the next lines, for
  question answering; labels (comma-separated), then the text or URL, for
  zero-shot tasks; a URL line before the message for image-, audio- and
  video-text-to-text; '' for unconditional image generation. A prompt the
  task can't take is refused (exit 2) before anything is sent. Text-to-image
  (-speech, -audio, -video) answers with a link to the file made.

"""


def _run() -> argparse.ArgumentParser:
    run = _command("run", "Run a prompt on a model, streaming the answer to stdout.", RUN_EPILOG)
    _model_argument(run)
    run.add_argument(
        "prompt",
        nargs="*",
        metavar="PROMPT",
        help="the prompt (words are joined with spaces); '-' or nothing reads stdin;"
        " in v2, what the model's task takes (see below)",
    )
    _params_flag(run)
    run.add_argument(
        "--no-stream", action="store_true", help="wait for the whole answer, then print it"
    )
    _json_flag(run, "write {model, text, output} as JSON (implies --no-stream)")
    return run


def _compare() -> argparse.ArgumentParser:
    compare = _command(
        "compare",
        "Run one prompt on two or three models at once; print each answer under its "
        "model's name, then their stats side by side. The comparison is saved where the "
        "dashboard's Compare pane lists it.",
        "The exit code is the worst column's (4 over 1 over 3 over 0).\n",
    )
    compare.usage = (
        "bytez-tui compare [options] MODEL MODEL [MODEL] [PROMPT… | -] [--params JSON] [--json]"
    )
    compare.add_argument(
        "words",
        nargs="+",
        metavar="MODEL|PROMPT",
        help="two or three Hugging Face ids (org/name), then the prompt; '-' or no prompt "
        "reads stdin (a prompt whose first word looks like org/name goes on stdin)",
    )
    _params_flag(compare, "generation parameters for every model, as a JSON object")
    _json_flag(
        compare, "write {prompt, params, columns: [{model, text, outcome, …}]} as one document"
    )
    return compare


def _chat() -> argparse.ArgumentParser:
    chat = _command(
        "chat",
        "Say one thing to a chat model; the reply streams to stdout and the conversation is "
        "stored where the dashboard's chat mode can reopen it.",
    )
    _model_argument(chat)
    chat.add_argument(
        "prompt",
        nargs="*",
        metavar="MESSAGE",
        help="your message (words are joined with spaces); '-' or nothing reads stdin",
    )
    chat.add_argument("--system", metavar="TEXT", help="the system prompt of the conversation")
    chat.add_argument(
        "--continue",
        dest="continue_id",
        nargs="?",
        const="",
        metavar="ID",
        help="add to conversation ID (default: the latest with MODEL) instead of a new one",
    )
    _params_flag(chat)
    _json_flag(chat, "write {conversation, model, text, cost} as JSON (no streaming)")
    return chat


def _chats() -> argparse.ArgumentParser:
    chats = _command("chats", "List the stored chat conversations, the most recent first.")
    _json_flag(chats, "write a JSON array of {id, model, title, system, created, updated, turns}")
    return chats


def _delete() -> argparse.ArgumentParser:
    delete = _command("delete", "Stop the instance of a model.")
    _model_argument(delete)
    delete.add_argument(
        "-y", "--yes", action="store_true", help="do not ask (required without a terminal)"
    )
    _json_flag(delete, "write {model, deleted} as JSON")
    return delete


def _spend() -> argparse.ArgumentParser:
    spend = _command(
        "spend",
        "What instances and runs cost, from the local ledger (no request is made). "
        "≈ marks our estimates; plain amounts are the server's own.",
    )
    spend.add_argument(
        "--since",
        type=since_arg,
        default="14d",
        metavar="WHEN",
        help="from this long ago (7d, 12h) or this date (2024-07-01); default 14d",
    )
    spend.add_argument(
        "--by", choices=("day", "model"), default="day", help="one line per day or per model"
    )
    _json_flag(spend, "write one JSON document: rows, total, burn rate")
    return spend


def _command_in(module: str, name: str) -> Callable[[], Command]:
    """A `Subcommand.load`: imports `bytez_tui.cli.<module>` only when the command runs,
    and returns its coroutine function `name`."""

    def load() -> Command:
        # `__import__` rather than `importlib.import_module`: it is the `import` statement's
        # own path, which `-X importtime` reports (the warm-cache test reads that report).
        found = __import__(f"bytez_tui.cli.{module}", fromlist=[name])
        command: Command = getattr(found, name)
        return command

    return load


class Subcommand(NamedTuple):
    """A scripted command: its line in `bytez-tui --help`, its flags, its code."""

    summary: str
    """What it does, in a few words."""
    build: Callable[[], argparse.ArgumentParser]
    """Builds its parser."""
    load: Callable[[], Command] | None
    """Imports its module and returns the command (only the command that runs is imported);
    None for a command that reads local data only, which `main` runs without a client."""


SUBCOMMANDS: dict[str, Subcommand] = {
    "models": Subcommand("list/search the catalogue", _models, _command_in("catalogue", "models")),
    "job": Subcommand("request a model, optionally wait", _job, _command_in("lifecycle", "job")),
    "load": Subcommand("load an instance", _load, _command_in("lifecycle", "load")),
    "status": Subcommand("show one model's instance", _status, _command_in("instances", "status")),
    "instances": Subcommand(
        "list running instances", _instances, _command_in("instances", "instances")
    ),
    "run": Subcommand("run a prompt (streams to stdout)", _run, _command_in("run", "run")),
    "compare": Subcommand(
        "one prompt on 2-3 models side by side", _compare, _command_in("compare", "compare")
    ),
    "chat": Subcommand(
        "say one thing to a chat model (stored)", _chat, _command_in("chat", "chat")
    ),
    "chats": Subcommand("list stored chat conversations", _chats, _command_in("chat", "chats")),
    "delete": Subcommand("stop an instance", _delete, _command_in("lifecycle", "delete")),
    "spend": Subcommand("what instances and runs cost (local ledger)", _spend, None),
}
"""Every scripted command, in the order `bytez-tui --help` lists them."""


def add_connection_flags(parser: argparse.ArgumentParser) -> None:
    """Add the flags shared by the dashboard and every scripted command.

    Args:
        parser: The dashboard's parser, or a scripted command's.
    """
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="use the [profiles.NAME] table of config.toml (its key, API root, dialect); "
        "default: BYTEZ_PROFILE, else the top level",
    )
    parser.add_argument("--base-url", help="API root (default https://api.bytez.com)")
    parser.add_argument("--api-key", help="API key (prefer BYTEZ_API_KEY or the config file)")
    parser.add_argument(
        "--api",
        choices=("auto", "v1", "v2"),
        default=None,
        help="API dialect: v2 is today's Bytez, v1 the older /model/* API; auto (the "
        "default) asks the server once and remembers",
    )
    parser.add_argument(
        "--allow-insecure-http",
        action="store_true",
        default=None,
        help="allow sending the key over plain http to a non-loopback host",
    )


def _common_flags(parser: argparse.ArgumentParser) -> None:
    add_connection_flags(parser)
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no narration on stderr (errors still shown)"
    )
    parser.add_argument(
        "--retries",
        type=count_arg,
        default=3,
        metavar="N",
        help="retries of a read on rate limits, 5xx and network errors (default: 3)",
    )
    # Seconds between the first polls of --wait (and --watch redraws); for tests.
    parser.add_argument("--poll-interval", type=float, default=None, help=argparse.SUPPRESS)


def _model_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", type=model_arg, help="Hugging Face id, org/name")


def _params_flag(
    parser: argparse.ArgumentParser,
    help_text: str = "generation parameters as a JSON object, e.g. '{\"max_new_tokens\": 64}'",
) -> None:
    parser.add_argument("--params", metavar="JSON", help=help_text)


def _json_flag(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--json", action="store_true", help=help_text)


def _wait_flags(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--wait", action="store_true", help=help_text)
    parser.add_argument(
        "--timeout",
        type=positive_duration_arg,
        default=DEFAULT_TIMEOUT,
        metavar="DURATION",
        help=f"give up waiting after this long, exit 5 (default: {DEFAULT_TIMEOUT})",
    )
