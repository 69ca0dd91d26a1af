"""The store: migrations, WAL, and files it must refuse to touch."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from workstation.domain.accounts import ShopAccount
from workstation.domain.platforms import Platform
from workstation.store import LATEST_VERSION, StoreCorrupt, StoreLocked, StoreNotWritable, StoreTooNew, open_store
from workstation.store import accounts as queries
from workstation.store.db import MIGRATIONS, current_version
from workstation.store.worker import StoreWorker


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_has_every_migration_and_uses_wal(tmp_path):
    db = open_store(tmp_path / "w.sqlite3")
    assert current_version(db) == LATEST_VERSION
    versions = [row[0] for row in db.execute("SELECT version FROM schema_version ORDER BY version")]
    assert versions == list(range(1, LATEST_VERSION + 1))
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"accounts", "settings", "messages", "conversations", "outbox"} <= set(db.table_names())


def test_reopening_keeps_data_and_applies_nothing_twice(tmp_path):
    path = tmp_path / "w.sqlite3"
    db = open_store(path)
    queries.save_account(db, ShopAccount(Platform.JD, "s1", "店", "a"))
    db.conn.close()
    db = open_store(path)
    assert [a.shop_id for a in queries.list_accounts(db)] == ["s1"]
    assert db.execute("SELECT count(*) FROM schema_version").fetchone()[0] == LATEST_VERSION


def test_old_schema_is_migrated_with_a_backup_and_keeps_its_rows(tmp_path):
    path = tmp_path / "w.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)")
    import sqlite_utils

    MIGRATIONS[0].apply(sqlite_utils.Database(conn))
    conn.execute("INSERT INTO schema_version VALUES (1, 0)")
    conn.execute(
        "INSERT INTO accounts (platform, shop_id, display_name, colour, login, enabled, created_at)"
        " VALUES ('pdd', 'p1', '老店', '#112233', 'me', 1, 0)"
    )
    conn.commit()
    conn.close()
    db = open_store(path)
    assert current_version(db) == LATEST_VERSION
    assert [a.display_name for a in queries.list_accounts(db)] == ["老店"]
    backup = tmp_path / "w.sqlite3.v1.bak"
    assert backup.exists()
    assert sqlite3.connect(backup).execute("SELECT display_name FROM accounts").fetchone()[0] == "老店"


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "w.sqlite3"
    path.write_bytes(b"this is a spreadsheet, not a database" * 100)
    before = digest(path)
    with pytest.raises(StoreCorrupt) as caught:
        open_store(path)
    assert "已损坏" in str(caught.value) and "没有被改动" in str(caught.value)
    assert digest(path) == before


def test_a_damaged_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "w.sqlite3"
    db = open_store(path)
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # keep the header, wreck the schema page
    path.write_bytes(bytes(data))
    before = digest(path)
    with pytest.raises(StoreCorrupt):
        open_store(path)
    assert digest(path) == before


def test_a_database_from_a_newer_version_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "w.sqlite3"
    db = open_store(path)
    db.execute("INSERT INTO schema_version VALUES (?, 0)", [LATEST_VERSION + 5])
    db.conn.close()
    before = digest(path)
    with pytest.raises(StoreTooNew) as caught:
        open_store(path)
    assert "更新版本" in str(caught.value)
    assert digest(path) == before


def test_a_data_dir_that_cannot_be_created_gets_a_clear_message(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(StoreNotWritable) as caught:
        open_store(blocker / "w.sqlite3")
    assert "--data-dir" in str(caught.value)


def test_a_write_while_another_program_holds_the_lock_says_so(tmp_path):
    path = tmp_path / "w.sqlite3"
    open_store(path).conn.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    worker = StoreWorker(path)
    try:
        worker.call_blocking(lambda db: db.execute("PRAGMA busy_timeout = 50"))
        with pytest.raises(StoreLocked) as caught:
            worker.call_blocking(queries.set_setting, "k", 1)
        assert "另一个程序占用" in str(caught.value)
    finally:
        other.execute("ROLLBACK")
        other.close()
        worker.close()
    # Nothing was lost: once the other program lets go, the write goes through.
    worker = StoreWorker(path)
    worker.call_blocking(queries.set_setting, "k", 2)
    assert worker.call_blocking(queries.get_setting, "k") == 2
    worker.close()


def test_settings_round_trip_json_values(tmp_path):
    db = open_store(tmp_path / "w.sqlite3")
    queries.set_setting(db, "thresholds", {"amber": 0.5, "red": 1.0})
    queries.set_setting(db, "thresholds", {"amber": 0.6, "red": 1.0})
    assert queries.get_setting(db, "thresholds") == {"amber": 0.6, "red": 1.0}
    assert queries.get_setting(db, "missing", "默认") == "默认"
