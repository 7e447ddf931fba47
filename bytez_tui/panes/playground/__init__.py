"""The prompt playground: a model, a prompt, params, and the streamed answer.

`pane` holds the pane; `params` the quick fields and JSON editor; `output` the
batched, self-wrapping log; `run` the request and its counters; `status` the
one-line run status; `completion` the model field's suggester. The run history
is kept by `bytez_tui.local.history`.
"""

from __future__ import annotations

from bytez_tui.panes.playground.pane import PlaygroundPane

__all__ = ["PlaygroundPane"]
