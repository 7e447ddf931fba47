"""What the app keeps and knows, without any UI: the local database and its stores
(tracked jobs, the run history, conversations, spend, comparisons), and the record
keepers the panes draw from (`JobBook`, `InstanceBook`, a run's `RunState`).

Both front ends use these; none of them imports Textual or httpx.
"""
