"""Local data is never lost: tracked jobs in the local database, migration of the old files,
damaged files set aside, two writers at once, atomic owner-only writes, stale temps cleaned."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from bytez_tui.clock import utc
from bytez_tui.config import config_path, data_dir, read_config, update_config
from bytez_tui.local.database import LocalDatabase, LocalDataError, database_path
from bytez_tui.local.files import clean_stale_temps, write_private
from bytez_tui.local.history import History, RunRecord
from bytez_tui.local.jobs import JobStore, TrackedJob, legacy_jobs_path

WHEN = datetime(2024, 7, 1, 12, 0, 0, tzinfo=utc)
ROOT = Path(__file__).resolve().parents[2]


def damaged(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".damaged-*"))


def test_jobs_round_trip_in_a_private_database() -> None:
    store = JobStore()
    jobs = [
        TrackedJob("org/a", WHEN),
        TrackedJob("org/b", WHEN, "available", "Model available", WHEN, WHEN, True, True),
        TrackedJob(
            "org/c", WHEN, "queued", load_when_ready=True, load_concurrency=2, load_expiration=600
        ),
    ]
    store.save(jobs)
    assert JobStore().load() == jobs
    assert stat.S_IMODE(database_path().stat().st_mode) == 0o600


def test_jobs_belong_to_one_api() -> None:
    JobStore(store_key="demo").save([TrackedJob("org/demo", WHEN)])
    JobStore(store_key="https://api.example").save([TrackedJob("org/real", WHEN)])
    assert [job.model for job in JobStore(store_key="demo").load()] == ["org/demo"]


def test_two_stores_on_one_api_keep_each_other_s_jobs() -> None:
    first, second = JobStore(), JobStore()
    first.save([TrackedJob("org/shared", WHEN)])
    assert first.load() == second.load() == [TrackedJob("org/shared", WHEN)]
    first.save([TrackedJob("org/shared", WHEN), TrackedJob("org/first", WHEN)])
    second.save([TrackedJob("org/second", WHEN)])  # it forgot org/shared, never saw org/first
    assert [job.model for job in JobStore().load()] == ["org/first", "org/second"]


WRITER = """
import sys
from datetime import datetime, timezone
from bytez_tui.local.history import History, RunRecord
from bytez_tui.local.jobs import JobStore, TrackedJob

name, count = sys.argv[1], int(sys.argv[2])
store, history = JobStore(), History()
jobs = store.load()  # as the Jobs pane does: what it shows is what it saves
for index in range(count):
    jobs.append(TrackedJob(f"{name}/model-{index}", datetime(2024, 7, 1, tzinfo=timezone.utc)))
    store.save(jobs)
    history.append(RunRecord(time="t", model=f"{name}/m", prompt=f"{name} {index}"))
"""


def test_two_processes_writing_at_once_lose_nothing() -> None:
    """A real second process, as with two dashboards (or the dashboard and the CLI)."""
    count = 40
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, name, str(count)],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stderr=subprocess.PIPE,
        )
        for name in ("left", "right")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err.decode()
    models = {job.model for job in JobStore().load()}
    assert len(models) == 2 * count
    prompts = [run.prompt for run in History().entries]
    assert sorted(prompts) == sorted(f"{n} {i}" for n in ("left", "right") for i in range(count))
    for name in ("left", "right"):  # each writer's runs in its own order
        mine = [p for p in prompts if p.startswith(name)]
        assert mine == [f"{name} {index}" for index in range(count)]


def test_the_old_jobs_file_is_moved_in_then_deleted() -> None:
    legacy = legacy_jobs_path()
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_text(
        '{"version": 1, "jobs": [{"model": "org/a", "requested_at": "2024-07-01T12:00:00Z"},'
        ' {"model": "org/b", "requested_at": "2024-07-01T12:00:00Z", "state": "queued"}]}'
    )
    store = JobStore()
    assert [(job.model, job.state) for job in store.load()] == [
        ("org/a", "requested"),
        ("org/b", "queued"),
    ]
    assert not legacy.exists() and damaged(legacy) == []
    assert store.take_notices() == []
    assert [job.model for job in JobStore().load()] == ["org/a", "org/b"]


def test_a_truncated_jobs_file_is_kept_aside_never_overwritten() -> None:
    legacy = legacy_jobs_path()
    legacy.parent.mkdir(parents=True, exist_ok=True)
    text = (
        '{"version": 1, "jobs": [{"model": "org/a", "requested_at": "2024-07-01T12:00:00Z"},'
        ' {"model": "org/b", "requested_at": "2024-07-01T12:00:00Z"}, {"model": "org/'
    )
    legacy.write_text(text)
    store = JobStore()
    assert store.load() == []
    notices = store.take_notices()
    assert len(notices) == 1 and "could not all be read" in notices[0]
    [kept] = damaged(legacy)
    assert kept.read_text() == text and kept.name in notices[0]
    store.save([TrackedJob("org/new", WHEN)])  # a new job does not touch what was kept
    assert kept.read_text() == text and not legacy.exists()


def test_a_jobs_file_with_some_bad_jobs_moves_the_good_ones_and_keeps_the_file() -> None:
    legacy = legacy_jobs_path("https://api.example")
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_text(
        '{"jobs": [{"model": "bad id", "requested_at": "2024-07-01T12:00:00Z"},'
        ' {"model": "org/x", "requested_at": "2024-07-01T12:00:00Z", "state": "weird"}, 7]}'
    )
    store = JobStore(store_key="https://api.example")
    assert store.load() == [TrackedJob("org/x", WHEN)]
    assert len(damaged(legacy)) == 1 and store.take_notices()


def test_a_damaged_database_is_kept_aside_and_a_new_one_started() -> None:
    path = database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database, but someone's data" * 100)
    store = JobStore()
    assert store.load() == []
    store.save([TrackedJob("org/a", WHEN)])
    [kept] = damaged(path)
    assert kept.read_bytes().startswith(b"this is not a database")
    assert any(kept.name in notice for notice in store.take_notices())
    assert [job.model for job in JobStore().load()] == ["org/a"]


def test_a_database_path_that_is_a_directory_is_set_aside() -> None:
    database_path().mkdir(parents=True)
    (database_path() / "keep.txt").write_text("mine")
    history = History()
    history.append(RunRecord(time="t", model="org/m", prompt="p"))
    [kept] = damaged(database_path())
    assert (kept / "keep.txt").read_text() == "mine"
    assert history.take_notices()


def test_an_unopenable_database_is_an_os_error_not_a_crash(tmp_path: Path) -> None:
    blocker = tmp_path / "a file where a folder should be"
    blocker.write_text("mine")
    database = LocalDatabase(blocker / "local.sqlite3")
    with pytest.raises(LocalDataError):
        JobStore(database=database).load()
    with pytest.raises(OSError):
        History(database=database).append(RunRecord(time="t", model="org/m", prompt="p"))
    assert blocker.read_text() == "mine"


def test_write_private_goes_through_a_symlink_and_stays_owner_only(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "config.toml"
    real.parent.mkdir()
    real.write_text("old")
    real.chmod(0o644)
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    assert write_private(link, "new") == real
    assert link.is_symlink() and real.read_text() == "new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


def test_a_setting_is_saved_in_place_keeping_comments_and_the_symlink(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "bytez.toml"
    real.parent.mkdir()
    real.write_text(
        "# my settings\n"
        'base_url = "https://api.bytez.com"  # the real one\n'
        'theme = "nord"\n'
        "\n"
        "[keymap]\n"
        '# pane keys\nquit = "ctrl+q"\n'
    )
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(real)
    update_config({"theme": "gruvbox"})
    assert path.is_symlink()
    assert real.read_text() == (
        "# my settings\n"
        'base_url = "https://api.bytez.com"  # the real one\n'
        'theme = "gruvbox"\n'
        "\n"
        "[keymap]\n"
        '# pane keys\nquit = "ctrl+q"\n'
    )
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    update_config({"api_key": "key-1234"})
    assert read_config()["api_key"] == "key-1234"
    assert read_config()["keymap"] == {"quit": "ctrl+q"}
    assert "# pane keys" in real.read_text()


def test_stale_temp_files_are_cleaned_and_fresh_ones_left(tmp_path: Path) -> None:
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / ".catalogue-0123456789ab.txt.k2j4h5g6"  # a cache write killed with -9
    new_style = folder / ".jobs.json.abcd_123.tmp"
    fresh = folder / ".catalogue-0123456789ab.txt.zzzzzzzz"  # a write happening right now
    mine = folder / "notes.txt"
    hidden = folder / ".keep"
    for path in (old, new_style, fresh, mine, hidden):
        path.write_text("x")
    hour_ago = time.time() - 3600
    for path in (old, new_style, mine, hidden):
        os.utime(path, (hour_ago, hour_ago))
    assert sorted(clean_stale_temps(folder)) == sorted([old, new_style])
    assert fresh.exists() and mine.exists() and hidden.exists()


def test_the_command_line_cleans_stale_temp_files_at_start() -> None:
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / ".catalogue-0123456789ab.txt.k2j4h5g6"
    old.write_text("x" * 1000)
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    subprocess.run(
        [sys.executable, "-m", "bytez_tui", "models", "--help"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        check=True,
    )
    assert not old.exists()
