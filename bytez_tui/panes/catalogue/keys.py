"""The catalogue's keys and command-palette entries (each rebindable by its id)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

__all__ = ["BINDINGS", "PALETTE"]


def _binding(
    key: str, action: str, description: str, tooltip: str, *, show: bool = True
) -> Binding:
    return Binding(
        key,
        action,
        description,
        id=f"catalogue-{action.replace('_', '-')}",
        tooltip=tooltip,
        show=show,
    )


BINDINGS: list[BindingType] = [
    _binding("enter", "toggle_details", "Details", "Show or hide the model's details"),
    # `a`, as in the Jobs pane ("add a job"): j/k move, as in k9s and lazydocker.
    _binding("a", "request_job", "Job", "Request a job for the model (Jobs pane tracks it)"),
    _binding("l", "load", "Load", "Load an instance of the model"),
    _binding("p", "playground", "Play", "Open the model in the playground"),
    _binding("c", "copy_id", "Copy id", "Copy the model id", show=False),
    _binding(
        "s", "cycle_sort", "Sort", "Sort by id, RAM or cost (S or a click on its title reverses)"
    ),
    _binding("S", "reverse_sort", "Reverse", "Reverse the sort order", show=False),
    _binding("R", "refresh", "Refresh", "Fetch the catalogue again", show=False),
    _binding("down", "cursor_down", "Down", "Next model", show=False),
    _binding("up", "cursor_up", "Up", "Previous model", show=False),
]
PALETTE: list[tuple[str, str, str]] = [
    ("Catalogue: refresh", "Fetch the model catalogue again (R)", "refresh"),
    ("Catalogue: request a job", "Request a job for the highlighted model (a)", "request_job"),
    ("Catalogue: load model", "Load an instance of the highlighted model (l)", "load"),
    ("Catalogue: open in playground", "Open the highlighted model (p)", "playground"),
    ("Catalogue: copy model id", "Copy the highlighted model's id (c)", "copy_id"),
    ("Catalogue: cycle sort", "Sort by id, RAM or cost (s)", "cycle_sort"),
    ("Catalogue: reverse sort", "Reverse the sort order (S)", "reverse_sort"),
    (
        "Catalogue: details",
        "Show or hide the highlighted model's details (enter)",
        "toggle_details",
    ),
]
"""(title, help, action name) entries offered in the command palette."""
