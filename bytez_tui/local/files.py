"""Files the app writes: one atomic, owner-only write; damaged files set aside; stale temps cleaned.

Every file the app writes may hold the API key, a prompt or an output, so each is created
readable by the owner only (0600). A write goes to a temporary file beside the target and
is renamed over it, so a reader sees the old file or the new one, never half of either. A
symlinked target is written through: the link stays and the file it points at is replaced.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

__all__ = [
    "STALE_AFTER",
    "TEMP_SUFFIX",
    "clean_stale_temps",
    "set_aside",
    "write_new_private",
    "write_private",
]

TEMP_SUFFIX = ".tmp"
"""How a temporary file ends (its name is `.<target>.<random>.tmp`)."""

STALE_AFTER = 15 * 60.0
"""A temporary file this many seconds old belongs to a write that was killed: no live
write takes that long (the largest, a 200k-model catalogue, takes well under a second)."""

_TEMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{8}(\.tmp)?$")
"""`.<target>.<8 random characters>[.tmp]`: what `write_private` (and the versions before
it, without the suffix) leave behind when killed mid-write."""


def write_private(
    path: Path, content: str | Iterable[str], *, durable: bool = True, errors: str = "strict"
) -> Path:
    """Replace `path` atomically with `content`, readable by the owner only (0600).

    Args:
        path: The file; when it is a symlink, the file it points at is replaced.
        content: The text, or pieces of it written one after another (a large file need
            not be joined in memory first).
        durable: Flush to the disk before the rename (skip for a cache that can be
            fetched again).
        errors: What to do with text UTF-8 cannot encode (`surrogatepass` keeps a lone
            surrogate a server sent, for a reader that decodes the same way).

    Returns:
        The file actually written (the symlink's target, when `path` is one).

    Raises:
        OSError: The file or its folder cannot be written.
    """
    target = path.resolve() if path.is_symlink() else path
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX
    )
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8", errors=errors) as handle:
            if isinstance(content, str):
                handle.write(content)
            else:
                handle.writelines(content)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def write_new_private(folder: Path, stem: str, text: str, *, suffix: str = ".txt") -> Path:
    """Write `text` to a new file `<stem>.txt` in `folder` (`<stem>-2.txt` … when taken),
    readable by the owner only (0600) from the moment it exists, and return its path.
    `suffix` replaces `.txt` (a Markdown export is `.md`).

    For saved outputs and rescued drafts: they hold prompts and answers, and are never
    replaced, so they are created exclusively rather than renamed into place.

    Raises:
        OSError: The folder cannot be written.
    """
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for counter in range(1, 1000):
        path = folder / (f"{stem}{suffix}" if counter == 1 else f"{stem}-{counter}{suffix}")
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(descriptor, "w", encoding="utf-8", errors="surrogatepass") as handle:
            handle.write(text)
        return path
    raise FileExistsError(f"{folder}: too many files named {stem}")


def set_aside(path: Path, *, now: datetime | None = None) -> Path:
    """Rename a file the app cannot read to `<name>.damaged-<time>`, so that nothing
    overwrites it, and return the new path.

    Raises:
        OSError: It could not be renamed.
    """
    now = now or datetime.now(timezone.utc)
    aside = path.with_name(f"{path.name}.damaged-{now:%Y%m%dT%H%M%SZ}")
    counter = 1
    while aside.exists():
        counter += 1
        aside = path.with_name(f"{path.name}.damaged-{now:%Y%m%dT%H%M%SZ}-{counter}")
    path.rename(aside)
    return aside


def clean_stale_temps(*folders: Path, older_than: float = STALE_AFTER) -> list[Path]:
    """Delete the temporary files that writes killed mid-way (kill -9, power cut) left in
    the app's own folders, and return them.

    A temporary file younger than `older_than` seconds is left alone: another process may
    be writing it right now. Nothing else in the folders is touched.
    """
    cutoff = time.time() - older_than
    removed = []
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not _TEMP_NAME.match(entry.name):
                continue
            try:
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
            except OSError:
                continue
    return removed
