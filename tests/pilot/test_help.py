"""The help screen: every binding in aligned columns, shown as typed (never as markup)."""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text
from textual.app import App
from textual.binding import Binding
from textual.widgets import Static

from bytez_tui.screens.help import HelpScreen


async def test_help_shows_text_as_typed_and_keeps_ids_on_their_key_line() -> None:
    bindings = [
        Binding("x", "noop", "Mark", id="pane-mark", tooltip="Marks a row [b]now[/b]"),
        Binding(
            "y",
            "noop",
            "Long",
            id="pane-a-rather-long-binding-id",
            tooltip="A description long enough that it has to wrap onto a second line here",
        ),
    ]
    bindings.append(Binding("[", "noop", "Bracket", id="pane-bracket", tooltip="Rebound"))
    app: App[None] = App()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(HelpScreen([("Pane", bindings)], {}))
        await pilot.pause()
        content = app.screen.query_one(Static).content
        buffer = io.StringIO()
        console = Console(width=70, file=buffer)
        console.print(content if isinstance(content, (str, Text, Table, Group)) else str(content))
        lines = buffer.getvalue().splitlines()
    text = "\n".join(lines)
    assert "config.toml's [keymap] by id" in text
    assert "Marks a row [b]now[/b]" in text
    long_row = next(line for line in lines if line.strip().startswith("y "))
    assert long_row.rstrip().endswith("pane-a-rather-long-binding-id")
    assert not any(line.strip() == "pane-a-rather-long-binding-id" for line in lines)
    assert any("Rebound" in line and "pane-bracket" in line for line in lines)
