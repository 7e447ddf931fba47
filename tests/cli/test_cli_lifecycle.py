"""`job`, `load` and `delete`: requests, waits (timeouts, Ctrl+C) and confirmations."""

from __future__ import annotations

import json
import os
import pty

from cli_runner import Cli, read_terminal, wait_for

from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer

NEW = "someone/brand-new-model"
"""Not in the catalogue: its job queues for the world's `job_delay` (10 s)."""
GPT2 = "openai-community/gpt2"
"""In the catalogue, not loaded."""
RUNNING = "roneneldan/TinyStories-8M"
"""A demo instance, RUNNING."""
FAST = ("--poll-interval", "0.02")
"""Poll every 20 ms of real time (a hidden test hook)."""

JOB_KEYS = {"model", "state", "message", "start_time", "end_time", "modified"}
INSTANCE_KEYS = {
    "model",
    "status",
    "state",
    "concurrency",
    "inferences",
    "expiration_period_seconds",
    "expires_at",
    "expires_in_seconds",
    "created",
    "modified",
    "uptime_seconds",
    "ram_gb",
    "cost_usd",
    "error",
}


# --- job -------------------------------------------------------------------------------


def test_job_for_a_catalogue_model_is_available_at_once(cli: Cli) -> None:
    result = cli("job", GPT2)
    assert result.code == 0
    assert result.stdout == f"{GPT2}: available (Model available)\n"


def test_job_requests_and_says_how_to_wait(cli: Cli) -> None:
    result = cli("job", NEW)
    assert result.code == 0
    assert result.stdout == f"{NEW}: requested\n"
    assert f"bytez-tui job {NEW} --wait" in result.stderr
    again = cli("job", NEW, "--json")
    document = json.loads(again.stdout)
    assert set(document) == JOB_KEYS
    assert document["state"] == "queued"
    assert document["message"] == "Model is already queued"
    assert document["modified"] == "2024-07-01T12:00:00.000Z"


def test_job_wait_polls_until_available(
    cli: Cli, emulator: EmulatorServer, clock: FixedClock
) -> None:
    running = cli.start("job", NEW, "--wait", "--json", *FAST)
    wait_for(lambda: emulator.count("job", model=NEW) >= 3)
    clock.advance(10)
    result = running.finish()
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["state"] == "available"
    assert document["end_time"] == "2024-07-01T12:00:10.000Z"
    assert f"{NEW}: requested" in result.stderr


def test_job_wait_gives_up_after_the_timeout_with_exit_5(cli: Cli) -> None:
    result = cli("job", NEW, "--wait", "--timeout", "0.3s", "--json", *FAST)
    assert result.code == 5
    assert json.loads(result.stdout)["state"] == "queued"
    assert f"gave up after 0.3s: {NEW} is still queued" in result.stderr


def test_ctrl_c_during_job_wait_exits_130(cli: Cli, emulator: EmulatorServer) -> None:
    running = cli.start("job", NEW, "--wait", *FAST)
    wait_for(lambda: emulator.count("job", model=NEW) >= 2)
    result = running.interrupt()
    assert result.code == 130
    assert result.stdout == ""
    assert "interrupted" in result.stderr and "Traceback" not in result.stderr


# --- load ------------------------------------------------------------------------------


def test_load_starts_an_instance(cli: Cli, emulator: EmulatorServer) -> None:
    result = cli("load", GPT2, "--concurrency", "2", "--expire", "90s")
    assert result.code == 0
    assert result.stdout == f"{GPT2}: started · concurrency 2\n"
    assert "stops after 1m30s idle" in result.stderr
    assert f"bytez-tui load {GPT2} --wait" in result.stderr
    status = emulator.world.status({"model": GPT2}).body
    assert status["concurrency"] == 2 and status["expirationPeriodSeconds"] == 90


def test_load_json_is_the_instance_shape(cli: Cli) -> None:
    result = cli("load", GPT2, "--json")
    document = json.loads(result.stdout)
    assert set(document) == INSTANCE_KEYS
    assert document["status"] == "started" and document["state"] == "booting"


def test_load_wait_polls_until_running(
    cli: Cli, emulator: EmulatorServer, clock: FixedClock
) -> None:
    running = cli.start("load", GPT2, "--wait", "--json", *FAST)
    wait_for(lambda: emulator.count("status", model=GPT2) >= 2)
    clock.advance(3)
    wait_for(lambda: emulator.count("status", model=GPT2) >= 4)
    clock.advance(2)
    result = running.finish()
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["status"] == "RUNNING" and document["state"] == "running"
    assert document["expiration_period_seconds"] == 300
    assert document["expires_at"] == "2024-07-01T12:05:05.000Z"
    assert "STARTING" in result.stderr and "INSTANTIATING" in result.stderr


def test_load_wait_on_a_failed_boot_exits_1_with_the_error(
    cli: Cli, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(
        clock, models=200, seed=7, fragment_interval=0.0, boot_delay=0, fail_models=[GPT2]
    )
    result = cli("load", GPT2, "--wait", *FAST)
    assert result.code == 1
    assert result.stdout.startswith(f"{GPT2}: FAILED")
    assert "CUDA out of memory while loading weights" in result.stderr


def test_load_wait_gives_up_after_the_timeout_with_exit_5(cli: Cli) -> None:
    result = cli("load", GPT2, "--wait", "--timeout", "0.3s", *FAST)
    assert result.code == 5
    assert result.stdout.startswith(f"{GPT2}: STARTING")
    assert "still STARTING" in result.stderr


def test_ctrl_c_during_load_wait_exits_130(cli: Cli, emulator: EmulatorServer) -> None:
    running = cli.start("load", GPT2, "--wait", *FAST)
    wait_for(lambda: emulator.count("status", model=GPT2) >= 2)
    result = running.interrupt()
    assert result.code == 130
    assert "interrupted" in result.stderr and "Traceback" not in result.stderr


def test_loading_a_running_model_is_not_an_error(cli: Cli) -> None:
    result = cli("load", RUNNING, "--wait")
    assert result.code == 0
    assert result.stdout.startswith(f"{RUNNING}: RUNNING · concurrency 1 · expires in ")
    assert "already loaded" in result.stderr


def test_out_of_credits_exits_1(cli: Cli, emulator: EmulatorServer, clock: FixedClock) -> None:
    emulator.reset(clock, models=200, seed=7, fragment_interval=0.0, credits_exhausted=True)
    result = cli("load", GPT2)
    assert result.code == 1
    assert "Out of free monthly credits" in result.stderr


# --- delete ----------------------------------------------------------------------------


def test_delete_with_yes_stops_the_instance(cli: Cli, emulator: EmulatorServer) -> None:
    result = cli("delete", RUNNING, "--yes")
    assert result.code == 0
    assert result.stdout == f"{RUNNING}: stopped\n"
    assert cli("status", RUNNING).stdout == f"{RUNNING}: no instance\n"
    again = cli("delete", RUNNING, "-y", "--json")
    assert again.code == 0
    assert json.loads(again.stdout) == {"model": RUNNING, "deleted": False}
    assert "nothing to stop" in again.stderr


def test_delete_without_yes_and_without_a_terminal_is_refused(
    cli: Cli, emulator: EmulatorServer
) -> None:
    result = cli("delete", RUNNING)
    assert result.code == 2
    assert "without --yes" in result.stderr
    assert emulator.count("delete") == 0


def test_delete_asks_on_a_terminal(cli: Cli, emulator: EmulatorServer) -> None:
    for answer, code, deleted in (("n\n", 1, 0), ("y\n", 0, 1)):
        leader, follower = pty.openpty()
        running = cli.start("delete", RUNNING, stdin=follower)
        os.close(follower)
        running.read_until(lambda out, err: "[y/N]" in err)
        os.write(leader, answer.encode())
        result = running.finish()
        os.close(leader)
        assert result.code == code
        assert emulator.count("delete") == deleted
    assert result.stdout == f"{RUNNING}: stopped\n"


def test_connection_flags_after_the_command_win(cli: Cli, emulator: EmulatorServer) -> None:
    dead = "http://127.0.0.1:9"
    won = cli("--base-url", dead, "status", RUNNING, "--base-url", emulator.url)
    assert won.code == 0
    lost = cli("--base-url", emulator.url, "status", RUNNING, "--base-url", dead, "--retries", "0")
    assert lost.code == 3
    assert "Cannot reach 127.0.0.1:9" in lost.stderr


def test_progress_is_drawn_only_when_stderr_is_a_terminal(
    cli: Cli, emulator: EmulatorServer, clock: FixedClock
) -> None:
    leader, follower = pty.openpty()
    running = cli.start("job", NEW, "--wait", *FAST, stderr=follower)
    os.close(follower)
    screen = read_terminal(leader, lambda seen: b"Ctrl+C to stop" in seen)
    clock.advance(10)
    result = running.finish()
    os.close(leader)
    assert result.code == 0
    assert f"{NEW}: requested · waited 0s · Ctrl+C to stop".encode() in screen
    assert b"\r\x1b[2K" in screen
    piped = cli("job", NEW, "--wait", "--timeout", "0.1s", *FAST)
    assert "\x1b" not in piped.stderr and "waited" not in piped.stderr


def test_a_load_already_in_progress_is_followed(cli: Cli, emulator: EmulatorServer) -> None:
    emulator.world.load({"model": GPT2})
    result = cli("load", GPT2, "--json")
    assert result.code == 0
    assert json.loads(result.stdout)["status"] == "STARTING"
    assert "a load is already in progress" in result.stderr


def test_a_long_retry_after_during_wait_exits_5_at_once(cli: Cli, emulator: EmulatorServer) -> None:
    """Retry-After: 99999 cannot be waited out within --timeout 10s: give up now, exit 5."""
    emulator.fail_next("status", 429, count=10, retry_after="99999")
    result = cli("load", GPT2, "--wait", "--timeout", "10s", *FAST)
    assert result.code == 5
    assert "gave up within the 10s --timeout" in result.stderr
    assert "retry in 300 s" in result.stderr
    assert emulator.count("status") == 1
