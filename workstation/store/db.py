"""Opens the SQLite file, checks it is ours and sound, and brings its schema up to date.

The schema lives in numbered migrations (`migrations/mNNNN_*.py`); `schema_version`
records each one applied. A file that is not a database, is damaged, or was written
by a newer Workstation is never modified: the caller gets a StoreError with a Chinese
message saying what to do.
"""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import sqlite3
import time
from pathlib import Path
from types import ModuleType

import sqlite_utils

from workstation.store import migrations as migrations_package

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
DATABASE_NAME = "workstation.sqlite3"


class StoreError(RuntimeError):
    """The database cannot be used; str(error) is a message for the agent."""


class StoreCorrupt(StoreError):
    pass


class StoreTooNew(StoreError):
    pass


class StoreLocked(StoreError):
    pass


class StoreNotWritable(StoreError):
    pass


def _discover() -> list[ModuleType]:
    found = []
    for info in pkgutil.iter_modules(migrations_package.__path__):
        if info.name.startswith("m") and info.name[1:5].isdigit():
            found.append(importlib.import_module(f"{migrations_package.__name__}.{info.name}"))
    found.sort(key=lambda module: module.VERSION)
    versions = [module.VERSION for module in found]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


MIGRATIONS = _discover()
LATEST_VERSION = MIGRATIONS[-1].VERSION


def current_version(db: sqlite_utils.Database) -> int:
    if "schema_version" not in db.table_names():
        return 0
    row = db.execute("SELECT max(version) FROM schema_version").fetchone()
    return row[0] or 0


def _check_header(path: Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except PermissionError as exc:
        raise StoreNotWritable(f"无法读取数据库文件 {path}：没有权限。请检查文件权限。") from exc
    if header != SQLITE_HEADER:
        raise StoreCorrupt(
            f"数据库文件 {path} 已损坏或不是 Workstation 的数据库。文件没有被改动；"
            "请把它移走或从备份恢复，或用 --data-dir 指定另一个数据目录。"
        )


def _check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreNotWritable(f"无法创建数据目录 {folder}（{exc.strerror}）。请用 --data-dir 指定一个可写的目录。") from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreNotWritable(f"数据目录 {folder} 不可写。请检查权限，或用 --data-dir 指定一个可写的目录。")


def translate_error(exc: sqlite3.Error, path: Path) -> StoreError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StoreLocked(f"数据库 {path} 正被另一个程序占用。请关闭其他正在运行的 Workstation 后重试。")
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StoreNotWritable(f"无法写入数据库 {path}。请检查文件和目录权限。")
    return StoreCorrupt(
        f"数据库文件 {path} 已损坏（{exc}）。文件没有被改动；请从备份恢复，或用 --data-dir 指定另一个数据目录。"
    )


def _backup_before_migrating(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    backup_path = path.with_name(f"{path.name}.v{version}.bak")
    target = sqlite3.connect(backup_path)
    try:
        conn.backup(target)
    finally:
        target.close()
    return backup_path


def open_store(path: Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, migrated to the latest schema."""
    path = Path(path)
    _check_writable(path.parent)
    _check_header(path)
    try:
        conn = sqlite3.connect(path, timeout=5.0, isolation_level=None, check_same_thread=True)
    except sqlite3.Error as exc:
        raise translate_error(exc, path) from exc
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            log.warning("database %s did not switch to WAL (mode=%s)", path, mode)
        conn.execute("PRAGMA synchronous = NORMAL")
        db = sqlite_utils.Database(conn)
        version = current_version(db)
        if version > LATEST_VERSION:
            raise StoreTooNew(
                f"数据库 {path} 由更新版本的 Workstation 创建（结构版本 {version}，本程序支持到 {LATEST_VERSION}）。"
                "请升级 Workstation 后再打开；文件没有被改动。"
            )
        if migrate and version < LATEST_VERSION:
            if version > 0:
                backup = _backup_before_migrating(conn, path, version)
                log.info("backed up schema v%s to %s before migrating", version, backup)
            for migration in MIGRATIONS[version:]:
                _apply(db, migration)
        return db
    except StoreError:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise translate_error(exc, path) from exc


def _apply(db: sqlite_utils.Database, migration: ModuleType) -> None:
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        if migration.VERSION == 1:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)")
        migration.apply(db)
        conn.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (migration.VERSION, time.time()))
        conn.execute(f"PRAGMA user_version = {int(migration.VERSION)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    log.info("applied schema migration %s (%s)", migration.VERSION, migration.__name__.rsplit(".", 1)[-1])


class transaction:
    """`with transaction(db): ...` — one write transaction; rolled back on error."""

    def __init__(self, db: sqlite_utils.Database):
        self.conn = db.conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, exc_type, exc, tb):
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
