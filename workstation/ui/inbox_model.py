"""The merged conversation list: one row per buyer thread across every shop, updated in place.

`InboxModel` holds the rows in arrival order and only ever inserts or changes them
(`dataChanged`); `InboxFilter` is the sorted, filtered view of it the list shows —
待回复/全部, platform, shop and quick search — ordered so the buyer closest to their
platform's reply deadline is on top. The sort key is the deadline itself (a moment,
not a countdown), so ticking timers never reorder anything.
"""

from __future__ import annotations

import enum
import logging
import unicodedata
from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal

from workstation.domain.accounts import ShopAccount
from workstation.domain.deadlines import Deadline, DeadlineSettings, reply_deadline
from workstation.domain.messages import Conversation
from workstation.domain.platforms import Platform

log = logging.getLogger(__name__)

MAX_NICK = 32
_SORT_NOT_WAITING = 2e10  # after every waiting buyer's deadline (epoch seconds)


class Role(enum.IntEnum):
    CONVERSATION = Qt.ItemDataRole.UserRole + 1
    KEY = enum.auto()
    SHOP = enum.auto()          # ShopInfo
    DEADLINE = enum.auto()      # Deadline | None
    SORT = enum.auto()          # float
    UNREAD = enum.auto()
    WAITING = enum.auto()       # bool
    NICK = enum.auto()          # the nick as shown (sanitised)


_CONTENT_ROLES = [int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.ToolTipRole), int(Role.CONVERSATION),
                  int(Role.UNREAD), int(Role.NICK), int(Role.SHOP)]


@dataclass(frozen=True, slots=True)
class ShopInfo:
    """What a row shows about its shop; `removed` when the account is gone but the history stays."""

    name: str
    colour: str
    removed: bool = False
    muted: bool = False


def display_nick(nick: str, fallback: str = "") -> str:
    """A nick fit for one line: control and format characters dropped, whitespace folded, capped."""
    cleaned = []
    for char in nick or "":
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Co", "Cn") or (category == "Cf" and char not in "\u200d\ufe0f"):
            cleaned.append(" ")
        elif category in ("Zl", "Zp"):
            cleaned.append(" ")
        else:
            cleaned.append(char)
    text = " ".join("".join(cleaned).split())
    if len(text) > MAX_NICK:
        text = text[:MAX_NICK - 1] + "…"
    return text or fallback or "（无昵称）"


class _Row:
    __slots__ = ("conversation", "deadline", "nick", "sort_key")

    def __init__(self, conversation: Conversation, settings: DeadlineSettings):
        self.set(conversation, settings)

    def set(self, conversation: Conversation, settings: DeadlineSettings) -> None:
        self.conversation = conversation
        self.deadline: Deadline | None = reply_deadline(conversation, settings)
        self.nick = display_nick(conversation.buyer_nick, conversation.buyer_id)
        if self.deadline is not None:
            self.sort_key = self.deadline.due_at.timestamp()
        else:
            last = conversation.last_at.timestamp() if conversation.last_at else 0.0
            self.sort_key = _SORT_NOT_WAITING + (1e10 - last)


class InboxModel(QAbstractListModel):
    """Every known conversation, one row each; rows are appended or changed, never rebuilt."""

    totals_changed = Signal()

    def __init__(self, parent=None, *, settings: DeadlineSettings | None = None):
        super().__init__(parent)
        self.settings = settings or DeadlineSettings()
        self._rows: list[_Row] = []
        self._index: dict[tuple[str, str, str], int] = {}
        self._shops: dict[tuple[str, str], ShopInfo] = {}
        self._muted: set[tuple[str, str]] = set()
        self._unread_total = 0
        self._waiting: dict[tuple[str, str, str], _Row] = {}  # rows with a buyer waiting, for the counters

    # ---- Qt model API -----------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows) or index.column() != 0:
            return None
        row = self._rows[index.row()]
        conversation = row.conversation
        if role == Qt.ItemDataRole.DisplayRole or role == Role.NICK:
            return row.nick
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self.shop_info(conversation).name} · {row.nick}\n{conversation.last_text[:200]}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.nick}，{conversation.unread} 条未读"
        if role == Role.CONVERSATION:
            return conversation
        if role == Role.KEY:
            return conversation.key
        if role == Role.SHOP:
            return self.shop_info(conversation)
        if role == Role.DEADLINE:
            return row.deadline
        if role == Role.SORT:
            return row.sort_key
        if role == Role.UNREAD:
            return conversation.unread
        if role == Role.WAITING:
            return row.deadline is not None
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def roleNames(self) -> dict:
        names = super().roleNames()
        names.update({int(role): role.name.lower().encode() for role in Role})
        return names

    # ---- updates -------------------------------------------------------------------------------

    def upsert_many(self, conversations: list[Conversation]) -> None:
        new: list[Conversation] = []
        changed: list[tuple[int, bool]] = []   # (row, whether its place in the order may change)
        seen_new: dict[tuple, int] = {}
        for conversation in conversations:
            key = conversation.key
            position = self._index.get(key)
            if position is not None:
                row = self._rows[position]
                old = row.conversation
                old_sort, old_waiting = row.sort_key, row.deadline is not None
                self._unread_total += conversation.unread - old.unread
                row.set(conversation, self.settings)
                self._track_waiting(row)
                moved = row.sort_key != old_sort or (row.deadline is not None) != old_waiting
                changed.append((position, moved))
            elif key in seen_new:
                new[seen_new[key]] = conversation
            else:
                seen_new[key] = len(new)
                new.append(conversation)
        for position, moved in changed:
            index = self.index(position, 0)
            # Naming the roles when the sort key stayed put spares the filter a re-sort (and
            # the list a relayout): another message from a buyer already waiting changes only
            # the preview and the unread count.
            self.dataChanged.emit(index, index, [] if moved else _CONTENT_ROLES)
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            for conversation in new:
                self._index[conversation.key] = len(self._rows)
                row = _Row(conversation, self.settings)
                self._rows.append(row)
                self._track_waiting(row)
                self._unread_total += conversation.unread
            self.endInsertRows()
        if changed or new:
            self.totals_changed.emit()

    def _track_waiting(self, row: _Row) -> None:
        if row.deadline is not None:
            self._waiting[row.conversation.key] = row
        else:
            self._waiting.pop(row.conversation.key, None)

    def upsert(self, conversation: Conversation) -> None:
        self.upsert_many([conversation])

    def set_accounts(self, accounts: list[ShopAccount]) -> None:
        """Shop names and colours for every row; conversations of a removed account stay, marked."""
        self._shops = {(a.platform.value, a.shop_id): ShopInfo(a.display_name, a.colour) for a in accounts}
        self._repaint_all()

    def set_muted(self, shops: set[tuple[str, str]]) -> None:
        self._muted = set(shops)
        self._repaint_all()

    def set_settings(self, settings: DeadlineSettings) -> None:
        self.settings = settings
        for row in self._rows:
            row.set(row.conversation, settings)
            self._track_waiting(row)
        self._repaint_all()

    def _repaint_all(self) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))
        self.totals_changed.emit()

    # ---- reading ----------------------------------------------------------------------------------

    def shop_info(self, conversation: Conversation) -> ShopInfo:
        shop_key = (conversation.platform.value, conversation.shop_id)
        info = self._shops.get(shop_key)
        muted = shop_key in self._muted
        if info is None:
            name = conversation.shop_name or conversation.shop_id
            return ShopInfo(name, "#9ca3af", removed=bool(self._shops) or not name, muted=muted)
        return ShopInfo(info.name, info.colour, muted=muted) if muted else info

    def row_of(self, key) -> int | None:
        return self._index.get(tuple(key))

    def conversation(self, key) -> Conversation | None:
        position = self._index.get(tuple(key))
        return None if position is None else self._rows[position].conversation

    def deadline(self, key) -> Deadline | None:
        position = self._index.get(tuple(key))
        return None if position is None else self._rows[position].deadline

    @property
    def unread_total(self) -> int:
        return self._unread_total

    def waiting(self) -> list[tuple[Conversation, Deadline]]:
        return [(r.conversation, r.deadline) for r in self._waiting.values()]

    @property
    def waiting_count(self) -> int:
        return len(self._waiting)

    def muted(self, conversation: Conversation) -> bool:
        return (conversation.platform.value, conversation.shop_id) in self._muted


class InboxFilter(QSortFilterProxyModel):
    """The list as the agent filters it, most urgent first."""

    filter_changed = Signal()

    def __init__(self, source: InboxModel, parent=None):
        super().__init__(parent)
        self.setSourceModel(source)
        self.setSortRole(Role.SORT)
        self.setDynamicSortFilter(True)
        self.waiting_only = True
        self.platform: Platform | None = None
        self.shop: tuple[str, str] | None = None
        self.search = ""
        self._search_hits: set[tuple[str, str, str]] = set()
        self.sort(0, Qt.SortOrder.AscendingOrder)

    def inbox(self) -> InboxModel:
        return self.sourceModel()  # type: ignore[return-value]

    def set_waiting_only(self, waiting_only: bool) -> None:
        self.waiting_only = waiting_only
        self._refilter()

    def set_platform(self, platform: Platform | None) -> None:
        self.platform = platform
        self._refilter()

    def set_shop(self, shop: tuple[str, str] | None) -> None:
        self.shop = shop
        self._refilter()

    def set_search(self, text: str, message_hits: set | None = None) -> None:
        """Match nicks, shop names and previews now; `message_hits` adds threads whose older messages match."""
        self.search = text.strip().casefold()
        self._search_hits = set(message_hits or ())
        self._refilter()

    def _refilter(self) -> None:
        self.beginFilterChange()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        self.filter_changed.emit()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        inbox = self.inbox()
        row = inbox._rows[source_row]
        conversation = row.conversation
        if self.waiting_only and row.deadline is None:
            return False
        if self.platform is not None and conversation.platform is not self.platform:
            return False
        if self.shop is not None and (conversation.platform.value, conversation.shop_id) != self.shop:
            return False
        if self.search:
            if conversation.key in self._search_hits:
                return True
            haystack = f"{row.nick}\n{conversation.buyer_nick}\n{conversation.last_text}".casefold()
            return self.search in haystack
        return True

