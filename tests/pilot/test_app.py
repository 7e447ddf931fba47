"""The shell: pane keys, help, theme persistence, keymap, the API-key screen."""

from __future__ import annotations

import stat
from collections.abc import Callable
from functools import partial

import pytest
from textual.widgets import Input
from waiting import step, until

from bytez_tui.app import BytezApp
from bytez_tui.clock import FixedClock
from bytez_tui.config import config_path, read_config
from bytez_tui.emulator import EmulatorServer
from bytez_tui.panes.base import Pane
from bytez_tui.screens.api_key import ApiKeyScreen
from bytez_tui.screens.help import HelpScreen
from bytez_tui.screens.main import MainScreen
from bytez_tui.screens.registry import PANES
from bytez_tui.widgets.footer import KeyFooter
from bytez_tui.widgets.pane_tabs import PaneTabs
from bytez_tui.widgets.status_bar import StatusBar

AppFactory = Callable[..., BytezApp]


async def test_number_keys_switch_panes(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tabs = app.screen.query_one(PaneTabs)
        app.set_focus(None)
        for key, pane in [
            ("2", "jobs"),
            ("3", "instances"),
            ("4", "playground"),
            ("5", "compare"),
            ("1", "catalogue"),
        ]:
            await pilot.press(key)
            assert tabs.active == pane
            await until(pilot, partial(_shows, app, pane))


def _shows(app: BytezApp, pane: str) -> bool:
    return shown_panes(app) == [pane]


def shown_panes(app: BytezApp) -> list[str | None]:
    return [pane.id for pane in app.screen.query(Pane) if pane.display]


async def test_every_pane_is_styled_and_fits_above_the_footer(make_app: AppFactory) -> None:
    """The panes mounted after the first frame get their sheets (the last one once did not:
    it overflowed the screen, its status line under the footer)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: len(app.screen.query(Pane)) == len(PANES))
        footer = app.screen.query_one(KeyFooter)
        for key in "12345":
            await pilot.press(key)
            await pilot.pause()
            (pane,) = [pane for pane in app.screen.query(Pane) if pane.display]
            assert pane.styles.height is not None and pane.styles.height.is_fraction, pane.id
            assert pane.region.bottom <= footer.region.y, pane.id


async def test_clicking_a_tab_shows_its_pane(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tabs = app.screen.query_one(PaneTabs)
        await pilot.click(PaneTabs, offset=(16, 0))  # " 1 Catalogue " then " 2 Jobs "
        assert tabs.active == "jobs"
        await until(pilot, lambda: shown_panes(app) == ["jobs"])
        await pilot.click(PaneTabs, offset=(3, 1))  # the underline counts too
        assert tabs.active == "catalogue"
        await until(pilot, lambda: shown_panes(app) == ["catalogue"])


async def test_help_lists_every_pane(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.set_focus(None)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_theme_choice_is_saved(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.theme = "ansi-dark"
        await pilot.pause()
    assert read_config()["theme"] == "ansi-dark"
    again = make_app(theme="ansi-dark")
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert again.theme == "ansi-dark"


@pytest.mark.parametrize("theme", ["ansi-dark", "ansi-light", "textual-dark"])
async def test_no_color_keeps_every_theme_readable(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch, theme: str
) -> None:
    """NO_COLOR greys the screen; no text may come out in its own background colour."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(theme=theme)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == theme
        for widget in (app.screen.query_one(StatusBar), app.screen.query_one(PaneTabs)):
            for strip in widget.render_lines(widget.region.reset_offset):
                for line_filter in app.get_line_filters():
                    strip = strip.apply_filter(line_filter, widget.background_colors[1])
                for text, style, _ in strip:
                    if text.strip() and style is not None:
                        assert style.color != style.bgcolor, (theme, text)


async def test_keymap_rebinds_by_id(make_app: AppFactory) -> None:
    app = make_app(keymap={"pane-jobs": "f2"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.set_focus(None)
        await pilot.press("f2")
        assert app.screen.query_one(PaneTabs).active == "jobs"


async def test_missing_key_asks_and_saves_it_privately(make_app: AppFactory) -> None:
    app = make_app(api_key=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ApiKeyScreen)
        key_input = app.screen.query_one(Input)
        assert key_input.password
        await pilot.press(*"short")
        await pilot.press("enter")
        assert isinstance(app.screen, ApiKeyScreen)
        assert "at least 8" in str(app.screen.query_one("#key-error").render())
        key_input.value = ""
        await pilot.press(*"brand-new-key-4242")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.settings.api_key == "brand-new-key-4242"
    assert read_config()["api_key"] == "brand-new-key-4242"
    assert stat.S_IMODE(config_path().stat().st_mode) == 0o600


async def test_the_key_is_never_shown_in_full(make_app: AppFactory) -> None:
    app = make_app(api_key="sk-very-secret-key-abcd")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen_text = app.export_screenshot()
        assert "very-secret" not in screen_text
        assert "…abcd" in screen_text


async def test_a_pane_takes_the_focus_when_shown(make_app: AppFactory) -> None:
    from bytez_tui.panes.catalogue.table import CatalogueTable
    from bytez_tui.widgets.rows import RowList

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(app.screen.query("#playground")))
        await pilot.press("3")
        assert isinstance(app.focused, RowList)
        await pilot.press("1")
        assert isinstance(app.focused, CatalogueTable)


async def test_keys_typed_right_after_a_pane_key_reach_that_pane(make_app: AppFactory) -> None:
    """`4` then `i` in one burst: the playground shows and `i` puts the cursor in its field.

    In a text field a digit is typed, not taken as a pane key.
    """
    from textual import events

    from bytez_tui.panes.playground import PlaygroundPane

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(app.screen.query("#playground")))
        for key in "4i":
            app.post_message(events.Key(key, key))
        playground = app.screen.query_one(PlaygroundPane)
        await until(pilot, lambda: app.focused is playground.model_input)
        await pilot.press("1")
        assert playground.model_input.value == "1"


async def test_header_counts_down_to_the_next_try_when_the_api_fails(
    make_app: AppFactory, emulator: EmulatorServer, clock: FixedClock
) -> None:
    """The header says when the instances' poll tries again after a 503, then "online".

    Any answer marks the API online, so the catalogue's first refresh must be over before
    the fault: landing between the 503 and the poll's "retrying" (it runs on real time,
    not the test's clock), it flipped the header back to online and the countdown never
    showed (a flake under load).
    """
    from bytez_tui.panes.catalogue import CataloguePane
    from bytez_tui.panes.instances import InstancesPane
    from bytez_tui.widgets.status_bar import StatusBar

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(app.screen.query("#instances")))
        pane = app.screen.query_one(InstancesPane)
        catalogue = app.screen.query_one(CataloguePane)
        bar = app.screen.query_one(StatusBar)
        await until(pilot, lambda: pane.loaded and catalogue.settled)
        emulator.fail_next("instances", 503)
        await step(pilot, pane, clock, 15)
        await until(pilot, lambda: "↻ retrying in" in str(bar.render()))
        assert "503" in str(bar.render())
        await step(pilot, pane, clock, 60)
        await until(pilot, lambda: "● online" in str(bar.render()))


async def test_the_palette_finds_a_theme_by_name(make_app: AppFactory) -> None:
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"ansi-light")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: app.theme == "ansi-light")


async def test_the_footer_shows_the_palette_key_once(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: "Commands" in app.export_screenshot())
        assert app.export_screenshot().count("Commands") == 1


async def test_the_palette_offers_the_dashboard_commands(make_app: AppFactory) -> None:
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: len(app.screen.query(Pane)) == len(PANES))
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"pause / resume")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: screen.paused)


async def test_routes_sent_before_the_later_panes_mount_wait_for_them(
    make_app: AppFactory,
) -> None:
    """`p` or `a` in the first moments, before the other panes exist, is not lost.

    The catalogue is up first and the other panes mount right after it; a key pressed
    in that gap used to look for a pane that did not exist yet, and the app crashed.
    """
    from bytez_tui.messages import OpenPlayground, RequestJob
    from bytez_tui.panes.jobs import JobsPane
    from bytez_tui.panes.playground import PlaygroundPane

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert not screen.query("#playground"), "the test must start before the panes mount"
        screen.post_message(RequestJob("openai-community/gpt2"))
        screen.post_message(OpenPlayground("openai-community/gpt2"))
        await until(pilot, lambda: bool(screen.query("#playground")))
        playground = screen.query_one(PlaygroundPane)
        await until(pilot, lambda: playground.model_input.value == "openai-community/gpt2")
        assert shown_panes(app) == ["playground"]
        jobs = screen.query_one(JobsPane)
        await until(pilot, lambda: "openai-community/gpt2" in jobs.jobs)


async def test_alt_digits_and_function_keys_switch_panes_from_a_text_field(
    make_app: AppFactory,
) -> None:
    """Inside the prompt a bare digit is text; alt+digit (as the terminal sends it, ESC then
    the digit, which Textual reports as `¡`, `™`…) and F1-F4 switch panes, and the pane
    left gets its focus back on return."""
    from bytez_tui.panes.playground import PlaygroundPane
    from bytez_tui.textual_compat import ESC_DIGIT_KEYS

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(app.screen.query("#playground")))
        tabs = app.screen.query_one(PaneTabs)
        playground = app.screen.query_one(PlaygroundPane)
        await pilot.press("4", "i")
        assert app.focused is playground.model_input
        await pilot.press("2")
        assert playground.model_input.value == "2"
        for key, pane in [
            (ESC_DIGIT_KEYS[2], "jobs"),
            ("f4", "playground"),
            ("alt+3", "instances"),
            (ESC_DIGIT_KEYS[5], "compare"),
            ("f4", "playground"),
            ("f5", "compare"),
            ("f4", "playground"),
        ]:
            await pilot.press(key)
            assert tabs.active == pane
            await until(pilot, partial(_shows, app, pane))
        assert playground.model_input.value == "2"
        assert app.focused is playground.model_input


async def test_the_palette_shows_a_pane(make_app: AppFactory) -> None:
    from textual.command import CommandPalette

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: len(app.screen.query(Pane)) == len(PANES))
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"show instances")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: shown_panes(app) == ["instances"])


async def test_focus_returns_where_it_was_after_a_dialog_and_a_pane_switch(
    make_app: AppFactory,
) -> None:
    """The jobs list keeps the focus across the load dialog; the playground's output keeps
    it across a run and a trip to another pane (it never falls into the prompt)."""
    from bytez_tui.panes.jobs import JobsPane
    from bytez_tui.panes.playground import PlaygroundPane
    from bytez_tui.screens.load import LoadDialog

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: len(app.screen.query(Pane)) == len(PANES))
        await pilot.press("2")
        jobs = app.screen.query_one(JobsPane)
        assert app.focused is jobs.rows
        await pilot.press("ctrl+p")
        await pilot.press(*"instances: load a model")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, LoadDialog))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        assert app.focused is jobs.rows
        await pilot.press("4")
        playground = app.screen.query_one(PlaygroundPane)
        assert app.focused is playground.output
        playground.model_input.value = "openai-community/gpt2"
        playground.prompt_area.text = "Hello"
        await pilot.press("ctrl+j")
        await until(pilot, lambda: not playground.busy)
        await pilot.pause()
        assert app.focused is playground.output
        await pilot.press("1", "4")
        assert app.focused is playground.output


async def test_the_header_never_shows_url_credentials(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer
) -> None:
    url = emulator.url.replace("http://", "http://me:hunter22pw@")
    app = make_app(base_url=url, label="")
    async with app.run_test(size=(120, 40)) as pilot:
        bar = app.screen.query_one(StatusBar)
        await until(pilot, lambda: "● online" in str(bar.render()))
        assert "hunter22pw" not in str(bar.render())
        assert emulator.url.removeprefix("http://") in str(bar.render())


async def test_a_refused_port_shows_cannot_reach_without_waiting(
    make_app: Callable[..., BytezApp],
) -> None:
    """The header went "connecting" for ~4 s while the client retried on its own; the
    first failed request now marks the connection, and the clock never moves."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = make_app(base_url=f"http://127.0.0.1:{port}")
    async with app.run_test(size=(120, 40)) as pilot:
        bar = app.screen.query_one(StatusBar)
        await until(pilot, lambda: "Cannot reach" in str(bar.render()))
        assert "connecting" not in str(bar.render())


async def test_one_failed_request_marks_the_connection(
    make_app: Callable[..., BytezApp], emulator: EmulatorServer
) -> None:
    """No request is repeated behind the header's back: each failure shows as it happens."""
    emulator.fail_next("*", 503, count=100)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        bar = app.screen.query_one(StatusBar)
        await until(pilot, lambda: "Server error 503" in str(bar.render()))
        await app.workers.wait_for_complete()
        paths = [request.path for request in emulator.requests]
        assert paths and len(paths) == len(set(paths))


async def test_no_default_key_is_one_tmux_or_screen_swallows(make_app: AppFactory) -> None:
    """Our users live in tmux and screen, whose prefixes never reach the app."""
    from textual.binding import Binding
    from textual.dom import DOMNode

    swallowed = {"ctrl+b", "ctrl+a"}
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(app.screen.query("#playground")))
        nodes: list[DOMNode] = [app, app.screen, *app.screen.walk_children()]
        keys = {
            key.strip()
            for node in nodes
            for cls in type(node).__mro__
            if cls.__module__.startswith("bytez_tui")
            for binding in cls.__dict__.get("BINDINGS", ())
            if isinstance(binding, Binding)
            for key in binding.key.split(",")
        }
    assert keys, "the walk must find our bindings"
    assert not keys & swallowed
