"""Test-wide set-up: headless Qt, an in-memory keyring, a private data dir per test."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")

import gc

import keyring
import pytest

from tests.helpers.memory_keyring import MemoryKeyring

pytest_plugins = ["tests.helpers.qt", "tests.helpers.services"]


@pytest.fixture(autouse=True, scope="session")
def collect_garbage_on_the_qt_thread_only():
    """As in the app (workstation/ui/gc_guard.py): the cyclic collector never runs on a worker
    thread, where it could destroy Qt objects; it runs here, on the main thread, between tests."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def _collect_after_each_test():
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def memory_keyring():
    """Every test gets a fresh in-memory keyring; no test touches the OS keyring or a file."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def data_dir(tmp_path):
    path = tmp_path / "data"
    path.mkdir()
    return path
