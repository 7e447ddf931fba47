"""What the app keeps on this machine, without any UI: tracked jobs and the run history.

Both front ends use these; none of them imports Textual or httpx.
"""
