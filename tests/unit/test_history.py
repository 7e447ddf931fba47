"""The playground's run history: in the local database, per API, tolerant reads, the old
file moved in, recall with a draft."""

from __future__ import annotations

import stat
from typing import Any

import pytest

from bytez_tui.config import data_dir
from bytez_tui.local.database import database_path
from bytez_tui.local.history import History, Recall, RunRecord, RunStats, legacy_history_path


def record(prompt: str, **changes: object) -> RunRecord:
    values: dict[str, object] = {
        "time": "2024-07-01T12:00:00+00:00",
        "model": "org/model",
        "prompt": prompt,
        "params": {"max_new_tokens": 8},
        "output": f"out of {prompt}",
        "stats": RunStats(first_fragment=0.5, elapsed=2.0, fragments=8, chars=40, inferences=3),
    }
    values.update(changes)
    return RunRecord(**values)  # type: ignore[arg-type]


def test_append_survives_a_new_instance() -> None:
    first = History()
    first.append(record("one"))
    first.append(record("two", outcome="failed", error="Error: boom"))
    again = History()
    assert [r.prompt for r in again.entries] == ["one", "two"]
    assert again.entries[1].error == "Error: boom"
    assert again.entries[0].stats.chars_per_second == 20.0
    assert again.entries[0] == record("one")


def test_each_api_has_its_own_history() -> None:
    History(store_key="demo").append(record("on the demo"))
    History(store_key="https://api.example").append(record("on the API"))
    assert [r.prompt for r in History(store_key="demo").entries] == ["on the demo"]
    assert [r.prompt for r in History(store_key="https://api.example").entries] == ["on the API"]


def test_database_is_private() -> None:
    History().append(record("one"))
    assert stat.S_IMODE(database_path().stat().st_mode) == 0o600
    assert database_path().parent == data_dir()


def test_unreadable_records_are_skipped() -> None:
    history = History()
    history.append(record("good"))
    with history.database.transaction() as connection:
        connection.execute(
            "INSERT INTO runs (store, record) VALUES (?, ?)", (history.store_key, "{")
        )
        connection.execute(
            "INSERT INTO runs (store, record) VALUES (?, ?)",
            (
                history.store_key,
                '{"model": "x/y", "prompt": "old", "stats": "?", "outcome": "odd"}',
            ),
        )
    entries = History().entries
    assert [r.prompt for r in entries] == ["good", "old"]
    assert entries[1].outcome == "done"
    assert entries[1].stats == RunStats()


def test_no_history_is_empty() -> None:
    assert History().entries == []


def test_unicode_round_trips() -> None:
    History().append(record("日本語 🚀\nline two"))
    assert History().entries[0].prompt == "日本語 🚀\nline two"


def test_the_old_history_file_is_moved_in_and_a_damaged_one_kept_aside() -> None:
    legacy = legacy_history_path()
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_text(
        record("one").to_json() + "\n" + '{"model": "x/y", "prompt": \n' + record("two").to_json()
    )
    history = History()
    assert [r.prompt for r in history.entries] == ["one", "two"]
    assert not legacy.exists()
    kept = list(legacy.parent.glob(legacy.name + ".damaged-*"))
    assert len(kept) == 1 and "prompt" in kept[0].read_text()  # nothing of it is lost
    assert any("could not be read" in notice for notice in history.take_notices())
    History().append(record("three"))  # moved once only
    assert [r.prompt for r in History().entries] == ["one", "two", "three"]


def test_a_clean_old_history_is_moved_in_and_deleted() -> None:
    legacy = legacy_history_path()
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_text(record("one").to_json() + "\n")
    history = History(store_key="demo")
    assert [r.prompt for r in history.entries] == ["one"]
    assert not legacy.exists()
    assert history.take_notices() == []


def test_a_history_path_that_is_a_directory_is_left_alone() -> None:
    legacy_history_path().mkdir(parents=True)
    history = History()
    assert history.entries == []
    history.append(record("one"))
    assert [r.prompt for r in History().entries] == ["one"]


def test_recall_walks_back_and_returns_to_draft() -> None:
    history = History()
    for prompt in ("a", "b", "c"):
        history.append(record(prompt))
    recall: Recall[Any] = Recall(history)
    assert recall.newer() is None  # already on the draft
    assert [recall.older().prompt for _ in range(3)] == ["c", "b", "a"]  # type: ignore[union-attr]
    assert recall.older() is None  # the oldest stays put
    assert recall.position == 0
    assert recall.newer().prompt == "b"  # type: ignore[union-attr]
    assert recall.newer().prompt == "c"  # type: ignore[union-attr]
    assert recall.newer() is None
    assert recall.position is None


def test_recall_on_empty_history() -> None:
    recall: Recall[Any] = Recall(History())
    assert recall.older() is None
    assert recall.position is None


def test_only_the_newest_runs_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from bytez_tui.local import history as module

    writer = History()
    for index in range(50):
        writer.append(record(f"prompt {index}"))
    monkeypatch.setattr(module, "MAX_RUNS", 10)
    prompts = [r.prompt for r in History().entries]
    assert prompts == [f"prompt {index}" for index in range(40, 50)]


def test_appending_does_not_read_the_history() -> None:
    History().append(record("old"))
    history = History()
    history.append(record("new"))
    assert history._entries is None
    assert [r.prompt for r in history.entries] == ["old", "new"]
