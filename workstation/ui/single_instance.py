"""One running Workstation per data dir: a second launch hands over to the first and exits.

The first instance listens on a local socket named after its data dir; a later
launch connects, asks it to come to the front, and quits. Two profiles (say, the
demo and the real one) have different data dirs and so run side by side.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

_ACTIVATE = b"activate\n"
_CONNECT_TIMEOUT_MS = 500


def server_name(data_dir: Path) -> str:
    digest = hashlib.sha1(str(Path(data_dir).resolve()).encode("utf-8")).hexdigest()[:16]
    return f"workstation-{digest}"


def hand_over_to_running_instance(data_dir: Path) -> bool:
    """True when another instance owns `data_dir` and was asked to come to the front."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(data_dir))
    if not socket.waitForConnected(_CONNECT_TIMEOUT_MS):
        return False
    socket.write(_ACTIVATE)
    socket.flush()
    socket.waitForBytesWritten(_CONNECT_TIMEOUT_MS)
    socket.disconnectFromServer()
    log.info("another Workstation is running on this data dir; asked it to come to the front")
    return True


class InstanceServer(QObject):
    """Listens for later launches; emits `activation_requested` for each."""

    activation_requested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.server = QLocalServer(self)
        self._connections: list[QLocalSocket] = []
        self.server.newConnection.connect(self._accept)
        name = server_name(data_dir)
        if not self.server.listen(name):
            # A stale socket from a crashed run: nobody answered above, so it is safe to remove.
            QLocalServer.removeServer(name)
            if not self.server.listen(name):
                log.warning("single-instance server could not listen: %s", self.server.errorString())

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            connection = self.server.nextPendingConnection()
            self._connections.append(connection)
            connection.readyRead.connect(self._read)
            connection.disconnected.connect(self._forget)

    def _read(self) -> None:
        for connection in self._connections:
            if connection.bytesAvailable() and bytes(connection.readAll()).startswith(_ACTIVATE.strip()):
                self.activation_requested.emit()

    def _forget(self) -> None:
        still_open = []
        for connection in self._connections:
            if connection.state() == QLocalSocket.LocalSocketState.UnconnectedState:
                connection.readyRead.disconnect(self._read)
                connection.disconnected.disconnect(self._forget)
                connection.deleteLater()
            else:
                still_open.append(connection)
        self._connections = still_open

    def close(self) -> None:
        for connection in self._connections:
            connection.readyRead.disconnect(self._read)
            connection.disconnected.disconnect(self._forget)
            connection.abort()
        self._connections = []
        self.server.close()
