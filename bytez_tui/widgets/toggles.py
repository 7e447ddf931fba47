"""A check box and a radio button whose state shows without colour.

Textual's `Checkbox` always draws `X` and its `RadioButton` always draws `●`: on and
off differ only in colour, which `NO_COLOR`, a monochrome terminal or a colour-blind
user cannot see. These draw the mark only when the button is on.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox, RadioButton

__all__ = ["MarkedCheckbox", "MarkedRadioButton"]


class MarkedCheckbox(Checkbox):
    """A `Checkbox` that shows `X` when checked and a blank box when not."""

    def render(self) -> Content:
        self.BUTTON_INNER = "X" if self.value else " "
        return super().render()


class MarkedRadioButton(RadioButton):
    """A `RadioButton` that shows `●` when chosen and a blank button when not."""

    def render(self) -> Content:
        self.BUTTON_INNER = "●" if self.value else " "
        return super().render()
