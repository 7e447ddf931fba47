"""Shared fixtures: a frozen clock, one loopback emulator per session, and the app on it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hostile import HostileServer

from bytez_tui.api import BytezClient
from bytez_tui.app import BytezApp
from bytez_tui.clock import FixedClock, utc
from bytez_tui.config import Settings
from bytez_tui.emulator import EmulatorServer

FROZEN = datetime(2024, 7, 1, 12, 0, 0, tzinfo=utc)
"""The instant every test starts at."""
TEST_KEY = "test-key-0000"
"""A dummy key: the emulator accepts any non-empty key."""
SEED = 7
"""The emulator's seed in every test."""


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point platformdirs' config, cache and data dirs at `tmp_path`; drop real settings."""
    for variable in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
    for variable in ("BYTEZ_API_KEY", "BYTEZ_BASE_URL", "BYTEZ_API", "TMUX", "NO_COLOR"):
        monkeypatch.delenv(variable, raising=False)
    # Local times (the Jobs pane's) read the same on every machine.
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    return tmp_path


@pytest.fixture
def clock() -> FixedClock:
    """A clock frozen at `FROZEN`; tests move it with `clock.advance(seconds)`."""
    return FixedClock(FROZEN)


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorServer]:
    """One real HTTP emulator on 127.0.0.1 for the whole session, speaking v1 only.

    v1 only, so a client left on `api="auto"` finds v1 (the suite written for it) with
    one probe of v2's route, which this server answers 404.
    """
    server = EmulatorServer(api="v1")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def emulator_v2_server() -> Iterator[EmulatorServer]:
    """A second session emulator serving both dialects, for the v2 tests."""
    server = EmulatorServer(api="both")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def emulator_v2(emulator_v2_server: EmulatorServer, clock: FixedClock) -> EmulatorServer:
    """The v2 session emulator with a fresh seeded world on the test's clock."""
    emulator_v2_server.reset(clock, models=200, seed=SEED, fragment_interval=0.0)
    return emulator_v2_server


@pytest.fixture
async def client_v2(emulator_v2: EmulatorServer, clock: FixedClock) -> AsyncIterator[BytezClient]:
    """A client speaking v2 to the v2 emulator, retrying quickly."""
    async with BytezClient(
        api_key=TEST_KEY,
        base_url=emulator_v2.url,
        api="v2",
        clock=clock,
        backoff=0.01,
        timeout=5,
    ) as api:
        yield api


@pytest.fixture
def emulator(emulator_server: EmulatorServer, clock: FixedClock) -> EmulatorServer:
    """The session's emulator with a fresh seeded world on the test's clock."""
    emulator_server.reset(clock, models=200, seed=SEED, fragment_interval=0.0)
    return emulator_server


@pytest.fixture
async def client(emulator: EmulatorServer, clock: FixedClock) -> AsyncIterator[BytezClient]:
    """A client on the emulator, retrying quickly."""
    async with BytezClient(
        api_key=TEST_KEY, base_url=emulator.url, clock=clock, backoff=0.01, timeout=5
    ) as api:
        yield api


def _app_factory(emulator: EmulatorServer, clock: FixedClock) -> Callable[..., BytezApp]:
    """A builder of apps on `emulator` with the test key and `clock`; keywords override
    the settings."""

    def factory(**overrides: Any) -> BytezApp:
        values: dict[str, Any] = {
            "api_key": TEST_KEY,
            "base_url": emulator.url,
            "label": "emulator",
        }
        values.update(overrides)
        app = BytezApp(Settings(**values), clock=clock)
        app.animation_level = "none"
        return app

    return factory


@pytest.fixture
def make_app_v2(emulator_v2: EmulatorServer, clock: FixedClock) -> Callable[..., BytezApp]:
    """Build a `BytezApp` on the emulator that serves both dialects (`api` auto: v2)."""
    return _app_factory(emulator_v2, clock)


@pytest.fixture
def make_app(emulator: EmulatorServer, clock: FixedClock) -> Callable[..., BytezApp]:
    """Build a `BytezApp` on the emulator with a dummy key and the frozen clock."""
    return _app_factory(emulator, clock)


@pytest.fixture(scope="session")
def hostile_server() -> Iterator[HostileServer]:
    """The hostile API (`tests/hostile.py`): bad answers by path, the emulator behind them."""
    server = HostileServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def hostile(hostile_server: HostileServer, clock: FixedClock) -> HostileServer:
    """The session's hostile API with a fresh seeded emulator world behind it."""
    hostile_server.reset(clock, models=50, seed=SEED, fragment_interval=0.0)
    return hostile_server
