"""The catalogue pane, driven by keys against the emulator (200 models, seed 7)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from textual.command import CommandList
from textual.message import Message
from textual.pilot import Pilot
from waiting import type_burst, until

from bytez_tui.app import BytezApp
from bytez_tui.catalogue.cache import load_cached, save_cache
from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer
from bytez_tui.messages import OpenPlayground, RequestJob, RequestLoad
from bytez_tui.models import ModelInfo
from bytez_tui.panes.catalogue.header import CatalogueHeader
from bytez_tui.panes.catalogue.pane import CataloguePane
from bytez_tui.panes.catalogue.table import CatalogueTable
from bytez_tui.widgets.filter_input import FilterInput
from bytez_tui.widgets.pane_tabs import PaneTabs

MakeApp = Callable[..., BytezApp]
CACHED = [
    ModelInfo("cached/alpha-7b", 28.0, True),
    ModelInfo("cached/beta-1b", 4.0, True),
    ModelInfo("cached/gamma.onnx.8-bit", None, False),
]


async def ready(pilot: Pilot[Any]) -> CataloguePane:
    """Wait until the catalogue is on screen and its refresh is over."""
    app = pilot.app
    for _ in range(200):
        await pilot.pause()
        panes = app.screen.query(CataloguePane)
        if panes and panes.first().settled:
            break
    await app.workers.wait_for_complete()
    await pilot.pause()
    return app.screen.query_one(CataloguePane)


def text(pane: CataloguePane, selector: str) -> str:
    return str(pane.query_one(selector).render())


def spy(pane: CataloguePane) -> list[Message]:
    """Record the messages the pane posts."""
    posted: list[Message] = []
    original = pane.post_message

    def record(message: Message) -> bool:
        posted.append(message)
        return original(message)

    pane.post_message = record  # type: ignore[method-assign]
    return posted


async def test_opens_on_the_catalogue_with_the_table_focused(make_app: MakeApp) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        assert "200 of 200 models" in text(pane, "#catalogue-count")
        assert "updated just now" in text(pane, "#catalogue-freshness")
        assert isinstance(pilot.app.focused, CatalogueTable)
        assert pane.shown == sorted(pane.shown, key=str.lower)


async def test_slash_then_typing_filters_without_losing_keys(make_app: MakeApp) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        await pilot.press("4")  # the playground has no list: `/` goes to the catalogue
        await pilot.press("slash", *"llama")
        await pilot.pause()
        assert isinstance(pilot.app.focused, FilterInput)
        assert pane.filter_input.value == "llama"
        assert pane.shown and all("llama" in name.lower() for name in pane.shown)
        count = len(pane.shown)
        assert f"{count} of 200 models" in text(pane, "#catalogue-count")
        await pilot.press(*"/2")  # typed into the filter, not taken as keys
        assert pane.filter_input.value == "llama/2"


async def test_enter_in_the_filter_hands_the_next_key_to_the_table(make_app: MakeApp) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        await pilot.press("slash", *"gpt", "enter", "s")
        await pilot.pause()
        assert pane.filter_input.value == "gpt"
        assert isinstance(pilot.app.focused, CatalogueTable)
        assert "sorted by RAM" in text(pane, "#catalogue-count")


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("ram<8", lambda m: m.required_ram_gb is not None and m.required_ram_gb < 8),
        ("ram>=2.5", lambda m: m.required_ram_gb is not None and m.required_ram_gb >= 2.5),
        ("bench", lambda m: m.benchmarked),
        ("-bench", lambda m: not m.benchmarked),
        ("org:meta-llama", lambda m: m.name.lower().startswith("meta-llama")),
        ("llama -onnx", lambda m: "llama" in m.name.lower() and "onnx" not in m.name),
    ],
)
async def test_facets(make_app: MakeApp, query: str, check: Callable[[ModelInfo], bool]) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        index = pane.index
        assert index is not None
        everything = [index.model(row) for row in range(len(index))]
        pane.focus_filter()
        await pilot.press(*query)
        await pilot.pause()
        expected = sorted((m.name for m in everything if check(m)), key=str.lower)
        assert expected
        assert sorted(pane.shown, key=str.lower) == expected


async def test_running_facet_and_markers_follow_the_screen(make_app: MakeApp) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        running = pane.shown[3]
        pane.running = frozenset({running})
        pane.tracked = frozenset({pane.shown[4]})
        pane.focus_filter()
        await pilot.press(*"running")
        await pilot.pause()
        assert pane.shown == [running]
        assert "▶" in pane.table.render_line(0).text
        await pilot.press(*" -running")
        assert pane.shown == []
        assert "0 of 200 models" in text(pane, "#catalogue-count")


async def test_invalid_facet_says_why_and_keeps_the_last_result(make_app: MakeApp) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        pane.filter_input.value = "gpt"
        await pilot.pause()
        before = pane.shown
        assert before
        pane.filter_input.value = "gpt ram<x"
        await pilot.pause()
        assert pane.shown == before
        status = text(pane, "#catalogue-count")
        assert "'x' is not a number" in status and f"{len(before)} of 200" in status
        assert pane.filter_input.has_class("-invalid")
        pane.filter_input.value = "gpt ram<8"
        await pilot.pause()
        assert not pane.filter_input.has_class("-invalid")
        assert "not a number" not in text(pane, "#catalogue-count")


async def test_sort_key_cycles_and_header_click_reverses(make_app: MakeApp) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        index = pane.index
        assert index is not None

        def ram() -> list[float | None]:
            return [index.ram[row] for row in pane.table.rows]

        await pilot.press("s")
        known = [value for value in ram() if value is not None]
        assert known == sorted(known) and ram()[len(known) :] == [None] * (200 - len(known))
        await pilot.press("s")
        assert "sorted by cost ▲" in text(pane, "#catalogue-count")
        await pilot.click(CatalogueHeader, offset=(pane.header.size.width - 3, 0))
        await pilot.pause()
        assert "sorted by cost ▼" in text(pane, "#catalogue-count")
        known = [value for value in ram() if value is not None]
        assert known == sorted(known, reverse=True) and ram()[-1] is None
        await pilot.click(CatalogueHeader, offset=(10, 0))
        await pilot.pause()
        assert "sorted by id ▲" in text(pane, "#catalogue-count")
        ascending = pane.shown
        await pilot.press("S")  # the keyboard's way to reverse
        assert "sorted by id ▼" in text(pane, "#catalogue-count")
        assert pane.shown == ascending[::-1]
        await pilot.press("S")
        assert "sorted by id ▲" in text(pane, "#catalogue-count")
        await pilot.press("s", "s", "s")
        assert "sorted by id ▲" in text(pane, "#catalogue-count")


async def test_actions_post_the_shared_messages(make_app: MakeApp) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        posted = spy(pane)
        await pilot.press("down", "down")
        model = pane.highlighted
        assert model == pane.shown[2]
        await pilot.press("c", "a")
        assert pilot.app.clipboard == model
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        await pilot.app.pop_screen()
        await pilot.press("1")
        pane.screen.set_focus(pane.table)
        await pilot.press("p")
        await pilot.pause()
        index = pane.index
        assert index is not None
        ram = index.ram[index.find(model) or 0]
        shared = [m for m in posted if isinstance(m, (RequestJob, RequestLoad, OpenPlayground))]
        assert shared == [RequestJob(model), RequestLoad(model, ram), OpenPlayground(model)]


async def test_enter_shows_details_with_costs(make_app: MakeApp) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        pane.filter_input.value = "gpt2"
        await pilot.pause()
        pane.screen.set_focus(pane.table)
        await pilot.press("enter")
        await pilot.pause()
        assert pane.details.display
        body = text(pane, "#details-body")
        assert "openai-community/gpt2" in body
        for label in ("5 min", "30 min", "60 min", "Per hour", "Instance", "Benchmark"):
            assert label in body
        await pilot.press("enter")
        assert not pane.details.display


async def test_palette_jumps_to_a_model(make_app: MakeApp) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        pane.filter_input.value = "llama"
        await pilot.pause()
        await pilot.press("2", "ctrl+p", *"gpt2")
        for _ in range(200):
            await pilot.pause()
            hits = pilot.app.screen.query(CommandList)
            if hits and hits.first().option_count:
                break
        await pilot.press("enter")
        await pilot.pause()
        assert pane.highlighted == "openai-community/gpt2"
        assert pane.filter_input.value == ""
        assert pane.screen.query_one(PaneTabs).active == "catalogue"


async def test_capital_r_refreshes(make_app: MakeApp, emulator: EmulatorServer) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        before = emulator.count("list")
        await pilot.press("R")
        await pilot.app.workers.wait_for_complete()
        assert emulator.count("list") == before + 1


async def test_cache_paints_first_then_the_refresh_replaces_it(
    make_app: MakeApp, emulator: EmulatorServer, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    save_cache(
        CACHED, fetched_at=clock.now() - timedelta(hours=3), store_key=app.settings.store_key
    )
    painted: list[tuple[int, bool]] = []
    original = CataloguePane.show_catalogue

    def record(self: CataloguePane, index: Any, *, fetched_at: Any, cached: bool) -> None:
        painted.append((len(index), cached))
        original(self, index, fetched_at=fetched_at, cached=cached)

    monkeypatch.setattr(CataloguePane, "show_catalogue", record)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        assert painted == [(3, True), (200, False)]
        assert "updated just now" in text(pane, "#catalogue-freshness")
    cached = load_cached(app.settings.store_key)
    assert cached is not None and len(cached.index) == 200


async def test_an_unreadable_catalogue_keeps_the_rows_and_the_cache(
    make_app: MakeApp, emulator: EmulatorServer, clock: FixedClock
) -> None:
    """A wrong-shape answer (`["a/b", 1, null]`) once replaced a good cache with an empty one."""
    app = make_app()
    path = save_cache(
        CACHED, fetched_at=clock.now() - timedelta(hours=3), store_key=app.settings.store_key
    )
    before = path.read_bytes()
    emulator.malformed_next("list", body='["a/b", 1, null]')
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        assert sorted(pane.shown) == sorted(model.name for model in CACHED)
        assert "refresh failed" in text(pane, "#catalogue-freshness")
        await pilot.app.workers.wait_for_complete()
    assert path.read_bytes() == before


async def test_failed_refresh_keeps_the_cached_rows_and_says_so(
    make_app: MakeApp, emulator: EmulatorServer, clock: FixedClock
) -> None:
    app = make_app()
    save_cache(
        CACHED, fetched_at=clock.now() - timedelta(hours=3), store_key=app.settings.store_key
    )
    emulator.malformed_next("list")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        assert sorted(pane.shown) == sorted(model.name for model in CACHED)
        freshness = text(pane, "#catalogue-freshness")
        assert "refresh failed" in freshness and "cached 3 h ago" in freshness
        await pilot.press("R")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert len(pane.shown) == 200


async def test_no_cache_and_no_api_says_so_in_the_table(
    make_app: MakeApp, emulator: EmulatorServer
) -> None:
    emulator.malformed_next("list")
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        assert pane.index is None
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert "Could not load the catalogue" in pane.table.render_line(1).text
        assert "R retries" in text(pane, "#catalogue-freshness")


async def test_escape_in_the_filter_hands_the_next_key_to_the_pane(make_app: MakeApp) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        posted = spy(pane)
        await pilot.press("slash", *"gpt2", "escape", "a")
        await pilot.pause()
        assert pane.filter_input.value == "gpt2"
        assert isinstance(pilot.app.focused, CatalogueTable)
        assert [m for m in posted if isinstance(m, RequestJob)] == [
            RequestJob("openai-community/gpt2")
        ]


async def test_the_filter_leaves_on_the_rebound_leave_field_key(make_app: MakeApp) -> None:
    async with make_app(keymap={"leave-field": "ctrl+g"}).run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        await pilot.press("slash", *"gpt2", "escape")
        await pilot.pause()
        assert pilot.app.focused is pane.filter_input  # escape no longer leaves
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert pane.filter_input.value == "gpt2"
        assert isinstance(pilot.app.focused, CatalogueTable)


async def test_click_moves_the_cursor_and_double_click_opens_details(make_app: MakeApp) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        await pilot.click(CatalogueTable, offset=(10, 3))
        await pilot.pause()
        assert pane.highlighted == pane.shown[3]
        assert not pane.details.display
        await pilot.click(CatalogueTable, offset=(10, 3), times=2)
        await pilot.pause()
        assert pane.details.display
        assert pane.shown[3] in text(pane, "#details-body")


async def test_paging_keys_move_through_the_rows(make_app: MakeApp) -> None:
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        await pilot.press("end")
        assert pane.highlighted == pane.shown[-1]
        await pilot.press("home", "pagedown")
        assert pane.table.cursor == pane.table.size.height - 1
        await pilot.press("pageup", "up")
        assert pane.table.cursor == 0


async def test_a_burst_of_keys_edits_the_filter_in_order(make_app: MakeApp) -> None:
    """Backspace and ctrl+u apply where they were typed, not after the keys that follow."""
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        pane.focus_filter()
        await pilot.pause()
        type_burst(pilot, *"gpt3", "backspace", "2")
        await until(pilot, lambda: len(pane.filter_input.value) >= 4)
        assert pane.filter_input.value == "gpt2"
        type_burst(pilot, "ctrl+u", *"llama", "left", "left", "backspace", "backspace")
        await until(pilot, lambda: pane.filter_input.value.endswith("ma"))
        assert pane.filter_input.value == "lma"


async def test_vim_keys_move_and_a_requests_a_job(make_app: MakeApp) -> None:
    """j/k/g/G move as in k9s and lazydocker; `a` (not `j`) requests a job."""
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        posted = spy(pane)
        await pilot.press("j", "j", "k")
        assert pane.table.cursor == 1
        await pilot.press("G")
        assert pane.highlighted == pane.shown[-1]
        await pilot.press("g")
        assert pane.table.cursor == 0
        assert not [m for m in posted if isinstance(m, RequestJob)]
        await pilot.press("a")
        await pilot.pause()
        assert [m for m in posted if isinstance(m, RequestJob)] == [RequestJob(pane.shown[0])]


async def test_a_half_typed_facet_keeps_the_rows_from_before_it(make_app: MakeApp) -> None:
    """`gpt ram<a` showed the rows of `gpt ram` (the word), then "No model matches"."""
    async with make_app().run_test(size=(120, 40)) as pilot:
        pane = await ready(pilot)
        pane.filter_input.value = "gpt"
        await pilot.pause()
        before = pane.shown
        for typed in ("gpt r", "gpt ram", "gpt ram<", "gpt ram<a"):
            pane.filter_input.value = typed
            await pilot.pause()
        assert pane.shown == before
        status = text(pane, "#catalogue-count")
        assert "'a' is not a number" in status and f"{len(before)} of 200" in status
