"""`spend`: the ledger's figures in both modes, filled by the other commands; no key needed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from cli_runner import Cli

from bytez_tui.emulator import EmulatorServer
from bytez_tui.local.ledger import Ledger
from bytez_tui.models import Metering

GPT2 = "openai-community/gpt2"
TINY = "roneneldan/TinyStories-8M"
"""Demo instance, up before anything saw it."""
SINCE = "2024-07-01"
"""The emulator's day: commands record in the server's time."""


def test_spend_of_an_empty_ledger_needs_no_key(cli: Cli) -> None:
    result = cli("spend", BYTEZ_API_KEY="")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["DAY", "SPEND"]
    assert len(lines) == 1 + 14 + 1  # the header, every one of the last 14 days, the total
    assert lines[-1].split() == ["total", "$0.00"]


def test_spend_json_keeps_server_costs_and_estimates_apart(
    cli: Cli, emulator: EmulatorServer
) -> None:
    ledger = Ledger(store_key=emulator.url)
    now = datetime.now(timezone.utc)
    ledger.ran("org/served", at=now, seconds=2, metering=Metering("sm", None, 2.0, 0.25))
    ledger.ran("org/guessed", at=now, seconds=2, metering=Metering("sm", 0.05, 2.0, None))
    ledger.ran(
        "org/old", at=now - timedelta(days=30), seconds=2, metering=Metering(None, None, 1, 9)
    )
    result = cli("spend", "--since", "7d", "--json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["total"] == {"server_usd": 0.25, "estimate_usd": 0.1, "total_usd": 0.35}
    assert len(document["rows"]) == 7
    by_model = json.loads(cli("spend", "--by", "model", "--json").stdout)
    assert [row["model"] for row in by_model["rows"]] == ["org/served", "org/guessed"]
    text = cli("spend", "--by", "model").stdout
    assert "$0.25" in text and "≈$0.10" in text and "org/old" not in text


def test_load_instances_and_delete_fill_the_ledger(cli: Cli, emulator: EmulatorServer) -> None:
    assert cli("models", "gpt2").code == 0  # the catalogue cache: RAM figures for the costs
    assert cli("load", GPT2, "--expire", "5m").code == 0
    assert cli("instances").code == 0
    assert cli("delete", GPT2, "--yes").code == 0
    assert cli("run", TINY, "hello", "--no-stream").code == 0
    ledger = Ledger(store_key=emulator.url)
    now = emulator.world.clock.now() + timedelta(minutes=1)  # the CLI's reading runs on
    items = {i.model: i for i in ledger.most_expensive(now - timedelta(hours=1), now)}
    assert items[GPT2].ending == "deleted" and not items[GPT2].from_seen
    assert items[TINY].from_seen  # started before anything here saw it
    result = cli("spend", "--since", SINCE, "--by", "model", "--json")
    rows = {row["model"]: row for row in json.loads(result.stdout)["rows"]}
    assert rows[TINY]["runs"] == 1
    assert rows[TINY]["server_usd"] == 0  # v1: the run is paid for within instance time
    text = cli("spend", "--since", SINCE, "--by", "model").stdout
    assert GPT2 in text and "≈$" in text
