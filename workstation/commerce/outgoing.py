"""Everything the side panel puts into the chat goes through the sync hub's one send path.

`SyncHub.send` runs the compliance gate and writes the outbox; the panel never calls
a connector's `send`. Cards ride on the same call (`card=`, `message_type=`); a hub
that does not take cards yet gets the card's text alone, so the buyer still gets it.
"""

from __future__ import annotations

import inspect
import logging

from workstation.commerce.money import price
from workstation.domain.commerce import Order, Product
from workstation.domain.messages import MessageType
from workstation.domain.verdict import DraftKind, OutgoingDraft

log = logging.getLogger(__name__)


def _takes_cards(hub) -> bool:
    try:
        parameters = inspect.signature(hub.send).parameters
    except (TypeError, ValueError):
        return False
    return "card" in parameters or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


async def send_text(hub, conversation_key, text: str, *, kind: DraftKind = DraftKind.TEXT,
                    confirmed_warning: bool = False) -> int:
    """Returns the outbox id; raises MessageBlocked / MessageNeedsConfirmation from the gate."""
    draft = OutgoingDraft(kind=kind, text=text)
    return await hub.send(tuple(conversation_key), draft, confirmed_warning=confirmed_warning)


async def send_card(hub, conversation_key, message_type: MessageType, card: dict, text: str, *,
                    confirmed_warning: bool = False) -> int:
    draft = OutgoingDraft(kind=DraftKind.TEXT, text=text)
    if _takes_cards(hub):
        return await hub.send(tuple(conversation_key), draft, confirmed_warning=confirmed_warning,
                              card=card, message_type=message_type)
    log.info("hub.send takes no cards yet: sending the %s as text", message_type)
    return await hub.send(tuple(conversation_key), draft, confirmed_warning=confirmed_warning)


def order_card(order: Order) -> tuple[dict, str]:
    first = order.items[0] if order.items else None
    card = {"type": "order_card", "order_id": order.order_id, "status_text": order.status_text,
            "amount_fen": order.amount_fen, "title": first.title if first else "",
            "image_url": first.image_url if first else "", "item_count": sum(i.quantity for i in order.items)}
    what = f"{first.title}等{len(order.items)}件商品" if first and len(order.items) > 1 else (first.title if first else "")
    text = f"订单号 {order.order_id}（{order.status_text}，实付{price(order.amount_fen)}）{what}"
    return card, text


def product_card(product: Product) -> tuple[dict, str]:
    card = {"type": "product_card", "product_id": product.product_id, "title": product.title,
            "price_fen": product.price_fen, "image_url": product.image_url}
    return card, f"{product.title} {price(product.price_fen)}"
