"""Names of the tables the history code reads besides `messages`, and how it joins them.

The search index itself is migration m0004 (workstation/store/migrations/m0004_history_index.py):

- `history_trigram`: external-content FTS5 with the trigram tokenizer over
  `messages.text`; answers substring queries of 3 or more characters exactly.
- `history_bigram`: contentless FTS5 (`detail=none`, rowids only) over the text's
  overlapping character pairs, e.g. "退款到账" is indexed as "退款 款到 到账 账".
  SQLite's trigram tokenizer cannot match queries shorter than 3 characters, and
  most Chinese words have 2: a 2-character query is one bigram token, a 1-character
  query is the prefix query `"好"*` (every character starts the pair after it; the
  last one stands alone). The pairs are generated in SQL inside the trigger
  (json_each over a generated array of positions), because triggers cannot call
  Python and must work on every connection that writes messages.

Both are maintained by triggers on `messages`, so a row inserted by anyone — the live
sync engine, an import, a test — is searchable at once with no call into this package.
"""

from __future__ import annotations

import sqlite_utils

TRIGRAM_TABLE = "history_trigram"
BIGRAM_TABLE = "history_bigram"
AUDIT_TABLE = "compliance_audit"  # migration 3, written by the compliance gate (issue 6)


def has_history_index(db: sqlite_utils.Database) -> bool:
    row = db.execute(
        "SELECT count(*) FROM sqlite_master WHERE name IN (?, ?)", [TRIGRAM_TABLE, BIGRAM_TABLE]
    ).fetchone()
    return row[0] == 2


def audit_join(db: sqlite_utils.Database, alias: str = "m") -> str | None:
    """SQL for "conversation `alias` had a blocked send attempt", or None if there is no audit table."""
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [AUDIT_TABLE]
    ).fetchone()
    if found is None:
        return None
    return (
        f"EXISTS (SELECT 1 FROM {AUDIT_TABLE} AS a WHERE a.platform = {alias}.platform"
        f" AND a.shop_id = {alias}.shop_id AND a.conversation_id = {alias}.conversation_id"
        " AND a.verdict = 'block')"
    )
