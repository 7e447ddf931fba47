"""Print how long the emulator takes to build and serve a 100,000-model catalogue.

Run: `python tests/benchmarks/bench_emulator.py` (pytest does not collect `bench_*.py`).
"""

from __future__ import annotations

import time

import httpx

from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer, World


def main() -> None:
    """Build, serialise and serve the catalogue, printing each figure."""
    started = time.perf_counter()
    world = World(FixedClock(), models=100_000, seed=1)
    built = time.perf_counter()
    body = world.list_json()
    serialised = time.perf_counter()
    print(f"build 100k models:      {built - started:.3f} s")
    print(f"serialise /model/list:  {serialised - built:.3f} s ({len(body) / 1e6:.1f} MB)")
    with (
        EmulatorServer(world) as server,
        httpx.Client(headers={"Authorization": "Key K"}) as client,
    ):
        for attempt in range(3):
            started = time.perf_counter()
            response = client.get(f"{server.url}/model/list")
            elapsed = time.perf_counter() - started
            print(f"GET /model/list #{attempt + 1}:    {elapsed:.3f} s ({len(response.content)} B)")


if __name__ == "__main__":
    main()
