"""Snapshots of the catalogue pane (frozen clock, emulator seed 7, 200 models)."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from textual.pilot import Pilot
from waiting import until

from bytez_tui.app import BytezApp
from bytez_tui.catalogue.cache import save_cache
from bytez_tui.clock import FixedClock
from bytez_tui.models import ModelInfo
from bytez_tui.panes.catalogue.pane import CataloguePane
from bytez_tui.widgets.status_bar import StatusBar

MakeApp = Callable[..., BytezApp]
Snap = Callable[..., bool]


async def settled(pilot: Pilot[Any]) -> CataloguePane:
    for _ in range(200):
        await pilot.pause()
        panes = pilot.app.screen.query(CataloguePane)
        if panes and panes.first().settled:
            break
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return pilot.app.screen.query_one(CataloguePane)


def typing(text: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        pane = await settled(pilot)
        pane.focus_filter()
        await pilot.press(*text)
        await pilot.pause()

    return run_before


class TestCatalogue:
    def test_populated(self, snap_compare: Snap, make_app: MakeApp) -> None:
        """The catalogue sorted by id: 200 of 200 models, "updated just now", the cursor
        (▸) on the first row, ✓/· in Bench, — for unknown RAM and cost, table focused."""
        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=settled)

    def test_filtered(self, snap_compare: Snap, make_app: MakeApp) -> None:
        """`llama ram<8 bench` typed: only benchmarked llama ids under 8 GB, "N of 200"."""
        assert snap_compare(
            make_app(), terminal_size=(120, 40), run_before=typing("llama ram<8 bench")
        )

    def test_empty_result(self, snap_compare: Snap, make_app: MakeApp) -> None:
        """A filter nothing matches: 0 of 200 models and the hint in the table."""
        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=typing("zzzz"))

    def test_invalid_facet(self, snap_compare: Snap, make_app: MakeApp) -> None:
        """`gpt ram<x`: the filter in the error colour, ⚠ and the reason in the status
        line, and the rows of the last valid filter (`gpt ram`: none) kept."""

        async def run_before(pilot: Pilot[Any]) -> None:
            pane = await settled(pilot)
            pane.filter_input.value = "gpt"
            await pilot.pause()
            pane.filter_input.value = "gpt ram<x"
            await pilot.pause()

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_offline_with_cache(
        self,
        snap_compare: Snap,
        make_app: MakeApp,
        clock: FixedClock,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """Nothing listens at the API's address: the header says ↻ retrying in 5s and
        Cannot reach …, the three cached models stay on screen, and the status line says
        ⚠ refresh failed (Cannot reach …) · showing the catalogue cached 3 h ago."""
        # No jitter, so the header's countdown reads the same every run.
        monkeypatch.setattr(random, "uniform", lambda low, high: high)
        # Port 9 (discard): nothing listens there, and the message names it.
        app = make_app(base_url="http://127.0.0.1:9", label="offline")
        save_cache(
            [
                ModelInfo("cached/alpha-7b", 28.0, True),
                ModelInfo("cached/beta-1b", 4.0, True),
                ModelInfo("cached/gamma.onnx.8-bit", None, False),
            ],
            fetched_at=clock.now() - timedelta(hours=3),
            store_key=app.settings.store_key,
        )

        async def run_before(pilot: Pilot[Any]) -> None:
            await settled(pilot)
            bar = pilot.app.screen.query_one(StatusBar)
            await until(pilot, lambda: "retrying" in str(bar.render()))

        assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)

    def test_narrow_with_details(self, snap_compare: Snap, make_app: MakeApp) -> None:
        """80×24 with Enter pressed on gpt2: every column fits, the details panel sits
        below the table with the cost at 5/30/60 minutes."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await typing("gpt2")(pilot)
            pane = pilot.app.screen.query_one(CataloguePane)
            await pilot.press("enter", "enter")
            await pilot.pause()
            assert pane.details.display

        assert snap_compare(make_app(), terminal_size=(80, 24), run_before=run_before)
