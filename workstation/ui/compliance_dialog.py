"""合规词库: team leads view, add, disable, import and export the compliance word lists,
and review and export the blocked send attempts (拦截记录).

Every change is written to the list file at once (atomically) and the filter reloads, so agents'
next messages are checked against it without a restart. The test box shows the live verdict.
Audit texts are shown masked (SPEC.md: contact numbers are personal data), as the export writes them.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QSplitter, QTableView, QTabWidget,
    QTextEdit, QVBoxLayout, QWidget,
)

from workstation.compliance import ComplianceFilter, audit, default_filter
from workstation.compliance.filter import PLATFORMS
from workstation.compliance.wordlists import (
    ALLOWED_DOMAINS_LIST, LIST_TITLES, WordEntry, WordList, WordListError, all_list_names, load_list, parse_list,
    save_list,
)
from workstation.domain.platforms import Platform
from workstation.domain.verdict import Action, Category, Verdict
from workstation.ui.tasks import TaskKeeper

log = logging.getLogger(__name__)

VERDICT_LABELS = {Action.BLOCK: "拦截", Action.WARN: "提醒（需二次确认）", Action.PASS: "通过"}
_HIGHLIGHT = {Action.BLOCK: QColor("#fecaca"), Action.WARN: QColor("#fde68a")}


class ComplianceDialog(QDialog):
    """Word lists on the left, the selected list's words in the middle, a live test box below."""

    lists_changed = Signal(str)  # list name, after it was saved and the filter reloaded

    def __init__(self, compliance_filter: ComplianceFilter | None = None, parent: QWidget | None = None,
                 *, store=None):
        """`store`: the app's StoreWorker; with it the dialog also shows the 拦截记录 (audit) tab."""
        super().__init__(parent)
        self.setWindowTitle("合规词库")
        self.resize(900, 620)
        self.filter = compliance_filter or default_filter()
        self.word_dir: Path = self.filter.word_dir
        self._lists: dict[str, WordList] = {}
        self._unreadable: dict[str, str] = {}  # list name → why its file could not be read
        self._loading = False

        self.list_names = QListWidget()
        for name in all_list_names():
            item = QListWidgetItem(LIST_TITLES.get(name, name))
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.list_names.addItem(item)
        self.list_names.currentItemChanged.connect(self._show_current_list)

        self.search = QLineEdit(placeholderText="筛选词…")
        self.search.textChanged.connect(self._apply_search)
        self.words = QListWidget()
        self.words.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.words.itemChanged.connect(self._word_toggled)
        self.new_word = QLineEdit(placeholderText="输入新词，回车添加")
        self.new_word.returnPressed.connect(self._add_from_field)
        self.add_button = QPushButton("添加")
        self.add_button.clicked.connect(self._add_from_field)
        self.toggle_button = QPushButton("停用/启用")
        self.toggle_button.clicked.connect(self._toggle_selected)
        self.remove_button = QPushButton("删除")
        self.remove_button.clicked.connect(self._remove_selected)
        self.import_button = QPushButton("导入…")
        self.import_button.clicked.connect(self._choose_import)
        self.export_button = QPushButton("导出…")
        self.export_button.clicked.connect(self._choose_export)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.count_label = QLabel()

        add_row = QHBoxLayout()
        add_row.addWidget(self.new_word, 1)
        add_row.addWidget(self.add_button)
        buttons_row = QHBoxLayout()
        for button in (self.toggle_button, self.remove_button, self.import_button, self.export_button):
            buttons_row.addWidget(button)
        buttons_row.addStretch(1)
        buttons_row.addWidget(self.count_label)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.search)
        middle_layout.addWidget(self.words, 1)
        middle_layout.addLayout(add_row)
        middle_layout.addLayout(buttons_row)
        middle_layout.addWidget(self.message)

        self.test_input = QPlainTextEdit(placeholderText="在这里输入一句话，实时查看检查结果")
        self.test_input.setMaximumHeight(80)
        self.test_input.textChanged.connect(self.update_test_result)
        self.test_platform = QComboBox()
        self.test_platform.addItem("不限平台", None)
        for code in PLATFORMS:
            self.test_platform.addItem(Platform(code).label, code)
        self.test_platform.currentIndexChanged.connect(self.update_test_result)
        self.verdict_label = QLabel("通过")
        self.test_hits = QListWidget()
        self.test_hits.setMaximumHeight(110)
        test_header = QHBoxLayout()
        test_header.addWidget(QLabel("测试："))
        test_header.addWidget(self.test_platform)
        test_header.addStretch(1)
        test_header.addWidget(self.verdict_label)

        splitter = QSplitter()
        splitter.addWidget(self.list_names)
        splitter.addWidget(middle)
        splitter.setStretchFactor(1, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        lists_page = QWidget()
        lists_layout = QVBoxLayout(lists_page)
        lists_layout.addWidget(splitter, 1)
        lists_layout.addLayout(test_header)
        lists_layout.addWidget(self.test_input)
        lists_layout.addWidget(self.test_hits)
        self.audit_panel = None
        layout = QVBoxLayout(self)
        if store is not None:
            self.audit_panel = AuditPanel(store)
            self.tabs = QTabWidget()
            self.tabs.addTab(lists_page, "词库")
            self.tabs.addTab(self.audit_panel, "拦截记录")
            self.tabs.currentChanged.connect(self._tab_changed)
            layout.addWidget(self.tabs, 1)
        else:
            layout.addWidget(lists_page, 1)
        layout.addWidget(close)
        self.list_names.setCurrentRow(0)

    def _tab_changed(self, index: int) -> None:
        if self.audit_panel is not None and self.tabs.widget(index) is self.audit_panel:
            self.audit_panel.tasks.spawn(self.audit_panel.load())

    # ---- lists ------------------------------------------------------------------------------

    def current_list_name(self) -> str:
        item = self.list_names.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else all_list_names()[0]

    def select_list(self, name: str) -> None:
        for row in range(self.list_names.count()):
            if self.list_names.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.list_names.setCurrentRow(row)
                return
        raise KeyError(name)

    def word_list(self, name: str | None = None) -> WordList:
        name = name or self.current_list_name()
        if name not in self._lists:
            try:
                self._lists[name] = load_list(self.word_dir, name)
            except WordListError as exc:
                # shown, and the list is read-only here so saving cannot wipe the file
                self._unreadable[name] = str(exc)
                self._lists[name] = WordList(name)
        return self._lists[name]

    def _show_current_list(self, *_args) -> None:
        words = self.word_list()
        self._loading = True
        try:
            self.words.clear()
            for entry in words.entries:
                item = QListWidgetItem(entry.word)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if entry.enabled else Qt.CheckState.Unchecked)
                item.setToolTip("已启用" if entry.enabled else "已停用")
                self.words.addItem(item)
        finally:
            self._loading = False
        self._apply_search()
        self._update_count()
        problem = self._unreadable.get(self.current_list_name(), "")
        for widget in (self.new_word, self.add_button, self.toggle_button, self.remove_button, self.import_button):
            widget.setEnabled(not problem)
        self._say(problem)

    def _apply_search(self, *_args) -> None:
        needle = self.search.text().strip().casefold()
        for row in range(self.words.count()):
            item = self.words.item(row)
            item.setHidden(bool(needle) and needle not in item.text().casefold())

    def _update_count(self) -> None:
        words = self.word_list()
        enabled = sum(e.enabled for e in words.entries)
        self.count_label.setText(f"共 {len(words.entries)} 个，启用 {enabled} 个")

    def _say(self, text: str) -> None:
        self.message.setText(text)

    def _save(self, name: str | None = None) -> bool:
        """Write the list and reload the filter; False (with the reason shown) when either failed."""
        name = name or self.current_list_name()
        if name in self._unreadable:
            self._say(self._unreadable[name])
            return False
        try:
            save_list(self.word_dir, self.word_list(name))
        except OSError as exc:
            log.warning("could not save word list %s: %s", name, exc)
            self._say(f"保存失败：{exc.strerror or exc}。请检查词库文件夹 {self.word_dir} 是否可写。")
            return False
        try:
            self.filter.reload()
        except WordListError as exc:
            self._say(f"已保存，但其他词库文件有问题，暂未生效：{exc}")
            return False
        self.lists_changed.emit(name)
        self.update_test_result()
        return True

    # ---- editing ----------------------------------------------------------------------------

    def _check_new_word(self, name: str, word: str) -> str | None:
        if not word:
            return "请输入要添加的词。"
        if word.startswith(("#", "!")):
            return "词不能以 # 或 ! 开头。"
        if name == ALLOWED_DOMAINS_LIST:
            parts = word.split()
            if len(parts) != 2 or parts[0].lower() not in (*PLATFORMS, "*") or "." not in parts[1]:
                return "允许的域名请写成“平台代码 域名”，例如：pdd yangkeduo.com（* 表示所有平台）。"
        if any(e.word == word for e in self.word_list(name).entries):
            return f"“{word}”已经在词库里了。"
        return None

    def add_word(self, word: str) -> bool:
        name = self.current_list_name()
        if name in self._unreadable:
            self._say(self._unreadable[name])
            return False
        word = " ".join(word.split())
        problem = self._check_new_word(name, word)
        if problem:
            self._say(problem)
            return False
        self.word_list(name).entries.append(WordEntry(word))
        saved = self._save(name)
        message = self.message.text()
        self._show_current_list()
        self._say(f"已添加“{word}”，立即生效。" if saved else message)
        return True

    def _add_from_field(self) -> None:
        if self.add_word(self.new_word.text()):
            self.new_word.clear()

    def _selected_words(self) -> list[str]:
        return [item.text() for item in self.words.selectedItems()]

    def set_enabled(self, word: str, enabled: bool) -> None:
        for entry in self.word_list().entries:
            if entry.word == word:
                entry.enabled = enabled
        if self._save():
            self._say(f"已{'启用' if enabled else '停用'}“{word}”，立即生效。")
        self._update_count()

    def _word_toggled(self, item: QListWidgetItem) -> None:
        if self._loading:
            return
        enabled = item.checkState() == Qt.CheckState.Checked
        item.setToolTip("已启用" if enabled else "已停用")
        # The list is not rebuilt here: the item that emitted this signal must stay alive.
        self.set_enabled(item.text(), enabled)

    def _toggle_selected(self) -> None:
        selected = set(self._selected_words())
        if not selected:
            self._say("请先选中要停用或启用的词。")
            return
        for entry in self.word_list().entries:
            if entry.word in selected:
                entry.enabled = not entry.enabled
        saved = self._save()
        message = self.message.text()
        self._show_current_list()
        self._say("已切换选中词的启用状态，立即生效。" if saved else message)

    def remove_words(self, words: list[str]) -> None:
        doomed = set(words)
        current = self.word_list()
        current.entries = [e for e in current.entries if e.word not in doomed]
        saved = self._save()
        message = self.message.text()
        self._show_current_list()
        self._say(f"已删除 {len(doomed)} 个词。" if saved else message)

    def _remove_selected(self) -> None:
        words = self._selected_words()
        if words:
            self.remove_words(words)
        else:
            self._say("请先选中要删除的词。")

    # ---- import / export --------------------------------------------------------------------

    def import_file(self, path: Path) -> int:
        """Add the words of a UTF-8 text file (one per line, same format as the lists); returns how many were new."""
        if self.current_list_name() in self._unreadable:
            self._say(self._unreadable[self.current_list_name()])
            return 0
        try:
            incoming = parse_list(Path(path).read_text(encoding="utf-8-sig"), self.current_list_name())
        except (OSError, UnicodeDecodeError) as exc:
            self._say(f"无法读取 {Path(path).name}：请选择 UTF-8 编码的文本文件，每行一个词。")
            log.info("word list import failed: %s", exc)
            return 0
        current = self.word_list()
        known = {e.word for e in current.entries}
        added = [e for e in incoming.entries if e.word not in known and not self._check_new_word(current.name, e.word)]
        current.entries.extend(added)
        saved = self._save() if added else True
        message = self.message.text()
        self._show_current_list()
        self._say(f"导入 {len(added)} 个新词，跳过 {len(incoming.entries) - len(added)} 个重复或格式不对的词。"
                  if saved else message)
        return len(added)

    def export_file(self, path: Path) -> None:
        from workstation.compliance.wordlists import format_list

        try:
            Path(path).write_text(format_list(self.word_list()), encoding="utf-8")
        except OSError as exc:
            self._say(f"导出失败：{exc.strerror or exc}")
            return
        self._say(f"已导出到 {path}")

    def _choose_import(self) -> None:
        dialog = QFileDialog(self, "导入词表", "", "文本文件 (*.txt);;所有文件 (*)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.import_file(Path(path)))
        dialog.open()

    def _choose_export(self) -> None:
        dialog = QFileDialog(self, "导出词表", f"{self.current_list_name()}.txt", "文本文件 (*.txt)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(lambda path: self.export_file(Path(path)))
        dialog.open()

    # ---- live test --------------------------------------------------------------------------

    def current_verdict(self) -> Verdict:
        return self.filter.check_text(self.test_input.toPlainText(), platform=self.test_platform.currentData())

    def update_test_result(self, *_args) -> None:
        verdict = self.current_verdict()
        self.verdict_label.setText(VERDICT_LABELS[verdict.action])
        self.test_hits.clear()
        selections = []
        text = self.test_input.toPlainText()
        for hit in verdict.hits:
            label = Category(hit.category).label if hit.category in Category._value2member_map_ else str(hit.category)
            self.test_hits.addItem(f"【{label}】{hit.reason}")
            if hit.end > hit.start:
                selection = QTextEdit.ExtraSelection()
                fmt = QTextCharFormat()
                fmt.setBackground(_HIGHLIGHT.get(hit.severity, QColor("#fecaca")))
                selection.format = fmt
                cursor = QTextCursor(self.test_input.document())
                cursor.setPosition(_utf16(text, hit.start))
                cursor.setPosition(_utf16(text, hit.end), QTextCursor.MoveMode.KeepAnchor)
                selection.cursor = cursor
                selections.append(selection)
        self.test_input.setExtraSelections(selections)


def _utf16(text: str, index: int) -> int:
    """Qt counts positions in UTF-16 code units; Python in code points."""
    return len(text[:index].encode("utf-16-le")) // 2


# ---- 拦截记录 (the audit trail) -------------------------------------------------------------

COLUMNS = ("时间", "平台", "店铺", "会话", "客服", "违反的规则", "内容")
PERIODS = (("今天", 1), ("最近 7 天", 7), ("最近 30 天", 30), ("全部", None))


def _category_label(code: str) -> str:
    try:
        return Category(code).label
    except ValueError:
        return code


class AuditModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.records: list[audit.AuditRecord] = []

    def set_records(self, records: list[audit.AuditRecord]) -> None:
        self.beginResetModel()
        self.records = list(records)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.records)):
            return None
        record = self.records[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell(record, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (5, 6):
            return "\n".join(h.get("reason", "") for h in record.hits)
        return None

    @staticmethod
    def _cell(record: audit.AuditRecord, column: int) -> str:
        if column == 0:
            return record.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        if column == 1:
            return record.platform
        if column == 2:
            return record.shop_id
        if column == 3:
            return record.conversation_id
        if column == 4:
            return record.agent_id
        if column == 5:
            return "、".join(dict.fromkeys(_category_label(c) for c in record.categories))
        return record.masked_text()


class AuditPanel(QWidget):
    """Period filter, table, refresh and CSV export. `store` is the app's StoreWorker (`await store.call(fn, ...)`)."""

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.tasks = TaskKeeper(on_error=lambda exc: self.status.setText(f"读取拦截记录失败：{exc}"))
        self.model = AuditModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.horizontalHeader().setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.period = QComboBox()
        for label, days in PERIODS:
            self.period.addItem(label, days)
        self.period.setCurrentIndex(1)
        self.period.currentIndexChanged.connect(lambda _i: self.tasks.spawn(self.load()))
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.clicked.connect(lambda: self.tasks.spawn(self.load()))
        self.export_button = QPushButton("导出 CSV…")
        self.export_button.clicked.connect(self._choose_export)
        self.status = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel("时间范围："))
        top.addWidget(self.period)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)

    def _since(self) -> datetime | None:
        days = self.period.currentData()
        return None if days is None else datetime.now(timezone.utc) - timedelta(days=days)

    async def load(self) -> None:
        records = await self.store.call(audit.list_blocked, since=self._since(), limit=5000)
        self.model.set_records(records)
        self.status.setText(f"共 {len(records)} 条拦截记录（内容中的联系方式已打码）。")

    async def export(self, path: Path) -> None:
        records = await self.store.call(audit.list_blocked, since=self._since(), limit=1_000_000)
        text = audit.export_csv(records)
        try:
            await asyncio.to_thread(Path(path).write_text, text, encoding="utf-8")
        except OSError as exc:
            self.status.setText(f"导出失败：{exc.strerror or exc}")
            return
        self.status.setText(f"已导出 {len(records)} 条到 {path}")

    def _choose_export(self) -> None:
        dialog = QFileDialog(self, "导出拦截记录", "拦截记录.csv", "CSV 文件 (*.csv)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(lambda path: self.tasks.spawn(self.export(Path(path))))
        dialog.open()
