"""The playground's run history: append-only JSON lines, tolerant reads, recall with a draft."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bytez_tui.config import data_dir
from bytez_tui.local.history import History, Recall, RunRecord, RunStats, history_path


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


def test_lives_in_the_data_dir() -> None:
    assert history_path().parent == data_dir()


def test_append_survives_a_new_instance(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    first = History(path)
    first.append(record("one"))
    first.append(record("two", outcome="failed", error="Error: boom"))
    again = History(path)
    assert [r.prompt for r in again.entries] == ["one", "two"]
    assert again.entries[1].error == "Error: boom"
    assert again.entries[0].stats.chars_per_second == 20.0
    assert again.entries[0] == record("one")


def test_file_is_private_and_append_only(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "h.jsonl"
    history = History(path)
    history.append(record("one"))
    before = path.read_text()
    history.append(record("two"))
    assert path.read_text().startswith(before)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_bad_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    History(path).append(record("good"))
    with path.open("a") as handle:
        handle.write('{"model": "x/y", "prompt": \n')  # cut off mid-write
        handle.write("[1, 2]\n\n")
        handle.write('{"model": "x/y", "prompt": "old", "stats": "?", "outcome": "odd"}\n')
    entries = History(path).entries
    assert [r.prompt for r in entries] == ["good", "old"]
    assert entries[1].outcome == "done"
    assert entries[1].stats == RunStats()


def test_missing_file_is_empty(tmp_path: Path) -> None:
    assert History(tmp_path / "none.jsonl").entries == []


def test_unicode_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    History(path).append(record("日本語 🚀\nline two"))
    assert History(path).entries[0].prompt == "日本語 🚀\nline two"


def test_recall_walks_back_and_returns_to_draft(tmp_path: Path) -> None:
    history = History(tmp_path / "h.jsonl")
    for prompt in ("a", "b", "c"):
        history.append(record(prompt))
    recall = Recall(history)
    assert recall.newer() is None  # already on the draft
    assert [recall.older().prompt for _ in range(3)] == ["c", "b", "a"]  # type: ignore[union-attr]
    assert recall.older() is None  # the oldest stays put
    assert recall.position == 0
    assert recall.newer().prompt == "b"  # type: ignore[union-attr]
    assert recall.newer().prompt == "c"  # type: ignore[union-attr]
    assert recall.newer() is None
    assert recall.position is None


def test_recall_on_empty_history(tmp_path: Path) -> None:
    recall = Recall(History(tmp_path / "h.jsonl"))
    assert recall.older() is None
    assert recall.position is None


def test_only_the_newest_part_of_a_huge_file_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bytez_tui.local import history as module

    path = tmp_path / "h.jsonl"
    writer = History(path)
    for index in range(50):
        writer.append(record(f"prompt {index}"))
    monkeypatch.setattr(module, "MAX_READ", len(record("x").to_json()) * 10)
    prompts = [r.prompt for r in History(path).entries]
    assert prompts[-1] == "prompt 49"
    assert 5 <= len(prompts) < 12
    assert all(p.startswith("prompt ") for p in prompts)


def test_appending_does_not_read_the_file(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    History(path).append(record("old"))
    history = History(path)
    history.append(record("new"))
    assert history._entries is None
    assert [r.prompt for r in history.entries] == ["old", "new"]
