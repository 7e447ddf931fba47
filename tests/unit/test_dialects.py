"""The dialect `auto` found, remembered per API in the data dir."""

from __future__ import annotations

import stat
from pathlib import Path

from bytez_tui.local.dialects import (
    dialect_for,
    dialects_path,
    remember_dialect,
    remembered_dialect,
)

URL = "https://api.bytez.com"


def test_remembered_per_api_and_private() -> None:
    assert remembered_dialect(URL) is None
    assert dialect_for("auto", URL) == "auto"
    assert remember_dialect(URL + "/", "v2")
    assert remember_dialect("demo", "v1")
    assert remembered_dialect(URL) == "v2" and remembered_dialect("demo") == "v1"
    assert dialect_for("auto", URL) == "v2"
    assert dialect_for("v1", URL) == "v1"  # a chosen dialect beats the memory
    assert stat.S_IMODE(dialects_path().stat().st_mode) == 0o600


def test_only_answers_are_kept() -> None:
    assert not remember_dialect(URL, "auto")
    assert not dialects_path().exists()


def test_a_damaged_file_is_an_empty_memory() -> None:
    path = dialects_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"https://api.bytez.com": "v7", "other": "v1"')
    assert remembered_dialect(URL) is None
    path.write_text('{"https://api.bytez.com": "v7", "other": "v1"}')
    assert remembered_dialect(URL) is None and remembered_dialect("other") == "v1"
    assert remember_dialect(URL, "v2")
    assert remembered_dialect("other") == "v1"


def test_an_unwritable_data_dir_is_not_an_error(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert not remember_dialect(URL, "v2", path=blocked / "dialects.json")
