"""A store migrated to the latest schema (history index included) for the history tests."""

from __future__ import annotations

import pytest

from tests.helpers.history_chat import Chat, cn  # noqa: F401 (re-exported for the tests)
from workstation.store.db import DATABASE_NAME, open_store


@pytest.fixture
def db(data_dir):
    database = open_store(data_dir / DATABASE_NAME)
    yield database
    database.conn.close()
