"""`bytez-tui compare`: models in parallel, answers under their names, stats, exit codes."""

from __future__ import annotations

import json

from cli_runner import Cli

from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer
from bytez_tui.emulator.textgen import continuation, fragment_count
from bytez_tui.local.comparisons import ComparisonStore

TINY = "roneneldan/TinyStories-8M"
PHI = "microsoft/phi-1"
BLOOM = "bigscience/bloom-560m"
PROMPT = "Once upon a time"
SEED = 7


def expected(model: str, prompt: str = PROMPT, params: dict[str, object] | None = None) -> str:
    """What the emulator streams for `model` (seed 7)."""
    return "".join(continuation(SEED, model, prompt, fragment_count(params, prompt)))


def test_each_answer_is_printed_under_its_model_then_the_stats(
    cli: Cli, emulator: EmulatorServer
) -> None:
    params: dict[str, object] = {"max_new_tokens": 12}
    result = cli("compare", TINY, PHI, *PROMPT.split(), "--params", json.dumps(params))
    assert result.code == 0, result.stderr
    tiny, phi = expected(TINY, params=params), expected(PHI, params=params)
    assert result.stdout.startswith(
        f"── {TINY} ──\n{tiny.lstrip(' ')}\n\n── {PHI} ──\n{phi.lstrip(' ')}\n\n"
    )
    table = result.stdout.splitlines()[-3:]
    assert table[0].split() == ["MODEL", "OUTCOME", "FIRST", "ELAPSED", "FRAGMENTS", "CHARS/S"] + [
        "COST"
    ]
    assert table[1].split()[:2] == [TINY, "done"] and table[1].split()[-3] == "12"
    assert table[2].split()[:2] == [PHI, "done"]
    # Both ran at once, and the comparison is saved for the dashboard's Compare pane.
    assert emulator.count("run") == 2
    (saved,) = ComparisonStore(store_key=emulator.url).list()
    assert [c.model for c in saved.columns] == [TINY, PHI]
    assert [c.output for c in saved.columns] == [tiny, phi]
    assert saved.prompt == PROMPT and saved.params == params


def test_a_failed_and_a_cut_column_keep_their_text_and_the_third_finishes(
    cli: Cli, emulator: EmulatorServer, clock: FixedClock
) -> None:
    emulator.reset(clock, models=200, seed=SEED, fragment_interval=0.0, demo_instances=3)
    emulator.error_fragment_after(5, "Error: CUDA out of memory", model=TINY)
    emulator.cut_stream_after(7, model=PHI)
    result = cli("compare", TINY, PHI, BLOOM, "-", "--json", input=PROMPT)
    # The worst column decides: a failure (1) is worse than a cut worth retrying (3).
    assert result.code == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["prompt"] == PROMPT
    tiny, phi, bloom = document["columns"]
    assert (tiny["model"], tiny["outcome"], tiny["exit_code"]) == (TINY, "failed", 1)
    assert tiny["text"] == "".join(continuation(SEED, TINY, PROMPT, 40)[:5])
    assert "CUDA out of memory" in tiny["error"]
    assert (phi["outcome"], phi["exit_code"], phi["fragments"]) == ("failed", 3, 7)
    assert phi["text"] == "".join(continuation(SEED, PHI, PROMPT, 40)[:7])
    assert (bloom["outcome"], bloom["exit_code"], bloom["text"]) == ("done", 0, expected(BLOOM))
    assert f"{TINY}: the model failed: Error: CUDA out of memory" in result.stderr
    assert f"{PHI}: the stream was cut off" in result.stderr


def test_usage_needs_two_distinct_models_and_names_one_that_is_not_running(
    cli: Cli, emulator: EmulatorServer
) -> None:
    alone = cli("compare", TINY, "hello")
    assert alone.code == 2 and "expected a Hugging Face id" in alone.stderr
    twice = cli("compare", TINY, TINY, "hello")
    assert twice.code == 2 and "once" in twice.stderr
    assert emulator.count("run") == 0
    idle = cli("compare", TINY, "openai-community/gpt2", "hello")
    assert idle.code == 1
    assert "load it first: bytez-tui load openai-community/gpt2" in idle.stderr
    assert idle.stdout.startswith(f"── {TINY} ──\n")
