"""Paints one inbox row: platform mark, shop colour and name, buyer nick and tags, preview,
unread badge and the live wait timer coloured by urgency.

The wait is computed at paint time from the row's deadline, so a one-second tick only
has to repaint the visible part of the list.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from workstation.domain.deadlines import Urgency, format_wait, urgency
from workstation.domain.messages import Conversation
from workstation.ui.inbox_model import Role, ShopInfo
from workstation.ui.theme import urgency_colour

MAX_TAGS = 2


class InboxDelegate(QStyledItemDelegate):
    def __init__(self, parent=None, *, clock=None, settings=None):
        super().__init__(parent)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.settings = settings or (lambda: None)  # -> DeadlineSettings | None
        self._font_cache: dict[str, dict[str, tuple[QFont, QFontMetrics]]] = {}

    def _fonts(self, base: QFont) -> dict[str, tuple[QFont, QFontMetrics]]:
        """The row's fonts and metrics, built once per base font rather than per painted row."""
        key = base.key()
        cached = self._font_cache.get(key)
        if cached is None:
            bold = QFont(base)
            bold.setBold(True)
            small = QFont(base)
            small.setPointSizeF(max(base.pointSizeF() * 0.88, 7.0))
            cached = {name: (f, QFontMetrics(f)) for name, f in (("base", QFont(base)), ("bold", bold), ("small", small))}
            self._font_cache[key] = cached
        return cached

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(240, metrics.height() * 2 + 18)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        conversation: Conversation | None = index.data(Role.CONVERSATION)
        if conversation is None:
            return
        shop: ShopInfo = index.data(Role.SHOP)
        deadline = index.data(Role.DEADLINE)
        nick: str = index.data(Role.NICK)
        palette: QPalette = option.palette
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
        text_colour = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        dim = QColor(text_colour)
        dim.setAlphaF(0.62)

        # Shop colour stripe on the left edge.
        painter.fillRect(QRect(rect.left(), rect.top() + 4, 3, rect.height() - 8), QColor(shop.colour))

        fonts = self._fonts(option.font)
        font, metrics = fonts["base"]
        line = metrics.height()
        pad = 8
        mark_size = line + 6
        mark = QRectF(rect.left() + 10, rect.top() + (rect.height() - mark_size) / 2, mark_size, mark_size)
        brand = QColor(conversation.platform.brand_colour)
        background = palette.color(QPalette.ColorRole.Base)
        # 抖店's near-black mark needs an outline on a dark list to stay visible.
        if abs(brand.lightness() - background.lightness()) < 60:
            painter.setPen(QColor(255, 255, 255, 110) if background.lightness() < 128 else QColor(0, 0, 0, 60))
        else:
            painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(brand)
        painter.drawRoundedRect(mark, 6, 6)
        bold, bold_metrics = fonts["bold"]
        painter.setFont(bold)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(mark, Qt.AlignmentFlag.AlignCenter, conversation.platform.short_mark)

        left = int(mark.right()) + pad
        right = rect.right() - pad
        top1 = rect.top() + 7
        top2 = top1 + line + 4

        # Right column, line 1: the wait timer (waiting buyer) or the time of the last message.
        small, small_metrics = fonts["small"]
        now = self.clock()
        if deadline is not None:
            level = urgency(deadline, now, self.settings())
            label = format_wait(deadline.waited(now))
            width = bold_metrics.horizontalAdvance(label) + 12
            pill = QRectF(right - width, top1 - 1, width, line + 2)
            colour = urgency_colour(level, palette)
            if level in (Urgency.AMBER, Urgency.RED):
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colour)
                painter.drawRoundedRect(pill, 4, 4)
                painter.setPen(QColor("#ffffff"))
            else:
                painter.setPen(colour)
            painter.setFont(bold)
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, label)
            right1 = int(pill.left()) - 6
        else:
            painter.setFont(small)
            painter.setPen(dim)
            label = _short_time(conversation.last_at, now)
            width = small_metrics.horizontalAdvance(label)
            painter.drawText(QRect(right - width, top1, width, line), Qt.AlignmentFlag.AlignVCenter, label)
            right1 = right - width - 6

        # Line 1: nick (bold) and tags.
        nick_font, nick_metrics = fonts["bold" if conversation.unread > 0 else "base"]
        painter.setFont(nick_font)
        painter.setPen(text_colour)
        tag_width = 0
        tags = [t for t in conversation.tags if t][:MAX_TAGS]
        for tag in tags:
            tag_width += small_metrics.horizontalAdvance(tag) + 10 + 4
        nick_room = max(right1 - left - tag_width, 40)
        shown = nick_metrics.elidedText(nick, Qt.TextElideMode.ElideRight, nick_room)
        painter.drawText(QRect(left, top1, nick_room, line), Qt.AlignmentFlag.AlignVCenter, shown)
        x = left + nick_metrics.horizontalAdvance(shown) + 6
        painter.setFont(small)
        for tag in tags:
            w = small_metrics.horizontalAdvance(tag) + 10
            if x + w > right1:
                break
            box = QRectF(x, top1 + 1, w, line - 2)
            painter.setPen(QColor(shop.colour))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(box, 3, 3)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, tag)
            x += w + 4

        # Right column, line 2: the unread badge.
        right2 = right
        if conversation.unread > 0:
            count = "99+" if conversation.unread > 99 else str(conversation.unread)
            w = max(small_metrics.horizontalAdvance(count) + 10, small_metrics.height() + 2)
            badge = QRectF(right - w, top2, w, small_metrics.height() + 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#9ca3af") if shop.muted else QColor("#ef4444"))
            painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, count)
            right2 = int(badge.left()) - 6

        # Line 2: shop name in its colour, then the preview.
        painter.setFont(small)
        shop_label = shop.name + ("（已移除）" if shop.removed else "") + ("（静音）" if shop.muted else "")
        shop_label = small_metrics.elidedText(shop_label, Qt.TextElideMode.ElideRight, max((right2 - left) // 2, 40))
        shop_colour = QColor(shop.colour) if not selected else text_colour
        painter.setPen(shop_colour)
        painter.drawText(QRect(left, top2, right2 - left, line), Qt.AlignmentFlag.AlignVCenter, shop_label)
        x = left + small_metrics.horizontalAdvance(shop_label) + 8
        painter.setPen(dim)
        preview = " ".join(conversation.last_text.split())
        preview = small_metrics.elidedText(preview, Qt.TextElideMode.ElideRight, max(right2 - x, 0))
        painter.drawText(QRect(x, top2, max(right2 - x, 0), line), Qt.AlignmentFlag.AlignVCenter, preview)

        # A thin separator keeps dense rows readable.
        separator = QColor(palette.color(QPalette.ColorRole.Mid))
        separator.setAlphaF(0.25)
        painter.setPen(separator)
        painter.drawLine(rect.left() + 10, rect.bottom(), rect.right() - 6, rect.bottom())
        painter.restore()


def _short_time(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return ""
    local = moment.astimezone()
    if local.date() == now.astimezone().date():
        return local.strftime("%H:%M")
    return f"{local.month}/{local.day}"
