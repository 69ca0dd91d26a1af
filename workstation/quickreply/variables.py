"""Variables in phrases — `{买家昵称}`, `{买家昵称|亲}` — filled from the open conversation.

A variable with no value and no fallback is left in the text as written and reported with its span,
so the composer can highlight it and hold the send: a buyer must never receive "{订单号}".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from workstation.domain.messages import Conversation

KNOWN_VARIABLES = ("买家昵称", "店铺名", "订单号", "商品名", "客服昵称")

# A name is word characters only (CJK included), so emoticons like {^_^} stay literal text.
# The fallback may be empty: `{买家昵称|}` means "leave it out when unknown".
_VARIABLE_RE = re.compile(r"\{(\w{1,20})(?:\|([^{}|\n]{0,40}))?\}")


@dataclass(frozen=True, slots=True)
class UnfilledVariable:
    """A variable left unfilled in a rendered text: `text[start:end]` is the placeholder, e.g. "{订单号}"."""

    name: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    unfilled: tuple[UnfilledVariable, ...] = ()

    @property
    def ready(self) -> bool:
        """True when the text can be sent as it is."""
        return not self.unfilled

    def warning(self) -> str:
        if not self.unfilled:
            return ""
        names = "、".join(dict.fromkeys(v.name for v in self.unfilled))
        return f"短语中的变量 {names} 没有值，请补全后再发送。"


@dataclass(frozen=True, slots=True)
class ConversationContext:
    """What the open conversation knows; empty strings mean unknown."""

    buyer_nick: str = ""
    shop_name: str = ""
    order_id: str = ""
    product_name: str = ""
    agent_nick: str = ""

    def values(self) -> dict[str, str]:
        return {
            "买家昵称": self.buyer_nick,
            "店铺名": self.shop_name,
            "订单号": self.order_id,
            "商品名": self.product_name,
            "客服昵称": self.agent_nick,
        }

    @classmethod
    def from_conversation(cls, conversation: Conversation, *, agent_nick: str = "", order_id: str = "",
                          product_name: str = "") -> "ConversationContext":
        return cls(buyer_nick=conversation.buyer_nick, shop_name=conversation.shop_name, order_id=order_id,
                   product_name=product_name, agent_nick=agent_nick)


EMPTY_CONTEXT = ConversationContext()

# What the editor's preview fills in, so a lead sees a phrase as a buyer would.
SAMPLE_CONTEXT = ConversationContext(
    buyer_nick="小米粥", shop_name="山野茶铺旗舰店", order_id="240521-330917566", product_name="明前龙井 250g",
    agent_nick="小美",
)


def render(text: str, context: ConversationContext | Mapping[str, str] = EMPTY_CONTEXT) -> Rendered:
    """Fill every variable; report the ones with neither a value nor a fallback."""
    if "{" not in text:
        return Rendered(text)
    values = context.values() if isinstance(context, ConversationContext) else context
    parts: list[str] = []
    unfilled: list[UnfilledVariable] = []
    length = 0
    last = 0
    for match in _VARIABLE_RE.finditer(text):
        literal = text[last:match.start()]
        parts.append(literal)
        length += len(literal)
        name, fallback = match.group(1), match.group(2)
        value = (values.get(name) or "").strip()
        if value:
            piece = value
        elif fallback is not None:
            piece = fallback
        else:
            piece = "{" + name + "}"
            unfilled.append(UnfilledVariable(name, length, length + len(piece)))
        parts.append(piece)
        length += len(piece)
        last = match.end()
    parts.append(text[last:])
    return Rendered("".join(parts), tuple(unfilled))


def variables_in(text: str) -> list[tuple[str, str | None, int, int]]:
    """(name, fallback, start, end) of every variable in a phrase as written."""
    return [(m.group(1), m.group(2), m.start(), m.end()) for m in _VARIABLE_RE.finditer(text)]


def unknown_variables(text: str) -> list[str]:
    """Variable names the workstation cannot fill; usually a typo such as {买家名}."""
    return [name for name, _, _, _ in variables_in(text) if name not in KNOWN_VARIABLES]
