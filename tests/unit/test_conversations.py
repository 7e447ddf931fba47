"""Chat conversations in the local database: create, append, list, rename, delete, reopen,
and two processes adding turns at once without losing one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bytez_tui.local.conversations import ConversationStore, Turn, code_blocks, title_from
from bytez_tui.local.history import RunStats

ROOT = Path(__file__).resolve().parents[2]
T0 = "2024-07-01T12:00:00+00:00"
T1 = "2024-07-01T12:01:00+00:00"


def test_a_conversation_round_trips_with_its_turns() -> None:
    store = ConversationStore()
    chat = store.create("org/chat", time=T0, system="Be brief.")
    store.append(chat.id, Turn("user", "What is **2+2**?", time=T0))
    stats = RunStats(first_fragment=0.1, elapsed=1.0, fragments=3, chars=12)
    store.append(chat.id, Turn("assistant", "It is `4`.", time=T1, stats=stats, cost=0.002))
    again = ConversationStore().get(chat.id)  # a fresh store: read from the file
    assert again is not None
    assert again.model == "org/chat" and again.system == "Be brief."
    assert again.title == "What is **2+2**?"
    assert [(t.role, t.content) for t in again.turns] == [
        ("user", "What is **2+2**?"),
        ("assistant", "It is `4`."),
    ]
    assert again.turns[1].stats == stats and again.turns[1].cost == 0.002
    assert again.messages() == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is **2+2**?"},
        {"role": "assistant", "content": "It is `4`."},
    ]


def test_a_stopped_reply_keeps_its_text_and_an_empty_failed_one_is_not_sent() -> None:
    store = ConversationStore()
    chat = store.create("org/chat", time=T0)
    store.append(chat.id, Turn("user", "one", time=T0))
    store.append(chat.id, Turn("assistant", "half an ans", outcome="stopped"))
    store.append(chat.id, Turn("user", "two", time=T0))
    store.append(chat.id, Turn("assistant", "", outcome="failed", error="model crashed"))
    again = store.get(chat.id)
    assert again is not None
    assert [t.outcome for t in again.turns] == ["done", "stopped", "done", "failed"]
    assert again.turns[3].error == "model crashed"
    assert [m["content"] for m in again.messages()] == ["one", "half an ans", "two"]


def test_list_rename_delete_and_latest() -> None:
    store = ConversationStore()
    first = store.create("org/a", time=T0)
    store.append(first.id, Turn("user", "hello " * 30, time=T0))
    second = store.create("org/b", time=T1, title="Named")
    assert [c.id for c in store.list()] == [second.id, first.id]
    assert store.list()[1].title == title_from("hello " * 30)
    assert len(store.list()[1].title) <= 60 and store.list()[1].turn_count == 1
    store.rename(first.id, "Greetings")
    assert store.get(first.id).title == "Greetings"  # type: ignore[union-attr]
    latest = store.latest("org/a")
    assert latest is not None and latest.id == first.id
    assert store.delete(second.id) and not store.delete(second.id)
    assert [c.id for c in store.list()] == [first.id]
    assert store.get(second.id) is None


def test_truncate_drops_the_last_turns_for_a_resend() -> None:
    store = ConversationStore()
    chat = store.create("org/a", time=T0)
    store.append(chat.id, Turn("user", "one"))
    reply = store.append(chat.id, Turn("assistant", "1"))
    store.append(chat.id, Turn("user", "two"))
    store.append(chat.id, Turn("assistant", "2"))
    store.truncate(chat.id, from_turn=reply.id)
    assert [t.content for t in store.get(chat.id).turns] == ["one"]  # type: ignore[union-attr]


def test_conversations_belong_to_one_api_and_chat_mode_is_per_model() -> None:
    demo, real = ConversationStore(store_key="demo"), ConversationStore(store_key="real")
    chat = demo.create("org/a", time=T0)
    assert real.list() == [] and real.get(chat.id) is None
    demo.set_chat_mode("org/a", True)
    assert demo.chat_mode("org/a") and not demo.chat_mode("org/b")
    assert not real.chat_mode("org/a")
    demo.set_chat_mode("org/a", False)
    assert not ConversationStore(store_key="demo").chat_mode("org/a")


def test_an_unreadable_turn_record_is_read_as_plain_text() -> None:
    store = ConversationStore()
    chat = store.create("org/a", time=T0)
    turn = store.append(chat.id, Turn("assistant", "text"))
    with store.database.transaction() as connection:
        connection.execute("UPDATE turns SET record = 'not json' WHERE id = ?", (turn.id,))
    again = store.get(chat.id)
    assert again is not None and again.turns[0].content == "text"
    assert again.turns[0].outcome == "done"


WRITER = """
import sys
from bytez_tui.local.conversations import ConversationStore, Turn

name, conversation, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
store = ConversationStore()
for index in range(count):
    store.append(conversation, Turn("user", f"{name} {index}"))
"""


def test_two_processes_adding_turns_at_once_lose_nothing() -> None:
    """Two real processes (the dashboard and `bytez-tui chat`) append to one conversation."""
    count = 60
    chat = ConversationStore().create("org/shared", time=T0)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, name, str(chat.id), str(count)],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stderr=subprocess.PIPE,
        )
        for name in ("app", "cli")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err.decode()
    again = ConversationStore().get(chat.id)
    assert again is not None
    contents = [turn.content for turn in again.turns]
    assert sorted(contents) == sorted(f"{n} {i}" for n in ("app", "cli") for i in range(count))
    for name in ("app", "cli"):  # each writer's turns in its own order
        assert [c for c in contents if c.startswith(name)] == [f"{name} {i}" for i in range(count)]


def test_code_blocks_and_the_markdown_export() -> None:
    reply = "Here:\n\n```python\nprint(1)\n```\n\nand\n\n~~~\nplain\n~~~\n"
    assert code_blocks(reply) == ["print(1)\n", "plain\n"]
    assert code_blocks("no code") == []
    store = ConversationStore()
    chat = store.create("org/a", time=T0, system="Be brief.")
    store.append(chat.id, Turn("user", "hi"))
    store.append(chat.id, Turn("assistant", "half", outcome="stopped"))
    text = store.get(chat.id).to_markdown()  # type: ignore[union-attr]
    assert text.startswith("# hi\n")
    assert "## System\n\nBe brief." in text
    assert "## You\n\nhi" in text and "## Reply (stopped)\n\nhalf" in text
