"""The jobs pane: models the user asked Bytez to make available, polled until ready."""

from __future__ import annotations

from bytez_tui.panes.jobs.pane import JobsPane
from bytez_tui.panes.jobs.store import JobStore, TrackedJob

__all__ = ["JobStore", "JobsPane", "TrackedJob"]
