"""A loopback emulator of the Bytez REST API, for tests, screenshots and `--demo`.

`World` holds the seeded state and is driven by a `Clock`; `Faults` switches failures on;
`EmulatorServer` serves both over real HTTP from a background thread, as v1 (`/model/*`),
v2 (`/models/v2/*`, see `emulator.v2`) or both route families over the one world. Importing this
package imports starlette and uvicorn, so the app imports it lazily (only for `--demo`).
"""

from __future__ import annotations

from bytez_tui.emulator.app import create_app
from bytez_tui.emulator.faults import Faults
from bytez_tui.emulator.server import EmulatorServer
from bytez_tui.emulator.traffic import LoggedRequest, Traffic
from bytez_tui.emulator.world import Reply, RunStream, World

__all__ = [
    "EmulatorServer",
    "Faults",
    "LoggedRequest",
    "Reply",
    "RunStream",
    "Traffic",
    "World",
    "create_app",
]
