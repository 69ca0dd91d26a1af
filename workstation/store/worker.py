"""The single database worker: every query runs on one thread that owns the connection.

Like Anki's collection access, serialising all database work on one thread keeps
the Qt thread free and SQLite simple. The UI awaits `worker.call(fn, *args)`, where
`fn(db, *args)` is a plain function from one of the query modules.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, TypeVar

import sqlite_utils

import sqlite3

from workstation.store.db import translate_error, open_store

log = logging.getLogger(__name__)
T = TypeVar("T")


class StoreWorker:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._db: sqlite_utils.Database | None = None
        self._closed = False

    def _run(self, fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
        if self._db is None:
            self._db = open_store(self.path)
        try:
            return fn(self._db, *args, **kwargs)
        except sqlite3.IntegrityError:
            raise  # a rule of the schema, for the query module to explain
        except sqlite3.OperationalError as exc:
            log.warning("database operation failed: %s", exc)
            raise translate_error(exc, self.path) from exc

    async def open(self) -> None:
        """Open and migrate the file; raises StoreError with a message for the agent."""
        await self.call(lambda db: None)

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(self._run, fn, args, kwargs))

    def call_blocking(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """For command-line tools and shutdown paths that have no event loop."""
        return self._executor.submit(self._run, fn, args, kwargs).result()

    def close(self) -> None:
        """Close the connection and stop the thread; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True

        def _close():
            if self._db is not None:
                self._db.conn.close()
                self._db = None

        try:
            self._executor.submit(_close).result(timeout=10)
        finally:
            self._executor.shutdown(wait=True)
