"""The local SQLite store: schema, migrations, the database worker and the queries."""

from workstation.store.db import (
    LATEST_VERSION,
    StoreCorrupt,
    StoreError,
    StoreLocked,
    StoreNotWritable,
    StoreTooNew,
    open_store,
)
from workstation.store.worker import StoreWorker

__all__ = [
    "LATEST_VERSION",
    "StoreCorrupt",
    "StoreError",
    "StoreLocked",
    "StoreNotWritable",
    "StoreTooNew",
    "StoreWorker",
    "open_store",
]
