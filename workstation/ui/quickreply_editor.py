"""团队话术编辑器: a team lead builds the team library, checks it, and publishes it.

Every change (edit, drag, bulk move, delete, import, merge) replaces the immutable Library and is one
QUndoCommand holding the library before and after, so undo is exact. The unpublished draft is saved
after each change; publishing goes through the compliance filter and the ETag check in TeamSync.
The tree (quickreply_tree_model, quickreply_tree_pane), the phrase form (quickreply_phrase_form), the
merge view (quickreply_merge_dialog) and the source form (quickreply_source_form) live beside it.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QComboBox, QDialog, QFileDialog, QHBoxLayout, QLabel, QListWidget, QPushButton, QSplitter, QVBoxLayout,
    QWidget,
)

from workstation.domain.platforms import Platform
from workstation.quickreply.fileformat import image_ref
from workstation.quickreply.model import (
    DEFAULT_GROUP, MAX_IMAGE_BYTES, Library, LibraryInvalid, Phrase, Scope, check_code, check_group_name,
    check_phrase_text, problems_in,
)
from workstation.quickreply.remote import PublishConflict, SyncError
from workstation.quickreply.service import QuickReplies, merge_import, read_library_file
from workstation.quickreply.store import TeamDraft
from workstation.quickreply.sync import PublishBlocked, PublishInvalid, Subscription, TeamSync, open_remote
from workstation.quickreply.tabular import TableUnreadable, write_table
from workstation.quickreply.variables import ConversationContext, unknown_variables
from workstation.ui.quickreply_merge_dialog import MergeDialog
from workstation.ui.quickreply_phrase_form import PhraseForm
from workstation.ui.quickreply_source_form import TeamSourceForm
from workstation.ui.quickreply_tree_model import LibraryEdit, LibraryTreeModel
from workstation.ui.quickreply_tree_pane import PhraseTreePane
from workstation.ui.tasks import TaskKeeper

if TYPE_CHECKING:
    from workstation.quickreply.lint import PhraseCheck

__all__ = ["QuickReplyEditor", "TeamSourceForm"]

log = logging.getLogger(__name__)


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
        self.source_form: TeamSourceForm | None = None
        self._current_code: str | None = None
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
        self.tree_pane = PhraseTreePane(self.model, self.scope, self)
        self.search_field, self.tree = self.tree_pane.search_field, self.tree_pane.tree
        self.tree.selectionModel().currentChanged.connect(lambda current, _: self._load_detail(current))
        self._build_actions()

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

        self.phrase_form = form = PhraseForm(self)
        form.save_phrase_button.clicked.connect(self.save_detail)
        form.add_image_button.clicked.connect(self._choose_image)
        form.clear_images_button.clicked.connect(self.clear_images)
        # The form's widgets, by the names callers (and the tests) know them by.
        self.group_field, self.code_field = form.group_field, form.code_field
        self.text_field, self.images_label, self.preview = form.text_field, form.images_label, form.preview
        self.save_phrase_button = form.save_phrase_button

        splitter = QSplitter(self)
        splitter.addWidget(self.tree_pane)
        splitter.addWidget(form)
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

    def _build_actions(self) -> None:
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
        self.undo_stack.push(LibraryEdit(self._show_library, self.library, library, description, select))

    def _show_library(self, library: Library, select: str | None) -> None:
        if not self.tree_pane.show_library(library, select or self._current_code):
            self._load_detail(self.tree.currentIndex())
        self._refresh_groups()
        self.tree_pane.apply_filter()
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

    def select_code(self, code: str) -> None:
        self.tree_pane.select_code(code)

    def visible_codes(self) -> list[str]:
        """The codes the search leaves visible, in tree order."""
        return self.tree_pane.visible_codes()

    def set_sample_context(self, context: ConversationContext) -> None:
        """The conversation the preview renders the phrase against."""
        self.phrase_form.set_sample_context(context)

    def _current_phrase(self) -> tuple[str, Phrase] | None:
        """(group, phrase) for the phrase the form shows, if it is in the library."""
        return self.library.find(self._current_code) if self._current_code else None

    def _load_detail(self, index: QModelIndex) -> None:
        phrase = self.model.phrase_at(index)
        self._current_code = phrase.code if phrase else None
        self.phrase_form.show_phrase(self.model.group_at(index), phrase)

    def save_detail(self) -> bool:
        """Apply the form to the selected phrase (or add it as new); with a group selected and no phrase
        typed, rename the group. False with a message if invalid."""
        group, code, text = self.phrase_form.group_name(), self.phrase_form.code(), self.phrase_form.text()
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
        old = self._current_phrase()
        phrase = self.phrase_form.phrase(images=old[1].images if old else ())
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
            self.tree_pane.select_group(new)
            self._say(f"分组已改名为“{new}”。")
        return True

    def add_image(self, data: bytes) -> bool:
        """Attach an image to the selected phrase (checked for QR codes when publishing)."""
        found = self._current_phrase()
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
        found = self._current_phrase()
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
        self.tree_pane.select_group(name)
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
        codes, groups = self.tree_pane.selected_codes(), self.tree_pane.selected_groups()
        if not codes and not groups:
            return
        library = self.library.without(codes).without_groups(groups)
        parts = ([f"{len(codes)} 条短语"] if codes else []) + ([f"{len(groups)} 个分组"] if groups else [])
        self.apply(library, "删除" + "和".join(parts))
        self._say(f"已删除{'和'.join(parts)}（可撤销）。")

    def move_selected_to(self, group: str) -> None:
        group = group.strip()
        codes = self.tree_pane.selected_codes()
        if not codes or check_group_name(group):
            self._say("请先选择要移动的短语和目标分组。", error=True)
            return
        self.apply(self.library.move(codes, group), f"移动 {len(codes)} 条短语到 {group}", select=codes[0])

    def move_selected(self, step: int) -> None:
        index = self.tree.currentIndex()
        phrase = self.model.phrase_at(index)
        row = index.row() + (2 if step > 0 else -1)  # the row to insert before, counted before removal
        if phrase is not None:
            group = self.model.group_at(index)
            if 0 <= index.row() + step < self.model.rowCount(index.parent()):
                self.apply(self.library.move([phrase.code], group, row), f"移动短语 {phrase.code}",
                           select=phrase.code)
        elif (group := self.model.group_at(index)) is not None:
            if 0 <= index.row() + step < len(self.library.groups):
                self.apply(self.library.move_group(group, row), f"移动分组 {group}")
                self.tree_pane.select_group(group)

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
        self._show_problems([_check_row(c) for c in flagged])
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
            self._show_problems([_check_row(c) for c in exc.blocked])
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


def _check_row(check: PhraseCheck) -> tuple[str, str]:
    """A row of the problems list: the phrase's code, and what the compliance filter said about it."""
    return check.code, f"{'禁止' if check.blocked else '提醒'}　{check.group} / {check.code}：{check.reasons()}"
