"""The audit table (migration 3) and the record/list/export functions."""

import csv
import io
from datetime import datetime, timedelta, timezone

import sqlite_utils

from workstation.compliance import audit, check_text
from workstation.store.migrations import m0003_compliance_audit as migration


def _db():
    db = sqlite_utils.Database(memory=True)
    migration.apply(db)
    return db


def test_migration_defines_version_3_and_the_table():
    db = _db()
    assert migration.VERSION == 3
    assert "compliance_audit" in db.table_names()


def test_record_list_and_export_masks_contact_numbers():
    db = _db()
    text = "加我微信 abc12345，电话13812345678"
    verdict = check_text(text, platform="pdd")
    when = datetime(2026, 11, 25, 8, 0, tzinfo=timezone.utc)
    row_id = audit.record_blocked(db, verdict=verdict, text=text, account_id=7, platform="pdd", shop_id="s1",
                                  conversation_id="c9", agent_id="小美", at=when)
    audit.record_blocked(db, verdict=check_text("高仿", platform="pdd"), text="高仿", account_id=8,
                         platform="pdd", shop_id="s1", conversation_id="c10", at=when + timedelta(minutes=1))
    records = audit.list_blocked(db)
    assert [r.conversation_id for r in records] == ["c10", "c9"]
    first = audit.list_blocked(db, account_id=7)[0]
    assert first.id == row_id and first.at == when and first.text == text
    assert "contact.mobile" in first.rules and "contact.wechat" in first.rules
    assert audit.list_blocked(db, since=when + timedelta(seconds=30))[0].conversation_id == "c10"

    exported = audit.export_csv(records)
    assert exported.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert rows[0][0] == "时间" and len(rows) == 3
    masked = rows[2][-1]
    assert "13812345678" not in masked and "138" in masked and "*" in masked
    assert "abc12345" not in masked
    assert rows[1][-1] == "高仿"
    assert "13812345678" in audit.export_csv(records, unmasked=True)


def test_works_with_the_store_migration_runner(tmp_path):
    from workstation.store import open_store

    db = open_store(tmp_path / "ws.db")
    assert "compliance_audit" in db.table_names()
    audit.record_blocked(db, verdict=check_text("高仿"), text="高仿", conversation_id="c1")
    assert len(audit.list_blocked(db)) == 1
