"""Fixtures for quick-reply tests: a loopback WebDAV server and a stand-in compliance filter."""

from __future__ import annotations

import pytest

from tests.quickreply.davserver import DavServer


@pytest.fixture
def dav(tmp_path):
    root = tmp_path / "dav-root"
    root.mkdir()
    server = DavServer(root)
    yield server
    server.stop()
