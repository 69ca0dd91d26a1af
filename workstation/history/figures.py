"""The service figures platforms judge shops by, computed from local history.

Every figure is computed per shop and per agent from the stored messages, in China
time (UTC+08:00, no daylight saving), for whole days `since`..`until` inclusive.
The platforms' wording leaves room in places; each choice made here is written out
in FIGURE_HELP, which the reports window shows next to the figure (and
docs/archive-format.md links). Rules cited are 快手小店客服管理规则 (section 3) and
拼多多客服服务规范 (section 3); see SPEC.md, "Service figures".

Shared definitions:
- A *buyer message* is a non-event message whose sender is the buyer.
- A *reply* is a non-event message from the shop: an agent or the shop's bot. The
  platforms see both as the shop answering, so both count for reply rates; only
  agents' replies count for response times, which are there to coach people.
- A buyer message's reply is the first reply after it in the same conversation
  (same millisecond counts if stored after it).
- A *consulting buyer* is a buyer on a day: one buyer who writes on three days
  counts three times (PDD counts per day by rule 3.3; we use the same unit for
  Kuaishou's monthly figure, whose daily dashboard counts add up to the month's).
"""

from __future__ import annotations

import json
import time as _time
from collections import defaultdict
from dataclasses import dataclass, field
from operator import itemgetter
from datetime import date, timedelta
from typing import Iterable

import sqlite_utils

from workstation.domain.platforms import Platform
from workstation.history.search import day_start_ms

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
CHINA_OFFSET_MS = 8 * HOUR_MS

# 快手小店客服管理规则 3.2: 3-minute reply rate ≥ 70 %, messages sent 8:00–24:00, monthly.
KUAISHOU_REPLY_LIMIT_MS = 180_000
KUAISHOU_REPLY_RATE_LINE = 0.70
KUAISHOU_HOURS = (8, 24)
# 快手小店客服管理规则 3.3 and the 服务态度差 figure (≤ 6 %).
KUAISHOU_GOOD_RATING_LINE = 0.80
KUAISHOU_BAD_ATTITUDE_LINE = 0.06
BAD_ATTITUDE_REASON = "服务态度差"
# 拼多多客服服务规范 3.2–3.6: reply within 1 hour (inclusive), messages 8:00–23:00, daily;
# ≥ 100 consulting buyers and a rate below 50 % costs 1000 yuan.
PDD_EFFECTIVE_LIMIT_MS = 3_600_000
PDD_HOURS = (8, 23)
PDD_PENALTY_MIN_BUYERS = 100
PDD_PENALTY_RATE = 0.50
PDD_PENALTY_YUAN = 1000
# Platforms without a published reply rule are charted with a 3-minute reply rate, all day, no line.
GENERIC_REPLY_LIMIT_MS = 180_000

# Response-time distribution buckets (upper bounds in seconds): SPEC says first reply
# within 10 s, good 20–30 s, typical 50–60 s, over 100 s loses buyers.
RESPONSE_BUCKETS_S = (10, 30, 60, 100, 180, 300, 3600)

_SHOP_SENDERS = ("agent", "bot")
# Order states that are not a sale (yet, or any more).
_UNPAID = {
    "unpaid", "cancelled", "canceled", "closed", "wait_pay", "refunded",
    "待付款", "未付款", "已取消", "已关闭", "交易关闭", "已退款", "退款成功",
}

FIGURE_HELP: dict[str, str] = {
    "reply_rate_3min": (
        "快手 3 分钟回复率 =（咨询人数 − 3 分钟内未回复人数）÷ 咨询人数，规则要求 ≥ 70%。"
        "只看买家在 8:00–24:00（北京时间）发出的消息。计时从“买家发消息”和“会话进入客服接待列表”两者中较晚的时刻开始，"
        "排队时间不算；一直没进入接待列表（买家在排队中离开）的消息不计入。"
        "解读：每位买家每天记一次咨询人数（月度数字为各天之和）；当天只要有一条计入的消息在 3 分钟（含 180 秒整）内没有得到回复，"
        "该买家当天就算“3 分钟内未回复”。客服和店铺机器人的回复都算回复。仅快手店铺适用。"
    ),
    "good_rating_rate": (
        "快手客服好评率 = 满意 ÷（满意 + 一般 + 失望），规则要求 ≥ 80%。"
        "解读：统计期内每一条评价事件记一次（含主动评价、邀请评价、系统推送评价；机器人接待的会话同样计入）。仅快手店铺适用。"
    ),
    "bad_attitude_rate": (
        "快手服务态度差比例 = 原因含“服务态度差”的一般和失望评价 ÷ 全部一般和失望评价，要求 ≤ 6%。"
        "没有一般或失望评价时不适用（显示为空）。仅快手店铺适用。"
    ),
    "effective_reply_daily": (
        "拼多多当日有效回复率 = 有效回复用户数 ÷ 咨询用户数。买家消息发出后 1 小时内（含 1 小时整）得到回复即为有效回复；"
        "某买家当天 8:00–23:00（北京时间，23:00:00 起不再计入）发出的所有消息都得到有效回复，才算有效回复用户。"
        "当天咨询用户 ≥ 100 且有效回复率 < 50% 时，平台可扣违约金 1000 元，此日标红。"
        "解读：回复可以落在第二天（例如 22:50 的消息 23:40 回复仍有效）；尚未到 1 小时期限的未回复消息暂不算失败。仅拼多多店铺适用。"
    ),
    "avg_response_s": (
        "平均响应时长：每条客服回复，计算它与之前第一条未回复的买家消息之间的间隔，再取平均。"
        "机器人回复不结束等待（买家仍在等人工），会话关闭会结束等待。参考：一般 50–60 秒，优秀 20–30 秒，超过 100 秒容易流失买家。"
    ),
    "avg_first_response_s": (
        "平均首次响应时长：每个会话在统计期内的第一条买家消息，到其后第一条客服回复的间隔，按会话取平均；"
        "没有客服回复的会话不计入。首次回复最好在 10 秒内。"
    ),
    "agents": (
        "客服个人数据：咨询人数按“买家·天”计，归属于当天接待该买家的客服（接待/转接事件指定的客服，"
        "否则为当天第一个回复该买家的客服），无法归属的记在“未接待”。回复率 = 当天首条消息之后得到回复的买家 ÷ 咨询人数。"
        "销售额、转化率（付款买家 ÷ 咨询人数）、客单价（销售额 ÷ 付款买家）只根据会话里的订单卡片计算（同一订单只计一次）；"
        "没有订单卡片数据时显示为空。"
    ),
}


def china_day(ms: int) -> int:
    """Day number (days since 1970-01-01) of an instant in China time."""
    return (ms + CHINA_OFFSET_MS) // DAY_MS


def china_hour(ms: int) -> int:
    return ((ms + CHINA_OFFSET_MS) % DAY_MS) // HOUR_MS


def day_to_date(day: int) -> date:
    return date(1970, 1, 1) + timedelta(days=day)


def _rate(good: int, total: int) -> float | None:
    return good / total if total else None


def _mean_s(values: list[int]) -> float | None:
    return sum(values) / len(values) / 1000 if values else None


@dataclass(frozen=True, slots=True)
class DailyEffective:
    date: date
    consulting_buyers: int
    effective_buyers: int
    rate: float | None
    penalty: bool

    def to_json(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "consulting_buyers": self.consulting_buyers,
            "effective_buyers": self.effective_buyers,
            "rate": self.rate,
            "penalty": self.penalty,
        }


@dataclass(frozen=True, slots=True)
class DailyRate:
    """One point of the reports window's daily reply-rate chart."""

    date: date
    consulting_buyers: int
    answered_buyers: int
    rate: float | None


@dataclass(slots=True)
class ShopFigures:
    platform: Platform
    shop_id: str
    shop_name: str
    consulting_buyers_3min: int = 0
    missed_3min: int = 0
    # Kuaishou assesses per calendar month (rule 3.2.2): "2026-11" -> [consulting, missed].
    monthly_3min: dict[str, list[int]] = field(default_factory=dict)
    satisfied: int = 0
    neutral: int = 0
    disappointed: int = 0
    bad_attitude: int = 0
    effective_reply_daily: list[DailyEffective] | None = None
    daily_reply_rate: list[DailyRate] = field(default_factory=list)
    response_ms: list[int] = field(default_factory=list)
    first_response_ms: list[int] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform.value, self.shop_id)

    @property
    def is_kuaishou(self) -> bool:
        return self.platform is Platform.KUAISHOU

    @property
    def reply_rate_3min(self) -> float | None:
        if not self.is_kuaishou:
            return None
        return _rate(self.consulting_buyers_3min - self.missed_3min, self.consulting_buyers_3min)

    def monthly_reply_rate_3min(self) -> list[tuple[str, float | None]]:
        """The 3-minute reply rate of each calendar month the period touches (Kuaishou only)."""
        if not self.is_kuaishou:
            return []
        return [(month, _rate(c - m, c)) for month, (c, m) in sorted(self.monthly_3min.items())]

    @property
    def good_rating_rate(self) -> float | None:
        if not self.is_kuaishou:
            return None
        return _rate(self.satisfied, self.satisfied + self.neutral + self.disappointed)

    @property
    def bad_attitude_rate(self) -> float | None:
        if not self.is_kuaishou:
            return None
        return _rate(self.bad_attitude, self.neutral + self.disappointed)

    @property
    def avg_response_s(self) -> float | None:
        return _mean_s(self.response_ms)

    @property
    def avg_first_response_s(self) -> float | None:
        return _mean_s(self.first_response_ms)

    @property
    def reply_threshold(self) -> float | None:
        """The platform's line for `daily_reply_rate`, or None where no rule applies."""
        lines = {Platform.KUAISHOU: KUAISHOU_REPLY_RATE_LINE, Platform.PDD: PDD_PENALTY_RATE}
        return lines.get(self.platform)

    @property
    def daily_rate_label(self) -> str:
        if self.platform is Platform.PDD:
            return "有效回复率（1 小时内，8:00–23:00）"
        if self.platform is Platform.KUAISHOU:
            return "3 分钟回复率（8:00–24:00）"
        return "3 分钟回复率（全天，平台无考核线）"

    def response_histogram(self) -> list[tuple[str, int]]:
        return response_histogram(self.response_ms)

    def to_json(self) -> dict:
        daily = self.effective_reply_daily
        return {
            "shop_id": self.shop_id,
            "platform": self.platform.value,
            "shop_name": self.shop_name,
            "kpis": {
                "reply_rate_3min": self.reply_rate_3min,
                "good_rating_rate": self.good_rating_rate,
                "bad_attitude_rate": self.bad_attitude_rate,
                "effective_reply_daily": [d.to_json() for d in daily] if daily is not None else None,
                "avg_response_s": self.avg_response_s,
                "avg_first_response_s": self.avg_first_response_s,
            },
        }


_BUCKET_LABELS = ("≤10秒", "≤30秒", "≤1分", "≤100秒", "≤3分", "≤5分", "≤1时", ">1时")


def response_histogram(values_ms: Iterable[int]) -> list[tuple[str, int]]:
    """Counts of response times per bucket of RESPONSE_BUCKETS_S (upper bounds inclusive)."""
    counts = [0] * (len(RESPONSE_BUCKETS_S) + 1)
    for value in values_ms:
        seconds = value / 1000
        for index, upper in enumerate(RESPONSE_BUCKETS_S):
            if seconds <= upper:
                counts[index] += 1
                break
        else:
            counts[-1] += 1
    return list(zip(_BUCKET_LABELS, counts))


@dataclass(slots=True)
class AgentFigures:
    agent_id: str  # "" = buyers no agent received
    shops: set[tuple[str, str]] = field(default_factory=set)
    consulting_buyers: int = 0
    replied_buyers: int = 0
    response_ms: list[int] = field(default_factory=list)
    sales_fen: int = 0
    paying_buyers: int = 0
    has_order_data: bool = False

    @property
    def reply_rate(self) -> float | None:
        return _rate(self.replied_buyers, self.consulting_buyers)

    @property
    def avg_response_s(self) -> float | None:
        return _mean_s(self.response_ms)

    @property
    def conversion(self) -> float | None:
        return _rate(self.paying_buyers, self.consulting_buyers) if self.has_order_data else None

    @property
    def avg_order_value_fen(self) -> int | None:
        if not self.has_order_data or not self.paying_buyers:
            return None
        return round(self.sales_fen / self.paying_buyers)

    def to_json(self) -> dict:
        return {
            "agent_id": self.agent_id,
            "shops": [{"platform": p, "shop_id": s} for p, s in sorted(self.shops)],
            "consulting_buyers": self.consulting_buyers,
            "reply_rate": self.reply_rate,
            "avg_response_s": self.avg_response_s,
            "sales_fen": self.sales_fen if self.has_order_data else None,
            "conversion": self.conversion,
            "avg_order_value_fen": self.avg_order_value_fen,
        }


@dataclass(slots=True)
class Report:
    since: date
    until: date
    shops: list[ShopFigures]
    agents: list[AgentFigures]

    def to_json(self) -> dict:
        return {
            "from": self.since.isoformat(),
            "to": self.until.isoformat(),
            "shops": [shop.to_json() for shop in self.shops],
            "agents": [agent.to_json() for agent in self.agents],
        }


# ---- computing ------------------------------------------------------------------

# Row layout, kept as plain tuples for speed (a month of 20 busy shops is ~10^5 rows).
_PLATFORM, _SHOP, _CONV, _BUYER, _SENDER, _AGENT, _T, _TYPE, _EVENT, _RATING, _REASONS, _CARD, _ID = range(13)

_TIME_ORDER = itemgetter(_T, _ID)
READ_BY_ROWID_RUN = True  # tests turn it off to check both ways of reading give the same figures

_QUERY = (
    "SELECT platform, shop_id, conversation_id, buyer_id, sender, agent_id, sent_at_ms, type, event,"
    " rating, rating_reasons, CASE WHEN type = 'order_card' THEN payload END, id"
    " FROM messages WHERE sent_at_ms BETWEEN ? AND ?{shop} ORDER BY sent_at_ms, id"
)


@dataclass(slots=True)
class _BuyerDay:
    first_ms: int
    agent: str
    replied: bool


class _Accumulator:
    def __init__(self, start_ms: int, end_ms: int, now_ms: int):
        self.start_ms = start_ms
        self.end_ms = end_ms
        self.now_ms = now_ms
        self.shops: dict[tuple[str, str], ShopFigures] = {}
        # (platform, shop, buyer, day) -> failed?
        self.three_minute: dict[tuple, bool] = {}
        self.effective: dict[tuple, bool] = {}
        self.generic: dict[tuple, bool] = {}
        self.buyer_days: dict[tuple, _BuyerDay] = {}
        self.agents: dict[str, AgentFigures] = {}
        self.orders: dict[tuple, tuple[tuple, int]] = {}  # (platform, shop, order_id) -> (buyer-day key, fen)
        self.order_data_shops: set[tuple[str, str]] = set()
        self.active_shops: set[tuple[str, str]] = set()

    def agent(self, agent_id: str) -> AgentFigures:
        figures = self.agents.get(agent_id)
        if figures is None:
            figures = self.agents[agent_id] = AgentFigures(agent_id)
        return figures

    def shop(self, row: tuple) -> ShopFigures:
        key = (row[_PLATFORM], row[_SHOP])
        figures = self.shops.get(key)
        if figures is None:
            figures = self.shops[key] = ShopFigures(Platform(row[_PLATFORM]), row[_SHOP], "")
        return figures

    def conversation(self, rows: list[tuple]) -> None:
        count = len(rows)
        start_ms, end_ms = self.start_ms, self.end_ms
        shop = self.shop(rows[0])
        platform, shop_id = shop_key = (rows[0][_PLATFORM], rows[0][_SHOP])
        if any(start_ms <= row[_T] <= end_ms for row in rows):
            self.active_shops.add(shop_key)
        has_reception = False
        next_reply: list[int | None] = [None] * count
        next_reception: list[int | None] = [None] * count
        next_agent: list[str] = [""] * count
        reply_at = reception_at = None
        replier = ""
        for index in range(count - 1, -1, -1):
            next_reply[index], next_reception[index], next_agent[index] = reply_at, reception_at, replier
            row = rows[index]
            if row[_TYPE] != "event":
                if row[_SENDER] in _SHOP_SENDERS:
                    reply_at = row[_T]
                    if row[_SENDER] == "agent":
                        replier = row[_AGENT]
            elif row[_EVENT] == "entered_reception":
                reception_at = row[_T]
                has_reception = True

        received = not has_reception
        serving = ""
        waiting_since = None
        first_buyer_ms = None
        first_done = False
        is_kuaishou = platform == Platform.KUAISHOU.value
        is_pdd = platform == Platform.PDD.value
        # An unanswered message still inside its deadline at `now` is not (yet) a miss.
        now_ms = self.now_ms
        three_minute, generic = self.three_minute, self.generic
        effective, buyer_days = self.effective, self.buyer_days
        for index, row in enumerate(rows):
            at = row[_T]
            in_period = start_ms <= at <= end_ms
            if row[_TYPE] == "event":
                event = row[_EVENT]
                if event in ("entered_reception", "transfer"):
                    received = True
                    if row[_AGENT]:
                        serving = row[_AGENT]
                elif event == "closed":
                    received = not has_reception
                    waiting_since = None
                elif event == "rating" and in_period:
                    self._rating(shop, row)
                continue
            if row[_CARD] and in_period:
                self._order(shop, row)
            sender = row[_SENDER]
            if sender == "agent":
                if row[_AGENT]:
                    serving = row[_AGENT]
                if waiting_since is not None:
                    if in_period:
                        delay = at - waiting_since
                        shop.response_ms.append(delay)
                        agent = self.agent(row[_AGENT])
                        agent.response_ms.append(delay)
                        agent.shops.add(shop_key)
                    waiting_since = None
                if first_buyer_ms is not None and not first_done:
                    shop.first_response_ms.append(at - first_buyer_ms)
                    first_done = True
            elif sender == "buyer":
                if waiting_since is None:
                    waiting_since = at
                if not in_period:
                    continue
                if first_buyer_ms is None:
                    first_buyer_ms = at
                reply = next_reply[index]
                local = at + CHINA_OFFSET_MS  # china_day and china_hour, inlined: the report's hot loop
                day = local // DAY_MS
                hour = local % DAY_MS // HOUR_MS
                key = (platform, shop_id, row[_BUYER], day)
                # Kuaishou 3.2: the clock starts when the conversation reaches the reception list.
                if received:
                    clock = at
                else:
                    reception = next_reception[index]
                    if reply is not None and (reception is None or reply <= reception):
                        clock = at  # answered while still queued
                    else:
                        clock = reception  # None: never reached an agent, not counted
                if is_pdd:
                    if PDD_HOURS[0] <= hour < PDD_HOURS[1]:
                        met = (reply if reply is not None else now_ms) - at <= PDD_EFFECTIVE_LIMIT_MS
                        effective[key] = effective.get(key, False) or not met
                elif clock is not None and (hour >= KUAISHOU_HOURS[0] or not is_kuaishou):
                    met = (reply if reply is not None else now_ms) - clock <= KUAISHOU_REPLY_LIMIT_MS
                    target = three_minute if is_kuaishou else generic
                    target[key] = target.get(key, False) or not met
                known = buyer_days.get(key)
                if known is None:
                    buyer_days[key] = _BuyerDay(at, serving or next_agent[index], reply is not None)
                elif at < known.first_ms:
                    known.first_ms, known.replied = at, reply is not None
                    known.agent = serving or next_agent[index] or known.agent

    def _rating(self, shop: ShopFigures, row: tuple) -> None:
        rating = row[_RATING]
        if rating == "satisfied":
            shop.satisfied += 1
        elif rating in ("neutral", "disappointed"):
            if rating == "neutral":
                shop.neutral += 1
            else:
                shop.disappointed += 1
            reasons = json.loads(row[_REASONS] or "[]")
            if any(BAD_ATTITUDE_REASON in reason for reason in reasons):
                shop.bad_attitude += 1

    def _order(self, shop: ShopFigures, row: tuple) -> None:
        """An order card sent in the conversation links that order to the buyer's consultation.

        Live messages carry the card as payload["card"] (workstation.commerce.outgoing.order_card:
        order_id, amount_fen, status_text); a bare card dict is accepted too.
        """
        try:
            payload = json.loads(row[_CARD])
        except ValueError:
            return
        card = payload
        if isinstance(payload, dict) and isinstance(payload.get("card"), dict):
            card = payload["card"]
        if not isinstance(card, dict) or not card.get("order_id"):
            return
        amount = card.get("amount_fen")
        if not isinstance(amount, int) or isinstance(amount, bool):
            return
        self.order_data_shops.add(shop.key)
        status = str(card.get("status") or card.get("status_text") or "").lower()
        if card.get("paid") is False or status in _UNPAID:
            return
        key = (shop.platform.value, shop.shop_id, row[_BUYER], china_day(row[_T]))
        self.orders[(shop.platform.value, shop.shop_id, str(card["order_id"]))] = (key, amount)

    def finish(self, since: date, until: date) -> Report:
        first_day, last_day = (since - date(1970, 1, 1)).days, (until - date(1970, 1, 1)).days
        for key, failed in self.three_minute.items():
            shop = self.shops[key[:2]]
            shop.consulting_buyers_3min += 1
            shop.missed_3min += failed
            month = shop.monthly_3min.setdefault(day_to_date(key[3]).strftime("%Y-%m"), [0, 0])
            month[0] += 1
            month[1] += failed
        daily: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        for source in (self.three_minute, self.effective, self.generic):
            for key, failed in source.items():
                counts = daily[(key[0], key[1], key[3])]
                counts[0] += 1
                counts[1] += not failed
        for shop in self.shops.values():
            days = range(first_day, last_day + 1)
            points = []
            for day in days:
                consulting, answered = daily.get((shop.platform.value, shop.shop_id, day), (0, 0))
                points.append(DailyRate(day_to_date(day), consulting, answered, _rate(answered, consulting)))
            shop.daily_reply_rate = points
            if shop.platform is Platform.PDD:
                shop.effective_reply_daily = [
                    DailyEffective(
                        p.date, p.consulting_buyers, p.answered_buyers, p.rate,
                        p.consulting_buyers >= PDD_PENALTY_MIN_BUYERS
                        and p.rate is not None and p.rate < PDD_PENALTY_RATE,
                    )
                    for p in points
                ]
        for key, buyer_day in self.buyer_days.items():
            agent = self.agent(buyer_day.agent)
            agent.shops.add(key[:2])
            agent.consulting_buyers += 1
            agent.replied_buyers += buyer_day.replied
        paying: dict[str, set] = defaultdict(set)
        for buyer_day_key, amount in self.orders.values():
            known = self.buyer_days.get(buyer_day_key)
            agent = self.agent(known.agent if known else "")
            agent.sales_fen += amount
            paying[agent.agent_id].add(buyer_day_key)
        for agent in self.agents.values():
            agent.paying_buyers = len(paying.get(agent.agent_id, ()))
            agent.has_order_data = bool(agent.shops & self.order_data_shops) or agent.agent_id in paying
        shops = sorted((s for s in self.shops.values() if s.key in self.active_shops), key=lambda s: s.key)
        agents = sorted(self.agents.values(), key=lambda a: (a.agent_id == "", a.agent_id))
        return Report(since, until, shops, agents)


def compute_report(
    db: sqlite_utils.Database,
    since: date,
    until: date,
    *,
    shop_id: str = "",
    now_ms: int | None = None,
) -> Report:
    """Every figure for the days `since`..`until` (China time, inclusive), per shop and per agent.

    Messages up to a day either side are read as context (the reception event before a
    buyer's message, the reply after one sent just before midnight) but never counted.
    """
    if until < since:
        raise ValueError("结束日期早于开始日期")
    start_ms = day_start_ms(since)
    end_ms = day_start_ms(until + timedelta(days=1)) - 1
    accumulator = _Accumulator(start_ms, end_ms, now_ms if now_ms is not None else int(_time.time() * 1000))
    params: list = [start_ms - DAY_MS, end_ms + DAY_MS]
    sql = _QUERY.format(shop=" AND shop_id = ?" if shop_id else "")
    if shop_id:
        params.append(shop_id)
    count, low, high = db.conn.execute(
        "SELECT count(*), min(id), max(id) FROM messages WHERE sent_at_ms BETWEEN ? AND ?", params[:2]
    ).fetchone()
    by_rowid = READ_BY_ROWID_RUN and count and high - low + 1 <= count * 5 // 4
    if by_rowid:
        # Messages are mostly stored in time order, so the period is one run of row ids: reading
        # that run straight off the table beats an index lookup per row. Exact either way.
        sql = sql.replace(" WHERE ", " WHERE id BETWEEN ? AND ? AND ", 1)
        sql = sql.replace(" ORDER BY sent_at_ms, id", "")
        params = [low, high, *params]
    conversations: dict[tuple, list[tuple]] = defaultdict(list)
    for row in db.conn.execute(sql, params):
        conversations[(row[_PLATFORM], row[_SHOP], row[_CONV])].append(row)
    for rows in conversations.values():
        if by_rowid:
            rows.sort(key=_TIME_ORDER)  # nearly sorted already: linear
        accumulator.conversation(rows)
    report = accumulator.finish(since, until)
    for shop in report.shops:  # one lookup per shop rather than a name on every row
        found = db.conn.execute(
            "SELECT shop_name FROM messages WHERE platform = ? AND shop_id = ? AND shop_name != ''"
            " ORDER BY sent_at_ms DESC LIMIT 1",
            [shop.platform.value, shop.shop_id],
        ).fetchone()
        shop.shop_name = found[0] if found else ""
    return report
