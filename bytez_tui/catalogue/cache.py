"""The catalogue cache in platformdirs' user cache dir (the CLI reads it too).

One file per API (named from `Settings.store_key`: its base URL, or `demo`). The format
is built to load 100,000 models in about 15 ms without a Python object per model: a JSON
header line carrying the fetch time and the RAM and benchmark columns, then the model ids,
one per line, sorted by id (the table's default order, so a fresh start sorts nothing).

```
{"version": 1, "fetched_at": "2024-07-01T09:00:00+00:00", "store": "…", "count": 2,
 "ram": [0.5, null], "bench": "10"}
openai-community/gpt2
microsoft/phi-1.onnx.8-bit
```

A v2 catalogue adds its task, size and price columns to the header, each only when the API
gave it, as `{"values": [...], "width": 2, "codes": "<base64>"}`: the distinct values, and
one code per model (0: none, n: `values[n - 1]`) as little-endian integers of `width` bytes.
A JSON list of 100,000 numbers takes ~13 ms to read; these take ~1 ms. Older versions of
the app ignore the extra keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import sys
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast

from bytez_tui.catalogue.index import CatalogueIndex, Coded
from bytez_tui.config import DEFAULT_BASE_URL, cache_dir
from bytez_tui.json_fields import parse_time
from bytez_tui.local.files import write_private
from bytez_tui.models import ModelInfo
from bytez_tui.text import read_json

__all__ = [
    "CACHE_VERSION",
    "CachedCatalogue",
    "cache_path",
    "catalogue_key",
    "fetched_index",
    "load_cached",
    "release_freed_memory",
    "save_cache",
]

CACHE_VERSION = 1
"""Bumped when the file format changes; other versions are ignored."""

_RAM_TYPES = {float, int, type(None)}

MAX_CLOCK_SKEW = timedelta(minutes=5)
"""A fetch time further than this in the future means the file is damaged (or the clock
was wrong when it was written): either way it can't be trusted to say how old it is."""


@dataclass(frozen=True)
class CachedCatalogue:
    """A catalogue read back from the cache."""

    index: CatalogueIndex
    """The models, as columns."""
    fetched_at: datetime
    """When the catalogue was fetched from the API."""
    path: Path
    """The file it came from."""


def catalogue_key(store_key: str, dialect: str | None) -> str:
    """The key of one API's catalogue cache in one dialect.

    v1 keeps the API's own key (its files from before v2 stay valid); v2, whose catalogue
    lists other models and carries tasks and prices, gets a file of its own, so a server
    (or the demo) spoken to in both dialects never shows one's catalogue as the other's.

    Args:
        store_key: `Settings.store_key`.
        dialect: `v1`, `v2`, or None/`auto` while unknown (v1's file, as before v2).
    """
    return f"{store_key} v2" if dialect == "v2" else store_key


def cache_path(store_key: str = DEFAULT_BASE_URL) -> Path:
    """Where the catalogue of one API is cached (`store_key`: `Settings.store_key`)."""
    key = store_key.strip().rstrip("/")
    digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:12]
    return cache_dir() / f"catalogue-{digest}.txt"


def load_cached(
    store_key: str = DEFAULT_BASE_URL, *, path: Path | None = None, now: datetime | None = None
) -> CachedCatalogue | None:
    """Read the cached catalogue of one API.

    Args:
        store_key: The API it came from, as `Settings.store_key` names it.
        path: Read this file instead.
        now: The time, to spot a fetch time in the future (default: the system clock).

    Returns:
        The catalogue, or None when there is no usable cache (missing, another
        version, or damaged: a value of the wrong type, counts that disagree, a fetch
        time in the future; a damaged cache is never an error, only a miss).
    """
    path = path or cache_path(store_key)
    try:
        text = path.read_text(encoding="utf-8", errors="surrogatepass")
        header, _, body = text.partition("\n")
        meta = read_json(header, parse_constant=_no_constants)
        if not isinstance(meta, dict) or meta.get("version") != CACHE_VERSION:
            return None
        written = meta.get("fetched_at")
        fetched_at = parse_time(written) if isinstance(written, str) else None
        ram, bench, count = meta.get("ram"), meta.get("bench"), meta.get("count")
        names = body.split("\n") if body else []
        if (
            fetched_at is None
            or fetched_at > (now or datetime.now(timezone.utc)) + MAX_CLOCK_SKEW
            or not isinstance(ram, list)
            or not isinstance(bench, str)
            or not len(names) == len(ram) == len(bench) == count
            or not _plausible(names, ram, bench)
        ):
            return None
    except (OSError, ValueError):
        return None
    index = CatalogueIndex(names, ram, [flag == "1" for flag in bench])
    try:
        _read_columns(index, meta)
    except (ValueError, TypeError):
        return None
    if meta.get("order") == "id":
        index.assume_sorted("id")
    return CachedCatalogue(index=index, fetched_at=fetched_at, path=path)


def _plausible(names: list[str], ram: list[object], bench: str) -> bool:
    """Every value of the type the index expects: a number of GB (not negative) or null,
    a 0/1 flag, a non-empty id. Done with C-speed passes: ~2 ms for 100,000 models."""
    if not set(map(type, ram)) <= _RAM_TYPES or bench.strip("01") or not all(names):
        return False
    # filter(None, …) drops the nulls (and the zeros, which are fine).
    return bool(min(filter(None, cast("list[float]", ram)), default=0) >= 0)


def _read_columns(index: CatalogueIndex, meta: dict[str, Any]) -> None:
    """Fill in the v2 columns the header carries, checking each as `_plausible` does.

    Raises:
        ValueError: A column is damaged (wrong length, a code without a value, a task that
            is not a name, a size or price that is not a finite number ≥ 0).
    """
    count = len(index)
    for key, kind in (("task", str), ("params", float), ("price", float)):
        column = meta.get(key)
        if column is None:
            continue
        if not isinstance(column, dict):
            raise ValueError(key)
        values, codes, width = column.get("values"), column.get("codes"), column.get("width")
        if not isinstance(values, list) or not isinstance(codes, str) or width not in (2, 4):
            raise ValueError(key)
        if kind is str and not all(isinstance(value, str) and value for value in values):
            raise ValueError(key)
        if kind is float and not all(
            type(value) in (int, float) and 0 <= value < math.inf for value in values
        ):
            raise ValueError(key)
        array_ = array("H" if width == 2 else "I")
        array_.frombytes(base64.b64decode(codes, validate=True))
        if sys.byteorder == "big":
            array_.byteswap()
        if len(array_) != count or (count and max(array_) > len(values)):
            raise ValueError(key)
        coded = Coded(tuple(float(v) if kind is float else v for v in values), array_)
        setattr(index, {"task": "tasks"}.get(key, key), coded)


def _encoded(column: Coded[Any]) -> dict[str, Any]:
    codes = column.codes
    if sys.byteorder == "big":
        codes = array(codes.typecode, codes)
        codes.byteswap()
    return {
        "values": list(column.values),
        "width": codes.itemsize,
        "codes": base64.b64encode(codes.tobytes()).decode("ascii"),
    }


def fetched_index(models: list[ModelInfo]) -> CatalogueIndex:
    """The index of a catalogue just fetched, in the table's (and the cache's) order: by id.

    ~40 ms at 100,000 models: the dashboard builds it in a thread.
    """
    return CatalogueIndex.from_models(models).sorted_by("id")


def release_freed_memory() -> None:
    """Ask the C allocator to return freed heap pages to the system (glibc's `malloc_trim`;
    a no-op elsewhere). The dashboard calls it after a fetched catalogue is indexed and
    again after it is cached: ~19 MB at 100,000 models."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} in the cache")  # NaN and Infinity: json reads them, we don't


def save_cache(
    models: Iterable[ModelInfo] | CatalogueIndex,
    *,
    fetched_at: datetime,
    store_key: str = DEFAULT_BASE_URL,
    path: Path | None = None,
) -> Path:
    """Write the catalogue atomically (owner-only, like every file the app writes) and
    return the file's path.

    Args:
        models: The catalogue, as dataclasses or as an index.
        fetched_at: When it was fetched (shown as "updated 3 h ago").
        store_key: The API it came from, as `Settings.store_key` names it.
        path: Write this file instead.

    Raises:
        OSError: The cache dir is not writable.
    """
    index = models if isinstance(models, CatalogueIndex) else CatalogueIndex.from_models(models)
    index = index.sorted_by("id")  # so that reading it back needs no sort
    path = path or cache_path(store_key)
    meta: dict[str, Any] = {
        "version": CACHE_VERSION,
        "fetched_at": fetched_at.isoformat(),
        "store": store_key,
        "count": len(index),
        "order": "id",
        "ram": list(index.ram),
        "bench": "".join("1" if flag else "0" for flag in index.bench),
    }
    for key, column in (("task", index.tasks), ("params", index.params), ("price", index.price)):
        if column is not None:
            meta[key] = _encoded(column)
    header = json.dumps(meta, separators=(",", ":"))
    # A JSON "\ud800" in an id is a lone surrogate in Python: kept, not a crash.
    names = "\n".join(index.names)
    write_private(path, (header, "\n", names), durable=False, errors="surrogatepass")
    return path
