"""What a run is sent and shown, apart from any widget: shared by the playground, the
Compare pane and the CLI.

What is checked before a run goes out (`NotRun`, `read_input`), its params, the prompt
echo some models send back, and the wait for a model to be RUNNING.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from bytez_tui.catalogue.ids import is_model_id
from bytez_tui.errors import BytezError, StreamError
from bytez_tui.local.conversations import CHAT_TASKS
from bytez_tui.text import read_json

if TYPE_CHECKING:
    from bytez_tui.api import BytezClient
    from bytez_tui.catalogue.tasks import TaskInput
    from bytez_tui.clock import Clock
    from bytez_tui.connection import Connection
    from bytez_tui.local.runs import RunState
    from bytez_tui.models import Instance

__all__ = [
    "POLL_SECONDS",
    "EchoFilter",
    "NotRun",
    "ParamsError",
    "chat_refusal",
    "parse_params",
    "read_input",
    "run_once",
    "wait_until_running",
]

POLL_SECONDS = 5.0
"""How often a run waiting for its model asks for the model's status."""

Field = Literal["model", "prompt", "params"]
"""Where a refused request is to be fixed."""


class NotRun(ValueError):
    """What was typed cannot be run; the pane says why and puts the cursor on `field`.

    Args:
        reason: Why, on one line.
        field: The field to fix.
        column: The Compare column the field belongs to (None: a shared field).
    """

    def __init__(self, reason: str, field: Field, *, column: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        """Why, on one line."""
        self.field: Field = field
        """The field to fix."""
        self.column = column
        """The Compare column the field belongs to (None: a shared field)."""


def read_input(model: str, prompt: str, task: TaskInput | None) -> str | dict[str, Any] | None:
    """Check a playground run of `prompt` on `model` and read what it sends.

    Args:
        model: The model id typed.
        prompt: The prompt typed.
        task: What the model's task takes, when it is not a prompt as typed.

    Returns:
        The input read by `task`, or None to send the prompt.

    Raises:
        NotRun: No model, not a model id, no prompt where one is needed, or a prompt
            the task cannot read.
    """
    if not model:
        raise NotRun("choose a model first", "model")
    if not is_model_id(model):
        raise NotRun(f"{model!r} is not a model id (org/name)", "model")
    if not prompt.strip() and (task is None or task.needs_text):
        raise NotRun("type a prompt first", "prompt")
    if task is None:
        return None
    try:
        return task.read(prompt)
    except ValueError as error:
        raise NotRun(str(error), "prompt") from None


async def wait_until_running(
    status: Callable[[], Awaitable[Instance | None]],
    *,
    clock: Clock,
    paused: Callable[[], bool],
) -> Instance:
    """Ask for a model's status every `POLL_SECONDS` until it is running or has failed.

    A failed request is asked again at the next turn (the caller records its health).

    Args:
        status: Asks the server for the model's instance.
        clock: The clock slept on.
        paused: Whether live polling is paused (the turn is skipped).

    Returns:
        The instance, running or failed.
    """
    while True:
        await clock.sleep(POLL_SECONDS)
        if paused():
            continue
        try:
            instance = await status()
        except BytezError:
            continue
        if instance is not None and (instance.is_running or instance.is_failed):
            return instance


class ParamsError(ValueError):
    """Params that cannot be sent.

    Args:
        message: What is wrong, on one line.
        line: The 1-based line of a JSON syntax error, or None.
        column: The 1-based column of a JSON syntax error, or None.
        found: The JSON type given instead of an object, or None.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        found: str | None = None,
    ) -> None:
        super().__init__(message)
        self.found = found
        """The JSON type given instead of an object, if that was the problem."""
        self.line = line
        """Where the JSON broke (line), if it did."""
        self.column = column
        """Where the JSON broke (column), if it did."""


def parse_params(text: str) -> dict[str, Any]:
    """Read generation params written as a JSON object ({} when blank).

    Raises:
        ParamsError: Not JSON (with `line` and `column`), or JSON that is not an
            object (with `found`).
    """
    if not text.strip():
        return {}
    try:
        value = read_json(text, parse_constant=_not_a_number, parse_float=_finite)
    except json.JSONDecodeError as error:
        raise ParamsError(
            f"line {error.lineno} column {error.colno}: {error.msg}",
            line=error.lineno,
            column=error.colno,
        ) from None
    except _NotANumber as error:
        # Python reads NaN, Infinity and 1e400 where JSON has no such number; the
        # request could not be encoded. Point at the first one, like a syntax error.
        start = max(0, text.find(error.word))
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        raise ParamsError(
            f"line {line} column {column}: {error.word} is not a JSON number",
            line=line,
            column=column,
        ) from None
    if not isinstance(value, dict):
        found = type(value).__name__
        raise ParamsError(f"must be an object, not {found}", found=found)
    return value


class _NotANumber(ValueError):
    def __init__(self, word: str) -> None:
        super().__init__(word)
        self.word = word


def _not_a_number(word: str) -> NoReturn:
    raise _NotANumber(word)


def _finite(word: str) -> float:
    value = float(word)
    if not math.isfinite(value):
        raise _NotANumber(word)
    return value


class EchoFilter:
    """Drops a leading copy of the prompt from a stream, wherever the chunks split it.

    Older model containers send the prompt back as the first fragment; newer ones
    do not (API reference §3). Text is held back only while it could still be the
    start of the echo.

    Args:
        prompt: The prompt sent ("" passes everything through).
    """

    def __init__(self, prompt: str) -> None:
        self.prompt = prompt
        """The prompt to look for."""
        self.decided = not prompt
        """The echo has been removed, or ruled out."""
        self._head = ""

    def feed(self, fragment: str) -> str:
        """The part of `fragment` to show (possibly empty)."""
        if self.decided:
            return fragment
        head = self._head + fragment
        prompt = self.prompt
        if len(head) >= len(prompt):
            self.decided = True
            self._head = ""
            return head[len(prompt) :] if head.startswith(prompt) else head
        if prompt.startswith(head):
            self._head = head
            return ""
        self.decided = True
        self._head = ""
        return head

    def close(self) -> str:
        """What was held back when the stream ends early."""
        head, self._head = self._head, ""
        self.decided = True
        return head


async def chat_refusal(client: BytezClient, model: str) -> str | None:
    """Why `model` cannot hold a chat, or None when it can (or its task is not known).

    Chat mode sends a message list, which only chat and text-generation models take; a
    model whose task cannot be looked up is let through (the run itself says what is wrong).

    Args:
        client: The API client.
        model: The model id.

    Returns:
        The reason, on one line, or None.
    """
    try:
        task = await client.task_of(model)
    except BytezError:
        return None
    if task is None or task in CHAT_TASKS:
        return None
    return f"{model} is a {task} model: chat mode needs a chat or text-generation model"


async def run_once(
    connection: Connection,
    run: RunState,
    *,
    monotonic: Callable[[], float],
    feed: Callable[[str], None],
    hide_echo: bool,
) -> BytezError | None:
    """Run `run.request` once, streamed or whole, counting into `run` and showing through
    `feed`; a cancelled task leaves the run "stopped" and its response closed.

    Args:
        connection: The app's connection to the API (its client sends the run).
        run: The run's counters.
        monotonic: The clock the stats are measured on.
        feed: Called with each piece of text to show.
        hide_echo: Drop a leading copy of the prompt (older containers send one).

    Returns:
        The error that ended the run ("failed", with what arrived kept), or None.
    """
    request = run.request
    try:
        client = connection.client
        if not request.stream:
            result = await client.run(request.model, request.sent, params=request.params)
            run.first_fragment = monotonic() - run.started
            run.fragments, run.chars = 1, len(result.text)
            run.cost_usd = None if result.metering is None else result.metering.cost
            feed(result.text)
            run.outcome = "done"
            return None
        echo = EchoFilter(request.prompt if hide_echo else "")
        fragments = client.stream(request.model, request.sent, params=request.params)
        try:
            async with aclosing(fragments):
                async for fragment in fragments:
                    run.fragments += 1
                    if run.first_fragment is None:
                        run.first_fragment = monotonic() - run.started
                    if not echo.decided:
                        fragment = echo.feed(fragment)
                    run.chars += len(fragment)
                    feed(fragment)
        except StreamError:
            feed(echo.close())
            raise
        rest = echo.close()
        run.chars += len(rest)
        feed(rest)
        run.outcome = "done"
        metering = client.last_metering
        run.cost_usd = None if metering is None else metering.cost
        return None
    except BytezError as error:
        run.outcome, run.error = "failed", error.message
        return error
