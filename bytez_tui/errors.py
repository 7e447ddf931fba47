"""Every failure the API client can raise.

Nothing else leaves `bytez_tui.api`: no `KeyError`, no raw httpx exception.
Each error carries a one-line, user-facing `message` and the `endpoint` it came
from, in the manner of httpx's `_exceptions.py`::

    BytezError              also, unsubclassed: an unusable base URL (malformed, or
    │                       plain http to a remote host without the opt-in)
    ├── AuthError           401 / 403: the key is missing, wrong or revoked; or it holds
    │                       characters no key has (non-ASCII, control), refused unsent
    ├── OutOfCredits        402, or any error answer whose message mentions credits
    ├── AlreadyLoaded       409 on load: the model is already running
    ├── LoadInProgress      429 on load: "operation already in progress"
    ├── NotFound            404: unknown model, or no instance
    ├── Unsupported         the server's dialect has no such route (v2 without clusters)
    ├── BadResponse         malformed JSON, JSON of the wrong shape or absurd numbers;
    │                       an answer over the size limit; a redirect (3xx, never
    │                       followed); other 4xx
    ├── RunFailed           the model raised during a run (422, or an `error` in the body)
    ├── Transient           worth trying again later: the same request may well succeed
    │   ├── RateLimited     429 rate limit (`.retry_after` seconds, when the server said)
    │   ├── ServerError     5xx, including HTML or empty bodies
    │   ├── RequestTimeout  no answer in time, or not all of it within the deadline
    │   ├── Unreachable     could not connect (DNS, refused, TLS, dropped connection)
    │   └── StreamCut       (also a StreamError, below)
    └── StreamError         a streamed run ended badly; `.partial` keeps the text so far
        ├── StreamFailed    the server sent an `Error: …` / `INTERNAL_BYTEZ_ERROR` fragment
        └── StreamCut       the connection dropped mid-stream

`Transient` is the one definition of "worth retrying": the CLI's `--retries` and exit
code 3, and the dashboard's connection state, all test for it.
"""

from __future__ import annotations

__all__ = [
    "AlreadyLoaded",
    "AuthError",
    "BadResponse",
    "BytezError",
    "LoadInProgress",
    "NotFound",
    "OutOfCredits",
    "RateLimited",
    "RequestTimeout",
    "RunFailed",
    "ServerError",
    "StreamCut",
    "StreamError",
    "StreamFailed",
    "Transient",
    "Unreachable",
    "Unsupported",
]


class BytezError(Exception):
    """Base class of every error the client raises.

    Args:
        message: One line the user can read.
        endpoint: The endpoint it came from, such as `"load"`, or `""`.
        status: The HTTP status, when there was a response.
    """

    def __init__(self, message: str, *, endpoint: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = " ".join(message.split()) or type(self).__name__
        """The user-facing text, on one line."""
        self.endpoint = endpoint
        """The endpoint the error came from."""
        self.status = status
        """The HTTP status code, or None without a response."""

    def __str__(self) -> str:
        return self.message


class AuthError(BytezError):
    """The server refused the API key (401 or 403)."""


class Transient(BytezError):
    """A failure that may pass on its own: the same request may succeed later."""


class RateLimited(Transient):
    """Too many requests (429).

    Args:
        retry_after: Seconds the server asked us to wait, if it said.
    """

    def __init__(
        self,
        message: str,
        *,
        endpoint: str = "",
        status: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, endpoint=endpoint, status=status)
        self.retry_after = retry_after
        """Seconds to wait before trying again, or None."""


class OutOfCredits(BytezError):
    """The account has no credits left."""


class AlreadyLoaded(BytezError):
    """A load was asked for a model that is already running (409)."""


class LoadInProgress(BytezError):
    """A load was asked while another load of the model is under way."""


class NotFound(BytezError):
    """Unknown model, or the model has no instance (404)."""


class Unsupported(BytezError):
    """The API the server speaks has no such operation.

    v2's cluster routes (load, status, instances, delete) were deprecated in 2025-09;
    where they answer 404 or 405, the platform manages capacity itself.
    """


class ServerError(Transient):
    """The server failed (5xx)."""


class RequestTimeout(Transient):
    """The server did not answer in time."""


class Unreachable(Transient):
    """The server could not be reached, or the connection failed before an answer."""


class BadResponse(BytezError):
    """The answer could not be understood, or the request was refused as bad."""


class RunFailed(BytezError):
    """The model failed while running the input (422, or a non-null `error`)."""


class StreamError(BytezError):
    """A streamed run ended badly after it started.

    Args:
        partial: The text received before the failure.
    """

    def __init__(self, message: str, *, endpoint: str = "run", partial: str = "") -> None:
        super().__init__(message, endpoint=endpoint, status=200)
        self.partial = partial
        """Everything received before the failure."""


class StreamFailed(StreamError):
    """The server sent an error fragment (`Error: …` or `INTERNAL_BYTEZ_ERROR`)."""


class StreamCut(StreamError, Transient):
    """The connection dropped in the middle of a stream."""
