"""The Compare pane: one prompt on two or three models, side by side.

`pane` holds the pane (fields, keys, history); `runner` its runs (a worker per column,
the load of what is not running, the save); `column` one column (model, params override,
output, stats); `keys` its bindings. The counters and the stream are the domain's
(`bytez_tui.comparing`), the saved comparisons `bytez_tui.local.comparisons`'.
"""

from __future__ import annotations

from bytez_tui.panes.compare.pane import ComparePane

__all__ = ["ComparePane"]
