"""Shop accounts and key/value settings."""

VERSION = 1


def apply(db):
    db.execute(
        """
        CREATE TABLE accounts (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            shop_id TEXT NOT NULL,
            display_name TEXT NOT NULL,
            colour TEXT NOT NULL,
            login TEXT NOT NULL,
            enabled INTEGER NOT NULL DEFAULT 1,
            extra TEXT NOT NULL DEFAULT '{}',
            position INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            UNIQUE (platform, shop_id, login)
        )
        """
    )
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
