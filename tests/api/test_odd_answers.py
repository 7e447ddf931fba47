"""Answers that don't fit: absurd numbers and redirects, over real HTTP."""

from __future__ import annotations

import pytest

from bytez_tui.api import BadResponse, BytezClient
from bytez_tui.emulator import EmulatorServer

GPT2 = "openai-community/gpt2"
HUGE = "1" + "0" * 400
"""10**400: an int Python reads, but no float can hold."""


def _instance(**fields: str) -> str:
    body = {"model": f'"{GPT2}"', "status": '"RUNNING"', "modified": '"2024-07-01T12:00:00Z"'}
    body.update(fields)
    return "{" + ", ".join(f'"{key}": {value}' for key, value in body.items()) + "}"


@pytest.mark.parametrize("number", [HUGE, "1e300", "-1e300", "1e999"])
async def test_absurd_numbers_are_unknown(
    client: BytezClient, emulator: EmulatorServer, number: str
) -> None:
    emulator.malformed_next(
        "status", body=_instance(expirationPeriodSeconds=number, inferences=number)
    )
    instance = await client.status(GPT2)
    assert instance is not None
    assert instance.expiration_period_seconds is None and instance.inferences is None
    assert instance.expires_at is None
    emulator.malformed_next("list", body=f'[{{"name": "a/b", "requiredRAM": {number}}}]')
    [model] = await client.list_models()
    assert model.required_ram_gb is None and model.cost_per_hour is None


@pytest.mark.parametrize("number", [HUGE, "1e300", "0", "-3"])
async def test_an_absurd_concurrency_is_an_unreadable_answer(
    client: BytezClient, emulator: EmulatorServer, number: str
) -> None:
    emulator.malformed_next("instances", body=f"[{_instance(concurrency=number)}]")
    if number in ("0", "-3"):  # not absurd, only unset: one instance
        [instance] = await client.instances()
        assert instance.concurrency == 1
        return
    with pytest.raises(BadResponse, match="unreadable concurrency"):
        await client.instances()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_a_redirect_is_an_error_naming_where_it_pointed(
    client: BytezClient, emulator: EmulatorServer, status: int
) -> None:
    emulator.fail_next(
        "list", status, html=True, headers={"location": "https://elsewhere.example/login"}
    )
    with pytest.raises(BadResponse) as caught:
        await client.list_models()
    assert caught.value.status == status
    assert "redirected" in caught.value.message
    assert "https://elsewhere.example/login" in caught.value.message
    assert emulator.count() == 1  # not followed


async def test_a_redirected_run_is_not_model_output(
    client: BytezClient, emulator: EmulatorServer
) -> None:
    """A 301 HTML page used to become the streamed output (exit 0)."""
    emulator.fail_next("run", 301, html=True, headers={"location": "/moved"})
    with pytest.raises(BadResponse, match="redirected .* to /moved"):
        async for _ in client.stream(GPT2, "hi"):
            pass
    emulator.fail_next("run", 302, html=True, headers={"location": "/moved"})
    with pytest.raises(BadResponse, match="redirected"):
        await client.run(GPT2, "hi")


@pytest.mark.parametrize("body", ['["a/b", 1, null]', '[{"name": 7}, {}]', '{"output": [1, 2]}'])
async def test_a_catalogue_with_no_readable_entry_is_an_unreadable_answer(
    client: BytezClient, emulator: EmulatorServer, body: str
) -> None:
    emulator.malformed_next("list", body=body)
    with pytest.raises(BadResponse, match=r"none of the \d catalogue entries could be read"):
        await client.list_models()


async def test_a_catalogue_with_some_unreadable_entries_keeps_the_rest(
    client: BytezClient, emulator: EmulatorServer
) -> None:
    emulator.malformed_next("list", body='[{"name": "a/b"}, 1, null]')
    assert [model.name for model in await client.list_models()] == ["a/b"]
