"""The prompt playground: a model, a prompt, params, and the streamed answer.

`pane` holds the pane, on top of `runner` (the request read from the fields, the run
worker, the history walk); `model_row` the model field and the stream/chat toggles, with
`completion` its suggester; `params` the quick fields and JSON editor; `output` the
batched, self-wrapping log; `chat` chat mode's conversation, with `turns` its widgets and
`reply_writer` what feeds a streaming reply into them; `status` the one-line run status;
`keys` the keys. A run's request and counters are in
`bytez_tui.local.runs`, the run history in `bytez_tui.local.history`, conversations in
`bytez_tui.local.conversations`: the record keepers, without any UI.
"""

from __future__ import annotations

from bytez_tui.panes.playground.pane import PlaygroundPane

__all__ = ["PlaygroundPane"]
