"""The history search index over messages (issue 9): trigram FTS5 for 3+ characters, a bigram index for 1-2.

Both are kept current by triggers, so rows written by any code (live sync, archive import)
are searchable. The bigram index is contentless (`detail=none`): each message's text is
indexed as its overlapping character pairs ("退款到账" -> "退款 款到 到账 账"), generated in
SQL because a trigger cannot call Python. workstation/history/schema.py explains the design.
"""

VERSION = 4


def apply(db):
    db.execute(
        """
        CREATE VIRTUAL TABLE history_trigram USING fts5(text, content='messages', content_rowid='id', tokenize='trigram')
        """
    )
    db.execute(
        """
        CREATE VIRTUAL TABLE history_bigram USING fts5(grams, content='', detail=none, tokenize='unicode61 remove_diacritics 0')
        """
    )
    db.execute(
        """
        CREATE TRIGGER history_index_ai AFTER INSERT ON messages BEGIN
        INSERT INTO history_trigram(rowid, text) VALUES (new.id, new.text);
        INSERT INTO history_bigram(rowid, grams) SELECT new.id, coalesce(group_concat(substr(new.text, key + 1, 2), ' '), '') FROM json_each('[' || rtrim(replace(hex(zeroblob(length(new.text))), '00', '0,'), ',') || ']');
        END
        """
    )
    db.execute(
        """
        CREATE TRIGGER history_index_ad AFTER DELETE ON messages BEGIN
        INSERT INTO history_trigram(history_trigram, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO history_bigram(history_bigram, rowid, grams) SELECT 'delete', old.id, coalesce(group_concat(substr(old.text, key + 1, 2), ' '), '') FROM json_each('[' || rtrim(replace(hex(zeroblob(length(old.text))), '00', '0,'), ',') || ']');
        END
        """
    )
    db.execute(
        """
        CREATE TRIGGER history_index_au AFTER UPDATE OF text ON messages BEGIN
        INSERT INTO history_trigram(history_trigram, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO history_bigram(history_bigram, rowid, grams) SELECT 'delete', old.id, coalesce(group_concat(substr(old.text, key + 1, 2), ' '), '') FROM json_each('[' || rtrim(replace(hex(zeroblob(length(old.text))), '00', '0,'), ',') || ']');
        INSERT INTO history_trigram(rowid, text) VALUES (new.id, new.text);
        INSERT INTO history_bigram(rowid, grams) SELECT new.id, coalesce(group_concat(substr(new.text, key + 1, 2), ' '), '') FROM json_each('[' || rtrim(replace(hex(zeroblob(length(new.text))), '00', '0,'), ',') || ']');
        END
        """
    )
    db.execute(
        """
        INSERT INTO history_trigram(history_trigram) VALUES ('rebuild')
        """
    )
    db.execute(
        """
        INSERT INTO history_bigram(rowid, grams) SELECT m.id, (SELECT coalesce(group_concat(substr(m.text, key + 1, 2), ' '), '') FROM json_each('[' || rtrim(replace(hex(zeroblob(length(m.text))), '00', '0,'), ',') || ']')) FROM messages AS m
        """
    )
    db.execute(
        """
        CREATE INDEX messages_shop_time ON messages (platform, shop_id, sent_at_ms)
        """
    )
