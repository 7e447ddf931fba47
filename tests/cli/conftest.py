"""The `cli` fixture: the command line in a subprocess, against this test's emulator world."""

from __future__ import annotations

import pytest
from cli_runner import Cli

from bytez_tui.emulator import EmulatorServer


@pytest.fixture
def cli(emulator: EmulatorServer) -> Cli:
    """Run `python -m bytez_tui …` with an isolated config/cache and the emulator's URL."""
    return Cli(emulator)
