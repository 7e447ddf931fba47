"""`bytez-tui run`: streaming to stdout, stdin prompts, params, broken streams, Ctrl+C."""

from __future__ import annotations

import json

import pytest
from cli_runner import Cli

from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer
from bytez_tui.emulator.textgen import continuation, fragment_count

RUNNING = "roneneldan/TinyStories-8M"
"""A demo instance that is RUNNING in every fresh world."""
PROMPT = "Once upon a time"
SEED = 7
"""The seed of the test worlds (tests/conftest.py)."""


def expected(prompt: str, params: dict[str, object] | None = None) -> str:
    """What the emulator generates after `prompt` (seed 7): the continuation only."""
    return "".join(continuation(SEED, RUNNING, prompt, fragment_count(params, prompt)))


def test_run_json_is_the_documented_shape(cli: Cli) -> None:
    result = cli("run", RUNNING, PROMPT, "--json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"model", "text", "output"}
    assert document["model"] == RUNNING
    # The text repeats the prompt, as the API does (reference §3).
    assert document["text"] == PROMPT + expected(PROMPT)
    assert document["output"] == [{"generated_text": PROMPT + expected(PROMPT)}]


def test_run_streams_the_continuation_to_stdout(cli: Cli) -> None:
    result = cli("run", RUNNING, *PROMPT.split())
    assert result.code == 0, result.stderr
    assert result.stdout == expected(PROMPT) + "\n"
    assert result.stderr == ""


def test_run_reads_the_prompt_from_stdin(cli: Cli) -> None:
    result = cli("run", RUNNING, "-", input=PROMPT + "\n")
    assert result.code == 0, result.stderr
    assert result.stdout == expected(PROMPT) + "\n"


def test_run_reads_stdin_when_no_prompt_is_given_and_stdin_is_a_pipe(cli: Cli) -> None:
    result = cli("run", RUNNING, input=PROMPT)
    assert result.code == 0
    assert result.stdout.strip()


def test_an_empty_prompt_is_a_usage_error(cli: Cli, emulator: EmulatorServer) -> None:
    result = cli("run", RUNNING, "-", input="\n")
    assert result.code == 2
    assert "the prompt is empty" in result.stderr
    assert emulator.count("run") == 0


def test_params_are_sent(cli: Cli) -> None:
    result = cli("run", RUNNING, "hello", "--params", '{"max_new_tokens": 3}')
    assert result.code == 0
    assert result.stdout == expected("hello", {"max_new_tokens": 3}) + "\n"


def test_bad_params_json_says_where_it_failed(cli: Cli, emulator: EmulatorServer) -> None:
    result = cli("run", RUNNING, "hi", "--params", '{"max_new_tokens": 3,}')
    assert result.code == 2
    assert "--params is not valid JSON" in result.stderr
    assert "line 1 column 22" in result.stderr
    assert '  {"max_new_tokens": 3,}\n' + " " * 23 + "^" in result.stderr
    not_an_object = cli("run", RUNNING, "hi", "--params", "[1, 2]")
    assert not_an_object.code == 2
    assert "must be a JSON object" in not_an_object.stderr
    assert emulator.count("run") == 0


def test_no_stream_prints_the_answer_once(cli: Cli) -> None:
    result = cli("run", RUNNING, PROMPT, "--no-stream")
    assert result.code == 0
    assert result.stdout == expected(PROMPT) + "\n"


def test_a_cut_stream_keeps_the_partial_text_and_exits_3(
    cli: Cli, emulator: EmulatorServer
) -> None:
    emulator.cut_stream_after(3)
    result = cli("run", RUNNING, PROMPT)
    assert result.code == 3
    whole = expected(PROMPT)
    partial = result.stdout.rstrip("\n")
    assert partial and whole.startswith(partial) and len(partial) < len(whole)
    assert "the stream was cut off" in result.stderr
    assert "kept on stdout" in result.stderr


def test_an_error_fragment_exits_1_with_the_servers_words(
    cli: Cli, emulator: EmulatorServer
) -> None:
    emulator.error_fragment_after(2, "Error: CUDA out of memory")
    result = cli("run", RUNNING, PROMPT)
    assert result.code == 1
    whole = expected(PROMPT)
    partial = result.stdout.rstrip("\n")
    assert partial and whole.startswith(partial)
    assert "Error" not in result.stdout
    assert "the model failed: Error: CUDA out of memory" in result.stderr


def test_a_model_that_is_not_running_suggests_loading_it(cli: Cli) -> None:
    result = cli("run", "openai-community/gpt2", "hi")
    assert result.code == 1
    assert "is not running" in result.stderr
    assert "bytez-tui load openai-community/gpt2 --wait" in result.stderr


def test_a_leading_echo_of_the_prompt_is_hidden(
    cli: Cli, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(clock, models=200, seed=7, fragment_interval=0.0, echo_prompt=True)
    result = cli("run", RUNNING, PROMPT)
    assert result.code == 0
    assert not result.stdout.startswith(PROMPT)
    assert result.stdout == expected(PROMPT) + "\n"


def test_ctrl_c_keeps_what_was_streamed(
    cli: Cli, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(clock, models=200, seed=7, fragment_interval=0.05)
    running = cli.start("run", RUNNING, PROMPT, "--params", '{"max_new_tokens": 400}')
    running.read_until(lambda out, err: len(out.split()) >= 3)
    seen = running.stdout.decode()
    result = running.interrupt()
    assert result.code == 130
    assert result.stdout.startswith(seen)
    assert result.stdout.endswith("\n")
    assert "interrupted" in result.stderr
    assert "Traceback" not in result.stderr
    assert emulator.wait_for_disconnect()


def test_a_model_failure_exits_1_with_the_servers_words(cli: Cli, emulator: EmulatorServer) -> None:
    emulator.fail_next("run", 422, body='{"error": "input too long", "stack_trace": "..."}')
    result = cli("run", RUNNING, PROMPT, "--no-stream")
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr == "bytez-tui run: input too long\n"


def test_json_never_writes_infinity_or_nan(cli: Cli, emulator: EmulatorServer) -> None:
    emulator.malformed_next("run", body='{"output": [{"label": "x", "score": 1e999}]}')
    result = cli("run", RUNNING, PROMPT, "--json")
    assert result.code == 0
    document = json.loads(result.stdout, parse_constant=lambda name: pytest.fail(name))
    assert document["output"] == [{"label": "x", "score": None}]


def test_a_redirect_is_not_model_output(cli: Cli, emulator: EmulatorServer) -> None:
    emulator.fail_next("run", 301, html=True, headers={"location": "https://elsewhere.example/"})
    result = cli("run", RUNNING, PROMPT)
    assert result.code == 1
    assert result.stdout == ""
    assert "redirected (301) to https://elsewhere.example/" in result.stderr
