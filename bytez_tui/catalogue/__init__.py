"""The model catalogue, without any UI: the index, the query language, the view and the cache.

`index` holds the models in columns; `query` compiles the filter language; `view` is the
filtered, sorted selection a front end shows; `cache` keeps the last answer on disk. The
dashboard and the CLI both use these; none of them imports Textual or httpx.
"""
