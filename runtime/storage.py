"""ApplicationStorage: VoxEngine's per-application key-value store, on sqlite.

One sqlite file (WAL mode) can be shared by many sessions, in one process or several: every operation is a single
atomic statement on the session's own connection, with a busy timeout. A path the user gives persists across runs;
without one each store gets a fresh temporary file that is deleted on ``close()``.

Expiry runs on the session clock: ``now`` is a callable returning the session's current Unix time in seconds, so on
virtual time a key with ``ttl=60`` is gone one virtual minute later.
"""

from __future__ import annotations

import fnmatch
import os
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ApplicationStorage", "StorageKey", "StorageError", "KEY_LIMIT", "VALUE_LIMIT", "TTL_LIMIT", "KEYS_DEFAULT_COUNT"]

KEY_LIMIT = 200
VALUE_LIMIT = 2000
TTL_LIMIT = 7_776_000  # 90 days in seconds
KEYS_DEFAULT_COUNT = 1000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS storage (
    application TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    expire_at INTEGER NOT NULL,
    PRIMARY KEY (application, key)
);
CREATE INDEX IF NOT EXISTS storage_expiry ON storage (application, expire_at)
"""


class StorageError(ValueError):
    """A call broke ApplicationStorage's limits; the JS binding rejects the Promise with this message."""


@dataclass(frozen=True, slots=True)
class StorageKey:
    """``StorageKey``: a key, its value and its expiry as a Unix timestamp in seconds (0 = never)."""

    key: str
    value: str
    expire_at: int

    def to_js(self) -> dict[str, Any]:
        """The JS-side shape ``{key, value, expireAt}``."""
        return {"key": self.key, "value": self.value, "expireAt": self.expire_at}


def namespace_of(key: str) -> str:
    """A key's namespace: the part before the first colon, or the whole key when it has none."""
    return key.split(":", 1)[0]


class ApplicationStorage:
    """The store of one application as seen by one session.

    Args:
        path: the sqlite file; ``None`` means a fresh temporary file owned (and deleted) by this object.
        now: the session clock, Unix seconds.
        application: keeps applications apart when several share a file.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, now: Callable[[], float],
                 application: str = "default", connect: bool = True) -> None:
        self._owns_file = path is None
        self.path: Path | None = None if path is None else Path(path)
        self.application = application
        self._now = now
        self._db: sqlite3.Connection | None = None
        self._closed = False
        if connect:
            self.connect()

    def connect(self) -> None:
        """Open the file (a temporary one when no path was given), WAL mode and the schema: blocking disk work of
        5–40 ms, which is why a session on real time runs it in an executor (``connect=False``, then this in a
        thread). Operations before it has returned raise :class:`StorageError`."""
        if self._db is not None or self._closed:
            return
        if self.path is None:
            fd, name = tempfile.mkstemp(prefix="voxsim-storage-", suffix=".sqlite3")
            os.close(fd)
            self.path = Path(name)
        # check_same_thread=False: opened in an executor thread, then used by the loop's thread only.
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA busy_timeout = 10000")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # WAL stays consistent; a simulator need not fsync per put
            db.executescript(_SCHEMA)
        except BaseException:
            db.close()
            raise
        self._db = db

    @property
    def is_open(self) -> bool:
        """``connect()`` has returned and ``close()`` has not been called."""
        return self._db is not None

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise StorageError("ApplicationStorage is closed (the session has ended)" if self._closed
                               else "ApplicationStorage is not open yet")
        return self._db

    def _clock(self) -> int:
        return int(self._now())

    @staticmethod
    def _check_key(key: object) -> str:
        if not isinstance(key, str) or key == "":
            raise StorageError("ApplicationStorage: the key must be a non-empty string")
        if len(key) > KEY_LIMIT:
            raise StorageError(f"ApplicationStorage: the key is longer than {KEY_LIMIT} characters ({len(key)})")
        return key

    def get(self, key: str) -> StorageKey | None:
        """The live entry for ``key``, or ``None`` when it is missing or expired."""
        key = self._check_key(key)
        row = self._conn.execute(
            "SELECT key, value, expire_at FROM storage WHERE application = ? AND key = ? AND (expire_at = 0 OR expire_at > ?)",
            (self.application, key, self._clock()),
        ).fetchone()
        return StorageKey(*row) if row else None

    def put(self, key: str, value: str, ttl: float | None = None) -> StorageKey:
        """Create or replace ``key``; ``ttl`` seconds (0..90 days, 0 or missing = no expiry) sets ``expireAt``."""
        key = self._check_key(key)
        if not isinstance(value, str):
            raise StorageError("ApplicationStorage: the value must be a string")
        if len(value) > VALUE_LIMIT:
            raise StorageError(f"ApplicationStorage: the value is longer than {VALUE_LIMIT} characters ({len(value)})")
        seconds = 0.0 if ttl is None else ttl
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds != seconds or not 0 <= seconds <= TTL_LIMIT:
            raise StorageError(f"ApplicationStorage: ttl must be a number of seconds in 0..{TTL_LIMIT}")
        now = self._clock()
        expire_at = now + int(seconds) if seconds > 0 else 0
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")  # one commit for the purge and the write
        try:
            conn.execute("DELETE FROM storage WHERE application = ? AND expire_at BETWEEN 1 AND ?", (self.application, now))
            conn.execute(
                "INSERT INTO storage (application, key, value, expire_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (application, key) DO UPDATE SET value = excluded.value, expire_at = excluded.expire_at",
                (self.application, key, value, expire_at),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return StorageKey(key, value, expire_at)

    def remove(self, key: str) -> StorageKey:
        """Delete ``key``; returns it with its last value ("" when it did not exist) and ``expireAt`` 0."""
        key = self._check_key(key)
        row = self._conn.execute(
            "DELETE FROM storage WHERE application = ? AND key = ? AND (expire_at = 0 OR expire_at > ?) RETURNING value",
            (self.application, key, self._clock()),
        ).fetchone()
        return StorageKey(key, row[0] if row else "", 0)

    def keys(self, pattern: str | None = None, count: float | None = None) -> list[str]:
        """Live keys in key order, at most ``count`` (default 1000).

        ``pattern`` is a namespace (``"test"`` matches ``test:1234`` and ``test``) or, when it holds ``*``, ``?`` or
        ``[``, a glob over the whole key.
        """
        limit = KEYS_DEFAULT_COUNT if count is None else count
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit != limit or limit < 1:
            raise StorageError("ApplicationStorage: count must be a positive number")
        rows = self._conn.execute(
            "SELECT key FROM storage WHERE application = ? AND (expire_at = 0 OR expire_at > ?) ORDER BY key",
            (self.application, self._clock()),
        ).fetchall()
        found = [row[0] for row in rows]
        if pattern:
            if any(ch in pattern for ch in "*?["):
                found = [k for k in found if fnmatch.fnmatchcase(k, pattern)]
            else:
                found = [k for k in found if namespace_of(k) == pattern]
        return found[: int(min(limit, 2**31))]

    def close(self) -> None:
        """Close the connection; a temporary file (no path given) is deleted."""
        if self._closed:
            return
        self._closed = True
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._owns_file and self.path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def __enter__(self) -> ApplicationStorage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
