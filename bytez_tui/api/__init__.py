"""The Bytez REST client: the only package that speaks HTTP.

`BytezClient` wraps one `httpx.AsyncClient` and speaks either dialect of the API
behind the same coroutines (`list_models`, `list_tasks`, `job`, `load`, `status`,
`run`, `chat`, `instances`, `delete`, and the streaming twins `stream` and
`stream_chat`):

- **v1** (`/model/*`): the seed's API, with jobs, loads and expiry countdowns.
- **v2** (`/models/v2/*`): today's API. Runs POST to the model's URL and the platform
  manages capacity; the legacy cluster routes back `load`/`status`/`instances`/`delete`
  where the server still answers them, and raise `Unsupported` where it doesn't.

`api="auto"` finds out which one the server speaks with one cheap request. Every
failure leaves as a `BytezError` (see `bytez_tui.errors`).
"""

from __future__ import annotations

from bytez_tui.api.answers import MAX_RETRY_AFTER
from bytez_tui.api.client import API_VERSIONS, BytezClient
from bytez_tui.api.transport import (
    CATALOGUE_DEADLINE_FACTOR,
    DEFAULT_MAX_BODY,
    ERROR_PREFIXES,
    MAX_CLIENT_WAIT,
)
from bytez_tui.config import DEFAULT_BASE_URL
from bytez_tui.errors import *
from bytez_tui.models import Instance, Job, Metering, ModelInfo, RunResult

__all__ = [
    "API_VERSIONS",
    "CATALOGUE_DEADLINE_FACTOR",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_BODY",
    "ERROR_PREFIXES",
    "MAX_CLIENT_WAIT",
    "MAX_RETRY_AFTER",
    "AlreadyLoaded",
    "AuthError",
    "BadResponse",
    "BytezClient",
    "BytezError",
    "Instance",
    "Job",
    "LoadInProgress",
    "Metering",
    "ModelInfo",
    "NotFound",
    "OutOfCredits",
    "RateLimited",
    "RequestTimeout",
    "RunFailed",
    "RunResult",
    "ServerError",
    "StreamCut",
    "StreamError",
    "StreamFailed",
    "Transient",
    "Unreachable",
    "Unsupported",
]
