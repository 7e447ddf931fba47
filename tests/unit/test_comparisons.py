"""Saved comparisons: stored whole, read back tolerantly, exported side by side."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime

from bytez_tui.comparing import export_markdown
from bytez_tui.config import data_dir
from bytez_tui.local.comparisons import ColumnRecord, Comparison, ComparisonStore
from bytez_tui.local.history import RunStats

COMPARISON = Comparison(
    time="2024-07-01T12:00:00+00:00",
    prompt="Write | a haiku",
    params={"max_new_tokens": 20},
    columns=(
        ColumnRecord(
            "org/one",
            {"max_new_tokens": 20},
            "line one\nline | two",
            stats=RunStats(0.1, 2.0, 10, 40, cost_usd=0.0004),
        ),
        ColumnRecord(
            "org/two",
            {"max_new_tokens": 5},
            "cut",
            "failed",
            "The connection dropped",
            RunStats(None, 1.0, 1, 3),
        ),
    ),
    winner=1,
)


def test_a_comparison_is_saved_whole_and_reopened_newest_first() -> None:
    store = ComparisonStore(store_key="http://a")
    first = store.save(COMPARISON)
    second = store.save(Comparison("later", "again", columns=COMPARISON.columns[:1]))
    assert first.id and second.id > first.id
    assert [c.id for c in store.list()] == [second.id, first.id]
    assert store.get(first.id) == first
    assert ComparisonStore(store_key="http://b").list() == []  # kept per API
    # Marking another winner afterwards rewrites the same entry.
    store.save(Comparison(**{**first.__dict__, "winner": 0}))
    assert store.get(first.id) is not None and store.get(first.id).winner == 0  # type: ignore[union-attr]


def test_reading_tolerates_what_it_cannot_use() -> None:
    data = json.loads(COMPARISON.to_json())
    data["winner"] = 7  # no such column
    data["columns"].append({"no": "model"})
    data["columns"][0]["stats"] = "garbage"
    read = Comparison.from_json(data)
    assert read is not None and read.winner is None and len(read.columns) == 2
    assert read.columns[0].stats == RunStats()
    assert Comparison.from_json({"prompt": "x", "columns": []}) is None
    assert Comparison.from_json([1]) is None


def test_markdown_puts_the_models_side_by_side_with_the_winner_marked() -> None:
    text = COMPARISON.to_markdown()
    assert "| | `org/one` | `org/two` 🏆 winner |" in text
    # A line break or a pipe in an answer stays inside its cell.
    assert "| **answer** | line one<br>line \\| two | cut |" in text
    assert "✗ failed: The connection dropped" in text
    assert "| **cost** | $0.0004 | — |" in text
    assert '| **params** | `{"max_new_tokens": 20}` | `{"max_new_tokens": 5}` |' in text


def test_an_export_is_a_new_private_markdown_file_named_for_its_time() -> None:
    at = datetime(2024, 7, 1, 12, 30, 5, tzinfo=UTC)
    first = export_markdown(COMPARISON, at=at)
    again = export_markdown(COMPARISON, at=at)  # the same second: never over the first
    assert first.parent == data_dir() / "comparisons"
    assert (first.name, again.name) == (
        "20240701-123005-compare.md",
        "20240701-123005-compare-2.md",
    )
    assert first.read_text(encoding="utf-8") == COMPARISON.to_markdown()
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
