"""Sending: outbox first, exactly once under ambiguous failures, retry, restart, and the compliance gate."""

from __future__ import annotations

import random

import pytest

from tests.sync.conftest import wait_until
from workstation.domain.messages import SendState
from workstation.domain.verdict import Action, Category, DraftKind, Hit, OutgoingDraft, Verdict
from workstation.store import messages as store
from workstation.sync import AccountState, MessageBlocked, MessageNeedsConfirmation, SyncHub
from workstation.sync.outbox import NEEDS_LOGIN_TEXT

KEY = ("pdd", "shop1", "c1")


def draft(text: str) -> OutgoingDraft:
    return OutgoingDraft(kind=DraftKind.TEXT, text=text)


async def connected_shop(rig, **switches):
    shop = rig.shop(1, **switches)
    shop.buyer_says("c1", "什么时候发货？")
    await rig.start(1)
    await wait_until(lambda: rig.state(1) is AccountState.CONNECTED and rig.listener.messages)
    return shop


async def row(rig, outbox_id):
    return await rig.worker.call(store.get_outbox, outbox_id)


async def wait_state(rig, outbox_id, state, timeout=5.0):
    await wait_until(lambda: any(r["id"] == outbox_id and r["state"] == state for r in rig.listener.outbox), timeout)
    return await row(rig, outbox_id)


def states_of(rig, outbox_id):
    return [r["state"] for r in rig.listener.outbox if r["id"] == outbox_id]


@pytest.mark.asyncio
async def test_send_goes_through_the_outbox_once_and_answers_the_buyer(rig, gate):
    shop = await connected_shop(rig)
    outbox_id = await rig.hub.send(KEY, draft("亲，今天下午发货"))
    sent = await wait_state(rig, outbox_id, "sent")
    assert states_of(rig, outbox_id)[:3] == ["queued", "sending", "sent"]
    assert len(shop.deliveries) == 1 and shop.deliveries[0].outgoing.idempotency_key == sent["idempotency_key"]
    assert shop.deliveries[0].outgoing.buyer_id == "buyer-c1"
    conversation = await rig.worker.call(store.get_conversation, KEY)
    assert conversation.waiting_since is None and conversation.last_text == "亲，今天下午发货"
    page = await rig.worker.call(store.page_messages, KEY)
    assert page[0].outbox_id == outbox_id and page[0].send_state is SendState.SENT
    # the platform's echo of the agent's message is not stored twice
    await wait_until(lambda: rig.hub.session(1).stats["duplicates"] >= 1)
    assert await rig.worker.call(store.count_messages) == 2


@pytest.mark.asyncio
@pytest.mark.parametrize("plan", ["lost_reply", "hang_after_delivery"])
async def test_ambiguous_failure_is_reconciled_not_resent(rig, gate, plan):
    shop = await connected_shop(rig)
    shop.send_plan.append(plan)
    outbox_id = await rig.hub.send(KEY, draft("好的，马上为您处理"))
    sent = await wait_state(rig, outbox_id, "sent")
    assert "uncertain" in states_of(rig, outbox_id)
    assert len(shop.deliveries) == 1
    assert shop.calls["send"] == 1 and shop.calls["find_sent"] >= 1
    assert sent["message_id"] == shop.deliveries[0].receipt.message_id


@pytest.mark.asyncio
async def test_refused_before_sending_is_retried_automatically(rig, gate):
    shop = await connected_shop(rig)
    shop.send_plan.extend(["refused", "refused"])
    outbox_id = await rig.hub.send(KEY, draft("在的"))
    await wait_state(rig, outbox_id, "sent")
    assert shop.calls["send"] == 3 and len(shop.deliveries) == 1
    assert shop.calls.get("find_sent", 0) == 0


@pytest.mark.asyncio
async def test_reconciliation_that_keeps_failing_ends_failed_and_retry_never_doubles(rig, gate):
    shop = await connected_shop(rig)
    shop.send_plan.append("lost_reply")
    shop.find_sent_failures = 1000
    outbox_id = await rig.hub.send(KEY, draft("已经帮您备注了"))
    failed = await wait_state(rig, outbox_id, "failed")
    assert "核对" in failed["last_error"]
    shop.find_sent_failures = 0
    await rig.hub.retry(outbox_id)
    await wait_state(rig, outbox_id, "sent")
    assert len(shop.deliveries) == 1 and shop.calls["send"] == 1


@pytest.mark.asyncio
async def test_platform_refusal_fails_and_the_agent_can_retry(rig, gate):
    shop = await connected_shop(rig)
    shop.send_plan.append("reject")
    outbox_id = await rig.hub.send(KEY, draft("您好"))
    failed = await wait_state(rig, outbox_id, "failed")
    assert failed["last_error"] == "消息包含违规内容"
    await rig.hub.retry(outbox_id)
    await wait_state(rig, outbox_id, "sent")
    assert len(shop.deliveries) == 1


@pytest.mark.asyncio
async def test_every_message_is_delivered_exactly_once_whatever_the_network_does(rig, gate):
    shop = await connected_shop(rig)
    rng = random.Random(4)
    shop.send_plan.extend(rng.choice(["ok", "lost_reply", "refused", "hang_after_delivery", "ok"]) for _ in range(60))
    shop.find_sent_failures = 3
    ids = [await rig.hub.send(KEY, draft(f"第{i}条回复")) for i in range(20)]
    for outbox_id in ids:
        await wait_state(rig, outbox_id, "sent", timeout=20)
    keys = [d.outgoing.idempotency_key for d in shop.deliveries]
    assert len(keys) == len(set(keys)) == 20
    # one account's messages leave in the order they were written
    assert [d.outgoing.text for d in shop.deliveries] == [f"第{i}条回复" for i in range(20)]


@pytest.mark.asyncio
async def test_after_a_restart_a_message_caught_mid_send_is_reconciled_first(worker, gate):
    from tests.sync.conftest import Rig

    first = Rig(worker)
    shop = first.shop(1)
    shop.buyer_says("c1", "在吗")
    await first.start(1)
    await wait_until(lambda: first.state(1) is AccountState.CONNECTED and first.listener.messages)
    shop.send_plan.append("hang_after_delivery")
    delivered_id = await first.hub.send(KEY, draft("这条已经到了"))
    await wait_until(lambda: shop.deliveries)
    await first.hub.stop()  # the app quits while the send hangs
    assert (await worker.call(store.get_outbox, delivered_id))["state"] == "sending"
    # a second message was written but never left
    pending = await worker.call(store.create_outbox, account_id=1, key=KEY, idempotency_key="never-left", text="这条还没发")

    second = Rig(worker)
    second.shops[1] = shop
    await second.start(1)
    try:
        await wait_until(lambda: len(shop.deliveries) == 2)
        await wait_until(lambda: {r["id"] for r in second.listener.outbox if r["state"] == "sent"} >= {delivered_id, pending["id"]})
    finally:
        await second.hub.stop()
    assert [d.outgoing.text for d in shop.deliveries] == ["这条已经到了", "这条还没发"]


@pytest.mark.asyncio
async def test_queued_messages_fail_clearly_when_the_account_needs_login(rig, gate):
    shop = await connected_shop(rig)
    shop.refresh_fails = True
    shop.revoke_tokens()
    outbox_id = await rig.hub.send(KEY, draft("您好"))
    failed = await wait_state(rig, outbox_id, "failed")
    assert failed["last_error"] == NEEDS_LOGIN_TEXT
    assert rig.state(1) is AccountState.NEEDS_LOGIN
    assert shop.deliveries == []


@pytest.mark.asyncio
async def test_blocked_message_never_reaches_the_outbox(rig, gate, monkeypatch):
    await connected_shop(rig)
    hit = Hit(Category.CONTACT, "wechat", 3, 8, "V信123", "不能在平台聊天里留微信号。")
    monkeypatch.setattr(gate, "gate_outgoing", lambda d: Verdict.from_hits([hit]) if "V信" in d.text else Verdict(Action.PASS))
    with pytest.raises(MessageBlocked) as raised:
        await rig.hub.send(KEY, draft("加我V信123"))
    assert raised.value.verdict.blocked and "微信" in str(raised.value)
    assert await rig.worker.call(store.list_outbox) == []
    assert rig.listener.outbox == []


@pytest.mark.asyncio
async def test_warned_message_needs_confirmation_and_the_gate_sees_recent_replies(rig, gate, monkeypatch):
    shop = await connected_shop(rig)
    seen = []
    warn = Hit(Category.SHIRKING, "shirking", 0, 3, "不知道", "推诿用语会让买家不满。", severity=Action.WARN)

    def fake_gate(d):
        seen.append(d)
        return Verdict.from_hits([warn]) if "不知道" in d.text else Verdict(Action.PASS)

    monkeypatch.setattr(gate, "gate_outgoing", fake_gate)
    first = await rig.hub.send(KEY, draft("您好"))
    await wait_state(rig, first, "sent")
    with pytest.raises(MessageNeedsConfirmation):
        await rig.hub.send(KEY, draft("不知道呢"))
    assert len(await rig.worker.call(store.list_outbox)) == 1
    second = await rig.hub.send(KEY, draft("不知道呢"), confirmed_warning=True)
    await wait_state(rig, second, "sent")
    assert seen[-1].recent_sent == ("您好",) and seen[-1].platform == "pdd"
    assert len(shop.deliveries) == 2


def test_the_outbox_has_one_way_in():
    """Only SyncHub.send writes to the outbox (after the gate); nothing else in the app calls the writer."""
    import pathlib

    root = pathlib.Path(SyncHub.__module__.replace(".", "/")).parents[1]
    package = pathlib.Path(__file__).parents[2] / root
    writers = sorted(str(p.relative_to(package)) for p in package.rglob("*.py") if "create_outbox(" in p.read_text() or "create_outbox," in p.read_text())
    callers = sorted(str(p.relative_to(package)) for p in package.rglob("*.py") if "._write_after_gate(" in p.read_text())
    assert writers == ["store/messages.py", "sync/outbox.py"]
    assert callers == ["sync/hub.py"]


@pytest.mark.asyncio
async def test_the_real_gate_blocks_counterfeit_wording_and_warns_on_shirking(rig):
    shop = await connected_shop(rig)
    with pytest.raises(MessageBlocked) as raised:
        await rig.hub.send(KEY, draft("这款是高仿的，放心"))
    assert any(str(hit.category) == "counterfeit" for hit in raised.value.verdict.hits)
    from workstation.compliance.audit import list_blocked

    audit = await rig.worker.call(list_blocked)
    assert len(audit) == 1 and audit[0].conversation_id == "c1" and audit[0].account_id == 1
    assert audit[0].text == "这款是高仿的，放心"
    with pytest.raises(MessageNeedsConfirmation):
        await rig.hub.send(KEY, draft("不知道"))
    assert await rig.worker.call(store.list_outbox) == []
    outbox_id = await rig.hub.send(KEY, draft("不知道"), confirmed_warning=True)
    await wait_state(rig, outbox_id, "sent")
    assert len(shop.deliveries) == 1


@pytest.mark.asyncio
async def test_a_card_rides_along_and_its_text_is_what_the_gate_judges(rig, gate):
    from workstation.domain.messages import MessageType

    shop = await connected_shop(rig)
    card = {"type": "order_card", "order_id": "240101123456", "status_text": "已发货"}
    outbox_id = await rig.hub.send(KEY, draft("订单号 240101123456（已发货）"), card=card,
                                   message_type=MessageType.ORDER_CARD)
    await wait_state(rig, outbox_id, "sent")
    sent = shop.deliveries[0].outgoing
    assert sent.type is MessageType.ORDER_CARD and sent.card == card
    page = await rig.worker.call(store.page_messages, KEY)
    assert page[0].message.type is MessageType.ORDER_CARD and page[0].message.payload["card"] == card
    with pytest.raises(MessageBlocked):
        await rig.hub.send(KEY, draft("高仿同款"), card={"type": "product_card"}, message_type="product_card")


@pytest.mark.asyncio
async def test_images_go_out_as_images_and_a_qr_code_never_does(rig, gate):
    from workstation.domain.messages import MessageType
    from workstation.shops.emulator import render_image

    shop = await connected_shop(rig)
    photo = render_image("product-1")
    outbox_id = await rig.hub.send(KEY, OutgoingDraft(kind=DraftKind.IMAGE, image_bytes=photo))
    await wait_state(rig, outbox_id, "sent")
    assert shop.deliveries[0].outgoing.type is MessageType.IMAGE and shop.deliveries[0].outgoing.image == photo
    with pytest.raises(MessageBlocked):
        await rig.hub.send(KEY, OutgoingDraft(kind=DraftKind.IMAGE, image_bytes=render_image("qrcode-1")))
    assert len(shop.deliveries) == 1


@pytest.mark.asyncio
async def test_one_buyers_message_stuck_in_reconciliation_does_not_hold_up_the_others(rig, gate):
    shop = await connected_shop(rig)
    shop.buyer_says("c2", "我的呢？")
    await wait_until(lambda: len(rig.listener.messages) == 2)
    shop.send_plan.append("lost_reply")
    shop.find_sent_failures = 1000  # c1's message cannot be reconciled for a long while
    stuck = await rig.hub.send(KEY, draft("这条在核对"))
    await wait_state(rig, stuck, "uncertain")
    follow_up = await rig.hub.send(KEY, draft("这条排在它后面"))
    other = await rig.hub.send(("pdd", "shop1", "c2"), draft("亲，马上为您查"))
    await wait_state(rig, other, "sent", timeout=3)
    assert (await row(rig, follow_up))["state"] == "queued"  # same buyer: waits its turn
    shop.find_sent_failures = 0
    await wait_state(rig, follow_up, "sent", timeout=5)
    assert [d.outgoing.text for d in shop.deliveries] == ["这条在核对", "亲，马上为您查", "这条排在它后面"]
