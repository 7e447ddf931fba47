"""The Compare pane: one prompt on two or three models, side by side.

`pane` holds the pane (keys, chat mode, history, copy and export); `form` the shared
fields; `board` the comparison run from the models' check to its save, on the columns'
tabs, the columns and the line under them; `columns` the three columns together,
`column` one column (model, params override, output, stats) and the worker that runs it;
`status` the line under them; `keys` its bindings. The request, counters and stream are
the domain's (`bytez_tui.comparing`), what the pane knows
`bytez_tui.local.comparison_book`'s, the saved comparisons `bytez_tui.local.comparisons`'.
"""

from __future__ import annotations

from bytez_tui.panes.compare.pane import ComparePane

__all__ = ["ComparePane"]
