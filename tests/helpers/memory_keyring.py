"""A keyring backend that keeps secrets in a dict, so tests never write a secret anywhere."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1  # usable, but never chosen automatically over a real backend

    def __init__(self):
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.refuse = False  # tests flip this to play a keyring that refuses every call

    def _check(self):
        if self.refuse:
            from keyring.errors import KeyringError

            raise KeyringError("the keyring refused (test)")

    def get_password(self, service, username):
        self._check()
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self._check()
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self._check()
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError(username) from None
