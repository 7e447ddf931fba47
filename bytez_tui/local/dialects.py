"""Which API dialect each base URL speaks, as `api = "auto"` found out, kept across runs.

Finding out costs one request, and a wrong guess costs a failed first call, so the
answer is kept per API (the key `Settings.store_key`) in `dialects.json` in the data dir.
A missing or unreadable file is an empty memory: the next run simply asks again.
"""

from __future__ import annotations

import json
from pathlib import Path

from bytez_tui.config import data_dir
from bytez_tui.local.files import write_private
from bytez_tui.text import read_json

__all__ = ["DIALECTS", "dialect_for", "dialects_path", "remember_dialect", "remembered_dialect"]

DIALECTS = ("v1", "v2")
"""The answers worth remembering."""


def dialects_path() -> Path:
    """Where the remembered dialects live."""
    return data_dir() / "dialects.json"


def _read(path: Path) -> dict[str, str]:
    try:
        data = read_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and v in DIALECTS}


def remembered_dialect(store_key: str, *, path: Path | None = None) -> str | None:
    """The dialect found earlier for the API `store_key`, or None.

    Args:
        store_key: The API's local-data key (`Settings.store_key`).
        path: The file (the data dir's `dialects.json` by default).
    """
    return _read(path or dialects_path()).get(store_key.strip().rstrip("/"))


def dialect_for(api: str, store_key: str, *, path: Path | None = None) -> str:
    """What to hand `BytezClient(api=…)`: the setting, or for `auto` the remembered answer.

    Args:
        api: The `api` setting (`auto`, `v1` or `v2`).
        store_key: The API's local-data key (`Settings.store_key`).
        path: The file (the data dir's `dialects.json` by default).
    """
    if api != "auto":
        return api
    return remembered_dialect(store_key, path=path) or "auto"


def remember_dialect(store_key: str, dialect: str, *, path: Path | None = None) -> bool:
    """Keep `dialect` for the API `store_key` (only v1 or v2 are kept).

    A file that cannot be written is not an error: the next run asks the server again.

    Returns:
        Whether the answer is on disk.
    """
    if dialect not in DIALECTS:
        return False
    path = path or dialects_path()
    known = _read(path)
    key = store_key.strip().rstrip("/")
    if known.get(key) == dialect:
        return True
    known[key] = dialect
    try:
        write_private(path, json.dumps(known, indent=2, sort_keys=True) + "\n")
    except OSError:
        return False
    return True
