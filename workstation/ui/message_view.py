"""One conversation's messages as bubbles: by sender, with time and send state (sending / sent /
failed + retry), image thumbnails (click to enlarge), order/product/coupon cards, system events,
and a visible warning on links buyers send — painted as plain text, never clickable.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QImage, QKeySequence, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyledItemDelegate, QStyleOptionViewItem

from workstation.domain.messages import MessageType, Sender, SendState
from workstation.ui.message_model import THUMB, ItemRole, MessageItem, MessageModel, card_lines, event_text

log = logging.getLogger(__name__)

# ---- painting -------------------------------------------------------------------------------------

_STATE_LABELS = {
    SendState.QUEUED: "等待发送",
    SendState.SENDING: "发送中…",
    SendState.UNCERTAIN: "正在向平台核对…",
    SendState.SENT: "已发送",
    SendState.FAILED: "发送失败 · 点此重试 (Ctrl+R)",
}


class BubbleDelegate(QStyledItemDelegate):
    """Paints bubbles; sizes are cached per item and width."""

    PAD = 10
    MARGIN = 12

    def __init__(self, parent=None):
        super().__init__(parent)
        self._sizes: dict[tuple[int, int], QSize] = {}
        self.retry_rects: dict[int, QRect] = {}
        self.image_rects: dict[int, QRect] = {}

    def clear_cache(self) -> None:
        self._sizes.clear()

    def _bubble_width(self, option: QStyleOptionViewItem) -> int:
        return max(int(option.rect.width() * 0.68), 160)

    def _layout(self, item: MessageItem, option: QStyleOptionViewItem):
        metrics = QFontMetrics(option.font)
        small = QFont(option.font)
        small.setPointSizeF(max(option.font.pointSizeF() * 0.85, 7.0))
        small_metrics = QFontMetrics(small)
        max_w = self._bubble_width(option) - 2 * self.PAD
        kind = item.message_type
        if item.is_event:
            return metrics, small, small_metrics, QRect(0, 0, max_w, small_metrics.height()), []
        if kind is MessageType.IMAGE:
            if item.image is not None:
                size = item.image.size().scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio)
                body = QRect(0, 0, max(size.width(), 40), max(size.height(), 24))
            else:
                body = QRect(0, 0, 120, metrics.height() * 2)
            return metrics, small, small_metrics, body, []
        if kind in (MessageType.ORDER_CARD, MessageType.PRODUCT_CARD, MessageType.COUPON):
            lines = card_lines(item)
            width = min(max((metrics.horizontalAdvance(line) for line in lines), default=80), max_w)
            return metrics, small, small_metrics, QRect(0, 0, max(width, 160), metrics.height() * len(lines) + 4), lines
        text = item.text or " "
        body = metrics.boundingRect(QRect(0, 0, max_w, 10_000_000),
                                    int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere), text)
        return metrics, small, small_metrics, body, []

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        item: MessageItem = index.data(ItemRole.ITEM)
        if item is None:
            return QSize(0, 0)
        cache_key = (id(item), option.rect.width(), item.send_state, item.image is not None)
        cached = self._sizes.get(cache_key)
        if cached is not None:
            return cached
        metrics, small, small_metrics, body, _ = self._layout(item, option)
        if item.is_event:
            size = QSize(option.rect.width(), small_metrics.height() + 12)
        else:
            height = small_metrics.height() + 4 + body.height() + 2 * self.PAD + 8
            if item.link_warning or item.qr_warning:
                height += small_metrics.height() + 4
            if item.send_state is not None and item.sender is Sender.AGENT:
                height += small_metrics.height() + 2
            size = QSize(option.rect.width(), height)
        if len(self._sizes) > 5000:
            self._sizes.clear()
        self._sizes[cache_key] = size
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        item: MessageItem = index.data(ItemRole.ITEM)
        if item is None:
            return
        palette: QPalette = option.palette
        metrics, small, small_metrics, body, lines = self._layout(item, option)
        rect = option.rect
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        dim = QColor(palette.color(QPalette.ColorRole.Text))
        dim.setAlphaF(0.55)
        if item.is_event:
            painter.setFont(small)
            painter.setPen(dim)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, event_text(item.message))
            painter.restore()
            return
        mine = item.sender in (Sender.AGENT, Sender.BOT)
        top = rect.top() + 4
        # Header: who and when.
        when = item.message.sent_at.astimezone().strftime("%H:%M:%S") if item.message else ""
        who = {Sender.BUYER: item.message.buyer_nick if item.message else "买家", Sender.AGENT: "我",
               Sender.BOT: "机器人", Sender.SYSTEM: "系统"}.get(item.sender, "")
        header = f"{who}  {when}" if not mine else f"{when}  {who}"
        painter.setFont(small)
        painter.setPen(dim)
        header_rect = QRect(rect.left() + self.MARGIN, top, rect.width() - 2 * self.MARGIN, small_metrics.height())
        painter.drawText(header_rect, (Qt.AlignmentFlag.AlignRight if mine else Qt.AlignmentFlag.AlignLeft)
                         | Qt.AlignmentFlag.AlignVCenter, small_metrics.elidedText(header, Qt.TextElideMode.ElideMiddle, header_rect.width()))
        top += small_metrics.height() + 4
        bubble_w = body.width() + 2 * self.PAD
        bubble_h = body.height() + 2 * self.PAD
        x = rect.right() - self.MARGIN - bubble_w if mine else rect.left() + self.MARGIN
        bubble = QRect(x, top, bubble_w, bubble_h)
        dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
        if mine:
            fill = QColor("#1e3a5f") if dark else QColor("#dbeafe")
        else:
            fill = palette.color(QPalette.ColorRole.AlternateBase) if dark else QColor("#f3f4f6")
        if item.send_state is SendState.FAILED:
            fill = QColor("#4c1d1d") if dark else QColor("#fee2e2")
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(bubble, 8, 8)
        inner = bubble.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
        painter.setFont(option.font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        kind = item.message_type
        if kind is MessageType.IMAGE:
            if item.image is not None:
                pixmap = QPixmap.fromImage(item.image).scaled(inner.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                              Qt.TransformationMode.SmoothTransformation)
                painter.drawPixmap(inner.topLeft(), pixmap)
                self.image_rects[index.row()] = inner
            else:
                painter.setPen(dim)
                label = "图片无法显示" if item.image_failed else "[图片] 加载中…"
                painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, label)
        elif lines:
            for n, line in enumerate(lines):
                font = QFont(option.font)
                font.setBold(n == 0)
                painter.setFont(font)
                painter.drawText(QRect(inner.left(), inner.top() + n * metrics.height(), inner.width(), metrics.height()),
                                 Qt.AlignmentFlag.AlignVCenter, metrics.elidedText(line, Qt.TextElideMode.ElideRight, inner.width()))
        else:
            painter.drawText(inner, int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere), item.text)
        top = bubble.bottom() + 3
        painter.setFont(small)
        if item.link_warning or item.qr_warning:
            painter.setPen(QColor("#d97706"))
            warning = ("⚠ 买家发来的图片含二维码，请勿扫描或转发" if item.qr_warning
                       else "⚠ 买家发来的链接已显示为纯文本，请勿打开或转发")
            painter.drawText(QRect(bubble.left(), top, rect.width() - 2 * self.MARGIN, small_metrics.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, warning)
            top += small_metrics.height() + 4
        if item.send_state is not None and mine:
            label = _STATE_LABELS.get(item.send_state, "")
            if item.send_state is SendState.FAILED and item.error:
                label = f"{label}：{item.error}"
            painter.setPen(QColor("#dc2626") if item.send_state is SendState.FAILED else dim)
            room = rect.width() - 2 * self.MARGIN
            shown = small_metrics.elidedText(label, Qt.TextElideMode.ElideRight, room)
            width = min(small_metrics.horizontalAdvance(shown) + 2, room)
            state_rect = QRect(rect.right() - self.MARGIN - width, top, width, small_metrics.height())
            painter.drawText(state_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, shown)
            if item.send_state is SendState.FAILED and item.outbox_id is not None:
                self.retry_rects[index.row()] = state_rect.united(bubble)
            else:
                self.retry_rects.pop(index.row(), None)
        painter.restore()


class MessageView(QListView):
    """The list of bubbles; asks for older pages near the top, keeps the reading position."""

    older_wanted = Signal()
    retry_requested = Signal(int)        # outbox id
    image_opened = Signal(QImage)

    def __init__(self, model: MessageModel, parent=None):
        super().__init__(parent)
        self.setModel(model)
        self.bubbles = BubbleDelegate(self)
        self.setItemDelegate(self.bubbles)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.setAccessibleName("消息记录")
        self.verticalScrollBar().setSingleStep(24)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        model.rowsAboutToBeInserted.connect(self._before_insert)
        model.rowsInserted.connect(self._after_insert)
        self._anchor: tuple[int, int] | None = None
        self._at_bottom = True

    def message_model(self) -> MessageModel:
        return self.model()  # type: ignore[return-value]

    def _scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._at_bottom = value >= bar.maximum() - 4
        if value <= bar.singleStep() * 2 and bar.maximum() > 0 and self.message_model().has_older:
            self.older_wanted.emit()

    def _before_insert(self, _parent, first: int, _last: int) -> None:
        bar = self.verticalScrollBar()
        self._at_bottom = bar.value() >= bar.maximum() - 4
        self._anchor = (bar.maximum(), bar.value()) if first == 0 and self.message_model().rowCount() > 0 else None

    def _after_insert(self, _parent, first: int, _last: int) -> None:
        self.doItemsLayout()
        bar = self.verticalScrollBar()
        if self._anchor is not None:
            old_max, old_value = self._anchor
            bar.setValue(old_value + (bar.maximum() - old_max))  # older page above: stay on the same message
            self._anchor = None
        elif self._at_bottom:
            self.scrollToBottom()

    def resizeEvent(self, event) -> None:
        self.bubbles.clear_cache()
        super().resizeEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        index = self.indexAt(event.position().toPoint())
        if index.isValid() and event.button() == Qt.MouseButton.LeftButton:
            item: MessageItem = index.data(ItemRole.ITEM)
            point: QPoint = event.position().toPoint()
            rect = self.bubbles.retry_rects.get(index.row())
            if item is not None and item.send_state is SendState.FAILED and rect is not None and rect.contains(point):
                self.retry_requested.emit(item.outbox_id)
                return
            image_rect = self.bubbles.image_rects.get(index.row())
            if item is not None and item.image is not None and image_rect is not None and image_rect.contains(point):
                self.image_opened.emit(item.image)
                return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            index = self.currentIndex()
            item: MessageItem | None = index.data(ItemRole.ITEM) if index.isValid() else None
            if item is not None:
                QGuiApplication.clipboard().setText(item.message.text if item.message else item.text)
                return
        super().keyPressEvent(event)

