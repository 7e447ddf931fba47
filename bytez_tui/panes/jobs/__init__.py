"""The jobs pane and its UI-free store of tracked jobs.

`store` imports neither Textual nor httpx, so the CLI can read tracked jobs
without paying for the UI: this package imports the pane only when asked for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bytez_tui.panes.jobs.store import JobStore, TrackedJob

if TYPE_CHECKING:
    from bytez_tui.panes.jobs.pane import JobsPane

__all__ = ["JobStore", "JobsPane", "TrackedJob"]


def __getattr__(name: str) -> Any:
    if name == "JobsPane":
        from bytez_tui.panes.jobs.pane import JobsPane

        return JobsPane
    raise AttributeError(name)
