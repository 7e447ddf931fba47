"""Completion for the model field: running instances first, then the whole catalogue.

The catalogue can hold 100,000 names, so it is kept sorted (casefolded) and a
prefix is found by bisection: a keystroke costs microseconds, not a scan.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from itertools import pairwise
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.suggester import Suggester

from bytez_tui.widgets.text_fields import TextInput

__all__ = ["ModelInput", "ModelSuggester", "NameIndex"]


class ModelInput(TextInput):
    """The model field: Tab accepts the completion shown, as → does; then it moves on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "tab",
            "complete_or_next",
            "Complete",
            id="playground-complete",
            show=False,
            tooltip="Accept the suggested model id (or go to the prompt)",
        ),
    ]

    def action_complete_or_next(self) -> None:
        """Accept the suggestion at the end of the field; with none, go to the next field."""
        before = self.value
        if self.cursor_at_end:
            self.action_cursor_right()  # Input's own completion: accepts the suggestion
        if self.value == before:
            self.screen.focus_next()


class NameIndex:
    """Names sorted for prefix lookup; building it sorts once (run it off the UI thread).

    Args:
        names: Model ids, in any order.
    """

    def __init__(self, names: Iterable[str]) -> None:
        # Only the names are kept (the catalogue's own strings), in casefolded order;
        # `first` casefolds the few that bisection compares. Kept casefolded copies, and
        # the pairs sorted to make them, held ~20 MB at 100,000 names. The catalogue's
        # ids come sorted already (case-insensitively): then nothing needs sorting.
        listed = list(names)
        in_order = all(_order(first) < _order(second) for first, second in pairwise(listed))
        self._names = listed if in_order else sorted(set(listed), key=_order)

    def __len__(self) -> int:
        return len(self._names)

    def first(self, prefix: str) -> str | None:
        """The first name (in sorted order) starting with `prefix` (casefolded)."""
        names = self._names
        index = bisect_left(names, prefix, key=str.casefold)
        if index < len(names) and names[index].casefold().startswith(prefix):
            return names[index]
        return None


def _order(name: str) -> tuple[str, str]:
    return name.casefold(), name


class ModelSuggester(Suggester):
    """Suggests a running model first, then any catalogue name, by prefix."""

    def __init__(self) -> None:
        super().__init__(use_cache=True, case_sensitive=False)
        self._running: list[str] = []
        self._catalogue = NameIndex(())

    def set_running(self, models: Iterable[str]) -> None:
        """Replace the running models."""
        self._running = sorted(models)
        self._forget()

    def set_catalogue(self, index: NameIndex) -> None:
        """Replace the catalogue index."""
        self._catalogue = index
        self._forget()

    def _forget(self) -> None:
        if self.cache is not None:
            self.cache.clear()

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        for name in self._running:
            if name.casefold().startswith(value):
                return name
        return self._catalogue.first(value)
