"""Reply deadlines of a waiting buyer, by each platform's own rule, and how urgent the wait is.

Qt-free: the inbox sorts and colours with these, the alerts repeat by them, and the
figures can reuse them. Rules come from SPEC.md ("Service figures the platforms judge
shops by"); thresholds are settings, not constants.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from workstation.domain.messages import Conversation
from workstation.domain.platforms import Platform

# 快手 3-minute reply rate: the clock starts when the buyer reaches an agent's reception list.
KUAISHOU_REPLY = timedelta(minutes=3)
# 拼多多: a reply within 1 hour is "effective"; shops aim for replies inside 5 minutes.
PDD_EFFECTIVE_REPLY = timedelta(hours=1)
PDD_SHOP_TARGET = timedelta(minutes=5)
# Taobao, Douyin, JD publish no single figure the shop is judged by here: a per-shop setting.
DEFAULT_REPLY = timedelta(minutes=3)


class Urgency(enum.IntEnum):
    """How close a waiting buyer is to the deadline; NONE when nobody waits."""

    NONE = 0
    CALM = 1
    AMBER = 2
    RED = 3


@dataclass(frozen=True, slots=True)
class Deadline:
    """When the clock started, the deadline the list sorts and colours by, and any harder limit after it."""

    started_at: datetime
    due_at: datetime
    rule: str                      # a short Chinese name of the rule, for tooltips
    hard_due_at: datetime | None = None
    hard_rule: str = ""

    @property
    def span(self) -> timedelta:
        return self.due_at - self.started_at

    def left(self, now: datetime) -> timedelta:
        return self.due_at - now

    def waited(self, now: datetime) -> timedelta:
        return max(now - self.started_at, timedelta(0))


@dataclass(frozen=True, slots=True)
class DeadlineSettings:
    """Thresholds as shares of the deadline: amber from `amber_share`, red from `red_share`.

    `shop_reply` maps (platform code, shop_id) to the shop's own reply target where the
    platform sets none (and overrides the PDD shop target, which is the shop's choice).
    """

    amber_share: float = 0.5
    red_share: float = 1.0
    default_reply: timedelta = DEFAULT_REPLY
    shop_reply: dict[tuple[str, str], timedelta] = field(default_factory=dict)

    def __post_init__(self):
        if not 0 < self.amber_share <= self.red_share:
            raise ValueError("amber_share must be positive and not above red_share")

    def reply_for(self, platform: Platform, shop_id: str) -> timedelta | None:
        value = self.shop_reply.get((platform.value, shop_id))
        return value if value is not None and value > timedelta(0) else None


def reply_deadline(conversation: Conversation, settings: DeadlineSettings | None = None) -> Deadline | None:
    """The deadline of the buyer's unanswered message, or None when nobody waits."""
    settings = settings or DeadlineSettings()
    waiting = conversation.waiting_since
    if waiting is None:
        return None
    platform = conversation.platform
    if platform is Platform.KUAISHOU:
        # Time in the queue does not count: the clock starts at the later of the message
        # and the buyer's arrival in the reception list.
        start = waiting
        reception = conversation.entered_reception_at
        if reception is not None and reception > start:
            start = reception
        return Deadline(start, start + KUAISHOU_REPLY, "快手3分钟回复率")
    if platform is Platform.PDD:
        target = settings.reply_for(platform, conversation.shop_id) or PDD_SHOP_TARGET
        return Deadline(waiting, waiting + target, f"店铺{_minutes(target)}回复目标",
                        hard_due_at=waiting + PDD_EFFECTIVE_REPLY, hard_rule="拼多多1小时有效回复")
    reply = settings.reply_for(platform, conversation.shop_id) or settings.default_reply
    return Deadline(waiting, waiting + reply, f"店铺{_minutes(reply)}回复目标")


def urgency(deadline: Deadline | None, now: datetime, settings: DeadlineSettings | None = None) -> Urgency:
    if deadline is None:
        return Urgency.NONE
    settings = settings or DeadlineSettings()
    span = deadline.span.total_seconds()
    if span <= 0:
        return Urgency.RED
    share = (now - deadline.started_at).total_seconds() / span
    if share >= settings.red_share:
        return Urgency.RED
    if share >= settings.amber_share:
        return Urgency.AMBER
    return Urgency.CALM


def format_wait(waited: timedelta) -> str:
    """`0:42`, `12:05`, `1:02:09` — what the row shows beside a waiting buyer."""
    seconds = max(int(waited.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def describe(deadline: Deadline, now: datetime) -> str:
    """A tooltip line: which rule, and how long is left (or how far past it the buyer is)."""
    left = deadline.left(now)
    text = (f"{deadline.rule}：还剩 {format_wait(left)}" if left > timedelta(0)
            else f"{deadline.rule}：已超时 {format_wait(-left)}")
    if deadline.hard_due_at is not None:
        hard_left = deadline.hard_due_at - now
        text += (f"\n{deadline.hard_rule}：还剩 {format_wait(hard_left)}" if hard_left > timedelta(0)
                 else f"\n{deadline.hard_rule}：已超时 {format_wait(-hard_left)}")
    return text


def _minutes(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    return f"{seconds // 60}分钟" if seconds % 60 == 0 else f"{seconds}秒"
