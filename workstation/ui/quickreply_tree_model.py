"""The phrase library as a tree of groups and phrases, and the undo command every edit becomes.

The model never changes itself: a drop asks for an edit (`edit_requested`), and the editor pushes it
as a `LibraryEdit` holding the library before and after, so undo is exact.
"""

from __future__ import annotations

import json
from typing import Callable

from PySide6.QtCore import QAbstractItemModel, QMimeData, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QUndoCommand

from workstation.quickreply.model import Library, Phrase

MIME_TYPE = "application/x-workstation-phrases"
_GROUP = 0  # internalId of a group row; a phrase row's internalId is its group row + 1


class LibraryTreeModel(QAbstractItemModel):
    """Groups and their phrases. Drops do not change the model: they ask for an edit, which the
    editor turns into an undoable command."""

    edit_requested = Signal(str, object)  # description, new Library

    def __init__(self, library: Library, parent: QObject | None = None):
        super().__init__(parent)
        self.library = library

    def set_library(self, library: Library) -> None:
        self.beginResetModel()
        self.library = library
        self.endResetModel()

    # --- structure ----------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if column < 0 or column >= 2 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _GROUP) if row < len(self.library.groups) else QModelIndex()
        if parent.internalId() != _GROUP:
            return QModelIndex()
        group = self.library.groups[parent.row()]
        if row >= len(group.phrases):
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == _GROUP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _GROUP)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        if not parent.isValid():
            return len(self.library.groups)
        if parent.internalId() == _GROUP and parent.column() == 0:
            return len(self.library.groups[parent.row()].phrases)
        return 0

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 2

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("分组 / 快捷编码", "短语内容")[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if index.internalId() == _GROUP:
            group = self.library.groups[index.row()]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{group.name}（{len(group.phrases)}）" if index.column() == 0 else ""
            return None
        phrase = self.phrase_at(index)
        if phrase is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return phrase.code if index.column() == 0 else " ".join(phrase.text.split())[:80]
        if role == Qt.ItemDataRole.ToolTipRole:
            return phrase.text
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        if index.internalId() == _GROUP:
            return base | Qt.ItemFlag.ItemIsDropEnabled
        return base

    # --- lookups ------------------------------------------------------------------------------

    def group_at(self, index: QModelIndex) -> str | None:
        if not index.isValid():
            return None
        row = index.row() if index.internalId() == _GROUP else index.internalId() - 1
        return self.library.groups[row].name

    def phrase_at(self, index: QModelIndex) -> Phrase | None:
        if not index.isValid() or index.internalId() == _GROUP:
            return None
        phrases = self.library.groups[index.internalId() - 1].phrases
        return phrases[index.row()] if index.row() < len(phrases) else None

    def index_of_code(self, code: str) -> QModelIndex:
        for gi, group in enumerate(self.library.groups):
            for pi, phrase in enumerate(group.phrases):
                if phrase.code == code:
                    return self.index(pi, 0, self.index(gi, 0))
        return QModelIndex()

    def index_of_group(self, name: str) -> QModelIndex:
        for gi, group in enumerate(self.library.groups):
            if group.name == name:
                return self.index(gi, 0)
        return QModelIndex()

    # --- drag and drop ------------------------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME_TYPE]

    def mimeData(self, indexes) -> QMimeData:  # noqa: N802
        codes, groups = [], []
        for index in indexes:
            if index.column() != 0:
                continue
            phrase = self.phrase_at(index)
            if phrase is not None:
                codes.append(phrase.code)
            elif (name := self.group_at(index)) is not None:
                groups.append(name)
        mime = QMimeData()
        mime.setData(MIME_TYPE, json.dumps({"codes": codes, "groups": groups}, ensure_ascii=False).encode())
        return mime

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,  # noqa: N802
                     parent: QModelIndex) -> bool:
        if action != Qt.DropAction.MoveAction or not data.hasFormat(MIME_TYPE):
            return False
        payload = json.loads(bytes(data.data(MIME_TYPE)).decode())
        codes, groups = payload.get("codes", []), payload.get("groups", [])
        if codes:
            if not parent.isValid():
                return False  # phrases go into a group, not between groups
            target = self.group_at(parent)
            if parent.internalId() != _GROUP:  # dropped onto a phrase: put them before it
                row = parent.row()
            new = self.library.move(codes, target, None if row < 0 else row)
            self.edit_requested.emit(f"移动 {len(codes)} 条短语", new)
        elif groups and not parent.isValid():
            new = self.library
            for offset, name in enumerate(groups):
                new = new.move_group(name, (len(new.groups) if row < 0 else row) + offset)
            self.edit_requested.emit("调整分组顺序", new)
        # The edit arrives as a command that resets the model; returning False stops the view from
        # removing the dragged rows itself.
        return False



class LibraryEdit(QUndoCommand):
    """One edit of the library: undo and redo show the library before or after it."""

    def __init__(self, show: Callable[[Library, str | None], None], before: Library, after: Library,
                 text: str, select: str | None):
        super().__init__(text)
        self.show, self.before, self.after, self.select = show, before, after, select

    def redo(self) -> None:
        self.show(self.after, self.select)

    def undo(self) -> None:
        self.show(self.before, self.select)
