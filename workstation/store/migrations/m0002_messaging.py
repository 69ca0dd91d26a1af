"""Conversations, messages, the outbox and sync cursors.

Times are stored twice: `*_ms` as UTC epoch milliseconds for ordering and figures,
and `sent_at` as the ISO 8601 text with the platform's own UTC offset for archives.
"""

VERSION = 2


def apply(db):
    db.execute(
        """
        CREATE TABLE conversations (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            shop_id TEXT NOT NULL,
            shop_name TEXT NOT NULL DEFAULT '',
            conversation_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL DEFAULT '',
            buyer_nick TEXT NOT NULL DEFAULT '',
            account_id INTEGER,
            last_text TEXT NOT NULL DEFAULT '',
            last_at_ms INTEGER,
            unread INTEGER NOT NULL DEFAULT 0,
            waiting_since_ms INTEGER,
            entered_reception_at_ms INTEGER,
            closed INTEGER NOT NULL DEFAULT 0,
            solved INTEGER NOT NULL DEFAULT 0,
            UNIQUE (platform, shop_id, conversation_id)
        )
        """
    )
    db.execute("CREATE INDEX conversations_waiting ON conversations (waiting_since_ms)")
    db.execute(
        """
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            shop_id TEXT NOT NULL,
            shop_name TEXT NOT NULL DEFAULT '',
            conversation_id TEXT NOT NULL,
            message_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL DEFAULT '',
            buyer_nick TEXT NOT NULL DEFAULT '',
            sender TEXT NOT NULL,
            agent_id TEXT NOT NULL DEFAULT '',
            sent_at TEXT NOT NULL,
            sent_at_ms INTEGER NOT NULL,
            type TEXT NOT NULL DEFAULT 'text',
            text TEXT NOT NULL DEFAULT '',
            event TEXT,
            rating TEXT,
            rating_reasons TEXT NOT NULL DEFAULT '[]',
            payload TEXT NOT NULL DEFAULT '{}',
            UNIQUE (platform, shop_id, message_id)
        )
        """
    )
    db.execute("CREATE INDEX messages_conversation ON messages (platform, shop_id, conversation_id, sent_at_ms)")
    db.execute("CREATE INDEX messages_time ON messages (sent_at_ms)")
    db.execute(
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            idempotency_key TEXT NOT NULL UNIQUE,
            account_id INTEGER NOT NULL,
            platform TEXT NOT NULL,
            shop_id TEXT NOT NULL,
            conversation_id TEXT NOT NULL,
            type TEXT NOT NULL DEFAULT 'text',
            text TEXT NOT NULL DEFAULT '',
            payload TEXT NOT NULL DEFAULT '{}',
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT '',
            message_id TEXT,
            created_at_ms INTEGER NOT NULL,
            updated_at_ms INTEGER NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX outbox_state ON outbox (state)")
    db.execute(
        """
        CREATE TABLE sync_cursors (
            account_id INTEGER PRIMARY KEY,
            cursor TEXT NOT NULL,
            updated_at_ms INTEGER NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE buyer_notes (
            platform TEXT NOT NULL,
            shop_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            note TEXT NOT NULL DEFAULT '',
            updated_at_ms INTEGER NOT NULL,
            PRIMARY KEY (platform, shop_id, buyer_id)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE drafts (
            platform TEXT NOT NULL,
            shop_id TEXT NOT NULL,
            conversation_id TEXT NOT NULL,
            text TEXT NOT NULL,
            updated_at_ms INTEGER NOT NULL,
            PRIMARY KEY (platform, shop_id, conversation_id)
        )
        """
    )
