"""The local database: tracked jobs and the run history, in one SQLite file.

Why SQLite (the standard library's `sqlite3`) rather than a JSON file per store: the dashboard
and the CLI, or two dashboards on the same API, may write at the same time. With JSON files the
last writer won (each rewrote the whole file from what it had read), and an append after a
partial line fused two history records into one unreadable line. SQLite gives each write a
transaction; WAL mode lets readers go on while one process writes, and the busy timeout makes
a second writer wait its turn instead of failing.

The file lives in the user data dir, readable by the owner only (prompts and outputs may be
private). A file that is not a database it can read is never overwritten: it is renamed to
`<name>.damaged-<time>`, a fresh one is started, and `notices` says so. The JSON files of
earlier versions are moved in by `JobStore` and `History`, each deleted only once its records
are committed here; one that cannot be read is set aside the same way.

| table      | holds                                                     |
|------------|-----------------------------------------------------------|
| `jobs`     | one row per (store, model): the `TrackedJob` as JSON      |
| `runs`     | one row per run, in order: the store and the `RunRecord`  |
| `migrated` | the legacy files already moved in (so none is read twice) |
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from bytez_tui.config import DEFAULT_BASE_URL, data_dir
from bytez_tui.local.files import set_aside

__all__ = [
    "DATABASE_FILE",
    "BUSY_TIMEOUT",
    "LocalDataError",
    "LocalDatabase",
    "LocalStore",
    "database_path",
]

DATABASE_FILE = "local.sqlite3"
"""The database's file name inside the user data dir."""

BUSY_TIMEOUT = 10.0
"""Seconds a writer waits for another process's write to finish (each takes milliseconds)."""

SCHEMA_VERSION = 1
"""Kept in `PRAGMA user_version`."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    store TEXT NOT NULL,
    model TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (store, model)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    store TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_store ON runs (store, id);
CREATE TABLE IF NOT EXISTS migrated (
    source TEXT PRIMARY KEY,
    at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
"""


class LocalDataError(OSError):
    """The local database could not be read or written (the message says why).

    An `OSError`, so callers that already handle a failed file write handle this too.
    """


def database_path() -> Path:
    """Where the local database lives."""
    return data_dir() / DATABASE_FILE


class LocalDatabase:
    """One connection to the local database, opened on first use.

    Args:
        path: The file (default: `database_path()`).
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or database_path()
        """The SQLite file."""
        self.notices: list[str] = []
        """What the user should be told about their local data (a file set aside, say)."""
        self._connection: sqlite3.Connection | None = None

    def take_notices(self) -> list[str]:
        """The notices not yet shown, which are then forgotten."""
        notices, self.notices = self.notices, []
        return notices

    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection (opening, or starting afresh from a damaged file, if need be).

        Raises:
            LocalDataError: The database cannot be opened at all.
        """
        if self._connection is None:
            self._connection = self._open()
        return self._connection

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken at once (`BEGIN IMMEDIATE`) so that two writers queue
        on the busy timeout instead of failing half-way; committed on success.

        Raises:
            LocalDataError: The transaction failed; nothing of it was kept.
        """
        connection = self.connection
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise LocalDataError(f"{self.path}: {exc}") from exc
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        try:
            connection.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise LocalDataError(f"{self.path}: {exc}") from exc

    def query(self, sql: str, parameters: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """The rows of a read.

        Raises:
            LocalDataError: The read failed.
        """
        try:
            return self.connection.execute(sql, parameters).fetchall()
        except sqlite3.Error as exc:
            raise LocalDataError(f"{self.path}: {exc}") from exc

    def was_migrated(self, source: Path) -> bool:
        """Whether the legacy file `source` has already been moved in."""
        return bool(self.query("SELECT 1 FROM migrated WHERE source = ?", (str(source),)))

    def close(self) -> None:
        """Close the connection (the next use opens it again)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except (sqlite3.DatabaseError, IsADirectoryError) as exc:
            if not (self.path.exists() or self.path.is_symlink()):
                raise LocalDataError(f"{self.path}: {exc}") from exc
            try:
                aside = set_aside(self.path)
                for suffix in ("-wal", "-shm"):
                    companion = self.path.with_name(self.path.name + suffix)
                    if companion.exists():
                        companion.rename(aside.with_name(aside.name + suffix))
            except OSError as error:
                message = f"{self.path}: {exc}; and it could not be set aside: {error}"
                raise LocalDataError(message) from error
            self.notices.append(
                f"The local database {self.path} could not be read ({exc}); it was kept as "
                f"{aside.name} and a new one was started."
            )
            try:
                return self._connect()
            except (sqlite3.Error, OSError) as again:
                raise LocalDataError(f"{self.path}: {again}") from again
        except OSError as exc:
            raise LocalDataError(f"{self.path}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        if self.path.is_dir():
            raise IsADirectoryError(f"{self.path} is a directory")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # Created owner-only before SQLite opens it; its -wal and -shm files copy the mode.
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        connection = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            connection.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL loses no committed write on a crash of the app, only
            # possibly the last ones on a power cut, and spares an fsync per write.
            connection.execute("PRAGMA synchronous = NORMAL")
            with contextlib.closing(connection.cursor()) as cursor:
                cursor.executescript(_SCHEMA)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            connection.close()
            raise
        return connection


class LocalStore:
    """One kind of local data (jobs, runs, conversations, spend…), kept per API in the
    local database: the base of every store.

    Args:
        store_key: Which API's data this is, as `Settings.store_key` names it (the
            dashboard and the CLI use the same key, so they share it).
        database: The local database (default: the one in the user data dir).
    """

    SCHEMA: ClassVar[str] = ""
    """This kind's tables, created on first use by `_schema()` (either front end may be
    the first); "" when `LocalDatabase` creates them itself."""

    def __init__(
        self, *, store_key: str = DEFAULT_BASE_URL, database: LocalDatabase | None = None
    ) -> None:
        self.store_key = store_key
        """Whose data this is."""
        self.database = database or LocalDatabase()
        """Where it is kept."""
        self._ready = not self.SCHEMA

    def take_notices(self) -> list[str]:
        """What the user should be told about their local data, once."""
        return self.database.take_notices()

    def _schema(self) -> None:
        """Create this kind's tables, once."""
        if self._ready:
            return
        with self.database.transaction() as connection:
            for statement in self.SCHEMA.split(";"):
                if statement.strip():
                    connection.execute(statement)
        self._ready = True
