"""The pane tab bar: Textual's `Tabs` look (labels over an underline), in one widget.

`TabbedContent` builds over a dozen widgets for four tabs (tabs, underline, scroll
containers, switcher, a pane per tab) and slides the underline into place after the first
frame; this bar draws both lines itself, and the dashboard's first frame came ~15 % sooner.
The panes are plain siblings: the screen shows one and hides the others.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

__all__ = ["SPINNER", "PaneTabs"]

_BAR, _BAR_END, _BAR_START = "━", "╸", "╺"
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
"""The frames of a tab's spinner, eight a second."""


class PaneTabs(Widget):
    """One label per pane; the active one bold over an accent underline. Click to switch.

    A tab can carry a badge after its label (a count) and a spinner (work under way out
    of sight). Not focusable: the number keys switch panes.

    When the labels don't fit the width, the bar gives up, in turn: the long labels for
    the short ones, the other tabs' badges a character at a time (ending in "…"), those
    badges, then the other tabs' labels but for their first word (the pane's number).
    The active tab keeps its badge throughout.

    Args:
        tabs: (pane id, label) in order.
        active: The pane shown first.
        short: A shorter label for some panes, used when the long ones don't fit.
    """

    DEFAULT_CSS = """
    PaneTabs {
        height: 2;
        pointer: pointer;
        & > .pane-tabs--tab { color: $foreground 50%; }
        & > .pane-tabs--hover { color: $foreground; }
        & > .pane-tabs--active { color: $foreground; text-style: bold; }
        & > .pane-tabs--bar { color: $foreground 10%; }
        & > .pane-tabs--highlight { color: $block-cursor-background; }
        &:ansi {
            & > .pane-tabs--tab { text-style: dim; }
            & > .pane-tabs--hover, & > .pane-tabs--active { text-style: not dim bold; }
            & > .pane-tabs--bar { color: $border-blurred; }
        }
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "pane-tabs--tab",
        "pane-tabs--hover",
        "pane-tabs--active",
        "pane-tabs--bar",
        "pane-tabs--highlight",
    }

    ALLOW_SELECT = False

    active: reactive[str] = reactive("")
    """The id of the pane whose tab is highlighted."""
    _hover: reactive[str | None] = reactive(None)
    """The id of the pane whose tab is under the mouse."""

    @dataclass
    class Chosen(Message):
        """The user clicked a tab."""

        tabs: PaneTabs
        """The tab bar."""
        pane_id: str
        """The pane whose tab it was."""

        @property
        def control(self) -> PaneTabs:
            return self.tabs

    def __init__(
        self,
        tabs: Sequence[tuple[str, str]],
        *,
        active: str,
        short: Mapping[str, str] | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._labels = dict(tabs)
        self._short = {pane_id: (short or {}).get(pane_id, label) for pane_id, label in tabs}
        self._badges: dict[str, str] = {}
        self._spinning: set[str] = set()
        self._frame = 0
        self._spinner: Timer | None = None
        self._spans: list[tuple[str, str, int, int]] = []
        """(pane id, label, first column, end column), in order; a space pads each side."""
        self._lay_out()
        self.set_reactive(PaneTabs.active, active)

    @property
    def shown(self) -> list[str]:
        """Each tab's text as drawn (label and badge, shortened to fit), in order."""
        return [text for _, text, _, _ in self._spans]

    def badge(self, pane_id: str) -> str:
        """What the tab shows after its label ("" for nothing)."""
        shown = self._badges.get(pane_id, "")
        if pane_id in self._spinning and pane_id != self.active:
            shown = f"{shown} {SPINNER[self._frame % len(SPINNER)]}".strip()
        return shown

    def set_badge(self, pane_id: str, badge: str) -> None:
        """Show `badge` after the pane's label, such as "(2)"; "" removes it."""
        if self._badges.get(pane_id, "") != badge:
            self._badges[pane_id] = badge
            self._lay_out()

    def set_spinning(self, pane_id: str, spinning: bool) -> None:
        """Turn the pane's spinner on or off: it shows while its pane is out of sight."""
        if spinning == (pane_id in self._spinning):
            return
        if spinning:
            self._spinning.add(pane_id)
        else:
            self._spinning.discard(pane_id)
        self._spin()

    def watch_active(self) -> None:
        self._spin()

    def on_resize(self) -> None:
        self._lay_out()

    def _spin(self) -> None:
        """Turn the spinner timer on only while a spinner is in sight."""
        if self._spinner is None and self.is_mounted:
            self._spinner = self.set_interval(1 / 8, self._turn, pause=True)
        if self._spinner is not None:
            if self._spinning - {self.active}:
                self._spinner.resume()
            else:
                self._spinner.pause()
        self._lay_out()

    def _turn(self) -> None:
        self._frame += 1
        self._lay_out()

    def _lay_out(self) -> None:
        width = self.size.width
        for texts in self._fittings():
            if not width or sum(len(text) + 2 for text in texts) <= width:
                break  # before the first layout (no width yet) the long labels
        self._spans = []
        column = 0
        for pane_id, text in zip(self._labels, texts, strict=True):
            self._spans.append((pane_id, text, column, column + len(text) + 2))
            column += len(text) + 2
        self.refresh()

    def _fittings(self) -> Iterator[list[str]]:
        """Each tab's text, from the longest way of drawing the bar to the shortest."""
        ids = list(self._labels)
        badges = [self.badge(pane_id) for pane_id in ids]
        others = [pane_id != self.active for pane_id in ids]
        yield [_tab(self._labels[p], badge) for p, badge in zip(ids, badges, strict=True)]
        short = [self._short[pane_id] for pane_id in ids]
        yield [_tab(label, badge) for label, badge in zip(short, badges, strict=True)]
        longest = max((len(b) for b, other in zip(badges, others, strict=True) if other), default=0)
        for limit in range(longest - 1, 1, -1):
            cut = [_cut(b, limit) if other else b for b, other in zip(badges, others, strict=True)]
            yield [_tab(label, badge) for label, badge in zip(short, cut, strict=True)]
        bare = [b if not other else "" for b, other in zip(badges, others, strict=True)]
        yield [_tab(label, badge) for label, badge in zip(short, bare, strict=True)]
        yield [
            label.split(" ", 1)[0] if other else _tab(label, badge)
            for label, badge, other in zip(short, bare, others, strict=True)
        ]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            pad = Segment(" ", base)
            segments = []
            for pane_id, label, _, _ in self._spans:
                segments += [pad, Segment(label, self._tab_style(pane_id)), pad]
        elif y == 1:
            segments = self._underline(width)
        else:
            segments = []  # taller than its CSS height: blank
        return Strip(segments).extend_cell_length(width, base).crop(0, width)

    def on_click(self, event: events.Click) -> None:
        pane_id = self._tab_under(event)
        if pane_id is not None:
            self.post_message(self.Chosen(self, pane_id))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover = self._tab_under(event)

    def on_leave(self) -> None:
        self._hover = None

    def _tab_under(self, event: events.MouseEvent) -> str | None:
        """The pane whose label or underline the mouse is on."""
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        for pane_id, _, start, end in self._spans:
            if start <= offset.x < end:
                return pane_id
        return None

    def _tab_style(self, pane_id: str) -> Style:
        if pane_id == self.active:
            return self.get_component_rich_style("pane-tabs--active")
        if pane_id == self._hover:
            return self.get_component_rich_style("pane-tabs--hover")
        return self.get_component_rich_style("pane-tabs--tab")

    def _underline(self, width: int) -> list[Segment]:
        """The bar, lit under the active label (not its padding), with half-bar gaps."""
        bar = self.get_component_rich_style("pane-tabs--bar")
        lit = self.get_component_rich_style("pane-tabs--highlight")
        spans = [(start + 1, end - 1) for p, _, start, end in self._spans if p == self.active]
        if not spans:
            return [Segment(_BAR * width, bar)]
        start, end = spans[0]
        return [
            Segment(_BAR * (start - 1) + _BAR_END, bar),
            Segment(_BAR * (end - start), lit),
            Segment(_BAR_START + _BAR * max(0, width - end - 1), bar),
        ]


def _tab(label: str, badge: str) -> str:
    """A tab's text: its label, then its badge if any."""
    return f"{label} {badge}" if badge else label


def _cut(badge: str, limit: int) -> str:
    """`badge` in at most `limit` characters, ending in "…" where it was cut."""
    return badge if len(badge) <= limit else badge[: limit - 1] + "…"
