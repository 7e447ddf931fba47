"""The help screen: every binding of the app and of each pane, with its key."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["HelpScreen", "binding_rows"]


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

    def __init__(
        self, sections: list[tuple[str, Iterable[BindingType]]], keymap: dict[str, str]
    ) -> None:
        super().__init__()
        self._sections = sections
        self._keymap = keymap

    def compose(self) -> ComposeResult:
        lines: list[str] = ["[b]bytez-tui keys[/]   (rebind any in config.toml's [keymap] by id)"]
        for title, bindings in self._sections:
            rows = binding_rows(bindings, self._keymap)
            if not rows:
                continue
            lines.append(f"\n[b $accent]{title}[/]")
            for keys, text, binding_id in rows:
                shown = " ".join(
                    self.app.get_key_display(Binding(key.strip(), "")) for key in keys.split(",")
                )
                lines.append(f"  [b]{shown:<14}[/] {text}  [dim]{binding_id}[/]")
        lines.append("\n[dim]escape to close[/]")
        with VerticalScroll(id="help-body"):
            yield Static("\n".join(lines), markup=True)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
