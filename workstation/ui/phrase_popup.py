"""The `/` popup in the composer: type a code, words or pinyin; Enter inserts the phrase, variables filled.
Also the side panel's 快捷短语 browser (PhraseBrowser): groups to open, a click inserts.

The composer owns the text box. It opens the popup (`open_at`), tells it which conversation is open
(`set_context`), and receives `phrase_chosen(rendered_text, unfilled)`; `unfilled` lists the
variables that had no value (UnfilledVariable with start/end in rendered_text) so the composer can
highlight them and hold the send. Compliance is the composer's send gate, as for any message.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel, QAbstractListModel, QEvent, QModelIndex, QObject, QPoint, Qt, Signal,
)
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QListView, QTreeView, QVBoxLayout, QWidget

from workstation.domain.platforms import Platform
from workstation.quickreply.model import Entry, Scope
from workstation.quickreply.search import SearchHit
from workstation.quickreply.service import QuickReplies
from workstation.quickreply.variables import EMPTY_CONTEXT, ConversationContext

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
_PREVIEW = 48


class PhraseListModel(QAbstractListModel):
    """The current search hits; replaced wholesale on each keystroke (the list is short)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._hits: list[SearchHit] = []

    def set_hits(self, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        phrase = hit.entry.phrase
        if role == Qt.ItemDataRole.DisplayRole:
            one_line = " ".join(phrase.text.split())
            preview = one_line if len(one_line) <= _PREVIEW else one_line[:_PREVIEW] + "…"
            mark = "个" if hit.entry.scope.value == "personal" else "团"
            return f"[{mark}] /{phrase.code}  {preview}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{hit.entry.scope.label}话术 · {hit.entry.group}\n{phrase.text}"
        if role == HIT_ROLE:
            return hit
        return None


class PhrasePopup(QFrame):
    """Search field + result list. Up/Down move, Enter inserts, Esc closes."""

    phrase_chosen = Signal(str, list)  # rendered text, list[UnfilledVariable]
    entry_chosen = Signal(object)  # the Entry, emitted first; images via QuickReplies.images_for(entry)
    dismissed = Signal()

    def __init__(self, quick_replies: QuickReplies, parent: QWidget | None = None, *, as_popup: bool = True):
        super().__init__(parent)
        if as_popup:
            self.setWindowFlags(Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("phrasePopup")
        self.quick_replies = quick_replies
        self._context: ConversationContext = EMPTY_CONTEXT
        self._platform: Platform | None = None
        self._shop_id: str | None = None

        self.search_field = QLineEdit(self)
        self.search_field.setPlaceholderText("输入编码、文字或拼音（如 fh、发货、fahuo）")
        self.search_field.setClearButtonEnabled(True)
        self.model = PhraseListModel(self)
        self.list_view = QListView(self)
        self.list_view.setModel(self.model)
        self.list_view.setUniformItemSizes(True)
        self.list_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list_view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("phrasePopupStatus")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search_field)
        layout.addWidget(self.list_view)
        layout.addWidget(self.status_label)
        self.resize(460, 320)

        self.search_field.textChanged.connect(self._refilter)
        self.search_field.installEventFilter(self)
        self.list_view.activated.connect(lambda index: self.choose(index.row()))
        self.list_view.clicked.connect(lambda index: self.choose(index.row()))

    # --- what the composer calls --------------------------------------------------------------

    def set_context(self, context: ConversationContext, *, platform: Platform | None = None,
                    shop_id: str | None = None) -> None:
        """The open conversation: fills variables and limits phrases to its platform and shop."""
        self._context = context
        self._platform = platform
        self._shop_id = shop_id
        if self.isVisible():
            self._refilter(self.search_field.text())

    def open_at(self, position: QPoint | None = None, query: str = "") -> None:
        if position is not None:
            self.move(position)
        self.search_field.setText(query)
        self._refilter(query)
        self.status_label.setText(self.quick_replies.status.text)
        self.show()
        self.raise_()
        self.search_field.setFocus()

    def set_query(self, query: str) -> None:
        self.search_field.setText(query)

    # --- behaviour ----------------------------------------------------------------------------

    def _refilter(self, query: str) -> None:
        hits = self.quick_replies.search(query, platform=self._platform, shop_id=self._shop_id, limit=30)
        self.model.set_hits(hits)
        if hits:
            self.list_view.setCurrentIndex(self.model.index(0))
        elif query.strip():
            self.status_label.setText(f"没有找到与“{query.strip()}”匹配的短语")
        if hits:
            self.status_label.setText(self.quick_replies.status.text)

    def current_row(self) -> int:
        index = self.list_view.currentIndex()
        return index.row() if index.isValid() else -1

    def choose(self, row: int | None = None) -> bool:
        """Insert the phrase at `row` (default: the highlighted one); False when there is none."""
        hit = self.model.hit(self.current_row() if row is None else row)
        if hit is None:
            return False
        rendered = self.quick_replies.use(hit.entry, self._context)
        self.hide()
        self.entry_chosen.emit(hit.entry)
        self.phrase_chosen.emit(rendered.text, list(rendered.unfilled))
        return True

    def _move(self, step: int) -> None:
        count = self.model.rowCount()
        if count == 0:
            return
        row = max(0, min(count - 1, self.current_row() + step))
        self.list_view.setCurrentIndex(self.model.index(row))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self.search_field and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key == Qt.Key.Key_Down:
                self._move(1)
                return True
            if key == Qt.Key.Key_Up:
                self._move(-1)
                return True
            if key == Qt.Key.Key_PageDown:
                self._move(8)
                return True
            if key == Qt.Key.Key_PageUp:
                self._move(-8)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.choose()
                return True
            if key == Qt.Key.Key_Escape:
                self.hide()
                self.dismissed.emit()
                return True
        return super().eventFilter(watched, event)


_GROUP_ROW = 0  # internalId of a group row; a phrase row's internalId is its group row + 1


class PhraseTreeModel(QAbstractItemModel):
    """Personal groups, then the team's, each with its phrases (from QuickReplies.browse)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._groups: list[tuple[Scope, str, list[Entry]]] = []

    def set_groups(self, groups: list[tuple[Scope, str, list[Entry]]]) -> None:
        self.beginResetModel()
        self._groups = groups
        self.endResetModel()

    def entry(self, index: QModelIndex) -> Entry | None:
        if not index.isValid() or index.internalId() == _GROUP_ROW:
            return None
        return self._groups[index.internalId() - 1][2][index.row()]

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, _GROUP_ROW) if row < len(self._groups) else QModelIndex()
        if parent.internalId() != _GROUP_ROW or row >= len(self._groups[parent.row()][2]):
            return QModelIndex()
        return self.createIndex(row, 0, parent.row() + 1)

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == _GROUP_ROW:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _GROUP_ROW)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == _GROUP_ROW:
            return len(self._groups[parent.row()][2])
        return 0

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 1

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if index.internalId() == _GROUP_ROW:
            scope, name, entries = self._groups[index.row()]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{scope.label} · {name}（{len(entries)}）"
            return None
        entry = self.entry(index)
        if role == Qt.ItemDataRole.DisplayRole:
            one_line = " ".join(entry.phrase.text.split())
            return f"/{entry.phrase.code}  {one_line[:_PREVIEW]}{'…' if len(one_line) > _PREVIEW else ''}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.phrase.text
        return None


class PhraseBrowser(QWidget):
    """The side panel's 快捷短语 tab: browse groups; a click or Enter inserts into the composer
    (which then sends through the compliance gate on the agent's next key)."""

    phrase_chosen = Signal(str, list)  # rendered text, list[UnfilledVariable]
    entry_chosen = Signal(object)

    def __init__(self, quick_replies: QuickReplies, parent: QWidget | None = None):
        super().__init__(parent)
        self.quick_replies = quick_replies
        self._context: ConversationContext = EMPTY_CONTEXT
        self._platform: Platform | None = None
        self._shop_id: str | None = None
        self.model = PhraseTreeModel(self)
        self.tree = QTreeView(self)
        self.tree.setHeaderHidden(True)
        self.tree.setModel(self.model)
        self.tree.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
        self.tree.clicked.connect(self.choose)
        self.tree.activated.connect(self.choose)
        self.status_label = QLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        layout.addWidget(self.status_label)
        self.reload()

    def set_context(self, context: ConversationContext, *, platform: Platform | None = None,
                    shop_id: str | None = None) -> None:
        self._context, self._platform, self._shop_id = context, platform, shop_id
        self.reload()

    def reload(self) -> None:
        """Call after the libraries change (team refresh, personal edit)."""
        self.model.set_groups(self.quick_replies.browse(platform=self._platform, shop_id=self._shop_id))
        self.status_label.setText(self.quick_replies.status.text)

    def choose(self, index: QModelIndex) -> bool:
        entry = self.model.entry(index)
        if entry is None:
            self.tree.setExpanded(index, not self.tree.isExpanded(index))
            return False
        rendered = self.quick_replies.use(entry, self._context)
        self.entry_chosen.emit(entry)
        self.phrase_chosen.emit(rendered.text, list(rendered.unfilled))
        return True
