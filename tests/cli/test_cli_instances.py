"""`status` and `instances` (once and `--watch`), and the exit code of each kind of failure."""

from __future__ import annotations

import json
import os
import pty
import re

import pytest
from cli_runner import Cli, read_terminal

from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer

TINY = "roneneldan/TinyStories-8M"
"""Demo instance expiring at 12:03 (the world starts at 12:00)."""
PHI = "microsoft/phi-1"
"""Demo instance expiring at 12:07."""


def test_status_of_a_running_model(cli: Cli) -> None:
    result = cli("status", TINY)
    assert result.code == 0
    fields = dict(line.split(None, 1) for line in result.stdout.replace("so far", "").splitlines())
    assert fields["model"] == TINY
    assert fields["status"] == "RUNNING"
    assert fields["inferences"] == "3"
    assert re.fullmatch(r"in [23]m\d\ds, at 2024-07-01 12:03:00 UTC", fields["expires"])
    assert fields["created"] == "2024-07-01 11:40:00 UTC"


def test_status_json_of_a_running_model(cli: Cli) -> None:
    document = json.loads(cli("status", TINY, "--json").stdout)
    assert document["status"] == "RUNNING" and document["state"] == "running"
    assert document["expires_at"] == "2024-07-01T12:03:00.000Z"
    assert document["expires_in_seconds"] == pytest.approx(180, abs=2)
    assert document["uptime_seconds"] == pytest.approx(1200, abs=2)
    assert document["ram_gb"] is None  # no catalogue cache yet


def test_status_reads_ram_and_cost_from_the_catalogue_cache(cli: Cli) -> None:
    assert cli("models", "--limit", "1").code == 0  # writes the cache
    document = json.loads(cli("status", TINY, "--json").stdout)
    assert document["ram_gb"] == pytest.approx(0.37)
    # 20 minutes billed at 0.37 GB × $0.0000166667/GB·s (or 21 if a second ticked).
    assert document["cost_usd"] in (
        pytest.approx(0.37 * 1200 * 0.0000166667, abs=1e-6),
        pytest.approx(0.37 * 1260 * 0.0000166667, abs=1e-6),
    )
    table = cli("instances").stdout
    assert "$0.0074" in table or "$0.0078" in table


def test_status_of_a_model_without_an_instance_is_not_an_error(cli: Cli) -> None:
    result = cli("status", "openai-community/gpt2")
    assert result.code == 0
    assert result.stdout == "openai-community/gpt2: no instance\n"
    document = json.loads(cli("status", "openai-community/gpt2", "--json").stdout)
    assert document["status"] is None and document["state"] == "none"
    assert all(v is None for k, v in document.items() if k not in ("model", "status", "state"))


def test_instances_table_has_countdowns(cli: Cli) -> None:
    result = cli("instances")
    assert result.code == 0
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["MODEL", "STATUS", "CONC", "RUNS", "EXPIRES", "IN", "UPTIME", "COST"]
    assert [row.split()[0] for row in rows] == [PHI, TINY]
    assert re.search(r"RUNNING\s+1\s+3\s+[23]m\d\ds\s+20m0\ds\s+—$", rows[1])
    assert re.search(r"RUNNING\s+1\s+8\s+[67]m\d\ds", rows[0])


def test_instances_json(cli: Cli) -> None:
    result = cli("instances", "--json")
    documents = json.loads(result.stdout)
    assert [d["model"] for d in documents] == [PHI, TINY]
    assert documents[1]["expires_at"] == "2024-07-01T12:03:00.000Z"


def test_an_instance_past_expiry_reads_expiring(cli: Cli, clock: FixedClock) -> None:
    clock.advance(200)  # TINY expired 20 s ago: still listed during the grace period
    result = cli("instances")
    assert re.search(rf"{TINY}\s+RUNNING\s+1\s+3\s+⚠ expiring", result.stdout)
    assert "expires      expiring: idle since 2024-07-01 12:03:00 UTC" in cli("status", TINY).stdout


def test_no_instances(cli: Cli, emulator: EmulatorServer, clock: FixedClock) -> None:
    emulator.reset(clock, models=200, seed=7, fragment_interval=0.0, demo_instances=0)
    result = cli("instances")
    assert result.code == 0
    assert result.stdout == ""
    assert "No instances." in result.stderr
    assert cli("instances", "--json").stdout == "[]\n"


def test_watch_without_a_terminal_prints_once_per_interval(
    cli: Cli, emulator: EmulatorServer
) -> None:
    running = cli.start("instances", "--watch", "--interval", "0.1s", "--json")
    running.read_until(lambda out, err: out.count("\n") >= 3)
    result = running.interrupt()
    assert result.code == 0  # Ctrl+C is how a watch ends
    lines = result.stdout.splitlines()
    assert len(lines) >= 3
    assert all([d["model"] for d in json.loads(line)] == [PHI, TINY] for line in lines)
    assert emulator.count("instances") >= 3
    assert "Traceback" not in result.stderr


def test_watch_tables_are_separated_by_blank_lines(cli: Cli) -> None:
    running = cli.start("instances", "--watch", "--interval", "0.1s")
    running.read_until(lambda out, err: out.count("MODEL") >= 2)
    result = running.interrupt()
    frames = result.stdout.split("\n\n")
    assert frames[0].startswith("MODEL") and frames[1].startswith("MODEL")


def test_watch_on_a_terminal_redraws_with_countdowns(cli: Cli, emulator: EmulatorServer) -> None:
    leader, follower = pty.openpty()
    running = cli.start("instances", "--watch", "--poll-interval", "0.05", stdout=follower)
    os.close(follower)
    screen = read_terminal(leader, lambda seen: seen.count(b"\x1b[H\x1b[J") >= 3)
    result = running.interrupt()
    os.close(leader)
    assert result.code == 0
    frame = screen.decode().rsplit("\x1b[H\x1b[J", 1)[-1]
    assert frame.startswith("Every 15s · 12:00:0")
    assert "Ctrl+C to stop" in frame
    assert TINY in frame and re.search(r"[23]m\d\ds", frame)
    assert emulator.count("instances") == 1  # redraws tick locally; refresh every 15 s


def test_watch_survives_a_failed_refresh(cli: Cli, emulator: EmulatorServer) -> None:
    emulator.fail_next("instances", 503, count=1)
    running = cli.start("instances", "--watch", "--interval", "0.1s", "--json", "--retries", "0")
    running.read_until(lambda out, err: out.count("\n") >= 1)
    result = running.interrupt()
    assert "refresh failed: Server error 503" in result.stderr
    assert result.code == 0


def test_watch_stops_on_an_auth_error(cli: Cli, emulator: EmulatorServer) -> None:
    emulator.fail_next("instances", 401, count=1)
    result = cli("instances", "--watch", "--interval", "0.1s")
    assert result.code == 4


# --- exit codes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "words"),
    [
        (500, 3, "Server error 500 on /model/instances"),
        (502, 3, "Server error 502"),
        (429, 3, "Rate limited on /model/instances"),
        (401, 4, "The API key was refused (401"),
        (403, 4, "The API key was refused (403"),
        (400, 1, "/model/instances answered 400"),
    ],
)
def test_each_failure_has_its_exit_code(
    cli: Cli, emulator: EmulatorServer, status: int, code: int, words: str
) -> None:
    emulator.fail_next("instances", status, count=10)
    result = cli("instances", "--retries", "0")
    assert result.code == code
    assert result.stdout == ""
    assert result.stderr.startswith("bytez-tui instances: ")
    assert words in result.stderr


def test_retries_are_narrated_and_can_succeed(cli: Cli, emulator: EmulatorServer) -> None:
    emulator.fail_next("instances", 429, count=1, retry_after=0)
    result = cli("instances", "--retries", "1")
    assert result.code == 0
    assert "Rate limited on /model/instances; retry in 0 s" in result.stderr
    assert "retrying in 0.0 s" in result.stderr
    emulator.fail_next("instances", 429, count=1, retry_after=0)
    assert cli("instances", "--retries", "1", "--quiet").stderr == ""


def test_a_wrong_key_exits_4(cli: Cli, emulator: EmulatorServer, clock: FixedClock) -> None:
    emulator.reset(clock, models=200, seed=7, fragment_interval=0.0, key="right-key")
    result = cli("status", TINY)
    assert result.code == 4
    assert "The API key was refused (401 Unauthorized)" in result.stderr
    assert cli("status", TINY, "--api-key", "right-key").code == 0


def test_no_key_exits_4(cli: Cli, emulator: EmulatorServer) -> None:
    result = cli("instances", BYTEZ_API_KEY="")
    assert result.code == 4
    assert "no API key" in result.stderr
    assert emulator.count() == 0


def test_a_malformed_answer_exits_1(cli: Cli, emulator: EmulatorServer) -> None:
    emulator.malformed_next("instances")
    result = cli("instances")
    assert result.code == 1
    assert "unreadable JSON" in result.stderr


def test_an_unreachable_api_exits_3(cli: Cli) -> None:
    result = cli("instances", "--retries", "0", BYTEZ_BASE_URL="http://127.0.0.1:9")
    assert result.code == 3
    assert "Cannot reach" in result.stderr


def test_a_request_timeout_exits_3(cli: Cli, emulator: EmulatorServer) -> None:
    emulator.slow("status", 2.0)
    config = cli.env["XDG_CONFIG_HOME"]
    os.makedirs(f"{config}/bytez-tui", exist_ok=True)
    with open(f"{config}/bytez-tui/config.toml", "w") as handle:
        handle.write("timeout = 0.2\n")
    result = cli("status", TINY, "--retries", "0")
    assert result.code == 3
    assert "did not answer status in time" in result.stderr


def test_usage_errors_exit_2(cli: Cli) -> None:
    assert cli("load", "a/b", "--concurrency", "0").code == 2
    bad_duration = cli("job", "a/b", "--timeout", "soon")
    assert bad_duration.code == 2 and "not a duration: 'soon'" in bad_duration.stderr
    insecure = cli("instances", "--base-url", "http://example.com")
    assert insecure.code == 2 and "--allow-insecure-http" in insecure.stderr


@pytest.mark.parametrize("command", ["job", "load", "status", "run", "delete"])
def test_a_model_id_without_a_slash_is_a_usage_error(cli: Cli, command: str) -> None:
    """Caught before any request: exit 2 (usage), not 1 (the server's 400)."""
    extra = ["hello"] if command == "run" else ["--yes"] if command == "delete" else []
    result = cli(command, "gpt2", *extra)
    assert result.code == 2
    assert "expected a Hugging Face id, org/name: 'gpt2'" in result.stderr
    assert cli.emulator.count("job") + cli.emulator.count("load") == 0


def test_a_hub_url_names_the_model(cli: Cli) -> None:
    result = cli("status", "https://huggingface.co/roneneldan/TinyStories-8M", "--json")
    assert result.code == 0
    assert json.loads(result.stdout)["model"] == TINY


def test_demo_flag_serves_the_embedded_emulator(cli: Cli) -> None:
    result = cli("--demo", "instances", "--json", BYTEZ_API_KEY="", BYTEZ_BASE_URL="")
    assert result.code == 0
    assert [d["model"] for d in json.loads(result.stdout)] == [PHI, TINY]


def test_a_long_retry_after_is_reported_not_waited_for(cli: Cli, emulator: EmulatorServer) -> None:
    emulator.fail_next("instances", 429, count=10, retry_after=99999)
    result = cli("instances")
    assert result.code == 3
    assert "Rate limited on /model/instances; retry in 300 s" in result.stderr
    assert emulator.count("instances") == 1


@pytest.mark.parametrize("number", ["1" + "0" * 400, "1e300"])
def test_absurd_numbers_are_no_traceback(cli: Cli, emulator: EmulatorServer, number: str) -> None:
    body = (
        f'{{"model": "{TINY}", "status": "RUNNING", "expirationPeriodSeconds": {number},'
        f' "inferences": {number}, "modified": "2024-07-01T12:00:00Z"}}'
    )
    emulator.malformed_next("status", body=body)
    result = cli("status", TINY, "--json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout, parse_constant=lambda name: pytest.fail(name))
    assert document["inferences"] is None and document["expires_at"] is None
    emulator.malformed_next(
        "instances", body=f'[{{"model": "{TINY}", "status": "RUNNING", "concurrency": {number}}}]'
    )
    result = cli("instances")
    assert result.code == 1
    assert "unreadable concurrency" in result.stderr and "Traceback" not in result.stderr


def test_url_credentials_never_reach_stderr(cli: Cli) -> None:
    dead = cli("instances", "--retries", "0", BYTEZ_BASE_URL="http://me:hunter22pw@127.0.0.1:9")
    assert dead.code == 3
    assert "hunter22pw" not in dead.stderr and "127.0.0.1:9" in dead.stderr
    bad = cli("instances", BYTEZ_BASE_URL="ftp://me:hunter22pw@example.com")
    assert bad.code == 2
    assert "hunter22pw" not in bad.stderr and "…@example.com" in bad.stderr


def test_a_pasted_key_with_a_newline_works(
    cli: Cli, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(clock, models=200, seed=7, fragment_interval=0.0, key="right-key")
    assert cli("status", TINY, BYTEZ_API_KEY="right-key\n").code == 0


def test_a_non_ascii_key_is_an_invalid_key(cli: Cli, emulator: EmulatorServer) -> None:
    result = cli("status", TINY, BYTEZ_API_KEY="ключ-1234")
    assert result.code == 4
    assert "The API key is invalid" in result.stderr and "Traceback" not in result.stderr
    assert emulator.count() == 0
