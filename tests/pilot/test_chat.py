"""Chat mode against the emulator over loopback: two turns on v1 and v2, stop mid-reply,
an error fragment and a cut stream keep the partial reply, a non-chat model is refused,
and a conversation comes back after a restart."""

from __future__ import annotations

import asyncio
import functools
import stat
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Markdown, Static
from waiting import until as wait_until

from bytez_tui.app import BytezApp
from bytez_tui.clock import FixedClock
from bytez_tui.config import data_dir
from bytez_tui.emulator import EmulatorServer
from bytez_tui.local.conversations import Conversation, ConversationStore, Turn
from bytez_tui.messages import OpenPlayground
from bytez_tui.panes.playground import PlaygroundPane
from bytez_tui.panes.playground.turns import SHOWN_TURNS, ReplyView, UserTurnView
from bytez_tui.screens.conversations import ConversationsDialog
from bytez_tui.screens.load import LoadDialog

AppFactory = Callable[..., BytezApp]

V1_MODEL = "roneneldan/TinyStories-8M"
"""RUNNING in every fresh v1 world (a text-generation model)."""
V2_CHAT = "Qwen/Qwen3-4B"
"""A v2 chat model."""
IDLE = "openai-community/gpt2"
"""A v1 text-generation model in the catalogue, not running."""

CODE_REPLY = """Two ways:

```python
print('a')
```

| a | b |
|---|---|
| 1 | 2 |

```python
print('b')
```
"""
"""A reply with two code blocks and a table."""

until = functools.partial(wait_until, workers=False, tries=400)


async def open_chat(pilot: Pilot[None], model: str) -> PlaygroundPane:
    await pilot.pause()
    pilot.app.screen.post_message(OpenPlayground(model))
    await pilot.pause()
    pane = pilot.app.screen.query_one(PlaygroundPane)
    if not pane.chat_mode:
        await pilot.press("ctrl+t")
    await until(pilot, lambda: pane.chat_mode and pane.chat.display)
    return pane


async def say(pilot: Pilot[None], pane: PlaygroundPane, text: str) -> None:
    pane.prompt_area.text = text
    await pilot.press("ctrl+j")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def shown(pane: PlaygroundPane) -> list[tuple[str, str]]:
    views: list[tuple[str, str]] = []
    for view in pane.chat.turns.children:
        if isinstance(view, UserTurnView):
            views.append(("user", view.turn.content))
        elif isinstance(view, ReplyView):
            views.append(("assistant", view.source))
    return views


async def two_turns(app: BytezApp, model: str, store_key: str) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_chat(pilot, model)
        pane.chat.system_input.value = "Be brief."
        await say(pilot, pane, "Tell me a story")
        assert pane.prompt_area.text == ""  # sent, so cleared
        await say(pilot, pane, "And then?")
        [conversation] = ConversationStore(store_key=store_key).list()
        stored = ConversationStore(store_key=store_key).get(conversation.id)
        assert stored is not None and stored.system == "Be brief."
        assert [(t.role, t.outcome) for t in stored.turns] == [
            ("user", "done"),
            ("assistant", "done"),
            ("user", "done"),
            ("assistant", "done"),
        ]
        assert stored.turns[1].content and stored.turns[3].content
        assert shown(pane) == [(t.role, t.content) for t in stored.turns]
        footer = str(pane.chat.query(ReplyView).last().footer.render())
        assert footer.startswith("✓ done") and "first fragment" in footer
        assert str(pane.status_line.render()).startswith("✓ done")


async def test_two_turns_on_v1(make_app: AppFactory, emulator: EmulatorServer) -> None:
    await two_turns(make_app(), V1_MODEL, emulator.url)


async def test_two_turns_on_v2_with_the_cost(
    make_app: AppFactory, emulator_v2: EmulatorServer
) -> None:
    app = make_app(base_url=emulator_v2.url)
    await two_turns(app, V2_CHAT, emulator_v2.url)
    [conversation] = ConversationStore(store_key=emulator_v2.url).list()
    reply = ConversationStore(store_key=emulator_v2.url).get(conversation.id).turns[-1]  # type: ignore[union-attr]
    assert reply.cost is not None


async def test_escape_stops_mid_reply_and_keeps_what_arrived(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    # The reply holds after 3 fragments until the client hangs up: mid-stream however
    # long the test takes to get there (a timed stream could end before escape).
    emulator.stall_stream_after(3)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_chat(pilot, V1_MODEL)
        pane.prompt_area.text = "Tell me a story"
        await pilot.press("ctrl+j")
        await until(pilot, lambda: pane.chat._live is not None and pane.chat._live[2].chars > 0)
        await pilot.press("escape")
        await until(pilot, lambda: not pane.busy)  # bounded: a stop that fails fails here
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = pane.chat.query(ReplyView).last()
        assert view.turn is not None and view.turn.outcome == "stopped"
        assert view.turn.content and view.footer.has_class("-stopped")
        assert str(view.footer.render()).startswith("■ stopped")
        [summary] = ConversationStore(store_key=emulator.url).list()
        stored = ConversationStore(store_key=emulator.url).get(summary.id)
        assert stored is not None and stored.turns[1].outcome == "stopped"
        assert stored.turns[1].content == view.turn.content
        assert not pane.busy
        assert await asyncio.to_thread(emulator.wait_for_disconnect, 5.0)


async def ends_badly(app: BytezApp, emulator: EmulatorServer, words: str) -> Any:
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_chat(pilot, V1_MODEL)
        await say(pilot, pane, "Tell me a story")
        view = pane.chat.query(ReplyView).last()
        assert view.turn is not None and view.turn.outcome == "failed"
        assert view.turn.content  # the partial reply stays
        assert view.source == view.turn.content
        assert words in str(view.footer.render())
        assert view.footer.has_class("-failed")
        return view.turn


async def test_an_error_fragment_keeps_the_partial_reply(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    emulator.error_fragment_after(2, "Error: CUDA out of memory")
    turn = await ends_badly(make_app(), emulator, "CUDA out of memory")
    assert turn.error == "Error: CUDA out of memory"


async def test_a_cut_stream_keeps_the_partial_reply(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    emulator.cut_stream_after(3)
    await ends_badly(make_app(), emulator, "dropped")


async def test_a_model_that_does_not_chat_says_so_instead_of_sending(
    make_app: AppFactory, emulator_v2: EmulatorServer
) -> None:
    app = make_app(base_url=emulator_v2.url)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_chat(pilot, "google/vit-base-patch16-224")
        await say(pilot, pane, "What is this?")
        assert "chat mode needs a chat or text-generation model" in str(pane.status_line.render())
        assert pane.prompt_area.text == "What is this?"  # not sent: kept
        assert shown(pane) == []
        assert emulator_v2.count(model="google/vit-base-patch16-224") <= 1  # the lookup only


async def test_the_conversation_and_the_mode_come_back_after_a_restart(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    first = make_app()
    async with first.run_test(size=(120, 40)) as pilot:
        pane = await open_chat(pilot, V1_MODEL)
        await say(pilot, pane, "Tell me a story")
        before = shown(pane)
    again = make_app()
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        again.screen.post_message(OpenPlayground(V1_MODEL))
        await until(pilot, lambda: bool(again.screen.query(PlaygroundPane)))
        pane = again.screen.query_one(PlaygroundPane)
        # A reply's Markdown fills a moment after its view is there: wait for the words.
        await until(pilot, lambda: pane.chat_mode and shown(pane) == before)
        await say(pilot, pane, "And then?")
        assert len(shown(pane)) == 4
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert shown(pane) == []
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert not pane.chat_mode and pane.output.display
    assert not ConversationStore(store_key=emulator.url).chat_mode(V1_MODEL)


async def test_regenerate_edit_resend_copy_and_export(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_chat(pilot, V1_MODEL)
        await say(pilot, pane, "Tell me a story")
        await say(pilot, pane, "And then?")
        first_reply = shown(pane)[3][1]
        pane.params_form.set_params({"max_new_tokens": 5})  # a different reply
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        turns = shown(pane)
        assert len(turns) == 4 and turns[3][1] != first_reply and turns[3][1]
        stored = ConversationStore(store_key=emulator.url).latest(V1_MODEL)
        assert stored is not None and [t.content for t in stored.turns] == [t for _, t in turns]
        # ctrl+o copies the last reply, not the hidden output log.
        await pilot.press("ctrl+o")
        assert app.clipboard == turns[3][1]
        # alt+up takes the last message back; sending it again replaces the pair.
        await pilot.press("alt+up")
        await pilot.pause()
        assert pane.prompt_area.text == "And then?" and len(shown(pane)) == 2
        pane.prompt_area.text = "And after that?"
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        stored = ConversationStore(store_key=emulator.url).latest(V1_MODEL)
        assert stored is not None
        assert [t.content for t in stored.turns][::2] == ["Tell me a story", "And after that?"]
        await pilot.press("ctrl+s")
        await pilot.pause()
        [export] = list((data_dir() / "chats").glob("*.md"))
        assert stat.S_IMODE(export.stat().st_mode) == 0o600
        text = export.read_text()
        assert text.startswith("# Tell me a story") and "## You\n\nAnd after that?" in text
        assert stored.turns[-1].content in text


async def test_alt_o_copies_the_last_code_block(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_chat(pilot, V1_MODEL)
        await pane.chat.show(
            Conversation(
                1,
                V1_MODEL,
                "t",
                "",
                "",
                "",
                turns=(Turn("user", "code?"), Turn("assistant", CODE_REPLY)),
            )
        )
        await pilot.pause()
        await pilot.press("alt+o")
        assert app.clipboard == "print('b')\n"


async def test_the_conversations_list_reopens_renames_and_deletes(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    store = ConversationStore(store_key=emulator.url)
    older = store.create("org/older", time="2024-07-01T10:00:00+00:00")
    store.append(older.id, Turn("user", "old question", time="2024-07-01T10:00:00+00:00"))
    store.append(older.id, Turn("assistant", "old **answer**", time="2024-07-01T10:00:00+00:00"))
    newer = store.create(V1_MODEL, time="2024-07-01T11:00:00+00:00")
    store.append(newer.id, Turn("user", "[b]new[/b] question", time="2024-07-01T11:00:00+00:00"))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_chat(pilot, V1_MODEL)
        await pilot.press("alt+l")
        dialog = app.screen
        assert isinstance(dialog, ConversationsDialog)
        assert "[b]new[/b] question" in str(dialog.options.get_option_at_index(0).prompt)
        await pilot.press("down", "r", "ctrl+u", *"Renamed", "enter")
        assert store.get(older.id).title == "Renamed"  # type: ignore[union-attr]
        await pilot.press("enter")
        await until(pilot, lambda: pane.chat.conversation is not None)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.model_input.value == "org/older" and pane.chat_mode
        assert shown(pane) == [("user", "old question"), ("assistant", "old **answer**")]
        await pilot.press("alt+l")
        await pilot.press("d")
        assert len(store.list()) == 2  # the first press only asks
        await pilot.press("d")
        assert [c.id for c in store.list()] == [older.id]
        await pilot.press("escape")
        assert not isinstance(app.screen, ConversationsDialog)


async def test_a_long_conversation_opens_with_its_last_turns(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    store = ConversationStore(store_key=emulator.url)
    store.set_chat_mode(V1_MODEL, True)
    chat = store.create(V1_MODEL, time="2024-07-01T10:00:00+00:00")
    for index in range(15):
        store.append(chat.id, Turn("user", f"q{index}"))
        store.append(chat.id, Turn("assistant", f"a{index}"))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.post_message(OpenPlayground(V1_MODEL))
        await until(pilot, lambda: bool(app.screen.query(PlaygroundPane)))
        pane = app.screen.query_one(PlaygroundPane)
        await until(pilot, lambda: len(shown(pane)) == SHOWN_TURNS)
        # the last turns are drawn first, the earlier ones added above them in order
        expected = [[("user", f"q{n}"), ("assistant", f"a{n}")] for n in range(10, 15)]
        assert shown(pane) == [turn for pair in expected for turn in pair]
        earlier = pane.chat.query_one(".earlier", Static)
        assert "20 earlier turns" in str(earlier.render())


async def test_a_model_not_running_is_offered_a_load_and_the_message_waits_for_it(
    make_app: AppFactory, emulator: EmulatorServer, clock: FixedClock
) -> None:
    """As a one-shot run does: the load dialog, then the turn once the model runs; the
    dialog cancelled sends nothing, then or later (never a billed run nobody asked for)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_chat(pilot, IDLE)
        footer = [b.binding.description for b in app.screen.active_bindings.values()]
        assert "Send" in footer and "Run" not in footer
        pane.prompt_area.text = "Hello there"
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.query_one("#load-offer").display
        assert "the message is sent" in str(pane.query_one("#load-offer-text").render())
        assert emulator.count("run") == 0
        assert pane.prompt_area.text == "Hello there"  # kept until sent
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, LoadDialog))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, LoadDialog))
        assert not pane.busy and emulator.count("load") == 0
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, LoadDialog))
        await pilot.press("ctrl+s")  # load with the dialog's defaults
        await until(pilot, lambda: emulator.count("load", model=IDLE) == 1)
        assert pane.busy and emulator.count("run") == 0
        clock.advance(emulator.world.boot_delay)
        pane.instance_ready(IDLE)
        await until(pilot, lambda: pane.chat.last_reply is not None and not pane.busy)
        assert emulator.count("run", model=IDLE) == 1
        assert pane.prompt_area.text == ""
        [summary] = ConversationStore(store_key=emulator.url).list()
        stored = ConversationStore(store_key=emulator.url).get(summary.id)
        assert stored is not None
        assert [(t.role, t.outcome) for t in stored.turns] == [
            ("user", "done"),
            ("assistant", "done"),
        ]
        assert stored.turns[0].content == "Hello there"


async def test_a_long_reply_is_drawn_in_pieces_that_together_are_the_reply(
    make_app: AppFactory, emulator: EmulatorServer
) -> None:
    long_reply = "".join(
        f"## Part {n}\n\nSome text.\n\n```python\nx = {n}\n```\n\n" for n in range(30)
    )
    store = ConversationStore(store_key=emulator.url)
    store.set_chat_mode(V1_MODEL, True)
    chat = store.create(V1_MODEL, time="2024-07-01T10:00:00+00:00")
    store.append(chat.id, Turn("user", "Explain at length"))
    store.append(chat.id, Turn("assistant", long_reply))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.post_message(OpenPlayground(V1_MODEL))
        await until(pilot, lambda: bool(app.screen.query(PlaygroundPane)))
        pane = app.screen.query_one(PlaygroundPane)
        await until(pilot, lambda: bool(pane.chat.query(ReplyView)))
        view = pane.chat.query_one(ReplyView)
        assert len(view.query(Markdown)) > 3  # cut between blocks, each piece laid out alone
        assert view.source == long_reply
