"""The help screen: every binding of the app and of each pane, with its key."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["HelpScreen", "binding_rows"]

_KEY_WIDTH = 12
"""Cells for the key column (the longest default, `  alt+⏎`, fits)."""


def binding_rows(
    bindings: Iterable[BindingType], keymap: dict[str, str]
) -> list[tuple[str, str, str]]:
    """(keys, description, id) for each `Binding`, with keymap overrides applied."""
    rows = []
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        keys = keymap.get(binding.id or "", binding.key)
        rows.append((keys, binding.tooltip or binding.description, binding.id or ""))
    return rows


class HelpScreen(ModalScreen[None]):
    """Lists every binding, grouped by where it applies.

    Args:
        sections: (title, bindings) pairs, in order.
        keymap: The user's `[keymap]` overrides.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help-close"),
    ]

    DEFAULT_CSS = """
    HelpScreen #help-body {
        max-width: 100%;
    }
    """

    def __init__(
        self, sections: list[tuple[str, Iterable[BindingType]]], keymap: dict[str, str]
    ) -> None:
        super().__init__()
        self._sections = sections
        self._keymap = keymap

    def compose(self) -> ComposeResult:
        # Plain `Text`, never markup: a tooltip or a rebound key such as `[` must show as
        # typed. Each section is a table, so a long description wraps inside its own
        # column and the ids line up instead of running onto the next line.
        parts: list[RenderableType] = [
            Text.assemble(
                ("bytez-tui keys", "bold"), "   (rebind any in config.toml's [keymap] by id)"
            )
        ]
        sections = [
            (title, binding_rows(bindings, self._keymap)) for title, bindings in self._sections
        ]
        id_width = max((len(row[2]) for _, rows in sections for row in rows), default=0)
        for title, rows in sections:
            if not rows:
                continue
            parts.append(Text(f"\n{title}", style="bold"))
            table = Table.grid(padding=(0, 1), expand=True)
            table.add_column(width=_KEY_WIDTH, no_wrap=True, style="bold")
            table.add_column(ratio=1)
            table.add_column(width=id_width, no_wrap=True, style="dim")
            for keys, text, binding_id in rows:
                shown = " ".join(
                    self.app.get_key_display(Binding(key.strip(), "")) for key in keys.split(",")
                )
                table.add_row(Text(f"  {shown}"), Text(text), Text(binding_id))
            parts.append(table)
        parts.append(Text("\nIn the command palette (ctrl+p)", style="bold"))
        parts.append(
            Text(
                "  Show <pane>, every pane action, Profile: <name> (switch to a [profiles.NAME]"
                " of config.toml), Theme: <name>, Request log, Show the copied text, Keys"
            )
        )
        parts.append(Text("\nescape to close", style="dim"))
        with VerticalScroll(id="help-body"):
            yield Static(Group(*parts), markup=False)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
