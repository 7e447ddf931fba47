"""One prompt on several models at once: a column's live counters and its stream.

Shared by the Compare pane and `bytez-tui compare`; no Textual here. Each column streams
on its own (its own task), so one that fails or is cut off keeps what arrived and the
others go on. What a run cost comes from its own response's headers: the client keeps
`last_metering` per task, so three streams at once each read their own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bytez_tui.errors import BytezError, StreamError
from bytez_tui.local.comparisons import ColumnRecord
from bytez_tui.local.history import Outcome, RunStats
from bytez_tui.models import Metering
from bytez_tui.prompting import EchoFilter

if TYPE_CHECKING:
    from bytez_tui.api import BytezClient

__all__ = ["ColumnRun", "column_params", "stream_column"]


def column_params(shared: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """The params a column sends: the shared ones, with the column's own on top."""
    return {**shared, **override}


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
