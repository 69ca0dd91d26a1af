"""服务数据 (reports): the platform figures per shop with charts, per-agent table, xlsx export.

Computed from local history on the store worker (workstation.history.figures); works
offline with no account signed in. Open it with `open_reports_window(services.paths.database)`.
"""

from __future__ import annotations

import asyncio
import html
import logging
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QDateTime, QMargins, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workstation.domain.platforms import Platform
from workstation.history.figures import (
    FIGURE_HELP,
    KUAISHOU_BAD_ATTITUDE_LINE,
    KUAISHOU_GOOD_RATING_LINE,
    Report,
    ShopFigures,
    compute_report,
)
from workstation.history.report_export import write_report_xlsx
from workstation.store.db import StoreError
from workstation.store.worker import StoreWorker
from workstation.ui.history_models import AgentsModel
from workstation.ui.store_window import StoreWindow, show_store_window

log = logging.getLogger(__name__)
CHINA = timezone(timedelta(hours=8))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} 秒"


def shop_key(shop: ShopFigures) -> str:
    """The shop combo's item data ("pdd/p1"): plain text survives the trip through QVariant unchanged."""
    return f"{shop.platform.value}/{shop.shop_id}"


def _mark(ok: bool | None) -> str:
    if ok is None:
        return ""
    if ok:
        return " <span style='color:#1e8e3e'>达标</span>"
    return " <span style='color:#d93025'><b>未达标</b></span>"


class ReportsWindow(StoreWindow):
    """`report_ready(report)` fires whenever a computation finishes and the charts show it."""

    report_ready = Signal(object)
    export_finished = Signal(object)  # Path or an error message

    def __init__(self, store: StoreWorker | Path, parent: QWidget | None = None):
        super().__init__(store, parent)
        self.report: Report | None = None
        self.generation = 0
        self.file_dialog: QFileDialog | None = None
        self.setWindowTitle(self.tr("服务数据"))
        self.resize(1200, 820)

        today = QDate.currentDate()
        self.since_edit = QDateEdit(QDate(today.year(), today.month(), 1))
        self.until_edit = QDateEdit(today)
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.compute_button = QPushButton(self.tr("计算"))
        self.compute_button.clicked.connect(self._compute_clicked)
        self.shop_combo = QComboBox()
        self.shop_combo.setMinimumWidth(220)
        self.shop_combo.currentIndexChanged.connect(self._shop_changed)
        self.export_button = QPushButton(self.tr("导出 Excel…"))
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._export_clicked)
        self.status = QLabel()
        top = QHBoxLayout()
        for widget in (QLabel(self.tr("从")), self.since_edit, QLabel(self.tr("到")), self.until_edit,
                       self.compute_button, QLabel(self.tr("店铺")), self.shop_combo):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.export_button)

        self.kpis = QLabel()
        self.kpis.setTextFormat(Qt.TextFormat.RichText)
        self.kpis.setWordWrap(True)
        self.rate_chart = QChart()
        self.rate_chart.setTitle(self.tr("每日回复率"))
        self.rate_chart.setMargins(QMargins(4, 4, 4, 4))
        self.rate_view = QChartView(self.rate_chart)
        self.rate_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.histogram_chart = QChart()
        self.histogram_chart.setTitle(self.tr("响应时长分布（客服回复）"))
        self.histogram_chart.legend().setVisible(False)
        self.histogram_view = QChartView(self.histogram_chart)
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.rate_view)
        charts.addWidget(self.histogram_view)
        charts.setSizes([700, 500])

        self.agents_model = AgentsModel(self)
        self.agents_view = QTableView()
        self.agents_view.setModel(self.agents_model)
        self.agents_view.verticalHeader().setVisible(False)
        self.agents_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.help = QTextBrowser()
        self.help.setOpenLinks(False)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.agents_view)
        lower.addWidget(self.help)
        lower.setSizes([700, 500])

        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(charts)
        body.addWidget(lower)
        body.setSizes([420, 320])

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(self.kpis)
        layout.addWidget(body, 1)
        layout.addWidget(self.status)
        self.setCentralWidget(central)

    # ---- public, awaitable ----------------------------------------------------------
    async def compute(self, since: date | None = None, until: date | None = None) -> Report | None:
        since = since or self.since_edit.date().toPython()
        until = until or self.until_edit.date().toPython()
        if until < since:
            self.status.setText(self.tr("结束日期早于开始日期。"))
            return None
        self.generation += 1
        generation = self.generation
        self.status.setText(self.tr("正在计算…"))
        self.compute_button.setEnabled(False)
        try:
            report = await self.store.call(compute_report, since, until)
        except StoreError as exc:
            self.status.setText(str(exc))
            return None
        finally:
            self.compute_button.setEnabled(True)
        if generation != self.generation:
            return report
        self.show_report(report)
        return report

    def show_report(self, report: Report) -> None:
        self.report = report
        previous = self.shop_combo.currentData()
        self.shop_combo.blockSignals(True)
        self.shop_combo.clear()
        for shop in report.shops:
            label = f"{shop.platform.label} · {shop.shop_name or shop.shop_id}"
            self.shop_combo.addItem(label, shop_key(shop))
        index = self.shop_combo.findData(previous) if previous is not None else -1
        self.shop_combo.setCurrentIndex(max(index, 0) if report.shops else -1)
        self.shop_combo.blockSignals(False)
        self.agents_model.set_agents(report.agents)
        self.export_button.setEnabled(True)
        self.status.setText(
            self.tr("{0} 至 {1}：{2} 个店铺，{3} 位客服").format(report.since, report.until, len(report.shops),
                                                            len([a for a in report.agents if a.agent_id]))
            if report.shops else self.tr("这段时间没有聊天记录。")
        )
        self._shop_changed()
        self.report_ready.emit(report)

    def current_shop(self) -> ShopFigures | None:
        if self.report is None:
            return None
        key = self.shop_combo.currentData()
        return next((s for s in self.report.shops if shop_key(s) == key), None)

    async def export_to(self, path: Path) -> object:
        if self.report is None:
            return None
        try:
            result = await asyncio.to_thread(write_report_xlsx, self.report, Path(path))
            self.status.setText(self.tr("已导出到 {0}").format(result))
        except OSError as exc:
            result = self.tr("无法写入 {0}（{1}），没有生成文件。").format(path, exc.strerror or exc)
            self.status.setText(result)
        self.export_finished.emit(result)
        return result

    # ---- drawing ------------------------------------------------------------------------
    def _shop_changed(self, *_args) -> None:
        shop = self.current_shop()
        self._draw_rates(shop)
        self._draw_histogram(shop)
        self.kpis.setText(self._kpi_html(shop) if shop else "")
        self.help.setHtml(self._help_html(shop))

    def _draw_rates(self, shop: ShopFigures | None) -> None:
        chart = self.rate_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        if shop is None or not shop.daily_reply_rate:
            return
        chart.setTitle(shop.daily_rate_label)
        rates = QLineSeries()
        rates.setName(self.tr("每日比率"))
        for point in shop.daily_reply_rate:
            if point.rate is not None:
                rates.append(self._x(point.date), point.rate * 100)
        chart.addSeries(rates)
        series = [rates]
        if shop.reply_threshold is not None:
            line = QLineSeries()
            label = self.tr("扣款线 {0:.0%}") if shop.platform is Platform.PDD else self.tr("考核线 {0:.0%}")
            line.setName(label.format(shop.reply_threshold))
            pen = QPen(QColor("#d93025"))
            pen.setStyle(Qt.PenStyle.DashLine)
            pen.setWidth(2)
            line.setPen(pen)
            first, last = shop.daily_reply_rate[0].date, shop.daily_reply_rate[-1].date
            line.append(self._x(first), shop.reply_threshold * 100)
            line.append(self._x(last), shop.reply_threshold * 100)
            chart.addSeries(line)
            series.append(line)
        x_axis = QDateTimeAxis()
        x_axis.setFormat("MM-dd")
        x_axis.setTickCount(min(len(shop.daily_reply_rate), 8) or 2)
        y_axis = QValueAxis()
        y_axis.setRange(0, 100)
        y_axis.setLabelFormat("%d%%")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        for item in series:
            item.attachAxis(x_axis)
            item.attachAxis(y_axis)

    @staticmethod
    def _x(day: date) -> float:
        return float(QDateTime(datetime.combine(day, time(12), CHINA)).toMSecsSinceEpoch())

    def _draw_histogram(self, shop: ShopFigures | None) -> None:
        chart = self.histogram_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        if shop is None:
            return
        buckets = shop.response_histogram()
        bars = QBarSet(self.tr("回复数"))
        for _label, count in buckets:
            bars.append(count)
        series = QBarSeries()
        series.append(bars)
        chart.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append([label for label, _count in buckets])
        y_axis = QValueAxis()
        y_axis.setRange(0, max([count for _label, count in buckets] + [4]))
        y_axis.setLabelFormat("%d")
        y_axis.applyNiceNumbers()
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)

    def _kpi_html(self, shop: ShopFigures) -> str:
        name = html.escape(shop.shop_name or shop.shop_id)
        parts = [f"<b>{html.escape(shop.platform.label)} · {name}</b>　"]
        if shop.platform is Platform.KUAISHOU:
            rate, good, bad = shop.reply_rate_3min, shop.good_rating_rate, shop.bad_attitude_rate
            parts.append(f"3 分钟回复率 {_pct(rate)}{_mark(None if rate is None else rate >= 0.70)}　")
            months = shop.monthly_reply_rate_3min()
            if len(months) > 1:  # the platform judges each calendar month on its own
                parts.append("（" + "，".join(f"{m} {_pct(r)}" for m, r in months) + "）　")
            good_ok = None if good is None else good >= KUAISHOU_GOOD_RATING_LINE
            parts.append(f"好评率 {_pct(good)}{_mark(good_ok)}　")
            parts.append(
                f"服务态度差比例 {_pct(bad)}{_mark(None if bad is None else bad <= KUAISHOU_BAD_ATTITUDE_LINE)}　"
            )
        if shop.effective_reply_daily is not None:
            penalties = [d for d in shop.effective_reply_daily if d.penalty]
            parts.append(
                f"有效回复率低于 50% 且咨询 ≥ 100 人的日子：<b>{len(penalties)}</b> 天"
                + (f"（{'、'.join(d.date.strftime('%m-%d') for d in penalties)}，每天可扣 1000 元）"
                   if penalties else "")
                + "　"
            )
        parts.append(f"平均响应 {_seconds(shop.avg_response_s)}　平均首次响应 {_seconds(shop.avg_first_response_s)}")
        return "".join(parts)

    @staticmethod
    def _help_html(shop: ShopFigures | None) -> str:
        keys = ["avg_response_s", "avg_first_response_s", "agents"]
        if shop is None or shop.platform is Platform.KUAISHOU:
            keys = ["reply_rate_3min", "good_rating_rate", "bad_attitude_rate", *keys]
        if shop is None or shop.platform is Platform.PDD:
            keys = ["effective_reply_daily", *keys]
        titles = {
            "reply_rate_3min": "快手 3 分钟回复率", "good_rating_rate": "快手好评率", "bad_attitude_rate": "服务态度差比例",
            "effective_reply_daily": "拼多多有效回复率", "avg_response_s": "平均响应时长",
            "avg_first_response_s": "平均首次响应时长", "agents": "客服个人数据",
        }
        return "".join(f"<p><b>{titles[k]}</b><br>{html.escape(FIGURE_HELP[k])}</p>" for k in keys)

    # ---- slots ----------------------------------------------------------------------------
    def _compute_clicked(self) -> None:
        self.tasks.spawn(self.compute(), name="reports-compute")

    def _export_clicked(self) -> None:
        if self.report is None:
            return
        name = f"服务数据_{self.report.since}_{self.report.until}.xlsx"
        dialog = QFileDialog(self, self.tr("导出服务数据"), str(Path.home() / name), "Excel (*.xlsx)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.fileSelected.connect(
            lambda chosen: self.tasks.spawn(
                self.export_to(Path(chosen).with_suffix(".xlsx")), name="reports-export"
            )
        )
        self.file_dialog = dialog
        dialog.open()  # never exec() from a coroutine: the loop keeps running



def open_reports_window(store: StoreWorker | Path, parent: QWidget | None = None) -> ReportsWindow:
    """What the main window's 服务数据 menu item calls: a shown window computing this month so far.

    Pass the database path (`services.paths.database`) to give the window its own connection.
    """
    window = ReportsWindow(store, parent)
    return show_store_window(window, window.compute(), "reports-compute")
