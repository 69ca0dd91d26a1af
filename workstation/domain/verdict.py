"""What the compliance filter says about an outgoing message, and the draft it judges. No Qt, no I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Action(enum.StrEnum):
    """What may happen to a message: blocked, sent after a second confirmation, or sent."""

    BLOCK = "block"
    WARN = "warn"
    PASS = "pass"


class Category(enum.StrEnum):
    """The platform rule a hit breaks (SPEC.md, "Platform rules the compliance filter enforces")."""

    LINK = "link"                      # third-party links and domains
    CONTACT = "contact"                # phone, e-mail, WeChat, QQ
    PAYMENT = "payment"                # bank cards, Alipay accounts
    QR = "qr"                          # QR codes in images
    STORE = "store"                    # physical stores, off-platform trading
    COUNTERFEIT = "counterfeit"        # 快手规则 2.8: 高仿, 精仿, 非正品…
    INSULT = "insult"
    THREAT = "threat"
    ILLEGAL = "illegal"
    IMPERSONATION = "impersonation"    # pretending to be the platform
    DISPARAGE = "disparage"            # running down the platform or other shops
    CONFRONTATIONAL = "confrontational"  # warning: rhetorical questions, interrogation
    SHIRKING = "shirking"              # warning: 不知道, 不关我的事…
    REPETITION = "repetition"          # warning: the same phrase again and again
    UNCHECKABLE = "uncheckable"        # the filter could not judge the content, so it stays unsent

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]


_CATEGORY_LABELS = {
    Category.LINK: "第三方链接",
    Category.CONTACT: "联系方式",
    Category.PAYMENT: "支付账号",
    Category.QR: "二维码",
    Category.STORE: "实体店与站外交易",
    Category.COUNTERFEIT: "假货用语",
    Category.INSULT: "辱骂与不文明用语",
    Category.THREAT: "威胁恐吓",
    Category.ILLEGAL: "违法内容",
    Category.IMPERSONATION: "冒充平台",
    Category.DISPARAGE: "诋毁平台或他店",
    Category.CONFRONTATIONAL: "对抗式语言",
    Category.SHIRKING: "推诿用语",
    Category.REPETITION: "重复话术",
    Category.UNCHECKABLE: "无法检查",
}


@dataclass(frozen=True, slots=True)
class Hit:
    """One span of the agent's ORIGINAL text that breaks a rule.

    `start`/`end` index the text as the agent typed it (end exclusive), so the composer can
    highlight it; `match` is that original slice. `severity` says whether this hit alone blocks.
    """

    category: Category | str
    rule: str
    start: int
    end: int
    match: str
    reason: str
    severity: Action = Action.BLOCK

    def as_dict(self) -> dict:
        return {
            "category": str(self.category),
            "rule": self.rule,
            "start": self.start,
            "end": self.end,
            "match": self.match,
            "reason": self.reason,
            "severity": str(self.severity),
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """The filter's answer: block if any hit blocks, warn if any hit warns, else pass."""

    action: Action
    hits: tuple[Hit, ...] = ()

    @classmethod
    def from_hits(cls, hits) -> "Verdict":
        ordered = tuple(sorted(hits, key=lambda h: (h.start, h.end, str(h.category), h.rule)))
        if any(h.severity is Action.BLOCK for h in ordered):
            action = Action.BLOCK
        elif ordered:
            action = Action.WARN
        else:
            action = Action.PASS
        return cls(action, ordered)

    @property
    def blocked(self) -> bool:
        return self.action is Action.BLOCK

    @property
    def warned(self) -> bool:
        return self.action is Action.WARN

    @property
    def passed(self) -> bool:
        return self.action is Action.PASS

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h.rule for h in self.hits))

    def merged(self, other: "Verdict") -> "Verdict":
        return Verdict.from_hits(self.hits + other.hits)

    def as_dict(self) -> dict:
        return {"verdict": str(self.action), "hits": [h.as_dict() for h in self.hits]}


PASS = Verdict(Action.PASS, ())


class DraftKind(enum.StrEnum):
    TEXT = "text"
    IMAGE = "image"
    QUICK_REPLY = "quick_reply"
    COUPON_NOTE = "coupon_note"
    FILE = "file"


@dataclass(frozen=True, slots=True)
class OutgoingDraft:
    """Anything an agent is about to send; `gate_outgoing` judges it before the outbox sees it.

    `text` is the message, the quick reply or coupon note, an image's caption or a file's name;
    `recent_sent` holds this conversation's recent outgoing texts, newest last.
    """

    kind: DraftKind | str
    text: str = ""
    image_bytes: bytes | None = None
    platform: str | None = None
    recent_sent: tuple[str, ...] = field(default_factory=tuple)
