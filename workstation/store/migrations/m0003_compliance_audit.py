"""Blocked send attempts, for team leads to review and export (issue 6, the compliance gate).

One row per attempt the filter refused: when, which account/shop/conversation, the rules that
fired (comma-separated, and the full hits as JSON with offsets into `text`), and the text.
"""

VERSION = 3


def apply(db):
    db.execute(
        """
        CREATE TABLE compliance_audit (
            id INTEGER PRIMARY KEY,
            at_ms INTEGER NOT NULL,
            at TEXT NOT NULL,
            account_id INTEGER,
            platform TEXT NOT NULL DEFAULT '',
            shop_id TEXT NOT NULL DEFAULT '',
            conversation_id TEXT NOT NULL DEFAULT '',
            agent_id TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT 'text',
            verdict TEXT NOT NULL DEFAULT 'block',
            rules TEXT NOT NULL DEFAULT '',
            categories TEXT NOT NULL DEFAULT '',
            hits TEXT NOT NULL DEFAULT '[]',
            text TEXT NOT NULL DEFAULT ''
        )
        """
    )
    db.execute("CREATE INDEX compliance_audit_time ON compliance_audit (at_ms)")
    db.execute("CREATE INDEX compliance_audit_conversation ON compliance_audit (platform, shop_id, conversation_id)")
    db.execute("CREATE INDEX compliance_audit_account ON compliance_audit (account_id, at_ms)")
