"""`bytez-tui chat` and `chats`: one turn per call, the reply on stdout, the conversation
stored where the dashboard reopens it; v1 and v2; cut streams and error fragments."""

from __future__ import annotations

import json

from cli_runner import Cli

from bytez_tui.emulator import EmulatorServer
from bytez_tui.local.conversations import Conversation, ConversationStore

V1_MODEL = "roneneldan/TinyStories-8M"
"""RUNNING in every fresh v1 world."""
V2_CHAT = "Qwen/Qwen3-4B"
"""A v2 chat model."""


def stored(emulator: EmulatorServer, conversation: int) -> Conversation:
    found = ConversationStore(store_key=emulator.url).get(conversation)
    assert found is not None
    return found


def listed(cli: Cli) -> list[dict[str, object]]:
    result = cli("chats", "--json")
    assert result.code == 0, result.stderr
    document: list[dict[str, object]] = json.loads(result.stdout)
    return document


def test_a_two_turn_conversation_on_v1(cli: Cli, emulator: EmulatorServer) -> None:
    first = cli("chat", V1_MODEL, "Tell", "me", "a", "story")
    assert first.code == 0, first.stderr
    assert first.stdout.strip()
    assert "conversation 1" in first.stderr
    second = cli("chat", V1_MODEL, "--continue", "And", "then?")  # a word, not an id
    assert second.code == 0, second.stderr
    [summary] = listed(cli)
    assert summary["id"] == 1 and summary["turns"] == 4 and summary["model"] == V1_MODEL
    assert summary["title"] == "Tell me a story"
    conversation = stored(emulator, 1)
    assert [(t.role, t.outcome) for t in conversation.turns] == [
        ("user", "done"),
        ("assistant", "done"),
        ("user", "done"),
        ("assistant", "done"),
    ]
    assert conversation.turns[1].content == first.stdout.rstrip("\n")
    assert conversation.turns[3].content == second.stdout.rstrip("\n")
    assert conversation.turns[2].content == "And then?"
    assert conversation.turns[1].stats is not None and conversation.turns[1].stats.fragments > 1


def test_a_conversation_on_v2_with_a_system_prompt_and_json(
    emulator_v2: EmulatorServer,
) -> None:
    cli = Cli(emulator_v2)
    result = cli("chat", V2_CHAT, "-", "--system", "Answer in French.", "--json", input="Hi\n")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"conversation", "model", "text", "cost"}
    assert document["text"] and document["cost"]  # v2 reports what a run cost
    again = cli("chat", V2_CHAT, "More", "--continue", str(document["conversation"]))
    assert again.code == 0, again.stderr
    conversation = stored(emulator_v2, document["conversation"])
    assert conversation.system == "Answer in French."
    assert conversation.messages()[0] == {"role": "system", "content": "Answer in French."}
    assert [t.content for t in conversation.turns][::2] == ["Hi", "More"]
    assert conversation.turns[1].content == document["text"]
    assert conversation.turns[3].content == again.stdout.rstrip("\n")
    assert conversation.turns[3].cost is not None


def test_chats_lists_the_most_recent_first(cli: Cli) -> None:
    assert cli("chats").stdout == ""
    assert cli("chat", V1_MODEL, "one").code == 0
    assert cli("chat", V1_MODEL, "two").code == 0
    lines = cli("chats").stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("2 ") and lines[0].endswith("two")
    assert "2 turns" in lines[1] and lines[1].endswith("one")


def test_a_cut_stream_keeps_the_partial_reply_and_exits_3(
    cli: Cli, emulator: EmulatorServer
) -> None:
    emulator.cut_stream_after(3)
    result = cli("chat", V1_MODEL, "Tell me a story")
    assert result.code == 3
    assert "the stream was cut off" in result.stderr
    reply = stored(emulator, 1).turns[1]
    assert reply.outcome == "failed" and reply.content
    assert reply.content == result.stdout.rstrip("\n")
    assert reply.error


def test_an_error_fragment_exits_1_and_keeps_what_arrived(
    cli: Cli, emulator: EmulatorServer
) -> None:
    emulator.error_fragment_after(2, "Error: CUDA out of memory")
    result = cli("chat", V1_MODEL, "Tell me a story")
    assert result.code == 1
    assert "CUDA out of memory" in result.stderr
    reply = stored(emulator, 1).turns[1]
    assert (reply.outcome, reply.error) == ("failed", "Error: CUDA out of memory")
    assert reply.content and reply.content == result.stdout.rstrip("\n")


def test_a_model_that_is_not_running_keeps_the_message(cli: Cli, emulator: EmulatorServer) -> None:
    result = cli("chat", "openai-community/gpt2", "hello")
    assert result.code == 1
    assert "bytez-tui load openai-community/gpt2 --wait" in result.stderr
    turns = stored(emulator, 1).turns
    assert [(t.role, t.content, t.outcome) for t in turns][0] == ("user", "hello", "done")
    assert turns[1].outcome == "failed" and not turns[1].content


def test_continue_refuses_an_unknown_or_foreign_conversation(
    cli: Cli, emulator: EmulatorServer
) -> None:
    assert cli("chat", V1_MODEL, "--continue", "hi").code == 2  # nothing to continue yet
    assert cli("chat", V1_MODEL, "hi").code == 0
    missing = cli("chat", V1_MODEL, "hi", "--continue", "9")
    assert missing.code == 2 and "no conversation 9" in missing.stderr
    foreign = cli("chat", "org/other", "hi", "--continue", "1")
    assert foreign.code == 2 and f"is with {V1_MODEL}" in foreign.stderr
    empty = cli("chat", V1_MODEL, "-", input="  \n")
    assert empty.code == 2
    runs = emulator.count("run")
    assert runs == 1
