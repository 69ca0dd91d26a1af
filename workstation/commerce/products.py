"""Products to recommend: the ones the buyer asked about float to the top."""

from __future__ import annotations

import re
from dataclasses import dataclass

from workstation.domain.commerce import Product

_WORD = re.compile(r"[\u4e00-\u9fff]|[A-Za-z0-9]+")


@dataclass(frozen=True, slots=True)
class ProductOffer:
    product: Product
    asked_about: bool = False
    score: float = 0.0

    @property
    def sendable(self) -> bool:
        return self.product.on_sale and self.product.stock > 0

    @property
    def unavailable_reason(self) -> str:
        if not self.product.on_sale:
            return "已下架"
        if self.product.stock <= 0:
            return "无库存"
        return ""


def _bigrams(text: str) -> set[str]:
    tokens = _WORD.findall(text.lower())
    return {a + b for a, b in zip(tokens, tokens[1:])} | {t for t in tokens if len(t) > 1}


def mention_score(product: Product, buyer_texts: list[str], mentioned_ids: set[str]) -> float:
    """1.0 for a product the buyer sent or named; otherwise the share of the title's bigrams they used."""
    if product.product_id in mentioned_ids or any(product.product_id in text for text in buyer_texts):
        return 1.0
    title = _bigrams(product.title)
    if not title:
        return 0.0
    said = set().union(*(_bigrams(text) for text in buyer_texts)) if buyer_texts else set()
    return len(title & said) / len(title)


def rank(products: list[Product], buyer_texts: list[str], mentioned_ids: set[str] = frozenset(),
         threshold: float = 0.5) -> list[ProductOffer]:
    """Asked-about products first (best match first), then the rest in the platform's order."""
    offers = []
    for product in products:
        score = mention_score(product, buyer_texts, set(mentioned_ids))
        offers.append(ProductOffer(product, score >= threshold, score))
    return sorted(offers, key=lambda o: (not o.asked_about, -o.score if o.asked_about else 0))
