"""The emulator's clock and its simulated buyers: arrivals, bursts of messages, queueing into
the reception list, follow-ups, read receipts, closing and ratings.

A mixin of `World`: it schedules actions on an agenda ordered by simulated time, so
the same seed gives the same buyers however finely the clock is advanced.
"""

from __future__ import annotations

import asyncio
import heapq
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Callable

from workstation.shops.emulator import seed as S

if TYPE_CHECKING:
    from workstation.shops.emulator.world import Shop


class BuyerSimulation:
    """Needs from `World`: `_wall`, `offset`, `sim_rng`, `shops`, `stats`, `_agenda`, `_counter`,
    `_next_arrival`, `simulated_to`, `buyers_per_minute`, `_message_event`, `_system_event`."""

    # ---- time --------------------------------------------------------------------

    def now(self) -> datetime:
        return self._wall() + self.offset

    def tick(self, seconds: float) -> None:
        """Move the emulator's clock forward (tests) and run everything due by then."""
        self.offset += timedelta(seconds=seconds)
        self.run_until(self.now())

    def run_until(self, moment: datetime) -> None:
        while True:
            due_arrival = self._next_arrival if self.buyers_per_minute > 0 else None
            due_agenda = self._agenda[0][0] if self._agenda else None
            candidates = [t for t in (due_arrival, due_agenda) if t is not None and t <= moment]
            if not candidates:
                break
            first = min(candidates)
            self.simulated_to = first
            if due_agenda is not None and due_agenda == first:
                _, _, action = heapq.heappop(self._agenda)
                action()
            else:
                self._next_arrival = first + self._arrival_gap()
                self._buyer_arrives(first)
        self.simulated_to = max(self.simulated_to, moment)

    def _arrival_gap(self) -> timedelta:
        if self.buyers_per_minute <= 0:
            return timedelta(days=3650)
        return timedelta(seconds=self.sim_rng.expovariate(self.buyers_per_minute / 60.0))

    def _later(self, at: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self._agenda, (at, next(self._counter), action))

    async def run_realtime(self, interval: float = 0.2) -> None:
        """Advance the simulation with the wall clock until cancelled (uvicorn lifespan)."""
        while True:
            self.run_until(self.now())
            await asyncio.sleep(interval)

    # ---- simulated buyers ----------------------------------------------------------

    def _buyer_arrives(self, at: datetime) -> None:
        rng = self.sim_rng
        shop = rng.choice(list(self.shops.values()))
        buyer = rng.choice(shop.buyers) if rng.random() < 0.6 else None
        if buyer is None:
            buyer = {"buyer_id": f"{S.ID_PREFIX[shop.platform]}b{S.random_token(rng, 10)}",
                     "nick": S.buyer_nick(rng, shop.platform), "address": S.make_address(rng)}
            shop.buyers.append(buyer)
        product = rng.choice(shop.products)
        self.start_conversation(shop, buyer, S.buyer_burst(rng, product["title"]), at)

    def start_conversation(self, shop: Shop, buyer: dict, parts: list[dict], at: datetime) -> dict:
        conv = self._open_conversation(shop, buyer, at)
        delay = 0.0
        for part in parts:
            moment = at + timedelta(seconds=delay)
            self._later(moment, lambda p=part, m=moment: self._buyer_says(shop, conv, p, m))
            delay += self.sim_rng.uniform(1.5, 8.0)
        return conv

    def _open_conversation(self, shop: Shop, buyer: dict, at: datetime) -> dict:
        cid = f"{S.ID_PREFIX[shop.platform]}cv{buyer['buyer_id'][-10:]}"
        conv = shop.conversations.get(cid)
        if conv is None or conv["state"] == "closed":
            conv = {"conversation_id": cid, "buyer_id": buyer["buyer_id"], "buyer_nick": buyer["nick"],
                    "state": "queued", "rating_invited": False, "last_agent_at": None, "generation":
                    (conv["generation"] + 1) if conv else 1}
            shop.conversations[cid] = conv
            # Queueing: the buyer waits in the 待接待 queue until the conversation reaches
            # an agent's reception list (the reply-rate clock starts there — SPEC).
            self._later(at + timedelta(seconds=self.sim_rng.uniform(0.5, 3.0)),
                        lambda: self._enter_reception(shop, conv))
        return conv

    def _enter_reception(self, shop: Shop, conv: dict) -> None:
        if conv["state"] == "queued":
            conv["state"] = "open"
            self._system_event(shop, conv, "entered_reception", self.simulated_to)

    def _buyer_says(self, shop: Shop, conv: dict, part: dict, at: datetime) -> None:
        if conv["state"] == "closed":
            return
        self._message_event(shop, conv, "buyer", part, at)
        self.stats["buyer_messages"] += 1

    def inject_buyer_message(self, shop_id: str, text: str = "", *, buyer_id: str | None = None,
                             image: str | None = None) -> dict:
        """Test hook: a buyer writes now. Returns the conversation."""
        shop = self.shops[shop_id]
        buyer = next((b for b in shop.buyers if b["buyer_id"] == buyer_id), None) if buyer_id else shop.buyers[0]
        if buyer is None:
            buyer = {"buyer_id": buyer_id, "nick": S.buyer_nick(self.sim_rng, shop.platform),
                     "address": S.make_address(self.sim_rng)}
            shop.buyers.append(buyer)
        now = self.now()
        conv = self._open_conversation(shop, buyer, now)
        if conv["state"] == "queued":
            conv["state"] = "open"
            self._system_event(shop, conv, "entered_reception", now)
        part = {"type": "image", "image": image} if image else {"type": "text", "text": text}
        self._buyer_says(shop, conv, part, now)
        return conv

    def _after_agent_reply(self, shop: Shop, conv: dict, at: datetime) -> None:
        rng = self.sim_rng
        generation = conv["generation"]
        if rng.random() < 0.7:  # the buyer opens the chat and reads the reply (已读)
            read_at = at + timedelta(seconds=rng.uniform(2, 20))
            self._later(read_at, lambda: conv["state"] != "closed" and self._system_event(
                shop, conv, "read", read_at, sender="buyer"))
        if rng.random() < 0.45:
            product = rng.choice(shop.products)
            part = S.follow_up(rng, product["title"])
            moment = at + timedelta(seconds=rng.uniform(5, 40))
            self._later(moment, lambda: self._buyer_says(shop, conv, part, moment))
        close_at = at + timedelta(seconds=rng.uniform(60, 180))
        self._later(close_at, lambda: self._maybe_close(shop, conv, generation, close_at))

    def _maybe_close(self, shop: Shop, conv: dict, generation: int, at: datetime) -> None:
        if conv["state"] != "open" or conv["generation"] != generation:
            return
        if conv["last_agent_at"] and (at - conv["last_agent_at"]) < timedelta(seconds=55):
            return
        conv["state"] = "closed"
        self._system_event(shop, conv, "closed", at)
        if conv["rating_invited"] or self.sim_rng.random() < 0.35:
            self._rate(shop, conv, at + timedelta(seconds=self.sim_rng.uniform(5, 30)))

    def _rate(self, shop: Shop, conv: dict, at: datetime) -> None:
        rng = self.sim_rng
        rating = rng.choices(["satisfied", "neutral", "disappointed"], weights=[80, 12, 8])[0]
        reasons = rng.sample(S.RATING_REASONS[rating], 1)
        self._later(at, lambda: self._system_event(shop, conv, "rating", at, rating=rating, rating_reasons=reasons))
