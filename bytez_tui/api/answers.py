"""What an answer means: an HTTP status, the server's words, a transport failure.

Pure functions from an `httpx` answer (or failure) to the `BytezError` the caller sees,
and the `Retry-After` / `ratelimit-reset` readings that tell a `RateLimited` when to retry.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from bytez_tui.errors import (
    AlreadyLoaded,
    AuthError,
    BadResponse,
    BytezError,
    LoadInProgress,
    NotFound,
    OutOfCredits,
    RateLimited,
    RequestTimeout,
    RunFailed,
    ServerError,
    Unreachable,
)
from bytez_tui.text import read_json

__all__ = [
    "MAX_RETRY_AFTER",
    "json_of",
    "overdue_error",
    "status_error",
    "too_big_error",
    "transport_error",
]

MAX_RETRY_AFTER = 300.0
"""Seconds of `Retry-After` taken at the server's word; longer (or infinite) is clamped."""


def transport_error(exc: httpx.HTTPError, endpoint: str, host: str) -> BytezError:
    """The error for a request that got no answer from `host`."""
    if isinstance(exc, httpx.TimeoutException):
        if isinstance(exc, httpx.ConnectTimeout):
            return Unreachable(f"Timed out connecting to {host}", endpoint=endpoint)
        return RequestTimeout(f"{host} did not answer {endpoint} in time", endpoint=endpoint)
    if isinstance(exc, httpx.ConnectError):
        return Unreachable(f"Cannot reach {host}", endpoint=endpoint)
    return Unreachable(f"Connection to {host} failed ({type(exc).__name__})", endpoint=endpoint)


def json_of(
    content: bytes,
    response: httpx.Response,
    endpoint: str,
    object_hook: Callable[[dict[str, Any]], Any] | None = None,
) -> Any:
    """The JSON of an answer's body, each object read by `object_hook` if one is given.

    Raises:
        BadResponse: The body is not JSON.
    """
    try:
        return read_json(content, object_hook=object_hook)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadResponse(
            f"The server sent unreadable JSON for {endpoint}",
            endpoint=endpoint,
            status=response.status_code,
        ) from exc


def too_big_error(response: httpx.Response, endpoint: str, max_body: int) -> BadResponse:
    """The error for an answer larger than `max_body` bytes."""
    limit = f"{max_body / 2**20:g} MB"
    return BadResponse(
        f"{response.url.path} sent more than {limit}; stopped reading "
        "(max_response_mb in config.toml raises the limit)",
        endpoint=endpoint,
        status=response.status_code,
    )


def overdue_error(endpoint: str, limit: float, host: str, *, where: str | None) -> BytezError:
    """The error for a request to `host` that outlived its total deadline of `limit` s."""
    where = where or f"/model/{endpoint}"
    return RequestTimeout(
        f"{host} did not finish answering {where} within {limit:g} s", endpoint=endpoint
    )


def status_error(
    response: httpx.Response,
    content: bytes,
    endpoint: str,
    *,
    where: str,
    scrub: Callable[[str], str],
    server_now: datetime,
) -> BytezError:
    """Map an error answer to a `BytezError`.

    Args:
        response: The answer (status 300 or more).
        content: Its body.
        endpoint: The endpoint's name, for the error.
        where: The path shown in the message.
        scrub: Removes secrets from anything the server echoed.
        server_now: The server's time now, for a `Retry-After` date.
    """
    status = response.status_code
    said = scrub(_server_words(response, content))
    lowered = said.lower()
    if 300 <= status < 400:
        # Never followed: a login page or another host is not the API, and the key
        # must not travel on to wherever it points.
        target = " ".join(response.headers.get("location", "").split())[:200]
        return BadResponse(
            f"{where} redirected ({status}) to {scrub(target) or 'an unnamed place'}; "
            "not followed: check the base URL",
            endpoint=endpoint,
            status=status,
        )
    if status in (401, 403):
        return AuthError(
            f"The API key was refused ({status} {said or 'Unauthorized'})",
            endpoint=endpoint,
            status=status,
        )
    if status == 402 or "credit" in lowered:
        return OutOfCredits(said or "Out of credits", endpoint=endpoint, status=status)
    if status == 409 or "already loaded" in lowered:
        if endpoint == "load" or "already loaded" in lowered:
            return AlreadyLoaded(said or "Already loaded", endpoint=endpoint, status=status)
    if status == 429:
        if "in progress" in lowered:
            return LoadInProgress(said, endpoint=endpoint, status=status)
        retry_after = _retry_after(response.headers.get("retry-after"), server_now)
        if retry_after is None:
            retry_after = _reset_seconds(response.headers.get("ratelimit-reset"), server_now)
        hint = f"; retry in {retry_after:.0f} s" if retry_after is not None else ""
        return RateLimited(
            f"Rate limited on {where}{hint}: {said or 'Too Many Requests'}",
            endpoint=endpoint,
            retry_after=retry_after,
        )
    if status == 404:
        return NotFound(said or f"Not found: {where}", endpoint=endpoint, status=status)
    if status == 422 or (endpoint == "run" and 400 <= status < 500 and "stack_trace" in said):
        return RunFailed(said or "The model failed on this input", endpoint=endpoint, status=status)
    if status >= 500:
        return ServerError(
            f"Server error {status} on {where}" + (f": {said}" if said else ""),
            endpoint=endpoint,
            status=status,
        )
    return BadResponse(
        f"{where} answered {status}" + (f": {said}" if said else ""),
        endpoint=endpoint,
        status=status,
    )


def _server_words(response: httpx.Response, content: bytes) -> str:
    """The server's own message: `error` of a JSON body, else short plain text."""
    try:
        text = content.decode(response.charset_encoding or "utf-8", errors="replace").strip()
    except LookupError:
        text = content.decode("utf-8", errors="replace").strip()
    try:
        data = read_json(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        data = {**data, "error": data["error"].get("message")}  # OpenAI's {error: {message}}
    if isinstance(data, dict):
        words = [
            " ".join(value.split())
            for key in ("error", "message", "detail")
            if isinstance(value := data.get(key), str) and value.strip()
        ]
        if words:
            # v2's 402 says `"error": "Payment Required"` and the why in `message`.
            return ": ".join(words[:2])[:300]
    if not text or "<" in text[:100] and ">" in text:
        return response.reason_phrase or ""
    return " ".join(text.split())[:300]


def _reset_seconds(value: str | None, server_now: datetime) -> float | None:
    """Read v2's `ratelimit-reset`: seconds to wait, or (when huge) an epoch instant.

    Its unit is undocumented; a number past 1e9 can only be a Unix time. Clamped to
    0…`MAX_RETRY_AFTER` like `Retry-After`.
    """
    try:
        number = float((value or "").strip())
    except ValueError:
        return None
    if not math.isfinite(number) or number < 0:
        return None
    if number > 1e9:
        number = number - server_now.timestamp()
    return min(max(0.0, number), MAX_RETRY_AFTER)


def _retry_after(value: str | None, server_now: datetime) -> float | None:
    """Seconds a `Retry-After` header asks for, clamped to 0…`MAX_RETRY_AFTER`.

    Args:
        value: The header: seconds, or an HTTP date.
        server_now: The server's time now, for a date.

    Returns:
        The seconds, or None when there is no header or it cannot be read (`nan`).
    """
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = (when - server_now).total_seconds()
    if math.isnan(seconds):
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)
