"""What a run is sent and shown, apart from any widget: shared by the playground and the CLI."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, NoReturn

from bytez_tui.errors import BytezError
from bytez_tui.local.conversations import CHAT_TASKS
from bytez_tui.text import read_json

if TYPE_CHECKING:
    from bytez_tui.api import BytezClient

__all__ = ["EchoFilter", "ParamsError", "chat_refusal", "parse_params"]


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
