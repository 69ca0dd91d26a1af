"""聊天记录 (history review): search every shop's stored messages offline, replay a conversation, import/export.

Needs only the database — no account signed in, no network. All queries run on the
store worker; results stream into HitsModel a page at a time as the view scrolls.
Open it with `open_history_window(services.paths.database)`.
"""

from __future__ import annotations

import html
import logging
import threading
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workstation.domain.messages import Rating
from workstation.domain.platforms import Platform
from workstation.history.exporter import ExportCancelled, export_messages, rows_by_id, rows_in_range
from workstation.history.importer import ImportProgress, ImportSummary, import_archive
from workstation.history.search import ConversationContext, HistoryQuery, conversation_context, search, shops
from workstation.store.db import StoreError
from workstation.store.worker import StoreWorker
from workstation.ui.history_models import HitsModel, describe, local_time, sender_label
from workstation.ui.store_window import StoreWindow, show_store_window

log = logging.getLogger(__name__)

PAGE_SIZE = 200
_RATING_LABELS = {Rating.SATISFIED: "满意", Rating.NEUTRAL: "一般", Rating.DISAPPOINTED: "失望"}
_EXPORT_FILTERS = "聊天记录归档 (*.jsonl);;表格 (*.xlsx);;CSV (*.csv)"


class HistoryWindow(StoreWindow):
    """The reviewer's history window. `search_finished(count)` fires when a search's first page is in."""

    search_finished = Signal(int)
    import_finished = Signal(object)   # ImportSummary
    export_finished = Signal(object)   # ExportResult or an error message (str)
    _import_progress = Signal(object)  # emitted on the store thread, delivered on the Qt thread

    def __init__(self, store: StoreWorker | Path, parent: QWidget | None = None):
        super().__init__(store, parent)
        self.generation = 0
        self.query = HistoryQuery()
        self.next_before: int | None = None
        self.cancel_event: threading.Event | None = None
        self.setWindowTitle(self.tr("聊天记录 · 离线查看"))
        self.resize(1200, 760)

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("搜索消息内容（任意长度，含两个字的词，如“退款”）"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.returnPressed.connect(self._search_clicked)
        self.search_button = QPushButton(self.tr("搜索"))
        self.search_button.clicked.connect(self._search_clicked)

        self.platform_combo = QComboBox()
        self.platform_combo.addItem(self.tr("全部平台"), None)
        for platform in Platform:
            self.platform_combo.addItem(platform.label, platform)
        self.shop_combo = QComboBox()
        self.shop_combo.addItem(self.tr("全部店铺"), "")
        self.buyer_edit = QLineEdit()
        self.buyer_edit.setPlaceholderText(self.tr("买家 ID 或昵称"))
        self.agent_edit = QLineEdit()
        self.agent_edit.setPlaceholderText(self.tr("客服账号"))
        for edit in (self.buyer_edit, self.agent_edit):
            edit.returnPressed.connect(self._search_clicked)
        self.date_check = QCheckBox(self.tr("日期"))
        today = QDate.currentDate()
        self.since_edit = QDateEdit(today.addMonths(-1))
        self.until_edit = QDateEdit(today)
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.date_check.toggled.connect(self.since_edit.setEnabled)
        self.date_check.toggled.connect(self.until_edit.setEnabled)
        self.rating_combo = QComboBox()
        self.rating_combo.addItem(self.tr("任意评价"), None)
        for rating, label in _RATING_LABELS.items():
            self.rating_combo.addItem(self.tr("评价：") + label, rating)
        self.blocked_check = QCheckBox(self.tr("有被拦截的发送"))
        self.blocked_check.setToolTip(self.tr("只看合规过滤拦截过客服发送的会话"))

        search_row = QHBoxLayout()
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.search_button)
        filter_row = QHBoxLayout()
        for widget in (self.platform_combo, self.shop_combo, self.buyer_edit, self.agent_edit,
                       self.date_check, self.since_edit, QLabel("–"), self.until_edit,
                       self.rating_combo, self.blocked_check):
            filter_row.addWidget(widget)
        filter_row.addStretch(1)

        self.model = HitsModel(self)
        self.model.request_more = self._request_more
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 150), (1, 150), (2, 120), (3, 110)):
            self.view.setColumnWidth(column, width)
        self.view.activated.connect(self._hit_activated)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)

        self.replay_title = QLabel(self.tr("选中一条结果，查看它所在的会话"))
        self.replay_title.setWordWrap(True)
        self.replay = QTextBrowser()
        self.replay.setOpenLinks(False)  # buyers' links are shown as plain text, never opened
        self.replay.setOpenExternalLinks(False)
        replay_box = QWidget()
        replay_layout = QVBoxLayout(replay_box)
        replay_layout.setContentsMargins(0, 0, 0, 0)
        replay_layout.addWidget(self.replay_title)
        replay_layout.addWidget(self.replay, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.view)
        splitter.addWidget(replay_box)
        splitter.setSizes([720, 480])

        self.status = QLabel()
        self.reveal_check = QCheckBox(self.tr("显示完整手机号和地址"))
        self.reveal_check.setToolTip(
            self.tr("默认打码（列表、会话和导出的文件）。只有确有需要时才勾选，导出的文件请妥善保管。")
        )
        self.reveal_check.toggled.connect(self._reveal_toggled)
        self.export_button = QPushButton(self.tr("导出…"))
        self.export_button.setToolTip(self.tr("有选中行时导出选中的消息，否则导出当前筛选条件下的全部消息"))
        self.export_button.clicked.connect(self._export_clicked)
        self.import_button = QPushButton(self.tr("导入归档…"))
        self.import_button.clicked.connect(self._import_clicked)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton(self.tr("取消"))
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_running)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.progress)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.reveal_check)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.import_button)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(search_row)
        layout.addLayout(filter_row)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.setCentralWidget(central)
        self._import_progress.connect(self._show_import_progress)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(lambda: (self.search_edit.setFocus(), self.search_edit.selectAll()))
        self.file_dialog: QFileDialog | None = None
        self.shown_context: ConversationContext | None = None

    # ---- public, awaitable --------------------------------------------------------
    async def load_filters(self) -> None:
        """Fill the shop list from the stored messages."""
        found = await self.store.call(shops)
        current = self.shop_combo.currentData()
        self.shop_combo.blockSignals(True)
        self.shop_combo.clear()
        self.shop_combo.addItem(self.tr("全部店铺"), "")
        for platform, shop_id, name in found:
            self.shop_combo.addItem(f"{Platform(platform).short_mark} {name or shop_id}", shop_id)
        index = self.shop_combo.findData(current)
        self.shop_combo.setCurrentIndex(max(index, 0))
        self.shop_combo.blockSignals(False)

    def current_query(self) -> HistoryQuery:
        since = until = None
        if self.date_check.isChecked():
            since = self.since_edit.date().toPython()
            until = self.until_edit.date().toPython()
        return HistoryQuery(
            text=self.search_edit.text().strip(),
            buyer=self.buyer_edit.text().strip(),
            shop_id=self.shop_combo.currentData() or "",
            platform=self.platform_combo.currentData(),
            agent_id=self.agent_edit.text().strip(),
            since=since,
            until=until,
            blocked_only=self.blocked_check.isChecked(),
            rating=self.rating_combo.currentData(),
        )

    async def run_search(self, query: HistoryQuery | None = None) -> int:
        """Start a new search; returns how many hits the first page holds."""
        self.generation += 1
        generation = self.generation
        self.query = query or self.current_query()
        self.model.reset()
        self.replay.clear()
        self.shown_context = None
        self.status.setText(self.tr("正在搜索…"))
        try:
            page = await self.store.call(search, self.query, limit=PAGE_SIZE)
        except StoreError as exc:
            self.status.setText(str(exc))
            return 0
        if generation != self.generation:
            return 0  # a newer search replaced this one
        self.next_before = page.next_before
        self.model.append_page(page.hits, page.next_before is not None)
        self._update_status()
        self.search_finished.emit(len(page.hits))
        if page.hits:
            self.view.selectRow(0)
        return len(page.hits)

    async def load_more(self) -> int:
        generation = self.generation
        if self.next_before is None:
            self.model.append_page([], False)
            return 0
        page = await self.store.call(search, self.query, before=self.next_before, limit=PAGE_SIZE)
        if generation != self.generation:
            return 0
        self.next_before = page.next_before
        self.model.append_page(page.hits, page.next_before is not None)
        self._update_status()
        return len(page.hits)

    async def show_context(self, row: int) -> ConversationContext | None:
        hit = self.model.hit(row)
        if hit is None:
            return None
        context = await self.store.call(conversation_context, hit.row_id)
        if self.model.hit(row) != hit:
            return context
        self.replay_title.setText(
            f"{Platform(hit.platform).label} · {hit.shop_name or hit.shop_id} · "
            f"买家 {hit.buyer_nick or hit.buyer_id}（{hit.buyer_id}） · 会话 {hit.conversation_id}"
        )
        self.shown_context = context
        self.replay.setHtml(self._replay_html(context, self.query.text, self.reveal_check.isChecked()))
        anchor = "hit"
        self.replay.scrollToAnchor(anchor)
        return context

    async def export_to(self, path: Path, fmt: str, *, selection: list[int] | None = None) -> object:
        """Export the selection (row ids) or everything the current filters match."""
        reveal = self.reveal_check.isChecked()
        query = self.query
        self._busy(True, self.tr("正在导出…"))
        cancel = self.cancel_event
        try:
            def run(db):
                rows = rows_by_id(db, selection) if selection else rows_in_range(db, query)
                return export_messages(rows, path, fmt, reveal_personal_data=reveal, cancel=cancel)

            result = await self.store.call(run)
            masked = self.tr("手机号和地址已打码") if result.masked else self.tr("未打码")
            self.status.setText(self.tr("已导出 {0} 条消息到 {1}（{2}）").format(result.rows, result.path, masked))
        except ExportCancelled:
            result = self.tr("导出已取消，没有生成文件。")
            self.status.setText(result)
        except OSError as exc:
            result = self.tr("无法写入 {0}（{1}），没有生成文件。").format(path, exc.strerror or exc)
            self.status.setText(result)
        finally:
            self._busy(False)
        self.export_finished.emit(result)
        return result

    async def import_file(self, path: Path) -> ImportSummary | None:
        self._busy(True, self.tr("正在导入 {0}…").format(Path(path).name))
        cancel = self.cancel_event
        try:
            summary = await self.store.call(
                import_archive, Path(path), progress=self._import_progress.emit, cancel=cancel
            )
        except OSError as exc:
            self.status.setText(self.tr("无法读取 {0}（{1}）。").format(path, exc.strerror or exc))
            self._busy(False)
            return None
        self._busy(False)
        self.status.setText(summary.describe(max_problems=3).replace("\n", "  "))
        self.status.setToolTip(summary.describe(max_problems=50))
        self.import_finished.emit(summary)
        await self.load_filters()
        return summary

    def cancel_running(self) -> None:
        if self.cancel_event is not None:
            self.cancel_event.set()

    # ---- slots (thin wrappers) ------------------------------------------------------
    def _search_clicked(self) -> None:
        self.tasks.spawn(self.run_search(), name="history-search")

    def _request_more(self) -> None:
        self.tasks.spawn(self.load_more(), name="history-more")

    def _hit_activated(self, index) -> None:
        self.tasks.spawn(self.show_context(index.row()), name="history-context")

    def _current_changed(self, current, previous) -> None:
        if current.isValid():
            self.tasks.spawn(self.show_context(current.row()), name="history-context")

    def _export_clicked(self) -> None:
        selection = self.selected_row_ids()
        dialog = QFileDialog(self, self.tr("导出聊天记录"), str(Path.home() / "聊天记录.xlsx"), _EXPORT_FILTERS)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(
            lambda name: self._export_chosen(name, dialog.selectedNameFilter(), selection)
        )
        self.file_dialog = dialog
        dialog.open()  # never exec(): the event loop (and asyncio) keeps running

    def selected_row_ids(self) -> list[int]:
        """Row ids of the selected hits; one highlighted row is where the reviewer is, not a selection."""
        rows = {index.row() for index in self.view.selectionModel().selectedRows()}
        ids = sorted(hit.row_id for hit in map(self.model.hit, rows) if hit is not None)
        return ids if len(ids) > 1 else []

    def _export_chosen(self, name: str, name_filter: str, selection: list[int]) -> None:
        path = Path(name)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in ("jsonl", "csv", "xlsx"):
            fmt = "jsonl" if "jsonl" in name_filter else "csv" if "csv" in name_filter else "xlsx"
            path = path.with_suffix("." + fmt)
        self.tasks.spawn(self.export_to(path, fmt, selection=selection or None), name="history-export")

    def _import_clicked(self) -> None:
        dialog = QFileDialog(self, self.tr("导入聊天记录归档"), str(Path.home()), "聊天记录归档 (*.jsonl);;所有文件 (*)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(
            lambda name: self.tasks.spawn(self.import_file(Path(name)), name="history-import")
        )
        self.file_dialog = dialog
        dialog.open()

    def _show_import_progress(self, progress: ImportProgress) -> None:
        self.progress.setValue(int(progress.fraction * 1000))
        self.status.setText(self.tr("正在导入：已读 {0:.0%}，新增 {1} 条").format(progress.fraction, progress.imported))

    # ---- helpers -----------------------------------------------------------------------
    def _busy(self, busy: bool, text: str = "") -> None:
        self.cancel_event = threading.Event() if busy else None
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.cancel_button.setVisible(busy)
        self.import_button.setEnabled(not busy)
        self.export_button.setEnabled(not busy)
        if text:
            self.status.setText(text)

    def _update_status(self) -> None:
        count = self.model.rowCount()
        if count == 0:
            self.status.setText(self.tr("没有找到消息。"))
        elif self.model.has_more:
            self.status.setText(self.tr("已显示 {0} 条，向下滚动加载更多").format(count))
        else:
            self.status.setText(self.tr("共 {0} 条").format(count))

    def _reveal_toggled(self, reveal: bool) -> None:
        self.model.set_reveal(reveal)
        if self.shown_context is not None:
            self.replay.setHtml(self._replay_html(self.shown_context, self.query.text, reveal))

    @staticmethod
    def _replay_html(context: ConversationContext, needle: str, reveal: bool = False) -> str:
        parts = ["<html><body style='font-size: 13px'>"]
        if context.more_before:
            parts.append("<p style='color:gray'>…… 更早的消息未显示</p>")
        for index, message in enumerate(context.messages):
            text = html.escape(describe(message, reveal=reveal)).replace("\n", "<br>")
            if needle and index == context.hit_index:
                text = text.replace(html.escape(needle), f"<b>{html.escape(needle)}</b>")
            align = "right" if message.sender in ("agent", "bot") else "left"
            background = "#fff3b0" if index == context.hit_index else (
                "#e8f0fe" if align == "right" else "#f2f2f2")
            anchor = "<a name='hit'></a>" if index == context.hit_index else ""
            parts.append(
                f"<div align='{align}'>{anchor}<span style='color:gray'>"
                f"{html.escape(sender_label(message))} · {local_time(message)}</span><br>"
                f"<span style='background:{background}'>&nbsp;{text}&nbsp;</span></div><br>"
            )
        if context.more_after:
            parts.append("<p style='color:gray'>…… 之后的消息未显示</p>")
        parts.append("</body></html>")
        return "".join(parts)

    def closeEvent(self, event) -> None:
        self.cancel_running()
        super().closeEvent(event)


def open_history_window(store: StoreWorker | Path, parent: QWidget | None = None) -> HistoryWindow:
    """What the main window's 聊天记录 menu item calls: a shown window with its shop list loading.

    Pass the database path (`services.paths.database`) to give the window its own connection.
    """
    window = HistoryWindow(store, parent)
    return show_store_window(window, window.load_filters(), "history-filters")
