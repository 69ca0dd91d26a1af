"""团队话术编辑器: a team lead builds the team library, checks it, and publishes it.

Every change (edit, drag, bulk move, delete, import, merge) replaces the immutable Library and is one
QUndoCommand holding the library before and after, so undo is exact. The unpublished draft is saved
after each change; publishing goes through the compliance filter and the ETag check in TeamSync.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, QEvent, QMimeData, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
    QLabel, QLineEdit, QListWidget, QPlainTextEdit, QPushButton, QSplitter, QTextBrowser, QTreeView,
    QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from workstation.domain.platforms import Platform
from workstation.quickreply.merge import differences, merge
from workstation.quickreply.fileformat import image_ref
from workstation.quickreply.model import (
    DEFAULT_GROUP, MAX_IMAGE_BYTES, Entry, Library, LibraryInvalid, Phrase, Scope, check_code,
    check_group_name, check_phrase_text, problems_in,
)
from workstation.quickreply.remote import PublishConflict, SyncError
from workstation.quickreply.search import PhraseIndex
from workstation.quickreply.service import QuickReplies, merge_import, read_library_file
from workstation.quickreply.store import TeamDraft
from workstation.quickreply.remote import RemoteNotFound, WebDavRemote
from workstation.quickreply.sync import (
    PublishBlocked, PublishInvalid, Subscription, TeamSync, load_subscription, open_remote, save_subscription,
)
from workstation.quickreply.tabular import TableUnreadable, write_table
from workstation.quickreply.variables import SAMPLE_CONTEXT, ConversationContext, render, unknown_variables
from workstation.ui.tasks import TaskKeeper

log = logging.getLogger(__name__)

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
    def __init__(self, editor: "QuickReplyEditor", before: Library, after: Library, text: str,
                 select: str | None):
        super().__init__(text)
        self.editor, self.before, self.after, self.select = editor, before, after, select

    def redo(self) -> None:
        self.editor._show_library(self.after, self.select)

    def undo(self) -> None:
        self.editor._show_library(self.before, self.select)


class MergeDialog(QDialog):
    """My version against the one another lead published: tick the phrases to take from theirs."""

    def __init__(self, mine: Library, theirs: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("合并团队话术")
        self.mine, self.theirs = mine, theirs
        self.differences = differences(mine, theirs)
        self.table = QTreeWidget(self)
        self.table.setHeaderLabels(["采用对方版本 / 快捷编码", "差异", "我的版本", "对方版本"])
        self.table.setRootIsDecorated(False)
        for diff in self.differences:
            item = QTreeWidgetItem([diff.code, diff.kind.label,
                                    f"{diff.mine[0]}：{diff.mine[1].text}" if diff.mine else "—",
                                    f"{diff.theirs[0]}：{diff.theirs[1].text}" if diff.theirs else "—"])
            # Phrases only the other lead has are taken by default; conflicts are the lead's call.
            checked = diff.mine is None
            item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.table.addTopLevelItem(item)
        intro = QLabel(f"另一位主管已发布新版本，有 {len(self.differences)} 处不同。勾选要采用对方版本的短语，"
                       "其余保留你的版本。合并后请再次发布。", self)
        intro.setWordWrap(True)
        standard = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(standard.Ok | standard.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("合并")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(760, 420)

    def set_take_theirs(self, code: str, take: bool) -> None:
        for row, diff in enumerate(self.differences):
            if diff.code == code:
                state = Qt.CheckState.Checked if take else Qt.CheckState.Unchecked
                self.table.topLevelItem(row).setCheckState(0, state)

    def merged_library(self) -> Library:
        chosen = [d.code for row, d in enumerate(self.differences)
                  if self.table.topLevelItem(row).checkState(0) == Qt.CheckState.Checked]
        return merge(self.mine, self.theirs, chosen)


class QuickReplyEditor(QDialog):
    """Groups and phrases, drag-to-reorder, search, bulk move/delete, undo, preview, check, publish.

    `QuickReplyEditor(team_sync)` edits the team library (a lead's draft, published to the team);
    `QuickReplyEditor.for_personal(quick_replies)` edits an agent's personal library, saved as it changes.
    """

    published = Signal(object)  # the published Library
    saved = Signal(object)  # the saved personal Library

    def __init__(self, team_sync: TeamSync | None, *, lead_name: str = "", platform: Platform | None = None,
                 parent: QWidget | None = None, personal: QuickReplies | None = None):
        super().__init__(parent)
        self.team_sync = team_sync
        self.personal = personal
        self.lead_name = lead_name
        self.platform = platform
        self.sample_context: ConversationContext = SAMPLE_CONTEXT
        self.tasks = TaskKeeper(on_error=lambda exc: self._say(f"操作失败：{exc}", error=True))
        if personal is not None:
            self.setWindowTitle("我的快捷短语")
            library, self.base_etag = personal.personal, None
        else:
            assert team_sync is not None
            self.setWindowTitle("团队话术编辑器")
            draft = team_sync.draft()
            library, self.base_etag = draft.library, draft.base_etag
        self.undo_stack = QUndoStack(self)
        self.merge_dialog: MergeDialog | None = None
        self._current_code: str | None = None
        self._index: PhraseIndex | None = None
        self._save_timer = QTimer(self, singleShot=True, interval=400)
        self._save_timer.timeout.connect(self.save_draft)

        self.model = LibraryTreeModel(library, self)
        self.model.edit_requested.connect(lambda text, library: self.apply(library, text))
        self._build_ui()
        self._refresh_groups()
        self.tree.expandAll()
        if personal is not None:
            self.publish_button.hide()
            self.source_button.hide()

    @classmethod
    def for_personal(cls, quick_replies: QuickReplies, parent: QWidget | None = None) -> "QuickReplyEditor":
        return cls(None, personal=quick_replies, parent=parent)

    # --- layout -------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.search_field = QLineEdit(self)
        self.search_field.setPlaceholderText("搜索编码、文字或拼音")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.textChanged.connect(self._apply_filter)

        self.tree = QTreeView(self)
        self.tree.setModel(self.model)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.tree.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.tree.setDragEnabled(True)
        self.tree.setAcceptDrops(True)
        self.tree.setDropIndicatorShown(True)
        self.tree.setColumnWidth(0, 180)
        self.tree.selectionModel().currentChanged.connect(lambda current, _: self._load_detail(current))

        undo = self.undo_stack.createUndoAction(self, "撤销")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "重做")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        delete = QAction("删除", self, shortcut=QKeySequence.StandardKey.Delete)
        delete.triggered.connect(self.delete_selected)
        move_up = QAction("上移", self, shortcut=QKeySequence("Ctrl+Up"))
        move_up.triggered.connect(lambda: self.move_selected(-1))
        move_down = QAction("下移", self, shortcut=QKeySequence("Ctrl+Down"))
        move_down.triggered.connect(lambda: self.move_selected(1))
        for action in (undo, redo, delete, move_up, move_down):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        self.actions_by_name = {"undo": undo, "redo": redo, "delete": delete, "up": move_up,
                                "down": move_down}
        # Shortcuts fire only in the active window; the filter gives the tree the same keys regardless
        # (when a shortcut fires, the key press never reaches the filter, so nothing runs twice).
        self.tree.installEventFilter(self)

        toolbar = QHBoxLayout()
        self.new_group_button = QPushButton("新建分组", self)
        self.new_group_button.clicked.connect(lambda: self.add_group())
        self.new_phrase_button = QPushButton("新建短语", self)
        self.new_phrase_button.clicked.connect(lambda: self.add_phrase())
        self.move_target = QComboBox(self)
        self.move_target.setEditable(True)
        self.move_target.setMinimumWidth(120)
        self.move_button = QPushButton("移动到分组", self)
        self.move_button.clicked.connect(lambda: self.move_selected_to(self.move_target.currentText()))
        self.import_button = QPushButton("导入…", self)
        self.import_button.clicked.connect(self._choose_import)
        self.export_button = QPushButton("导出…", self)
        self.export_button.clicked.connect(self._choose_export)
        self.check_button = QPushButton("合规检查", self)
        self.check_button.clicked.connect(lambda: self.tasks.spawn(self.check(), name="check-phrases"))
        self.source_button = QPushButton("发布位置…", self)
        self.source_button.clicked.connect(self.open_source_form)
        self.publish_button = QPushButton("发布", self)
        self.publish_button.clicked.connect(
            lambda: self.tasks.spawn(self.publish(), name="publish-team-library"))
        for widget in (self.new_group_button, self.new_phrase_button, self.move_target, self.move_button):
            toolbar.addWidget(widget)
        toolbar.addStretch(1)
        self.undo_button = QPushButton("撤销", self)
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.redo_button = QPushButton("重做", self)
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        for button in (self.undo_button, self.redo_button):
            button.setEnabled(False)
            toolbar.addWidget(button)
        for widget in (self.import_button, self.export_button, self.check_button, self.source_button,
                       self.publish_button):
            toolbar.addWidget(widget)

        self.group_field = QComboBox(self)
        self.group_field.setEditable(True)
        self.code_field = QLineEdit(self)
        self.text_field = QPlainTextEdit(self)
        self.text_field.textChanged.connect(self._update_preview)
        self.platform_boxes = {p: QCheckBox(p.label, self) for p in Platform}
        platforms = QHBoxLayout()
        for box in self.platform_boxes.values():
            platforms.addWidget(box)
        self.shops_field = QLineEdit(self)
        self.shops_field.setPlaceholderText("店铺ID，用顿号或逗号分隔；留空表示所有店铺")
        self.save_phrase_button = QPushButton("保存短语", self)
        self.save_phrase_button.setShortcut(QKeySequence("Ctrl+S"))
        self.save_phrase_button.clicked.connect(self.save_detail)
        form = QFormLayout()
        form.addRow("分组", self.group_field)
        form.addRow("快捷编码", self.code_field)
        form.addRow("短语内容", self.text_field)
        form.addRow("适用平台", platforms)
        form.addRow("适用店铺", self.shops_field)
        self.images_label = QLabel("无图片", self)
        self.add_image_button = QPushButton("添加图片…", self)
        self.add_image_button.clicked.connect(self._choose_image)
        self.clear_images_button = QPushButton("移除图片", self)
        self.clear_images_button.clicked.connect(self.clear_images)
        images = QHBoxLayout()
        for widget in (self.images_label, self.add_image_button, self.clear_images_button):
            images.addWidget(widget)
        images.addStretch(1)
        form.addRow("图片", images)
        form.addRow("", self.save_phrase_button)
        self.preview = QTextBrowser(self)
        self.preview.setMaximumHeight(110)
        form.addRow("预览", self.preview)
        self.sample_label = QLabel(self)
        form.addRow("", self.sample_label)
        detail = QWidget(self)
        detail.setLayout(form)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search_field)
        left_layout.addWidget(self.tree)
        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(detail)
        splitter.setStretchFactor(1, 1)

        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.problems_list = QListWidget(self)
        self.problems_list.setMaximumHeight(120)
        self.problems_list.itemActivated.connect(self._jump_to_problem)
        self.problems_list.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.problems_list)
        layout.addWidget(self.message_label)
        self.resize(1100, 700)
        self.set_sample_context(self.sample_context)

    # --- the library and undo -----------------------------------------------------------------

    @property
    def library(self) -> Library:
        return self.model.library

    @property
    def scope(self) -> Scope:
        return Scope.PERSONAL if self.personal is not None else Scope.TEAM

    def apply(self, library: Library, description: str, select: str | None = None) -> None:
        """Make `library` current as one undoable step."""
        if library is self.library or (library == self.library
                                       and dict(library.images) == dict(self.library.images)):
            return
        self.undo_stack.push(LibraryEdit(self, self.library, library, description, select))

    def _show_library(self, library: Library, select: str | None) -> None:
        expanded = {self.model.group_at(self.model.index(r, 0)) for r in range(self.model.rowCount())
                    if self.tree.isExpanded(self.model.index(r, 0))}
        keep = select or self._current_code
        self.model.set_library(library)
        self._index = None
        for row in range(self.model.rowCount()):
            index = self.model.index(row, 0)
            self.tree.setExpanded(index, self.model.group_at(index) in expanded or not expanded)
        target = self.model.index_of_code(keep) if keep else QModelIndex()
        if target.isValid():
            self.tree.setCurrentIndex(target)
        else:
            self._load_detail(self.tree.currentIndex())
        self._refresh_groups()
        self._apply_filter(self.search_field.text())
        self._save_timer.start()

    def save_draft(self) -> None:
        """Keep the work: the team draft, or (personal mode) the personal library itself."""
        self._save_timer.stop()
        try:
            if self.personal is not None:
                problems = problems_in(self.library)
                if problems:
                    self._say(f"还没有保存：{problems[0]}", error=True)
                    return
                self.saved.emit(self.personal.save_personal(self.library))
            else:
                self.team_sync.store.save_team_draft(TeamDraft(self.library, self.base_etag))
        except OSError as exc:
            log.exception("saving the team draft failed")
            self._say(f"草稿没有保存：{exc.strerror or exc}", error=True)

    def _refresh_groups(self) -> None:
        names = self.library.group_names()
        for combo in (self.move_target, self.group_field):
            text = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            combo.setCurrentText(text if text else (names[0] if names else DEFAULT_GROUP))
            combo.blockSignals(False)

    # --- selection and editing ----------------------------------------------------------------

    def selected_codes(self) -> list[str]:
        rows = self.tree.selectionModel().selectedRows(0)
        return [p.code for index in rows if (p := self.model.phrase_at(index)) is not None]

    def selected_groups(self) -> list[str]:
        rows = self.tree.selectionModel().selectedRows(0)
        return [self.model.group_at(index) for index in rows if self.model.phrase_at(index) is None]

    def select_code(self, code: str) -> None:
        index = self.model.index_of_code(code)
        if index.isValid():
            self.tree.setCurrentIndex(index)

    def _load_detail(self, index: QModelIndex) -> None:
        phrase = self.model.phrase_at(index)
        group = self.model.group_at(index)
        self._current_code = phrase.code if phrase else None
        if group:
            self.group_field.setCurrentText(group)
        self.code_field.setText(phrase.code if phrase else "")
        self.text_field.setPlainText(phrase.text if phrase else "")
        for platform, box in self.platform_boxes.items():
            box.setChecked(bool(phrase and platform in phrase.platforms))
        self.shops_field.setText("、".join(phrase.shops) if phrase else "")
        self.images_label.setText(f"{len(phrase.images)} 张图片" if phrase and phrase.images else "无图片")
        self._update_preview()

    def save_detail(self) -> bool:
        """Apply the form to the selected phrase (or add it as new); with a group selected and no phrase
        typed, rename the group. False with a message if invalid."""
        group = self.group_field.currentText().strip() or DEFAULT_GROUP
        code = self.code_field.text().strip()
        text = self.text_field.toPlainText()
        current = self.tree.currentIndex()
        if self._current_code is None and current.isValid() and not code and not text.strip():
            return self.rename_group(self.model.group_at(current), group)
        why = check_group_name(group) or check_code(code) or check_phrase_text(text)
        existing = self.library.find(code)
        if why is None and existing and existing[1].code.casefold() != (self._current_code or "").casefold():
            why = f"快捷编码“{code}”已被分组“{existing[0]}”中的短语使用。"
        if why:
            self._say(why, error=True)
            return False
        typed = self.shops_field.text().replace(",", "、").replace("，", "、")
        shops = tuple(s for s in typed.split("、") if s.strip())
        old = self.library.find(self._current_code) if self._current_code else None
        phrase = Phrase(code, text, images=old[1].images if old else (),
                        platforms=tuple(p for p, box in self.platform_boxes.items() if box.isChecked()),
                        shops=tuple(s.strip() for s in shops))
        self._current_code = code
        self.apply(self.library.upsert(group, phrase, replacing=old[1].code if old else None),
                   f"修改短语 {code}", select=code)
        unknown = unknown_variables(text)
        self._say(f"已保存短语 {code}。" + (f"注意：{'、'.join(unknown)} 不是可用的变量。" if unknown else ""))
        return True

    def rename_group(self, old: str, new: str) -> bool:
        new = new.strip()
        why = check_group_name(new)
        if why is None and new != old and new in self.library.group_names():
            why = f"分组“{new}”已经存在。"
        if why:
            self._say(why, error=True)
            return False
        if new != old:
            self.apply(self.library.rename_group(old, new), f"重命名分组 {old} → {new}")
            self.tree.setCurrentIndex(self.model.index_of_group(new))
            self._say(f"分组已改名为“{new}”。")
        return True

    def add_image(self, data: bytes) -> bool:
        """Attach an image to the selected phrase (checked for QR codes when publishing)."""
        found = self.library.find(self._current_code) if self._current_code else None
        if found is None:
            self._say("请先选择一条短语。", error=True)
            return False
        if len(data) > MAX_IMAGE_BYTES:
            self._say(f"图片超过 {MAX_IMAGE_BYTES // 1024 // 1024} MB，请压缩后再添加。", error=True)
            return False
        try:
            ref = image_ref(data)
        except LibraryInvalid as exc:
            self._say(str(exc), error=True)
            return False
        group, phrase = found
        images = {**dict(self.library.images), ref: data}
        updated = self.library.with_changes(images=images).upsert(
            group, phrase.with_changes(images=tuple(dict.fromkeys(phrase.images + (ref,)))))
        self.apply(updated, f"给短语 {phrase.code} 添加图片", select=phrase.code)
        return True

    def clear_images(self) -> None:
        found = self.library.find(self._current_code) if self._current_code else None
        if found and found[1].images:
            group, phrase = found
            library = self.library.upsert(group, phrase.with_changes(images=())).without([])
            self.apply(library, f"移除短语 {phrase.code} 的图片", select=phrase.code)

    def _choose_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择图片", "", "图片 (*.png *.jpg *.jpeg *.gif *.webp)")
        if path:
            try:
                self.add_image(Path(path).read_bytes())
            except OSError as exc:
                self._say(f"无法读取图片：{exc.strerror or exc}", error=True)

    def add_group(self, name: str | None = None) -> str:
        existing = set(self.library.group_names())
        if name is None:
            name = "新分组"
            number = 1
            while name in existing:
                number += 1
                name = f"新分组{number}"
        self.apply(self.library.with_group(name), f"新建分组 {name}")
        self.tree.setCurrentIndex(self.model.index_of_group(name))
        return name

    def add_phrase(self) -> str:
        group = (self.model.group_at(self.tree.currentIndex())
                 or (self.library.group_names() or [DEFAULT_GROUP])[0])
        number = 1
        while self.library.find(f"new{number}") is not None:
            number += 1
        code = f"new{number}"
        self.apply(self.library.upsert(group, Phrase(code, "亲，")), f"新建短语 {code}", select=code)
        self.code_field.setFocus()
        self.code_field.selectAll()
        return code

    def delete_selected(self) -> None:
        codes, groups = self.selected_codes(), self.selected_groups()
        if not codes and not groups:
            return
        library = self.library.without(codes).without_groups(groups)
        parts = ([f"{len(codes)} 条短语"] if codes else []) + ([f"{len(groups)} 个分组"] if groups else [])
        self.apply(library, "删除" + "和".join(parts))
        self._say(f"已删除{'和'.join(parts)}（可撤销）。")

    def move_selected_to(self, group: str) -> None:
        group = group.strip()
        codes = self.selected_codes()
        if not codes or check_group_name(group):
            self._say("请先选择要移动的短语和目标分组。", error=True)
            return
        self.apply(self.library.move(codes, group), f"移动 {len(codes)} 条短语到 {group}", select=codes[0])

    def move_selected(self, step: int) -> None:
        index = self.tree.currentIndex()
        phrase = self.model.phrase_at(index)
        if phrase is not None:
            group = self.model.group_at(index)
            row = index.row() + (2 if step > 0 else -1)
            if 0 <= index.row() + step < self.model.rowCount(index.parent()):
                self.apply(self.library.move([phrase.code], group, row), f"移动短语 {phrase.code}",
                           select=phrase.code)
        elif (group := self.model.group_at(index)) is not None:
            row = index.row() + (2 if step > 0 else -1)
            if 0 <= index.row() + step < len(self.library.groups):
                self.apply(self.library.move_group(group, row), f"移动分组 {group}")
                self.tree.setCurrentIndex(self.model.index_of_group(group))

    # --- search and preview -------------------------------------------------------------------

    def _apply_filter(self, query: str) -> None:
        query = query.strip()
        matched: set[tuple[str, str]] | None = None
        if query:
            if self._index is None:
                self._index = PhraseIndex([Entry(self.scope, g, p, i)
                                           for i, (g, p) in enumerate(self.library.entries())])
            matched = {(h.entry.group, h.entry.phrase.code)
                       for h in self._index.search(query, limit=len(self._index) or 1)}
        for gi, group in enumerate(self.library.groups):
            group_index = self.model.index(gi, 0)
            visible = 0
            for pi, phrase in enumerate(group.phrases):
                hide = matched is not None and (group.name, phrase.code) not in matched
                self.tree.setRowHidden(pi, group_index, hide)
                visible += not hide
            self.tree.setRowHidden(gi, QModelIndex(), matched is not None and visible == 0)
            if matched is not None and visible:
                self.tree.setExpanded(group_index, True)

    def visible_codes(self) -> list[str]:
        codes = []
        for gi, group in enumerate(self.library.groups):
            if self.tree.isRowHidden(gi, QModelIndex()):
                continue
            group_index = self.model.index(gi, 0)
            codes += [p.code for pi, p in enumerate(group.phrases)
                      if not self.tree.isRowHidden(pi, group_index)]
        return codes

    def set_sample_context(self, context: ConversationContext) -> None:
        self.sample_context = context
        self.sample_label.setText(f"示例会话：买家 {context.buyer_nick or '（无）'} · 订单 {context.order_id or '（无）'}"
                                  f" · 商品 {context.product_name or '（无）'}")
        self._update_preview()

    def _update_preview(self) -> None:
        rendered = render(self.text_field.toPlainText(), self.sample_context)
        html, last = [], 0
        for variable in rendered.unfilled:
            html.append(_escape(rendered.text[last:variable.start]))
            placeholder = _escape(rendered.text[variable.start:variable.end])
            html.append(f'<span style="background:#fde2e2;color:#b91c1c">{placeholder}</span>')
            last = variable.end
        html.append(_escape(rendered.text[last:]))
        warning = f'<p style="color:#b91c1c">{_escape(rendered.warning())}</p>' if rendered.unfilled else ""
        self.preview.setHtml("".join(html).replace("\n", "<br>") + warning)
        self.preview_text = rendered.text

    # --- checking and publishing --------------------------------------------------------------

    async def check(self) -> int:
        """Run every phrase through the compliance filter (off the Qt thread); list blocked and warned
        phrases. Returns the number blocked."""
        from workstation.quickreply.lint import check_library

        custom = self.team_sync.check_text if self.team_sync is not None else None
        self._say("正在检查……")
        checks = await asyncio.to_thread(check_library, self.library, platform=self.platform,
                                         check_text=custom)
        flagged = [c for c in checks if c.action != "pass"]
        self._show_problems([(c.code, f"{'禁止' if c.blocked else '提醒'}　{c.group} / {c.code}：{c.reasons()}")
                             for c in flagged])
        blocked = sum(1 for c in flagged if c.blocked)
        if blocked:
            self._say(f"{blocked} 条短语未通过合规检查，修改后才能发布。", error=True)
        else:
            self._say(f"合规检查通过：{len(checks)} 条短语" + (f"，{len(flagged)} 条有提醒。" if flagged else "。"))
        return blocked

    async def publish(self) -> bool:
        """Publish the library; on a conflict open the merge view. True when published."""
        self.publish_button.setEnabled(False)
        self._say("正在发布……")
        try:
            published = await self.team_sync.publish(self.library, base_etag=self.base_etag,
                                                      published_by=self.lead_name, platform=self.platform)
        except PublishBlocked as exc:
            self._show_problems([(c.code, f"禁止　{c.group} / {c.code}：{c.reasons()}") for c in exc.blocked])
            self._say(f"{len(exc.blocked)} 条短语未通过合规检查，没有发布。请修改后再发布。", error=True)
            if exc.blocked:
                self.select_code(exc.blocked[0].code)
            return False
        except PublishInvalid as exc:
            self._show_problems([(p.code, str(p)) for p in exc.problems])
            self._say("话术库有问题，没有发布。", error=True)
            return False
        except PublishConflict as exc:
            self._open_merge(exc)
            return False
        except SyncError as exc:
            self._say(f"没有发布：{exc}", error=True)
            return False
        finally:
            self.publish_button.setEnabled(True)
        self.base_etag = self.team_sync.cache.etag if self.team_sync.cache else None
        self.team_sync.store.discard_team_draft()
        self._save_timer.stop()
        self._show_problems([])
        self._say(f"已发布团队话术（第 {published.revision} 版，{len(published)} 条短语）。{self.team_sync.status.text}")
        self.published.emit(published)
        return True

    def _open_merge(self, conflict: PublishConflict) -> None:
        theirs = self.team_sync.conflict_library(conflict)
        if theirs is None:
            self._say(f"{conflict}（无法读取对方的版本，请稍后重试）", error=True)
            return
        self._say(str(conflict), error=True)
        dialog = MergeDialog(self.library, theirs, self)
        self.merge_dialog = dialog

        def accepted() -> None:
            self.base_etag = conflict.their_etag
            self.apply(dialog.merged_library(), "合并对方版本")
            self._say("已合并。检查无误后请再次发布。")

        dialog.accepted.connect(accepted)
        dialog.open()

    # --- where the team library is published -------------------------------------------------

    def open_source_form(self) -> "TeamSourceForm":
        form = TeamSourceForm(self.team_sync.store.folder.parent, self)
        form.saved.connect(self._source_saved)
        self.source_form = form
        form.open()
        return form

    def _source_saved(self, subscription: Subscription) -> None:
        self.team_sync.set_remote(lambda: open_remote(subscription))
        self.base_etag = None  # a new location: never overwrite a library it already holds
        self._say(f"发布位置已设为 {subscription.location}。")

    # --- import and export --------------------------------------------------------------------

    async def import_file(self, path: Path) -> bool:
        """Merge a table or library file in as one undoable step; a file with any error changes nothing."""
        try:
            result = await asyncio.to_thread(read_library_file, path, self.scope)
        except (TableUnreadable, OSError) as exc:
            self._say(f"无法导入：{exc}", error=True)
            return False
        if not result.ok:
            self._show_problems([(p.code, str(p)) for p in result.errors[:200]])
            self._say(f"导入失败：{len(result.errors)} 处错误，没有导入任何短语。", error=True)
            return False
        library, added, updated = merge_import(self.library, result.library)
        self.apply(library, f"导入 {path.name}")
        self._show_problems([(None, f"提示　{w}") for w in result.warnings])
        self._say(f"已导入 {path.name}：新增 {added} 条，更新 {updated} 条（可撤销）。")
        return True

    def export_file(self, path: Path) -> bool:
        from workstation.quickreply.fileformat import dump_library, write_atomic

        try:
            if path.suffix.lower() == ".json":
                write_atomic(path, dump_library(self.library))
                warnings: list[str] = []
            else:
                warnings = write_table(self.library, path)
        except (TableUnreadable, OSError) as exc:
            self._say(f"导出失败：{exc}", error=True)
            return False
        self._say(f"已导出 {len(self.library)} 条短语到 {path.name}。" + " ".join(warnings))
        return True

    def _choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "导入话术", "", "话术表格 (*.xlsx *.csv);;话术库文件 (*.json)")
        if path:
            self.tasks.spawn(self.import_file(Path(path)), name="import-phrases")

    def _choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出话术", "团队话术.xlsx",
                                              "Excel (*.xlsx);;CSV (*.csv);;话术库文件 (*.json)")
        if path:
            self.export_file(Path(path))

    # --- messages -----------------------------------------------------------------------------

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet("color:#b91c1c" if error else "")
        self.message_label.setText(text)

    def _show_problems(self, rows: list[tuple[str | None, str]]) -> None:
        self.problems_list.clear()
        for code, text in rows:
            self.problems_list.addItem(text)
            self.problems_list.item(self.problems_list.count() - 1).setData(Qt.ItemDataRole.UserRole, code)
        self.problems_list.setVisible(bool(rows))

    def _jump_to_problem(self, item) -> None:
        code = item.data(Qt.ItemDataRole.UserRole)
        if code:
            self.select_code(code)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.tree and event.type() == QEvent.Type.KeyPress:
            for name, action in self.actions_by_name.items():
                if any(event.matches(key) for key in _KEYS[name]) or QKeySequence(
                        event.keyCombination()) == action.shortcut():
                    if action.isEnabled():
                        action.trigger()
                    return True
        return super().eventFilter(watched, event)

    def closeEvent(self, event) -> None:  # noqa: N802
        if self._save_timer.isActive():
            self.save_draft()
        self.tasks.cancel_all()
        super().closeEvent(event)


_KEYS = {
    "undo": (QKeySequence.StandardKey.Undo,),
    "redo": (QKeySequence.StandardKey.Redo,),
    "delete": (QKeySequence.StandardKey.Delete,),
    "up": (),
    "down": (),
}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class TeamSourceForm(QDialog):
    """Where the team library lives: a shared folder or a WebDAV URL (password to the keyring).

    Used by leads (publish) and agents (subscribe); the settings dialog can embed it too.
    """

    saved = Signal(object)  # Subscription

    def __init__(self, data_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("团队话术来源")
        self.data_dir = Path(data_dir)
        self.tasks = TaskKeeper(on_error=lambda exc: self._say(f"操作失败：{exc}", error=True))
        current = load_subscription(self.data_dir)
        self.kind_field = QComboBox(self)
        self.kind_field.addItem("WebDAV（坚果云、Nextcloud、NAS）", "webdav")
        self.kind_field.addItem("共享文件夹（网络盘、同步盘）", "folder")
        self.location_field = QLineEdit(self)
        self.location_field.setPlaceholderText("https://dav.jianguoyun.com/dav/客服/ 或 Z:\\客服\\话术")
        self.username_field = QLineEdit(self)
        self.password_field = QLineEdit(self)
        self.password_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_field.setPlaceholderText("留空表示沿用已保存的密码")
        if current is not None:
            self.kind_field.setCurrentIndex(0 if current.kind == "webdav" else 1)
            self.location_field.setText(current.location)
            self.username_field.setText(current.username)
        self.test_button = QPushButton("测试连接", self)
        self.test_button.clicked.connect(lambda: self.tasks.spawn(self.test_connection(), name="test-source"))
        self.save_button = QPushButton("保存", self)
        self.save_button.clicked.connect(lambda: self.tasks.spawn(self.save(), name="save-source"))
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("类型", self.kind_field)
        form.addRow("地址", self.location_field)
        form.addRow("用户名", self.username_field)
        form.addRow("密码", self.password_field)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        form.addRow(buttons)
        form.addRow(self.message_label)

    def subscription(self) -> Subscription | None:
        kind = self.kind_field.currentData()
        location = self.location_field.text().strip()
        if not location:
            self._say("请填写地址。", error=True)
            return None
        if kind == "webdav":
            try:
                WebDavRemote(location)
            except ValueError as exc:
                self._say(str(exc), error=True)
                return None
        return Subscription(kind, location, self.username_field.text().strip() if kind == "webdav" else "")

    async def save(self) -> bool:
        subscription = self.subscription()
        if subscription is None:
            return False
        password = self.password_field.text() or None
        from workstation.secrets import SecretsUnavailable

        try:
            # keyring calls can block for seconds on some desktops
            await asyncio.to_thread(save_subscription, self.data_dir, subscription, password)
        except SecretsUnavailable as exc:
            self._say(str(exc), error=True)
            return False
        except OSError as exc:
            self._say(f"无法保存设置：{exc.strerror or exc}", error=True)
            return False
        self.password_field.clear()
        self._say("已保存。")
        self.saved.emit(subscription)
        return True

    async def test_connection(self) -> bool:
        subscription = self.subscription()
        if subscription is None:
            return False
        password = self.password_field.text()
        try:
            if subscription.kind == "webdav" and password:
                remote = WebDavRemote(subscription.location, subscription.username, password)
            else:
                remote = await asyncio.to_thread(open_remote, subscription)
            version = await remote.fetch(None)
        except RemoteNotFound:
            self._say("连接成功，服务器上还没有团队话术库（发布后就会出现）。")
            return True
        except SyncError as exc:
            self._say(str(exc), error=True)
            return False
        self._say(f"连接成功，找到团队话术库（{len(version.data or b'') // 1024} KB）。")
        return True

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet("color:#b91c1c" if error else "")
        self.message_label.setText(text)
