"""Snapshots of the shell's own screens: the help screen and the API-key screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from waiting import until

from bytez_tui.app import BytezApp
from bytez_tui.panes.catalogue.pane import CataloguePane
from bytez_tui.panes.catalogue.table import CatalogueTable
from bytez_tui.screens.api_key import ApiKeyScreen
from bytez_tui.screens.help import HelpScreen

MakeApp = Callable[..., BytezApp]
Snap = Callable[..., bool]


def catalogue_settled(pilot: Pilot[Any]) -> bool:
    panes = pilot.app.screen.query(CataloguePane)
    return bool(panes) and panes.first().settled


class TestShell:
    def test_help_screen(self, snap_compare: Snap, make_app: MakeApp) -> None:
        """`?` over the loaded catalogue: a dialog titled "bytez-tui keys" (rebind any in
        config.toml's [keymap] by id), then under Everywhere, Dashboard and each pane's
        heading one line per key: the key, what it does (long text wraps in its column) and
        the binding id, dimmed, on the key's line. It scrolls: the later panes are below
        the fold. The catalogue shows dimmed behind it."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await until(pilot, lambda: catalogue_settled(pilot))
            await until(pilot, lambda: bool(pilot.app.screen.query("#playground")))
            # The catalogue table has the focus, as it does for a user who just started:
            # the footer behind the dialog shows its keys. (Clearing the focus raced with
            # the panes that take it back as they mount and settle.)
            await until(pilot, lambda: isinstance(pilot.app.focused, CatalogueTable))
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
            await pilot.pause()

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_api_key_screen(
        self, snap_compare: Snap, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """No key set: the "Bytez API key" dialog says why it asks, the password field shows
        five dots for what was typed and "⚠ A key is at least 8 characters" below it, the
        save switch (on) names /home/user/.config/bytez-tui/config.toml, then Continue / Quit and
        the hint about BYTEZ_API_KEY and --demo. No dashboard behind it."""
        # A fixed config dir, so the path in the dialog is the same on every machine;
        # nothing is written there, as the key is never submitted.
        monkeypatch.setenv("XDG_CONFIG_HOME", "/home/user/.config")

        async def run_before(pilot: Pilot[Any]) -> None:
            await until(pilot, lambda: isinstance(pilot.app.screen, ApiKeyScreen))
            await pilot.press(*"short", "enter")
            await pilot.pause()

        assert snap_compare(make_app(api_key=None), terminal_size=(120, 40), run_before=run_before)
