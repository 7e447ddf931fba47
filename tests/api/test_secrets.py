"""Credentials stay secret: a base URL's user name and password, and odd keys."""

from __future__ import annotations

import socket

import pytest

from bytez_tui.api import AuthError, BadResponse, BytezClient, Unreachable
from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer

KEY = "the-right-key"
PASSWORD = "hunter22pw"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_url_credentials_are_dropped_and_never_shown(
    emulator: EmulatorServer, clock: FixedClock
) -> None:
    """The key still goes out (httpx would otherwise send Basic auth from the URL)."""
    emulator.reset(clock, models=20, seed=1, key=KEY)
    url = emulator.url.replace("http://", f"http://user:{PASSWORD}@")
    async with BytezClient(api_key=KEY, base_url=url) as api:
        assert await api.instances() is not None
        assert PASSWORD not in repr(api) and PASSWORD not in api.base_url
    dead = f"http://user:{PASSWORD}@127.0.0.1:{_free_port()}"
    async with BytezClient(api_key=KEY, base_url=dead) as api:
        with pytest.raises(Unreachable) as caught:
            await api.instances()
    assert PASSWORD not in caught.value.message and "127.0.0.1" in caught.value.message


async def test_an_echoed_password_is_masked(emulator: EmulatorServer) -> None:
    emulator.fail_next("instances", 400, body=f'{{"error": "bad user:{PASSWORD}"}}')
    url = emulator.url.replace("http://", f"http://user:{PASSWORD}@")
    async with BytezClient(api_key=KEY, base_url=url) as api:
        with pytest.raises(BadResponse) as caught:
            await api.instances()
    assert PASSWORD[-4:] not in caught.value.message and "bad …" in caught.value.message


async def test_a_key_with_a_trailing_newline_is_trimmed(
    emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(clock, models=20, seed=1, key=KEY)
    async with BytezClient(api_key=f"  {KEY}\n", base_url=emulator.url) as api:
        assert await api.instances() is not None


@pytest.mark.parametrize("key", ["ключ-1234", "key\x00zero", "key\nsplit"])
def test_a_key_no_server_could_accept_is_an_auth_error(key: str) -> None:
    with pytest.raises(AuthError, match="invalid"):
        BytezClient(api_key=key, base_url="http://127.0.0.1:9")
