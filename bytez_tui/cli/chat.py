"""`chat` and `chats`: the playground's chat mode on the command line.

`bytez-tui chat MODEL MESSAGE…` adds one user turn to a conversation (a new one, or with
`--continue` the latest with MODEL or the one with that id), streams the reply to stdout and
stores both turns where the dashboard can reopen them. `bytez-tui chats` lists them. The
exit codes are `run`'s; a reply cut off or stopped by Ctrl+C is stored with what arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from typing import Any

from bytez_tui.cli.context import Context, UsageError
from bytez_tui.cli.output import EXIT_API, EXIT_OK, Output, exit_code
from bytez_tui.cli.run import prepare as prepare_run
from bytez_tui.errors import BytezError, StreamCut, StreamError
from bytez_tui.local.conversations import Conversation, ConversationStore, Turn
from bytez_tui.local.history import Outcome, RunStats

__all__ = ["chat", "chats", "prepare"]


def prepare(args: argparse.Namespace, out: Output) -> None:
    """Read the message (stdin for `-` or none) and parse `--params`, before connecting.

    `--continue` takes an optional id: a word after it that is not a number is the first
    word of the message (`chat MODEL --continue what next?`). Sets `args.continue_id`
    (None: a new conversation; 0: the latest with MODEL).

    Raises:
        UsageError: No message, an empty one, or `--params` that is not a JSON object.
    """
    wanted: str | None = args.continue_id
    if wanted is not None and not wanted.isdigit():
        if wanted:
            args.prompt.insert(0, wanted)
        wanted = ""
    args.continue_id = None if wanted is None else int(wanted or 0)
    prepare_run(args, out)


async def chat(ctx: Context) -> int:
    """Say it, and record the reply in the spend ledger as a run."""
    from bytez_tui.cli.spend import timed_run

    return await timed_run(ctx, _chat)


async def _chat(ctx: Context) -> int:
    """Add the message to the conversation, stream the reply, store both turns."""
    args, out, client = ctx.args, ctx.out, ctx.client
    store = ConversationStore(store_key=ctx.settings.store_key)
    now = ctx.now().isoformat()
    try:
        conversation = _conversation(args, store, now)
        store.append(conversation.id, Turn("user", args.prompt_text, time=now))
        conversation = store.get(conversation.id) or conversation
    except OSError as exc:
        out.error(f"the conversation could not be stored: {exc}")
        return EXIT_API
    messages = conversation.messages()
    params: dict[str, Any] = args.params_dict
    received: list[str] = []
    outcome: Outcome = "stopped"
    error: BytezError | None = None
    started, first = time.monotonic(), None
    fragments = 0
    out.progress(f"{args.model}: waiting for the reply…")
    try:
        if args.json:
            result = await client.chat(args.model, messages, params=params)
            first, fragments = time.monotonic() - started, 1
            received.append(result.text)
        else:
            stream = client.stream_chat(args.model, messages, params=params)
            async with contextlib.aclosing(stream):
                async for fragment in stream:
                    if first is None:
                        first = time.monotonic() - started
                    fragments += 1
                    received.append(fragment)
                    out.fragment(fragment)
            out.end_line()
        outcome = "done"
    except BytezError as exc:
        out.end_line()
        outcome, error = "failed", exc
    finally:
        # Also on Ctrl+C (the task is cancelled): the reply so far is kept, as stopped.
        text = "".join(received)
        metering = client.last_metering
        reply = Turn(
            "assistant",
            text,
            time=now,
            outcome=outcome,
            error=None if error is None else error.message,
            stats=RunStats(
                first_fragment=first,
                elapsed=time.monotonic() - started,
                fragments=fragments,
                chars=len(text),
            ),
            cost=None if metering is None else metering.cost,
        )
        with contextlib.suppress(OSError, KeyError):
            store.append(conversation.id, reply)
    if error is not None:
        return _failed(args, out, error, conversation)
    if args.json:
        out.json(
            {
                "conversation": conversation.id,
                "model": args.model,
                "text": reply.content,
                "cost": reply.cost,
            }
        )
    out.narrate(f"conversation {conversation.id} · bytez-tui chat {args.model} --continue")
    return EXIT_OK


async def chats(ctx: Context) -> int:
    """List the stored conversations, the most recent first."""
    store = ConversationStore(store_key=ctx.settings.store_key)
    try:
        conversations = await asyncio.to_thread(store.list)
    except OSError as exc:
        raise UsageError(f"the conversations could not be read: {exc}") from exc
    out = ctx.out
    if ctx.args.json:
        out.json([conversation.to_json() for conversation in conversations])
        return EXIT_OK
    if not conversations:
        out.narrate("no conversations yet: bytez-tui chat MODEL MESSAGE starts one")
        return EXIT_OK
    width = max(len(str(c.id)) for c in conversations)
    for conversation in conversations:
        when = conversation.updated[:16].replace("T", " ")
        turns = f"{conversation.turn_count} turn{'' if conversation.turn_count == 1 else 's'}"
        title = " ".join(conversation.title.split()) or "(untitled)"
        out.line(f"{conversation.id:>{width}}  {when}  {conversation.model}  {turns}  {title}")
    return EXIT_OK


def _conversation(args: argparse.Namespace, store: ConversationStore, now: str) -> Conversation:
    """The conversation to add to: `--continue [ID]`, else a new one.

    Raises:
        UsageError: No such conversation, or it is with another model.
    """
    wanted: int | None = args.continue_id
    if wanted is None:
        return store.create(args.model, time=now, system=args.system or "")
    if wanted == 0:
        found = store.latest(args.model)
        if found is None:
            raise UsageError(f"no conversation with {args.model} to continue")
    else:
        found = store.get(wanted)
        if found is None:
            raise UsageError(f"no conversation {wanted}: bytez-tui chats lists them")
        if found.model != args.model:
            raise UsageError(f"conversation {wanted} is with {found.model}, not {args.model}")
    if args.system is not None and args.system != found.system:
        store.set_system(found.id, args.system)
    return found


def _failed(
    args: argparse.Namespace, out: Output, error: BytezError, conversation: Conversation
) -> int:
    if isinstance(error, StreamError):
        kind = "the stream was cut off" if isinstance(error, StreamCut) else "the model failed"
        kept = " (the text received is kept on stdout and in the conversation)"
        out.error(f"{kind}: {error.message}{kept if error.partial else ''}")
    elif error.status == 409:
        out.error(f"{error.message} — load it first: bytez-tui load {args.model} --wait")
    else:
        out.error(error.message)
    out.narrate(f"conversation {conversation.id} keeps your message")
    return exit_code(error)
