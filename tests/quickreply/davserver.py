"""A real WebDAV server (wsgidav on cheroot) on loopback for tests, with switchable faults."""

from __future__ import annotations

import threading
from pathlib import Path

from cheroot import wsgi
from wsgidav.wsgidav_app import WsgiDAVApp

USER = "lead"
PASSWORD = "s3cret-应用密码"


class FaultInjector:
    """WSGI middleware: when `status` is set, answer every request with it and `body` instead of WebDAV."""

    def __init__(self, app):
        self.app = app
        self.status: str | None = None
        self.body = b""
        self.requests: list[tuple[str, str]] = []

    def __call__(self, environ, start_response):
        self.requests.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")))
        if self.status is None:
            return self.app(environ, start_response)
        start_response(self.status, [("Content-Type", "application/json"), ("Content-Length", str(len(self.body)))])
        return [self.body]


class DavServer:
    def __init__(self, root: Path):
        config = {
            "host": "127.0.0.1",
            "port": 0,
            "provider_mapping": {"/": str(root)},
            "simple_dc": {"user_mapping": {"*": {USER: {"password": PASSWORD}}}},
            "http_authenticator": {"accept_basic": True, "accept_digest": False, "default_to_digest": False,
                                   "trusted_auth_header": None},
            "verbose": 0,
            "logging": {"enable": False, "enable_loggers": []},
            "property_manager": True,
            "lock_storage": True,
        }
        self.faults = FaultInjector(WsgiDAVApp(config))
        self.server = wsgi.Server(("127.0.0.1", 0), self.faults, numthreads=4)
        self.server.prepare()
        self.port = self.server.bind_addr[1]
        self.thread = threading.Thread(target=self.server.serve, daemon=True)
        self.thread.start()

    def url(self, path: str = "team/team-library.json") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def stop(self) -> None:
        self.server.stop()
        self.thread.join(timeout=5)
