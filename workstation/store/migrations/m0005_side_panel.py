"""The side panel's records: coupons sent per conversation, the contact-reveal audit log,
rating invitations with their time, and when an agent marked a conversation solved.

`coupon_sends.idempotency_key` is written before the coupon request leaves, so an
ambiguous failure can always be reconciled with the platform (never sent twice).
The audit log records who opened which order's contact and when — never the contact itself.
"""

VERSION = 5


def apply(db):
    db.execute(
        """
        CREATE TABLE coupon_sends (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            shop_id TEXT NOT NULL,
            conversation_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL,
            coupon_id TEXT NOT NULL,
            coupon_title TEXT NOT NULL DEFAULT '',
            idempotency_key TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL,
            grant_id TEXT NOT NULL DEFAULT '',
            valid_to_ms INTEGER,
            note_text TEXT NOT NULL DEFAULT '',
            note_state TEXT NOT NULL DEFAULT '',
            error TEXT NOT NULL DEFAULT '',
            created_at_ms INTEGER NOT NULL,
            updated_at_ms INTEGER NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX coupon_sends_conversation ON coupon_sends (platform, shop_id, conversation_id)")
    db.execute("CREATE INDEX coupon_sends_buyer ON coupon_sends (platform, shop_id, buyer_id, coupon_id)")
    db.execute(
        """
        CREATE TABLE contact_reveals (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            shop_id TEXT NOT NULL,
            order_id TEXT NOT NULL,
            conversation_id TEXT NOT NULL DEFAULT '',
            buyer_id TEXT NOT NULL DEFAULT '',
            account_id INTEGER,
            agent TEXT NOT NULL DEFAULT '',
            outcome TEXT NOT NULL DEFAULT 'requested',
            revealed_at_ms INTEGER NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX contact_reveals_time ON contact_reveals (revealed_at_ms)")
    db.execute(
        """
        CREATE TABLE rating_invitations (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            shop_id TEXT NOT NULL,
            conversation_id TEXT NOT NULL,
            buyer_id TEXT NOT NULL DEFAULT '',
            invited_at_ms INTEGER NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX rating_invitations_buyer ON rating_invitations (platform, shop_id, buyer_id, invited_at_ms)")
    db.execute(
        """
        CREATE TABLE conversation_solved (
            platform TEXT NOT NULL,
            shop_id TEXT NOT NULL,
            conversation_id TEXT NOT NULL,
            solved_at_ms INTEGER,
            PRIMARY KEY (platform, shop_id, conversation_id)
        )
        """
    )
