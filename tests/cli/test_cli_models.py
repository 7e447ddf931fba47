"""`bytez-tui models`: the catalogue pane's query language and cache, on the command line."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

from cli_runner import Cli

from bytez_tui.catalogue.cache import load_cached, save_cache
from bytez_tui.config import Settings
from bytez_tui.emulator import EmulatorServer
from bytez_tui.models import ModelInfo


def test_models_table_filters_with_the_query_language(cli: Cli) -> None:
    result = cli("models", "gpt2", "bench", "ram<1")
    assert result.code == 0
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["MODEL", "RAM", "GB", "$/HOUR", "BENCH"]
    assert rows and all("gpt2" in row.split()[0].lower() for row in rows)
    assert any(row.split() == ["openai-community/gpt2", "0.50", "$0.03", "yes"] for row in rows)
    assert f"{len(rows)} of 200 models match" in result.stderr


def test_negated_words_are_part_of_the_query(cli: Cli) -> None:
    result = cli("models", "gpt", "-onnx", "--json")
    names = [item["name"] for item in json.loads(result.stdout)]
    assert names and all("gpt" in n.lower() and "onnx" not in n for n in names)
    # A word that looks like a short flag (-q…) goes after "--".
    quoted = cli("models", "--json", "--", "gpt", "-onnx", "-quantized")
    assert [item["name"] for item in json.loads(quoted.stdout)] == names
    assert cli("models", "gpt", "--bogus").code == 2


def test_models_json_sorted_by_ram_and_limited(cli: Cli) -> None:
    result = cli("models", "--sort", "ram", "--limit", "3", "--json")
    assert result.code == 0
    items = json.loads(result.stdout)
    assert [item["name"] for item in items][0] == "roneneldan/TinyStories-8M"
    assert items[0] == {
        "name": "roneneldan/TinyStories-8M",
        "ram_gb": 0.37,
        "benchmarked": True,
        "cost_per_hour_usd": 0.0222,
        "task": None,  # v2 only
        "params_b": None,
        "price_per_second_usd": None,
    }
    rams = [item["ram_gb"] for item in items]
    assert len(items) == 3 and rams == sorted(rams)
    assert "200 of 200 models match, showing 3" in result.stderr


def test_sort_by_name_and_cost(cli: Cli) -> None:
    by_name = [i["name"] for i in json.loads(cli("models", "--json").stdout)]
    assert by_name == sorted(by_name, key=str.lower)
    by_cost = json.loads(cli("models", "bench", "--sort", "cost", "--json").stdout)
    costs = [i["cost_per_hour_usd"] for i in by_cost]
    assert costs == sorted(costs)


def test_the_cache_is_shared_and_reused(cli: Cli, emulator: EmulatorServer) -> None:
    assert cli("models", "--limit", "1").code == 0
    assert emulator.count("list") == 1
    cached = load_cached(emulator.url)  # what the catalogue pane reads
    assert cached is not None and len(cached.index) == 200
    again = cli("models", "--limit", "1")
    assert emulator.count("list") == 1
    assert "catalogue from cache, updated just now" in again.stderr
    cli("models", "--limit", "1", "--refresh")
    assert emulator.count("list") == 2


def test_a_stale_cache_is_refetched_and_kept_if_the_fetch_fails(
    cli: Cli, emulator: EmulatorServer
) -> None:
    old = datetime.now(timezone.utc) - timedelta(days=2)
    save_cache([ModelInfo("old/model", 1.0, True)], fetched_at=old, store_key=emulator.url)
    emulator.fail_next("list", 503, count=10)
    result = cli("models", "--json", "--retries", "0")
    assert result.code == 0
    assert [i["name"] for i in json.loads(result.stdout)] == ["old/model"]
    assert "using the catalogue cached 2 d ago" in result.stderr
    emulator.clear_faults()
    fresh = cli("models", "--json")
    assert len(json.loads(fresh.stdout)) == 200


def test_running_facet_asks_for_the_instances(cli: Cli) -> None:
    result = cli("models", "running", "--json")
    names = sorted(i["name"] for i in json.loads(result.stdout))
    assert names == ["microsoft/phi-1", "roneneldan/TinyStories-8M"]


def test_a_bad_query_is_a_usage_error(cli: Cli, emulator: EmulatorServer) -> None:
    result = cli("models", "ram<lots")
    assert result.code == 2
    assert "bad query: 'lots' is not a number (in ram<lots)" in result.stderr
    assert emulator.count("list") == 0


def test_models_without_a_cache_and_a_failing_api(cli: Cli, emulator: EmulatorServer) -> None:
    emulator.fail_next("list", 500, count=10)
    result = cli("models", "--retries", "0")
    assert result.code == 3
    assert result.stdout == ""


def test_tracked_matches_the_dashboards_tracked_jobs(cli: Cli, emulator: EmulatorServer) -> None:
    from bytez_tui.local.jobs import JobStore, TrackedJob

    JobStore(store_key=emulator.url).save(
        [TrackedJob("openai-community/gpt2", datetime(2024, 7, 1, tzinfo=timezone.utc))]
    )
    tracked = json.loads(cli("models", "tracked", "--json").stdout)
    assert [item["name"] for item in tracked] == ["openai-community/gpt2"]
    untracked = json.loads(cli("models", "gpt2", "-tracked", "--json").stdout)
    assert "openai-community/gpt2" not in [item["name"] for item in untracked]


def test_demo_caches_its_catalogue_where_the_demo_dashboard_reads_it(cli: Cli) -> None:
    result = cli("--demo", "models", "--limit", "1", BYTEZ_API_KEY="", BYTEZ_BASE_URL="")
    assert result.code == 0
    # One rule for where an API's local data lives: the demo is keyed `demo` in both
    # front ends (its emulator takes a new port every run), never by its URL.
    assert load_cached(Settings(demo=True).store_key) is not None


def test_an_endless_catalogue_stops_at_max_response_mb(cli: Cli, emulator: EmulatorServer) -> None:
    config = cli.env["XDG_CONFIG_HOME"]
    os.makedirs(f"{config}/bytez-tui", exist_ok=True)
    with open(f"{config}/bytez-tui/config.toml", "w") as handle:
        handle.write("max_response_mb = 1\n")
    emulator.endless_next("list")
    result = cli("models")
    assert result.code == 1
    assert "/model/list sent more than 1 MB; stopped reading" in result.stderr


def test_an_unreadable_answer_never_replaces_a_good_cache(
    cli: Cli, emulator: EmulatorServer
) -> None:
    old = datetime.now(timezone.utc) - timedelta(days=2)
    path = save_cache([ModelInfo("old/model", 1.0, True)], fetched_at=old, store_key=emulator.url)
    before = path.read_bytes()
    emulator.malformed_next("list", body='["a/b", 1, null]')
    result = cli("models", "--json")
    assert result.code == 0
    assert [item["name"] for item in json.loads(result.stdout)] == ["old/model"]
    assert "could be read" in result.stderr
    assert path.read_bytes() == before


def test_a_warm_cache_builds_no_client(cli: Cli, emulator: EmulatorServer) -> None:
    """httpx and its TLS set-up were most of `models` on a warm cache (265 ms against
    65 ms for curl): the client is built only when a request is about to go out."""
    assert cli("models", "--limit", "1").code == 0  # fills the cache
    requests = emulator.count()
    result = cli("models", "--limit", "5", python_flags=("-X", "importtime"))
    assert result.code == 0 and len(result.stdout.splitlines()) == 6
    modules = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert "bytez_tui.cli.catalogue" in modules
    assert not {m for m in modules if m.split(".")[0] == "httpx" or m == "bytez_tui.api"}
    assert emulator.count() == requests
