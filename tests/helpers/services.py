"""Real services over a temporary data dir, for tests that need the app's wiring."""

from __future__ import annotations

import pytest

from workstation.app import Services


@pytest.fixture
def services(data_dir):
    built = Services.build(data_dir)
    yield built
    built.store.close()
