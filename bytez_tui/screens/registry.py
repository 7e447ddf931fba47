"""The dashboard's panes as the shell knows them: their order, titles and keys.

`PANES` lists them in tab order, each with a factory that imports its module only when
called (only the catalogue is imported before the first frame). The keys that show a
pane and the command palette's entries are derived from it, so adding a pane is one line.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider

from bytez_tui.panes.base import Pane
from bytez_tui.panes.catalogue import CataloguePane
from bytez_tui.textual_compat import ESC_DIGIT_KEYS

if TYPE_CHECKING:
    from bytez_tui.panes.compare import ComparePane
    from bytez_tui.panes.instances import InstancesPane
    from bytez_tui.panes.jobs import JobsPane
    from bytez_tui.panes.playground import PlaygroundPane

__all__ = [
    "PANES",
    "PANES_DIR",
    "SHELL_BINDINGS",
    "DashboardCommands",
    "PaneEntry",
    "compare_pane",
    "instances_pane",
    "jobs_pane",
    "pane_bindings",
    "playground_pane",
]


class PaneEntry(NamedTuple):
    """One pane of the dashboard, as the tab bar, the keys and the help screen see it."""

    id: str
    """The pane's widget id (and the name of its `.tcss` in `panes/`)."""
    title: str
    """The tab's title."""
    summary: str
    """What the pane shows, in a few words ("the job tracker")."""
    factory: Callable[[], type[Pane]]
    """Imports the pane's module and returns its class: only the catalogue is imported
    before the first frame."""
    short: str
    """The tab's title where the long ones don't fit (a 60-column terminal)."""


def catalogue_pane() -> type[CataloguePane]:
    return CataloguePane


def jobs_pane() -> type[JobsPane]:
    from bytez_tui.panes.jobs import JobsPane

    return JobsPane


def instances_pane() -> type[InstancesPane]:
    from bytez_tui.panes.instances import InstancesPane

    return InstancesPane


def playground_pane() -> type[PlaygroundPane]:
    from bytez_tui.panes.playground import PlaygroundPane

    return PlaygroundPane


def compare_pane() -> type[ComparePane]:
    from bytez_tui.panes.compare import ComparePane

    return ComparePane


PANES: tuple[PaneEntry, ...] = (
    PaneEntry("catalogue", "Catalogue", "the model catalogue", catalogue_pane, "Cat"),
    PaneEntry("jobs", "Jobs", "the job tracker", jobs_pane, "Jobs"),
    PaneEntry("instances", "Instances", "running instances", instances_pane, "Inst"),
    PaneEntry("playground", "Playground", "the prompt playground", playground_pane, "Play"),
    PaneEntry("compare", "Compare", "the side-by-side comparison", compare_pane, "Comp"),
)
"""The panes, in tab order."""

PANES_DIR = Path(__file__).parent.parent / "panes"
"""Where `<pane id>.tcss` is (the catalogue's is in the app's CSS_PATH)."""


def pane_bindings() -> list[BindingType]:
    """Keys that show a pane: 1-5 outside text fields; alt+1-5 and F1-F5 everywhere.

    All are priority bindings, so they act before the focused widget sees the key.
    """
    bindings: list[BindingType] = []
    for number, entry in enumerate(PANES, 1):
        bindings.append(
            Binding(
                str(number),
                f"show_pane({entry.id!r})",
                entry.title,
                priority=True,
                id=f"pane-{entry.id}",
                show=False,
                tooltip=f"Show {entry.summary}",
            )
        )
        bindings.append(
            Binding(
                f"alt+{number},f{number}",
                f"jump_to_pane({entry.id!r})",
                entry.title,
                priority=True,
                id=f"pane-{entry.id}-anywhere",
                show=False,
                tooltip=f"Show {entry.title}, from a text field too",
            )
        )
        # What Textual reports for alt+digit from most terminals (ESC then the digit).
        bindings.append(
            Binding(
                ESC_DIGIT_KEYS[number],
                f"jump_to_pane({entry.id!r})",
                priority=True,
                show=False,
            )
        )
    return bindings


# 1-5 and `/` are priority bindings: the app moves the focus before it forwards the
# next key, so keys typed right after them land in the pane (a bubbling binding runs
# too late). In a text field they are text (model ids have a `/`): `check_action`
# lets them through.
SHELL_BINDINGS: list[BindingType] = [
    Binding(
        "P",
        "toggle_pause",
        "Pause",
        id="pause-live",
        tooltip="Pause or resume every live update (countdowns keep ticking)",
    ),
    # The same key while paused, so the footer says what it will do: "P Resume".
    Binding(
        "P",
        "resume",
        "Resume",
        id="resume-live",
        tooltip="Resume the live updates (while paused)",
    ),
    Binding(
        "slash",
        "find",
        "Find",
        id="find",
        tooltip="Filter the list in front (from the playground: the catalogue's)",
        priority=True,
    ),
    Binding("question_mark", "help", "Help", id="help", tooltip="List every key"),
    Binding(
        "dollar_sign",
        "spend",
        "Spend",
        id="spend",
        show=False,
        tooltip="What instances and runs have cost: 14 days, per model, the costliest",
    ),
]
"""The main screen's own keys: pause, find, help, spend (the pane keys come from `PANES`)."""


@runtime_checkable
class Dashboard(Protocol):
    """What the palette needs of the main screen (which imports this module)."""

    @property
    def panes(self) -> list[Pane]: ...

    def show_pane(self, pane_id: str) -> None: ...

    def action_spend(self) -> None: ...

    def action_toggle_pause(self) -> None: ...


class DashboardCommands(Provider):
    """The dashboard's commands in the palette: pause, and each pane's own."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        screen = self.screen
        if not isinstance(screen, Dashboard):
            return []
        commands: list[tuple[str, str, Callable[[], object]]] = [
            (
                f"Show {entry.title}",
                f"Switch to {entry.summary}",
                partial(screen.show_pane, entry.id),
            )
            for entry in PANES
        ]
        commands.append(
            ("Show spend", "What instances and runs have cost, and the budget", screen.action_spend)
        )
        commands.append(
            (
                "Pause / resume live updates",
                "Stop all polling (countdowns keep ticking)",
                screen.action_toggle_pause,
            )
        )
        for pane in screen.panes:
            commands += [
                (title, help_text, getattr(pane, f"action_{action}"))
                for title, help_text, action in pane.PALETTE
            ]
        return commands

    async def discover(self) -> Hits:
        for title, help_text, command in self._commands():
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)
