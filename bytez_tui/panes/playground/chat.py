"""Chat mode's conversation: an optional system prompt, the turns, and the reply streaming
in as Markdown.

The reply is written through Textual's `MarkdownStream` (`Markdown.get_stream`) by a
`ReplyWriter`, in pieces (`turns.py`). Every turn is stored as it ends
(`bytez_tui.local.conversations`): a stopped reply keeps what arrived, marked stopped; an
error fragment or a cut stream keeps it too and says what happened.
"""

from __future__ import annotations

import asyncio
import re
from contextlib import aclosing
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from bytez_tui.catalogue.ids import is_model_id
from bytez_tui.clock import Clock
from bytez_tui.config import data_dir
from bytez_tui.connection import Connection
from bytez_tui.errors import AuthError, BytezError, StreamError
from bytez_tui.local.conversations import (
    Conversation,
    ConversationStore,
    Turn,
    code_blocks,
    title_from,
)
from bytez_tui.local.files import write_private
from bytez_tui.local.history import Outcome
from bytez_tui.local.runs import ReplyCounters
from bytez_tui.messages import RunEnded
from bytez_tui.panes.base import Pane
from bytez_tui.panes.playground.reply_writer import ReplyWriter
from bytez_tui.panes.playground.status import format_stats
from bytez_tui.panes.playground.turns import ReplyView, TurnsView, UserTurnView
from bytez_tui.prompting import chat_refusal
from bytez_tui.text import printable

__all__ = ["STATS_RATE", "ChatView"]

STATS_RATE = 4.0
"""Footer redraws per second while a reply streams."""


class ChatView(Vertical):
    """The conversation of chat mode, its system prompt, and the reply under way.

    Args:
        api: The app's connection to the API.
        clock: Time for the stats.
        store: Where conversations are kept.
    """

    @dataclass
    class Sent(Message):
        """The user's turn was accepted and stored (the prompt can be cleared)."""

        chat: ChatView

        @property
        def control(self) -> ChatView:
            return self.chat

    @dataclass
    class Busy(Message):
        """A reply began or ended being asked for (the pane's busy state follows)."""

        chat: ChatView
        busy: bool

        @property
        def control(self) -> ChatView:
            return self.chat

    @dataclass
    class Refused(Message):
        """The turn was not sent (the reason says why)."""

        chat: ChatView
        reason: str

        @property
        def control(self) -> ChatView:
            return self.chat

    @dataclass
    class Opened(Message):
        """A stored conversation chosen in the dialog is shown (chat mode follows)."""

        chat: ChatView
        conversation: Conversation

        @property
        def control(self) -> ChatView:
            return self.chat

    @dataclass
    class ReplyEnded(Message):
        """A reply ended (done, stopped or failed) and was stored."""

        chat: ChatView
        turn: Turn

        @property
        def control(self) -> ChatView:
            return self.chat

    def __init__(
        self, *, api: Connection, clock: Clock, store: ConversationStore, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.api = api
        self.clock = clock
        self.store = store
        self.conversation: Conversation | None = None
        """The conversation shown (None: a new one starts with the next turn)."""
        self._worker: Worker[None] | None = None
        self._live: tuple[ReplyView, float, ReplyCounters] | None = None
        self._writer: ReplyWriter | None = None

    def compose(self) -> ComposeResult:
        system = Input(
            placeholder="System prompt (optional, sent first)", compact=True, id="system"
        )
        yield system
        yield TurnsView(id="turns")

    def on_mount(self) -> None:
        self._stats_timer = self.set_interval(1 / STATS_RATE, self._show_progress, pause=True)

    def on_unmount(self) -> None:
        if self._writer is not None:
            self._writer.release()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker state messages do not bubble: the sink for anything unexpected is here.
        worker = event.worker
        if event.state is WorkerState.ERROR and worker.error is not None:
            self.log.error(f"worker {worker.name!r} failed", worker.error)
            self.notify(
                printable(f"{type(worker.error).__name__}: {worker.error}"),
                title="Unexpected error in the chat",
                severity="error",
                markup=False,
            )
        if worker is self._worker:
            self.post_message(self.Busy(self, self.busy))

    # --- typed accessors ----------------------------------------------------------------

    @property
    def system_input(self) -> Input:
        return self.query_one("#system", Input)

    @property
    def turns(self) -> TurnsView:
        return self.query_one(TurnsView)

    @property
    def busy(self) -> bool:
        """A reply is being asked for or streaming."""
        return self._worker is not None and not self._worker.is_finished

    @property
    def last_reply(self) -> Turn | None:
        """The last reply of the conversation, if it has one."""
        conversation = self.conversation
        if conversation is None or not conversation.turns:
            return None
        last = conversation.turns[-1]
        return last if last.role == "assistant" else None

    # --- what the pane calls ------------------------------------------------------------

    async def show(self, conversation: Conversation | None) -> None:
        """Show `conversation` (None: start afresh with the next turn); a reply under way
        is stopped."""
        self.stop()
        await self._display(conversation)

    async def _display(self, conversation: Conversation | None) -> None:
        self.conversation = conversation
        self.system_input.value = conversation.system if conversation is not None else ""
        await self.turns.show(conversation.turns if conversation is not None else ())

    def send(self, model: str, text: str, params: dict[str, Any]) -> Worker[None]:
        """Add the user's turn and stream the reply (a model that is not a chat or
        text-generation model is refused)."""
        worker: Worker[None] = self._reply(model, text, params)
        self._worker = worker
        return worker

    async def take_last_message(self) -> str | None:
        """Remove the last user turn and what followed it, to edit and send it again.

        Returns:
            Its text (None when there is none, or a reply is under way).

        Raises:
            LocalDataError: The database cannot be written.
        """
        conversation = self.conversation
        if conversation is None or self.busy:
            return None
        users = [index for index, turn in enumerate(conversation.turns) if turn.role == "user"]
        if not users:
            return None
        turn = conversation.turns[users[-1]]
        await asyncio.to_thread(self.store.truncate, conversation.id, from_turn=turn.id)
        await self._display(replace(conversation, turns=conversation.turns[: users[-1]]))
        return turn.content

    def regenerate(self, params: dict[str, Any]) -> Worker[None] | None:
        """Ask for the last reply again (it is replaced); None when there is nothing to
        regenerate."""
        conversation = self.conversation
        if conversation is None or not conversation.turns or self.busy:
            return None
        worker: Worker[None] = self._regenerate(conversation, params)
        self._worker = worker
        return worker

    def stop(self) -> None:
        """Stop the reply: the response is closed, what arrived stays, marked stopped."""
        self.workers.cancel_group(self, "chat-reply")

    def choose_conversation(self) -> None:
        """List the stored conversations, to reopen (then `Opened`), rename or delete one."""
        from bytez_tui.screens.conversations import ConversationsDialog

        self.app.push_screen(ConversationsDialog(self.store), self._open_chosen)

    def _open_chosen(self, conversation: Conversation | None) -> None:
        if conversation is not None:
            self._open(conversation)

    async def reopen_latest(self, model: str) -> None:
        """Show the latest conversation with `model` (or none), unless it is shown."""
        shown = self.conversation
        if shown is not None and shown.model == model:
            return
        try:
            latest = self.store.latest(model) if is_model_id(model) else None
        except OSError as error:
            self.notify(
                str(error), title="Conversations unavailable", severity="error", markup=False
            )
            latest = None
        await self.show(latest)

    def copy_code(self) -> None:
        """Copy the last code block of the last reply."""
        reply = self.last_reply
        blocks = code_blocks(reply.content) if reply is not None else []
        if not blocks:
            self.notify("No code block in the last reply", severity="warning")
            return
        self.app.copy_to_clipboard(blocks[-1])

    def copy_reply(self) -> None:
        """Copy the last reply."""
        reply = self.last_reply
        if reply is None or not reply.content:
            self.notify("No reply to copy yet", severity="warning")
            return
        self.app.copy_to_clipboard(reply.content)

    def export(self) -> None:
        """Write the conversation as Markdown to a new file in the data dir; say where."""
        conversation = self.conversation
        if conversation is None or not conversation.turns:
            self.notify("Nothing to export yet", severity="warning")
            return
        stamp = self.clock.now().strftime("%Y%m%d-%H%M%S")
        model = re.sub(r"[^\w.\-]+", "_", conversation.model)
        path = data_dir() / "chats" / f"{stamp}-{model}-{conversation.id}.md"
        try:
            write_private(path, conversation.to_markdown())
        except OSError as error:
            self.notify(str(error), title="Not exported", severity="error", markup=False)
            return
        self.notify(f"Saved the conversation to {path}", title="Exported", markup=False)

    # --- workers ------------------------------------------------------------------------

    @work(exclusive=True, group="chat-open", exit_on_error=False, description="Opening")
    async def _open(self, conversation: Conversation) -> None:
        await self.show(conversation)  # first: chat mode then keeps it for its model
        self.post_message(self.Opened(self, conversation))

    @work(exclusive=True, group="chat-reply", exit_on_error=False, description="Chat reply")
    async def _reply(self, model: str, text: str, params: dict[str, Any]) -> None:
        reason = await chat_refusal(self.api.client, model)
        if reason is not None:
            self.post_message(self.Refused(self, printable(reason, one_line=True)))
            return
        now = self.clock.now().isoformat()
        system = self.system_input.value
        conversation = self.conversation
        try:
            if conversation is None or conversation.model != model:
                conversation = await asyncio.to_thread(
                    self.store.create, model, time=now, system=system
                )
                await self._display(conversation)
            elif system != conversation.system:
                await asyncio.to_thread(self.store.set_system, conversation.id, system)
                conversation = replace(conversation, system=system)
            user = await asyncio.to_thread(
                self.store.append, conversation.id, Turn("user", text, time=now)
            )
        except (OSError, KeyError) as error:
            self.post_message(self.Refused(self, f"the conversation could not be stored: {error}"))
            return
        conversation = replace(
            conversation,
            title=conversation.title or title_from(text),  # as the store names it
            turns=(*conversation.turns, user),
        )
        self.conversation = conversation
        self.post_message(self.Sent(self))
        await self.turns.mount(UserTurnView(user))
        await self._stream(conversation, model, params, now)

    @work(exclusive=True, group="chat-reply", exit_on_error=False, description="Chat reply")
    async def _regenerate(self, conversation: Conversation, params: dict[str, Any]) -> None:
        last = conversation.turns[-1]
        if last.role == "assistant":
            try:
                await asyncio.to_thread(self.store.truncate, conversation.id, from_turn=last.id)
            except OSError as error:
                self.post_message(self.Refused(self, f"the reply could not be replaced: {error}"))
                return
            conversation = replace(conversation, turns=conversation.turns[:-1])
            self.conversation = conversation
            replies = self.query(ReplyView)
            if replies:
                await replies.last().remove()
        now = self.clock.now().isoformat()
        await self._stream(conversation, conversation.model, params, now)

    async def _stream(
        self, conversation: Conversation, model: str, params: dict[str, Any], now: str
    ) -> None:
        turns = self.turns
        view = ReplyView()
        await turns.mount(view)
        turns.anchor()
        counters = ReplyCounters()
        started = self.clock.monotonic()
        self._live = (view, started, counters)
        self._stats_timer.resume()
        self._show_progress()
        if self._writer is not None:
            self._writer.release()  # if the last reply's end was not drawn yet
        writer = self._writer = ReplyWriter(view, turns)
        writer.start()
        received: list[str] = []
        outcome: Outcome = "stopped"
        error: str | None = None
        client = self.api.client
        try:
            fragments = client.stream_chat(model, conversation.messages(), params)
            async with aclosing(fragments):
                async for fragment in fragments:
                    counters.fragments += 1
                    if counters.first is None:
                        counters.first = self.clock.monotonic() - started
                    shown = printable(fragment)
                    counters.chars += len(shown)
                    received.append(shown)
                    writer.write(shown)
            outcome = "done"
            self.post_message(Pane.HealthChanged(self.api.succeeded()))
        except StreamError as failure:
            outcome, error = "failed", printable(failure.message, one_line=True)
        except BytezError as failure:
            outcome, error = "failed", printable(failure.message, one_line=True)
            self.post_message(Pane.HealthChanged(self.api.failed(failure)))
            if isinstance(failure, AuthError):
                self.post_message(Pane.Unauthorized(failure))
        finally:
            self._stats_timer.pause()
            self._live = None
            await writer.close()
            metering = client.last_metering
            elapsed = self.clock.monotonic() - started
            at = self.api.server_now() - timedelta(seconds=elapsed)
            self.post_message(RunEnded(model, at, elapsed, metering, outcome))
            reply = Turn(
                "assistant",
                "".join(received),
                time=now,
                outcome=outcome,
                error=error,
                stats=counters.stats(self.clock.monotonic() - started),
                cost=None if metering is None else metering.cost,
            )
            self._ended(conversation, view, reply)

    # --- helpers ------------------------------------------------------------------------

    def _ended(self, conversation: Conversation, view: ReplyView, reply: Turn) -> None:
        try:
            reply = self.store.append(conversation.id, reply)
        except (OSError, KeyError) as failure:
            self.notify(str(failure), title="Reply not saved", severity="warning", markup=False)
        if self.conversation is not None and self.conversation.id == conversation.id:
            self.conversation = replace(conversation, turns=(*conversation.turns, reply))
        view.ended(reply)
        self.post_message(self.ReplyEnded(self, reply))

    def _show_progress(self) -> None:
        live = self._live
        if live is not None:
            view, started, counters = live
            stats = counters.stats(self.clock.monotonic() - started)
            view.footer.update(f"● replying · {format_stats(stats, final=False)}")
