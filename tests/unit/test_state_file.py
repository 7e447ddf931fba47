"""The dashboard's remembered state: round trip, 0600, and a damaged file set aside."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from bytez_tui.local.remembered import Draft, Remembered, StateFile


def test_the_state_round_trips_privately(tmp_path: Path) -> None:
    state_file = StateFile(tmp_path / "state.json")
    state = Remembered(
        pane="playground",
        sort="ram",
        descending=True,
        draft=Draft(
            model="openai-community/gpt2",
            prompt="Hello, 世界\n\tand a tab",
            params={"max_new_tokens": "-5", "do_sample": True, "json": '{"x": 1'},
            stream=False,
        ),
    )
    state_file.save(state)
    assert stat.S_IMODE(state_file.path.stat().st_mode) == 0o600
    assert state_file.load() == (state, None)
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_a_missing_file_is_a_first_run(tmp_path: Path) -> None:
    assert StateFile(tmp_path / "state.json").load() == (Remembered(), None)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"pane": 3, "sort": 5, "descending": "yes"}, Remembered()),
        ({"sort": None}, Remembered(sort=None)),
        (
            {"draft": {"prompt": "kept", "model": 7, "params": [1], "stream": 0}},
            Remembered(draft=Draft(prompt="kept")),
        ),
        (
            {"draft": {"params": {"top_k": "5", "bad": 1.5, "do_sample": False}}},
            Remembered(draft=Draft(params={"top_k": "5", "do_sample": False})),
        ),
    ],
)
def test_a_value_of_the_wrong_shape_is_forgotten_alone(
    tmp_path: Path, data: dict[str, object], expected: Remembered
) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(data))
    assert StateFile(path).load() == (expected, None)


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", "\udcff"])
def test_a_damaged_file_is_set_aside_with_a_notice(tmp_path: Path, text: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(text, errors="surrogateescape")
    state, notice = StateFile(path).load()
    assert state == Remembered()
    assert notice is not None and str(path) in notice
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("state.json.damaged-")]
    assert len(aside) == 1 and aside[0].read_bytes() == text.encode(errors="surrogateescape")
    assert aside[0].name in notice
    assert not path.exists()


def test_a_file_that_cannot_be_read_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.mkdir()  # reading it fails as a file without permission would (root reads those)
    state_file = StateFile(path)
    state, notice = state_file.load()
    assert state == Remembered() and notice is not None and "not kept" in notice
    state_file.save(Remembered(pane="jobs"))
    assert path.is_dir()


def test_the_keeper_writes_only_what_changed_and_says_a_failure_once(tmp_path: Path) -> None:
    from bytez_tui.local.remembered import StateKeeper

    keeper = StateKeeper(StateFile(tmp_path / "state.json"))
    assert not keeper.change(pane="catalogue")  # the default already
    assert keeper.save() is None and not keeper.file.path.exists()
    assert keeper.change(pane="jobs") and keeper.dirty
    assert keeper.save() is None and not keeper.dirty
    assert StateKeeper(StateFile(keeper.file.path)).state.pane == "jobs"
    blocked = StateKeeper(StateFile(tmp_path / "blocker" / "state.json"))
    (tmp_path / "blocker").write_text("a file where the folder should be")
    blocked.change(pane="instances")
    first = blocked.save()
    assert first is not None and "blocker" in first
    assert blocked.save() is None and blocked.dirty  # said once, still owed
    (tmp_path / "blocker").unlink()
    assert blocked.save() is None and not blocked.dirty


def test_a_file_nested_too_deep_to_parse_is_set_aside(tmp_path: Path) -> None:
    """`[[[[…` a hundred thousand deep made `json.loads` raise RecursionError, and the
    dashboard could not start at all ("unexpected error")."""
    path = tmp_path / "state.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    state, notice = StateFile(path).load()
    assert state == Remembered()
    assert notice is not None and "damaged" in notice
    assert not path.exists()
