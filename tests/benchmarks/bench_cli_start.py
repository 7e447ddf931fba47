"""Print how long `bytez-tui models --limit 5` takes on a warm cache, beside a baseline.

The baseline is what the command cannot beat: a Python that starts, reads the same
cache file and parses its JSON header. Each figure is the median of `RUNS` runs
(wall time and CPU time of the child), so a busy machine shows in both columns.

Run: `python tests/benchmarks/bench_cli_start.py` (pytest does not collect `bench_*.py`).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bytez_tui.emulator import EmulatorServer

RUNS = 20
"""Runs of each command (after one warm-up)."""


def _time(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `argv`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _median(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    _time(argv, env)
    runs = [_time(argv, env) for _ in range(RUNS)]
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def main() -> None:
    """Warm the cache, then time the command and the baseline."""
    with tempfile.TemporaryDirectory() as home, EmulatorServer() as server:
        env = {
            **os.environ,
            "XDG_CONFIG_HOME": f"{home}/config",
            "XDG_CACHE_HOME": f"{home}/cache",
            "XDG_DATA_HOME": f"{home}/data",
            "BYTEZ_API_KEY": "bench-key-0000",
            "BYTEZ_BASE_URL": server.url,
        }
        # As installed: with PYTHONDONTWRITEBYTECODE=1 every run compiles our modules from
        # source (~120 ms of CPU on a busy machine), which no installed copy ever does.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        command = [sys.executable, "-m", "bytez_tui", "models", "--limit", "5"]
        subprocess.run(command, env=env, check=True, capture_output=True)  # fills the cache
        [cache] = Path(home, "cache").rglob("catalogue-*.txt")
        read = f"import json; json.loads(open({str(cache)!r}).read().partition(chr(10))[0])"
        baseline = [sys.executable, "-c", read]
        for name, argv in (
            ("models --limit 5 (warm)", command),
            ("python reads the cache", baseline),
        ):
            wall, cpu = _median(argv, env)
            print(f"{name:26} wall {wall * 1000:6.0f} ms   cpu {cpu * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
