"""Models for the history and reports windows: search hits streamed in pages, and the per-agent table."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from workstation.domain.platforms import Platform
from workstation.history.figures import AgentFigures
from workstation.history.masking import mask_personal_data
from workstation.history.search import HistoryHit

CHINA = timezone(timedelta(hours=8))
HIT_ROLE = Qt.ItemDataRole.UserRole + 1
_SENDERS = {"buyer": "买家", "agent": "客服", "bot": "机器人", "system": "系统"}
_TYPES = {"image": "[图片]", "coupon": "[优惠券]", "order_card": "[订单]", "product_card": "[商品]"}
_EVENTS = {
    "entered_reception": "进入接待", "transfer": "转接", "rating": "评价", "closed": "会话结束", "read": "已读",
}
_RATINGS = {"satisfied": "满意", "neutral": "一般", "disappointed": "失望"}

Index = QModelIndex | QPersistentModelIndex


def local_time(hit: HistoryHit) -> str:
    """The hit's time in China time (what the platforms' own tools show), to the second."""
    moment = datetime.fromtimestamp(hit.sent_at_ms / 1000, CHINA)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def describe(hit: HistoryHit, *, reveal: bool = False) -> str:
    """What a message says, including events and ratings; buyer phones and addresses masked unless `reveal`."""
    if hit.type == "event":
        label = _EVENTS.get(hit.event or "", hit.event or "事件")
        if hit.event == "rating":
            reasons = "、".join(hit.reasons)
            label += f"：{_RATINGS.get(hit.rating or '', hit.rating or '')}"
            label += f"（{reasons}）" if reasons else ""
        elif hit.agent_id:
            label += f"：{hit.agent_id}"
        return f"[{label}]"
    prefix = _TYPES.get(hit.type, "")
    text = hit.text if reveal else mask_personal_data(hit.text)
    return f"{prefix}{text}" if text else prefix


def sender_label(hit: HistoryHit) -> str:
    label = _SENDERS.get(hit.sender, hit.sender)
    return f"{label} {hit.agent_id}" if hit.sender == "agent" and hit.agent_id else label


class HitsModel(QAbstractTableModel):
    """Search results, appended a page at a time.

    Views call `canFetchMore`/`fetchMore` when scrolled to the end; `fetchMore` asks the
    `request_more` callback (which starts the next page's query off the Qt thread) and
    the window hands the page back through `append_page`.
    """

    COLUMNS = ("时间", "平台 · 店铺", "买家", "发送方", "内容")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.hits: list[HistoryHit] = []
        self.has_more = False
        self.loading = False
        self.request_more: Callable[[], None] | None = None
        self.reveal = False  # SPEC: buyer phones and addresses stay masked unless opened deliberately

    def set_reveal(self, reveal: bool) -> None:
        self.reveal = reveal
        if self.hits:
            self.dataChanged.emit(self.index(0, 4), self.index(len(self.hits) - 1, 4))

    # -- filling ---------------------------------------------------------------
    def reset(self) -> None:
        self.beginResetModel()
        self.hits = []
        self.has_more = False
        self.loading = False
        self.endResetModel()

    def append_page(self, hits: list[HistoryHit], has_more: bool) -> None:
        self.loading = False
        self.has_more = has_more
        if not hits:
            return
        first = len(self.hits)
        self.beginInsertRows(QModelIndex(), first, first + len(hits) - 1)
        self.hits.extend(hits)
        self.endInsertRows()

    def hit(self, row: int) -> HistoryHit | None:
        return self.hits[row] if 0 <= row < len(self.hits) else None

    # -- Qt model ------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.hits)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self.has_more and not self.loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if self.canFetchMore(parent) and self.request_more is not None:
            self.loading = True
            self.request_more()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.COLUMNS):
                return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.hits):
            return None
        hit = self.hits[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return local_time(hit)
            if column == 1:
                return f"{Platform(hit.platform).short_mark} {hit.shop_name or hit.shop_id}"
            if column == 2:
                return hit.buyer_nick or hit.buyer_id
            if column == 3:
                return sender_label(hit)
            if column == 4:
                return describe(hit, reveal=self.reveal).replace("\n", " ")[:300]
        elif role == Qt.ItemDataRole.ToolTipRole and column == 4:
            return describe(hit, reveal=self.reveal)[:2000]
        elif role == HIT_ROLE:
            return hit
        return None


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} 秒"


def _yuan(fen: int | None) -> str:
    return "—" if fen is None else f"{fen / 100:,.2f}"


class AgentsModel(QAbstractTableModel):
    """The reports window's per-agent table."""

    COLUMNS = ("客服", "咨询人数", "回复率", "平均响应", "销售额（元）", "转化率", "客单价（元）")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.agents: list[AgentFigures] = []

    def set_agents(self, agents: list[AgentFigures]) -> None:
        self.beginResetModel()
        self.agents = list(agents)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.agents)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.COLUMNS):
                return self.COLUMNS[section]
        return None

    def row_values(self, agent: AgentFigures) -> list[str]:
        return [
            agent.agent_id or "（未接待）",
            str(agent.consulting_buyers),
            _pct(agent.reply_rate),
            _seconds(agent.avg_response_s),
            _yuan(agent.sales_fen if agent.has_order_data else None),
            _pct(agent.conversion),
            _yuan(agent.avg_order_value_fen),
        ]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.agents):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.row_values(self.agents[index.row()])[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
