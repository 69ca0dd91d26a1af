"""A keyring backend that keeps secrets in a dict, so tests never write a secret anywhere."""

from __future__ import annotations

from keyring.errors import KeyringError

from workstation.secrets import VolatileKeyring


class MemoryKeyring(VolatileKeyring):
    """The app's in-memory backend plus a switch that makes every call fail."""

    def __init__(self):
        super().__init__()
        self.refuse = False

    def _check(self):
        if self.refuse:
            raise KeyringError("the keyring refused (test)")

    def get_password(self, service, username):
        self._check()
        return super().get_password(service, username)

    def set_password(self, service, username, password):
        self._check()
        super().set_password(service, username, password)

    def delete_password(self, service, username):
        self._check()
        super().delete_password(service, username)
