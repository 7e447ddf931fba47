"""The dashboard against the hostile API: it stays up, and nothing the server sent acts
on the terminal or is read as markup."""

from __future__ import annotations

import html
import json
import re
import stat
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hostile import CASES, HOSTILE_TEXT, MARKUP, MARKUP_MODEL, V2_CASES, HostileServer
from textual.command import CommandPalette
from textual.pilot import Pilot
from waiting import Toasts, until

from bytez_tui.app import BytezApp
from bytez_tui.config import data_dir, rescue_dir, update_config
from bytez_tui.local.conversations import ConversationStore
from bytez_tui.local.history import History
from bytez_tui.local.ledger import Ledger
from bytez_tui.local.remembered import STATE_FILE
from bytez_tui.messages import OpenPlayground
from bytez_tui.models import Metering
from bytez_tui.panes.catalogue.pane import CataloguePane
from bytez_tui.panes.compare import ComparePane
from bytez_tui.panes.instances import InstancesPane
from bytez_tui.panes.jobs import JobsPane
from bytez_tui.panes.playground import PlaygroundPane
from bytez_tui.screens.api_key import ApiKeyScreen
from bytez_tui.screens.conversations import ConversationsDialog
from bytez_tui.screens.spend import SpendScreen
from bytez_tui.widgets.rows import Cell

MakeApp = Callable[..., BytezApp]
RAW = ("\x1b", "\x07", "\x9b")
"""Characters that must never be drawn (they would act on the terminal)."""


def screen_text(app: BytezApp) -> str:
    """The text drawn on the screen (the exported SVG without its tags)."""
    return html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")


def assert_clean(app: BytezApp) -> None:
    drawn = app.export_screenshot()
    for character in RAW:
        assert character not in drawn, f"{character!r} reached the screen"


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("case", [*CASES, *V2_CASES])
async def test_every_pane_survives(make_app: MakeApp, hostile: HostileServer, case: str) -> None:
    """Each pane in turn on each hostile case, then the Spend screen: the app stays up and
    nothing the server sent is drawn raw."""
    app = make_app(base_url=hostile.case_url(case))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in ("1", "2", "3", "4", "5", "$"):
            if isinstance(app.screen, ApiKeyScreen):  # `auth` asks for another key
                break
            app.set_focus(None)  # the pane keys work outside a text field
            await pilot.press(key)
            await settle(pilot)
            assert app.is_running
            assert_clean(app)
        if key == "$":
            assert isinstance(app.screen, SpendScreen)


async def test_copying_a_markup_model_id(make_app: MakeApp, hostile: HostileServer) -> None:
    """`c` on `aaa/[/INST]-model` crashed the app: the toast read the id as markup."""
    app = make_app(base_url=hostile.case_url("names"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(CataloguePane)
        await until(pilot, lambda: pane.highlighted is not None)
        assert pane.highlighted == MARKUP_MODEL  # it sorts first
        pane.table.focus()
        await pilot.press("c")
        await settle(pilot)
        assert app.is_running
        assert app.clipboard == MARKUP_MODEL
        assert MARKUP_MODEL in screen_text(app)
        assert_clean(app)


async def test_hostile_rows_are_shown_visibly(make_app: MakeApp, hostile: HostileServer) -> None:
    app = make_app(base_url=hostile.case_url("names"))
    async with app.run_test(size=(140, 40)) as pilot:
        # The id is shown, its escape sequence made visible.
        await until(pilot, lambda: "org/^[]0;pwned^Gtitle" in screen_text(app))
        await until(pilot, lambda: bool(app.screen.query(InstancesPane)))
        await pilot.press("3")
        await settle(pilot)
        instances = app.screen.query_one(InstancesPane)
        await until(pilot, lambda: len(instances.rows.rows) == 4)
        assert_clean(app)
        await pilot.press("2", "a")
        await pilot.press(*"org/name", "enter")
        await settle(pilot)
        jobs = app.screen.query_one(JobsPane)
        said = [str(cell.render()) for cell in jobs.query(".job-message").results(Cell)]
        assert any(MARKUP in text and "^[]0;pwned^G" in text for text in said), said
        assert_clean(app)


async def test_an_error_fragment_with_markup_is_recorded(
    make_app: MakeApp, hostile: HostileServer
) -> None:
    """`Error: prompt must end with [/INST]` in a stream crashed the app before the run
    reached the history: now the run is recorded, and the partial answer stays."""
    app = make_app(base_url=hostile.case_url("stream-error"))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(PlaygroundPane)))
        app.screen.post_message(OpenPlayground("org/name"))
        await pilot.pause()
        pane = app.screen.query_one(PlaygroundPane)
        pane.prompt_area.text = "[INST] hi"
        await pilot.press("ctrl+j")
        await settle(pilot)
        assert app.is_running
        assert pane.output.text == "Partial answer "
        record = History(store_key=app.settings.store_key).entries[-1]
        assert record.outcome == "failed"
        assert record.error is not None and "[/INST]" in record.error
        status = str(pane.status_line.render())
        assert "[/INST]" in status and "^[]0;pwned^G" in status
        assert_clean(app)


async def test_a_hostile_refusal_on_the_key_screen(
    make_app: MakeApp, hostile: HostileServer
) -> None:
    app = make_app(base_url=hostile.case_url("auth"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await until(
            pilot,
            lambda: isinstance(app.screen, ApiKeyScreen) and bool(app.screen.query("#key-reason")),
        )
        reason = str(app.screen.query_one("#key-reason").render())
        assert MARKUP in reason
        assert_clean(app)


async def test_an_unexpected_error_exits_non_zero_and_keeps_the_draft(
    make_app: MakeApp, emulator: object
) -> None:
    """Not reachable through data any more; a bug still must not lose the user's work."""
    app = make_app()
    with pytest.raises(ZeroDivisionError):
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: bool(app.screen.query(PlaygroundPane)))
            app.screen.post_message(OpenPlayground("org/name"))
            await pilot.pause()
            pane = app.screen.query_one(PlaygroundPane)
            pane.prompt_area.text = "a long prompt I spent an hour on"
            app.call_later(lambda: 1 / 0)  # a bug somewhere in the app
            await pilot.pause()
    assert app.return_code == 1
    [path] = rescue_dir().glob("*.txt")
    assert path.stat().st_mode & 0o777 == 0o600
    kept = path.read_text(encoding="utf-8")
    assert "model: org/name" in kept and "a long prompt I spent an hour on" in kept


async def test_a_key_file_readable_by_others_is_toasted(make_app: MakeApp) -> None:
    path = update_config({"api_key": "secret-key-12345"})
    path.chmod(0o640)
    app = make_app()
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        await until(pilot, lambda: bool(toasts.titled("Your API key is exposed")))
        [warning] = toasts.titled("Your API key is exposed")
        assert "chmod 600" in warning and "secret-key" not in warning


async def test_the_palette_lists_a_markup_model(make_app: MakeApp, hostile: HostileServer) -> None:
    """The palette highlights what matches by reading the hit as markup: a model named
    `aaa/[/INST]-model` must still be listed, plain."""
    app = make_app(base_url=hostile.case_url("names"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"INST")
        await until(pilot, lambda: MARKUP_MODEL in screen_text(app))
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running
        assert app.screen.query_one(CataloguePane).highlighted == MARKUP_MODEL
        assert_clean(app)


# --- the surfaces added since: chat, compare, spend, the remembered state ----------------

SHOWN = "^[]0;pwned^G"
"""How `ESC ]0;pwned BEL` reads on screen and in files written for reading."""


def assert_private_and_plain(path: Path) -> str:
    """A file the app wrote for reading: 0600, and no character a terminal acts on."""
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert not any(character in text for character in RAW), text
    return text


@pytest.mark.parametrize(("case", "outcome"), [("v2-names", "done"), ("v2-stream-error", "failed")])
async def test_a_hostile_chat_reply_is_shown_kept_and_exported_plainly(
    make_app: MakeApp, hostile: HostileServer, case: str, outcome: str
) -> None:
    """The reply's Markdown (heading, link, code, fence, table) holds markup and escape
    sequences: drawn visibly, stored exactly, exported in caret notation, and a title
    renamed to markup and controls is listed as it is."""
    app = make_app(base_url=hostile.case_url(case))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(PlaygroundPane)))
        app.screen.post_message(OpenPlayground("org/name"))
        await pilot.pause()
        pane = app.screen.query_one(PlaygroundPane)
        if not pane.chat_mode:
            await pilot.press("ctrl+t")
        await until(pilot, lambda: pane.chat_mode and pane.chat.display)
        pane.prompt_area.text = "[INST] hi"
        await pilot.press("ctrl+j")
        await settle(pilot)
        assert app.is_running
        assert_clean(app)
        assert SHOWN in screen_text(app)
        [conversation] = ConversationStore(store_key=app.settings.store_key).list()
        whole = ConversationStore(store_key=app.settings.store_key).get(conversation.id)
        assert whole is not None
        reply = whole.turns[-1]
        assert reply.outcome == outcome and reply.content  # kept, the partial one too

        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(list((data_dir() / "chats").glob("*.md"))))
        [export] = (data_dir() / "chats").glob("*.md")
        assert SHOWN in assert_private_and_plain(export)

        await pilot.press("alt+l")
        await until(pilot, lambda: isinstance(app.screen, ConversationsDialog))
        dialog = app.screen
        assert isinstance(dialog, ConversationsDialog)
        await pilot.press("r")
        dialog.rename_input.value = "[/INST] \x1b]0;pwned\x07 [b]title"
        await pilot.press("enter")
        await until(pilot, lambda: "[/INST] ^[]0;pwned^G [b]title" in screen_text(app))
        assert app.is_running
        assert_clean(app)


@pytest.mark.parametrize(
    ("case", "outcome"), [("v2-names", "-done"), ("v2-stream-error", "-failed")]
)
async def test_a_hostile_comparison_is_shown_and_exported_plainly(
    make_app: MakeApp, hostile: HostileServer, case: str, outcome: str
) -> None:
    app = make_app(base_url=hostile.case_url(case))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.set_focus(None)
        await pilot.press("5")
        await until(pilot, lambda: bool(app.screen.query(ComparePane)))
        pane = app.screen.query_one(ComparePane)
        await until(pilot, lambda: pane.display)
        for column, model in zip(pane.columns, ("org/name", "org/other"), strict=False):
            column.model_input.value = model
        pane.prompt_area.text = "[INST] hi"
        pane.columns[0].output.focus()
        await pilot.press("ctrl+j")
        await settle(pilot)
        await until(pilot, lambda: all(outcome in c.status.classes for c in pane.columns[:2]))
        assert app.is_running
        assert_clean(app)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: bool(list((data_dir() / "comparisons").glob("*.md"))))
        [export] = (data_dir() / "comparisons").glob("*.md")
        assert_private_and_plain(export)


async def test_the_spend_screen_shows_hostile_ids_and_skips_damaged_rows(
    make_app: MakeApp, hostile: HostileServer
) -> None:
    """A model id with controls is listed visibly; rows a damaged or hand-edited ledger
    holds (text in a number's column, 1e308 twice) stopped the screen, or read `$inf`."""
    app = make_app(base_url=hostile.case_url("v2-names"))
    ledger = Ledger(store_key=app.settings.store_key)
    at = app.clock.now() - timedelta(seconds=60)
    ledger.ran("org/\x1b]0;pwned\x07", at=at, seconds=1, metering=Metering(None, None, 1, 0.5))
    now = at.timestamp()
    with ledger.database.transaction() as connection:
        connection.executemany(
            "INSERT INTO ledger_runs (store, model, at, seconds, cost, basis, outcome) "
            "VALUES (?, ?, ?, ?, ?, 'server', 'done')",
            [
                (ledger.store_key, "org/huge", now - 50, 1.0, 1e308),
                (ledger.store_key, "org/huge", now - 40, 1.0, 1e308),
                (ledger.store_key, "org/text", now - 30, "x", "y"),
            ],
        )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.set_focus(None)
        await pilot.press("$")
        await until(pilot, lambda: isinstance(app.screen, SpendScreen))
        await settle(pilot)
        drawn = screen_text(app)
        assert "org/^[]0;pwned^G" in drawn and "inf" not in drawn
        assert app.is_running
        assert_clean(app)


async def test_a_state_file_nested_too_deep_is_set_aside(make_app: MakeApp) -> None:
    """`[[[[…` a hundred thousand deep in `dashboard-state.json` kept the dashboard from
    starting at all (RecursionError, "unexpected error")."""
    path = data_dir() / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[" * 100_000 + "]" * 100_000)
    toasts = Toasts()
    app = make_app()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        await settle(pilot)
        assert app.is_running
        assert any("damaged" in message for message in toasts.messages), toasts.messages
    assert list(path.parent.glob(f"{STATE_FILE}.damaged-*"))


async def test_a_hostile_draft_in_the_state_file_is_restored_harmlessly(
    make_app: MakeApp,
) -> None:
    """The remembered draft is the user's own text, and may hold anything a paste did."""
    path = data_dir() / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = {
        "model": "org/name",
        "prompt": f"[/INST] {HOSTILE_TEXT}",
        "params": {"json": '{"a": NaN}', "max_new_tokens": "\x1b[2J", "[/INST]": "x"},
        "stream": "maybe",
    }
    path.write_text(json.dumps({"version": 1, "pane": "[/INST]", "draft": draft}))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.set_focus(None)
        await pilot.press("4")
        await settle(pilot)
        pane = app.screen.query_one(PlaygroundPane)
        assert pane.prompt_area.text == f"[/INST] {HOSTILE_TEXT}"  # kept exactly
        assert app.is_running
        assert_clean(app)
