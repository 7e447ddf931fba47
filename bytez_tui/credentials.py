"""The API key's safety rules: how it is shown, whether it can be sent, and where to.

A key is never shown in full (`mask_key`), nor is a password inside a URL (`mask_url`);
it travels only in an HTTP header, so it must be printable ASCII (`key_problem`); and it
goes over plain http only to this machine unless the user allows more (`url_problem`).
The settings, the client and both front ends apply these one set of rules.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["key_problem", "mask_key", "mask_url", "url_problem"]


def mask_key(key: str | None) -> str:
    """Show a key as `…abcd`: never more than its last four characters."""
    if not key:
        return "(none)"
    return "…" + key[-4:] if len(key) > 8 else "…" + "*" * min(len(key), 4)


def mask_url(url: str) -> str:
    """Show `url` with any user name and password in it as `…`, as a key is masked.

    `http://user:pw@host/` becomes `http://…@host/`; text that is not a URL, or holds
    no credentials, comes back as it was.
    """
    return _USERINFO.sub("//…@", url)


_USERINFO = re.compile(r"//[^/?#\s@]*@")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def key_problem(key: str) -> str | None:
    """Why `key` (already trimmed) cannot be an API key, or None when it may be one.

    A key travels in an HTTP header: non-ASCII or control characters cannot.
    """
    if key.isascii() and key.isprintable():
        return None
    return "The API key is invalid: a key holds only printable ASCII characters"


def url_problem(base_url: str, *, allow_insecure_http: bool = False) -> str | None:
    """Why the key must not be sent to `base_url`, or None when it may.

    Plain http is allowed only to a loopback host, unless `allow_insecure_http`.
    """
    try:
        url = urlsplit(base_url.strip())
        url.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError as exc:
        # `https://[::1`, `:abc`, `:99999`: say why without repeating the URL, which
        # may carry a password.
        return f"Not a valid URL: {exc}"
    if url.scheme not in ("http", "https") or not url.hostname:
        return f"Not an http(s) URL: {mask_url(base_url)!r}"
    if url.scheme == "http" and url.hostname not in _LOOPBACK and not allow_insecure_http:
        return (
            f"Refusing to send the API key over plain http to {url.hostname}: use https, "
            "or --allow-insecure-http"
        )
    return None
