"""Migration 4 indexes messages that were stored before it, and its triggers follow every later write."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from workstation.history.search import HistoryQuery, search
from workstation.history.schema import has_history_index
from workstation.store import db as store_db
from workstation.store.db import DATABASE_NAME, open_store


def test_messages_stored_before_migration_4_become_searchable(data_dir):
    path = data_dir / DATABASE_NAME
    conn = sqlite3.connect(path, isolation_level=None)
    old = sqlite_utils.Database(conn)
    for migration in store_db.MIGRATIONS[:3]:
        store_db._apply(old, migration)
    for number, text in enumerate(["请问退款多久到账", "好", "发货了吗", ""]):
        conn.execute(
            "INSERT INTO messages (platform, shop_id, conversation_id, message_id, sender, sent_at, sent_at_ms, text)"
            " VALUES ('pdd', 's1', 'c1', ?, 'buyer', '2026-11-03T10:00:00+08:00', 1, ?)",
            [f"m{number}", text],
        )
    conn.close()
    db = open_store(path)
    assert has_history_index(db)
    assert [h.text for h in search(db, HistoryQuery(text="退款")).hits] == ["请问退款多久到账"]
    assert [h.text for h in search(db, HistoryQuery(text="好")).hits] == ["好"]
    assert [h.text for h in search(db, HistoryQuery(text="发货了")).hits] == ["发货了吗"]
    db.execute("INSERT INTO history_bigram(history_bigram) VALUES ('integrity-check')")
    db.execute("INSERT INTO history_trigram(history_trigram) VALUES ('integrity-check')")
    db.conn.close()


def test_a_plain_sql_insert_from_another_connection_is_indexed(data_dir):
    """Whoever writes messages — the sync engine, a script — needs to call nothing of ours."""
    db = open_store(data_dir / DATABASE_NAME)
    other = sqlite3.connect(data_dir / DATABASE_NAME, isolation_level=None)
    other.execute(
        "INSERT INTO messages (platform, shop_id, conversation_id, message_id, sender, sent_at, sent_at_ms, text)"
        " VALUES ('jd', 'j1', 'c', 'm', 'buyer', '2026-11-03T10:00:00+08:00', 1, '尺码偏大吗')"
    )
    other.close()
    assert [h.text for h in search(db, HistoryQuery(text="尺码")).hits] == ["尺码偏大吗"]
    db.conn.close()
