"""The command line in v2: `--api`, `BYTEZ_API`, the remembered dialect, `models --task`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import Cli

from bytez_tui.emulator import EmulatorServer
from bytez_tui.local.dialects import dialects_path

QWEN = "Qwen/Qwen3-4B"


@pytest.fixture
def cli_v2(emulator_v2: EmulatorServer) -> Cli:
    """The command line against the emulator that serves both dialects."""
    return Cli(emulator_v2)


def test_auto_picks_v2_and_remembers_it(cli_v2: Cli, emulator_v2: EmulatorServer) -> None:
    assert cli_v2("instances", "--json").code == 0
    assert emulator_v2.count("tasks") == 1  # the one probe
    remembered = json.loads(dialects_path().read_text())
    assert remembered == {emulator_v2.url: "v2"}
    assert cli_v2("instances", "--json").code == 0
    assert emulator_v2.count("tasks") == 1  # the second run asked no more


def test_auto_picks_v1_on_a_v1_server(cli: Cli, emulator: EmulatorServer) -> None:
    assert cli("instances", "--json").code == 0
    assert json.loads(dialects_path().read_text()) == {emulator.url: "v1"}


def test_api_flag_and_environment(cli_v2: Cli, emulator_v2: EmulatorServer) -> None:
    assert cli_v2("--api", "v1", "instances", "--json").code == 0
    assert cli_v2("instances", "--api", "v1", "--json").code == 0
    assert cli_v2("instances", "--json", BYTEZ_API="v1").code == 0
    assert {r.path for r in emulator_v2.requests} == {"/model/instances"}
    assert not Path(dialects_path()).exists()  # chosen, not found out: nothing to keep
    bad = cli_v2("instances", BYTEZ_API="v9")
    assert bad.code == 2 and "BYTEZ_API must be auto, v1 or v2" in bad.stderr
    assert cli_v2("--api", "v9", "instances").code == 2


def test_models_task_filter(cli_v2: Cli) -> None:
    result = cli_v2("models", "--task", "chat", "--json")
    assert result.code == 0, result.stderr
    names = [item["name"] for item in json.loads(result.stdout)]
    assert QWEN in names and "openai-community/gpt2" not in names
    narrowed = cli_v2("models", "Qwen3", "--task", "chat", "--json")
    assert [item["name"] for item in json.loads(narrowed.stdout)] == [QWEN]


def test_models_show_tasks_and_the_servers_prices(cli_v2: Cli, emulator_v2: EmulatorServer) -> None:
    result = cli_v2("models", "task:chat", "Qwen3", "--json")
    assert result.code == 0, result.stderr
    [qwen] = json.loads(result.stdout)
    assert qwen["task"] == "chat" and qwen["params_b"] == 4.02
    assert qwen["price_per_second_usd"] == 0.0000872083  # its meter's, from the cache
    assert qwen["cost_per_hour_usd"] == round(0.0000872083 * 3600, 6)
    table = cli_v2("models", "Qwen3-4B", "--task", "chat").stdout.splitlines()
    assert table[0].split() == ["MODEL", "RAM", "GB", "BYTEZ", "$/H", "TASK"]
    assert table[1].split() == [QWEN, "16.00", "$0.31", "chat"]
    assert emulator_v2.count("list") == 1  # --task filtered the cached catalogue's tasks


def test_run_in_v2(cli_v2: Cli) -> None:
    streamed = cli_v2("--api", "v2", "run", QWEN, "Hi")
    assert streamed.code == 0 and streamed.stdout.strip()
    whole = cli_v2("run", QWEN, "Hi", "--json")
    assert whole.code == 0
    answer = json.loads(whole.stdout)
    assert answer["output"]["role"] == "assistant" and answer["text"] == answer["output"]["content"]


def test_without_clusters_the_commands_say_so(cli_v2: Cli, emulator_v2: EmulatorServer) -> None:
    emulator_v2.clusters_gone()
    result = cli_v2("--api", "v2", "instances")
    assert result.code != 0
    assert "manages capacity itself" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_with_api_v2(cli: Cli) -> None:
    result = cli("--demo", "--api", "v2", "models", "--task", "text-to-image", "--json")
    assert result.code == 0, result.stderr
    names = [item["name"] for item in json.loads(result.stdout)]
    assert "dreamlike-art/dreamlike-photoreal-2.0" in names
    v1 = cli("--demo", "models", "--task", "text-to-image", "--json")
    assert v1.code == 0 and "dreamlike-art/dreamlike-photoreal-2.0" not in v1.stdout


def test_run_reads_the_prompt_as_the_model_s_task_takes_it(
    cli_v2: Cli, emulator_v2: EmulatorServer
) -> None:
    """`run` sent any text to an image model (the real server fails on it); as the playground
    does, it now refuses what the task can't take, before sending, and sends the rest in
    the task's own fields."""
    vit = "google/vit-base-patch16-224"
    refused = cli_v2("--api", "v2", "run", vit, "a photo of a cat")
    assert refused.code == 2
    assert "image-classification takes an image URL (or a data: URL)" in refused.stderr
    assert emulator_v2.count("run", model=vit) == 0
    labels = cli_v2("--api", "v2", "run", vit, "https://example.com/cat.jpg", "--json")
    assert labels.code == 0, labels.stderr
    assert json.loads(labels.stdout)["output"][0]["label"]
    assert emulator_v2.count("run", model=vit) == 1
    empty = cli_v2("--api", "v2", "run", QWEN, "-", input="\n")
    assert empty.code == 2 and "the prompt is empty" in empty.stderr
