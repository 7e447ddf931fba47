"""One prompt on several models at once: the request, a column's live counters and its
stream (the record keeper the Compare pane applies them to is `local.comparison_book`).

Shared by the Compare pane and `bytez-tui compare`; no Textual here. Each column streams
on its own (its own task), so one that fails or is cut off keeps what arrived and the
others go on. What a run cost comes from its own response's headers: the client keeps
`last_metering` per task, so three streams at once each read their own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Container, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from bytez_tui.catalogue.ids import is_model_id
from bytez_tui.config import data_dir
from bytez_tui.errors import BytezError, StreamError
from bytez_tui.local.comparisons import ColumnRecord, Comparison, chat_turn
from bytez_tui.local.files import write_new_private
from bytez_tui.local.history import Outcome, RunStats
from bytez_tui.models import Metering
from bytez_tui.prompting import EchoFilter, NotRun, ParamsError, parse_params

if TYPE_CHECKING:
    from bytez_tui.api import BytezClient
    from bytez_tui.models import Instance

__all__ = [
    "LETTERS",
    "ColumnRun",
    "CompareRequest",
    "Typed",
    "check_models",
    "column_params",
    "compare_request",
    "export_markdown",
    "stream_column",
]

LETTERS = "ABC"
"""The columns' names, left to right."""


def column_params(shared: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """The params a column sends: the shared ones, with the column's own on top."""
    return {**shared, **override}


@dataclass(frozen=True)
class CompareRequest:
    """A comparison the user asked for."""

    prompt: str
    """The prompt, the same for every column."""
    params: dict[str, Any]
    """The shared params."""
    columns: tuple[tuple[int, str, dict[str, Any]], ...]
    """(column index, model, params to send) of each column that takes part."""
    time: str
    """When it was asked for (ISO 8601, UTC)."""
    chat: bool = False
    """Chat mode: `prompt` is the next user turn of a conversation shared by the columns."""
    system: str = ""
    """Chat mode: the system prompt."""
    thread: Comparison | None = None
    """Chat mode: the conversation so far (its columns in the order of `columns`), or None
    for a new one."""

    def messages(self, position: int) -> list[dict[str, str]] | None:
        """Chat mode: what the `position`-th column sends (its own earlier replies, the
        shared user turns); None for a one-shot prompt."""
        if not self.chat:
            return None
        if self.thread is None:
            earlier = [{"role": "system", "content": self.system}] if self.system else []
        else:
            earlier = replace(self.thread, system=self.system).messages(position)
        return [*earlier, {"role": "user", "content": self.prompt}]

    def transcript(self, position: int) -> str:
        """Chat mode: what the `position`-th column shows before its reply ("" otherwise)."""
        if not self.chat:
            return ""
        before = "" if self.thread is None else self.thread.transcript(position).rstrip()
        return (before + "\n\n" if before else "") + chat_turn(self.prompt)

    def saved(self, columns: tuple[ColumnRecord, ...]) -> Comparison:
        """The comparison to save once the columns have ended (chat mode: the whole
        conversation, in place of the saved one it continues)."""
        comparison = Comparison(
            time=self.time, prompt=self.prompt, params=self.params, columns=columns
        )
        if not self.chat:
            return comparison
        thread = self.thread
        if thread is None:
            return replace(comparison, chat=True, system=self.system)
        return replace(
            comparison,
            time=thread.time,
            id=thread.id,
            chat=True,
            system=self.system,
            turns=(*thread.turns, thread.prompt),
            columns=tuple(
                replace(column, replies=(*before.replies, before.output))
                for column, before in zip(columns, thread.columns, strict=True)
            ),
        )


def compare_request(
    prompt: str,
    params: str,
    columns: Sequence[tuple[str, str]],
    *,
    time: str,
    chat: bool = False,
    system: str = "",
    shown: Comparison | None = None,
) -> CompareRequest:
    """Check what was typed and read the comparison it asks for.

    Args:
        prompt: The shared prompt.
        params: The shared params, as typed (a JSON object, or blank).
        columns: Each column's model and params override, as typed, A first.
        time: When it was asked for (ISO 8601, UTC).
        chat: Chat mode: the prompt is the next user turn.
        system: Chat mode: the system prompt.
        shown: Chat mode: the comparison on screen, continued when it is a conversation
            with the same models.

    Raises:
        NotRun: Why nothing runs, and the field (of which column) to fix.
    """
    try:
        shared = parse_params(params)
    except ParamsError as error:
        raise NotRun(f"Params: {error}", "params") from None
    chosen: list[tuple[int, str, dict[str, Any]]] = []
    for index, (typed, override) in enumerate(columns):
        model, letter = typed.strip(), LETTERS[index]
        if not model:
            continue
        if not is_model_id(model):
            reason = f"column {letter}: {model!r} is not a model id (org/name)"
            raise NotRun(reason, "model", column=index)
        if model in [other for _, other, _ in chosen]:
            raise NotRun(f"column {letter}: {model} is already compared", "model", column=index)
        try:
            own = parse_params(override)
        except ParamsError as error:
            raise NotRun(f"column {letter} params: {error}", "params", column=index) from None
        chosen.append((index, model, column_params(shared, own)))
    if len(chosen) < 2:
        empty = next(i for i, (model, _) in enumerate(columns) if not model.strip())
        raise NotRun("choose two or three models to compare", "model", column=empty)
    if not prompt.strip():
        raise NotRun("type a prompt first", "prompt")
    request = CompareRequest(prompt, shared, tuple(chosen), time)
    if not chat:
        return request
    models = [model for _, model, _ in chosen]
    if shown is not None and (not shown.chat or [c.model for c in shown.columns] != models):
        shown = None  # other models (or a one-shot comparison): a new conversation
    return replace(request, chat=True, system=system, thread=shown)


async def check_models(
    models: Sequence[str],
    *,
    running: Container[str],
    status: Callable[[str], Awaitable[Instance | None]],
    is_v2: Callable[[], bool],
) -> tuple[list[str], set[str]]:
    """Ask whether each model runs (v1), to offer one load for those that do not.

    Args:
        models: The models compared.
        running: Those known to be RUNNING (not asked about).
        status: Asks for a model's instance (a failure lets the run itself say what is
            wrong).
        is_v2: Whether the API turned out to be v2, which starts a model on its first run.

    Returns:
        The models not running (or failed), and those booting (their columns wait).
    """
    missing: list[str] = []
    booting: set[str] = set()
    for model in models:
        if model in running:
            continue
        try:
            instance = await status(model)
        except BytezError:
            continue
        if is_v2():  # `auto` found v2 with that very call
            break
        if instance is None or instance.is_failed:
            missing.append(model)
        elif instance.is_booting:
            booting.add(model)
    return missing, booting


def export_markdown(comparison: Comparison, *, at: datetime) -> Path:
    """Write `comparison` side by side as a new Markdown file (0600) named for `at` in the
    data dir's `comparisons` folder (never over an earlier one), and return its path.

    Raises:
        OSError: The folder cannot be written.
    """
    stem = f"{at.strftime('%Y%m%d-%H%M%S')}-compare"
    folder = data_dir() / "comparisons"
    return write_new_private(folder, stem, comparison.to_markdown(), suffix=".md")


class Typed(NamedTuple):
    """What is typed in the Compare pane, as kept while the history is browsed."""

    prompt: str
    params: str
    models: tuple[str, ...]
    overrides: tuple[str, ...]


@dataclass
class ColumnRun:
    """The counters of one column's run; `record()` freezes them for the history."""

    model: str
    """The model id."""
    params: dict[str, Any]
    """The params sent."""
    started: float
    """The monotonic clock when the request went out."""
    first_fragment: float | None = None
    """Seconds to the first fragment."""
    fragments: int = 0
    """Fragments received."""
    chars: int = 0
    """Characters kept (a prompt echo is dropped)."""
    metering: Metering | None = None
    """What the server said the run cost (v2's `inference-*` headers), when it did."""
    outcome: Outcome = "stopped"
    """How it ended: stays "stopped" unless the run completes or fails."""
    error: str | None = None
    """Why it failed, in the server's words."""
    ended: float | None = None
    """The monotonic clock when it ended (None while it runs)."""
    parts: list[str] = field(default_factory=list)
    """The text, as it arrived."""

    @property
    def text(self) -> str:
        """Everything kept so far."""
        if len(self.parts) > 1:
            self.parts[:] = ["".join(self.parts)]
        return self.parts[0] if self.parts else ""

    def stats(self, now: float) -> RunStats:
        """The stats as of `now` (or as of its end, once it has ended)."""
        end = self.ended if self.ended is not None else now
        return RunStats(
            first_fragment=self.first_fragment,
            elapsed=max(0.0, end - self.started),
            fragments=self.fragments,
            chars=self.chars,
            cost_usd=None if self.metering is None else self.metering.cost,
        )

    def record(self, now: float) -> ColumnRecord:
        """This column as saved in a comparison."""
        return ColumnRecord(
            model=self.model,
            params=dict(self.params),
            output=self.text,
            outcome=self.outcome,
            error=self.error,
            stats=self.stats(now),
        )


async def stream_column(
    client: BytezClient,
    run: ColumnRun,
    prompt: str,
    *,
    monotonic: Callable[[], float],
    feed: Callable[[str], None] | None = None,
    hide_echo: bool = False,
    messages: list[dict[str, str]] | None = None,
) -> BytezError | None:
    """Stream `run.model`'s answer to `prompt` into `run` (and `feed`, as it arrives).

    A cancelled task leaves the run "stopped" with what arrived; the response is closed.

    Args:
        client: The API client.
        run: The column's counters, updated as fragments arrive.
        prompt: The prompt.
        monotonic: The clock the stats are measured on.
        feed: Called with each piece of text kept.
        hide_echo: Drop a leading copy of the prompt (older containers send one).
        messages: Chat mode: the column's conversation, ending with the user's turn, sent
            instead of `prompt` (as v1 `input` or v2 `messages`: `BytezClient.stream_chat`).

    Returns:
        The error that ended the run (it is "failed", with the partial text kept), or None.
    """
    echo = EchoFilter(prompt if hide_echo and messages is None else "")

    def keep(text: str) -> None:
        if text:
            run.chars += len(text)
            run.parts.append(text)
            if feed is not None:
                feed(text)

    try:
        fragments = (
            client.stream(run.model, prompt, params=run.params)
            if messages is None
            else client.stream_chat(run.model, messages, run.params)
        )
        async with contextlib.aclosing(fragments):
            async for fragment in fragments:
                run.fragments += 1
                if run.first_fragment is None:
                    run.first_fragment = monotonic() - run.started
                keep(echo.feed(fragment) if not echo.decided else fragment)
        keep(echo.close())
        run.outcome = "done"
        run.metering = client.last_metering
        return None
    except StreamError as error:
        keep(echo.close())
        run.outcome, run.error = "failed", error.message
        return error
    except BytezError as error:
        run.outcome, run.error = "failed", error.message
        return error
    finally:
        if run.outcome == "stopped":
            keep(echo.close())  # cancelled: what was held back is shown too
        run.ended = monotonic()
