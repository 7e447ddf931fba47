"""The jobs pane: tracked load jobs, their rows and their polls.

The tracked jobs themselves are kept by `bytez_tui.local.jobs`.
"""

from __future__ import annotations

from bytez_tui.panes.jobs.pane import JobsPane

__all__ = ["JobsPane"]
