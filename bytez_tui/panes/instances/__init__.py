"""The instances pane: running instances with live expiry countdowns."""

from __future__ import annotations

from bytez_tui.panes.instances.pane import InstancesPane
from bytez_tui.panes.instances.row import InstanceRow

__all__ = ["InstanceRow", "InstancesPane"]
