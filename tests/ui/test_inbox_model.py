"""The merged conversation list: order by deadline, filters, in-place updates, sane rows from bad data."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QModelIndex

from workstation.domain.accounts import ShopAccount
from workstation.domain.messages import Conversation
from workstation.domain.platforms import Platform
from workstation.ui.inbox_model import InboxFilter, InboxModel, Role, display_nick
from workstation.ui.inbox_panel import InboxPanel

def now() -> datetime:
    # Read at use: the model measures waits against the real clock, and the suite may reach
    # these tests minutes after import (a stale constant once turned every amber row red).
    return datetime.now(UTC)


def conv(cid, platform=Platform.TAOBAO, shop="s1", waited=None, unread=0, nick=None, last=None, text="在吗"):
    return Conversation(
        platform=platform, shop_id=shop, conversation_id=cid, buyer_id=f"b{cid}", buyer_nick=nick or f"买家{cid}",
        last_text=text, last_at=last or now(), unread=unread,
        waiting_since=now() - timedelta(seconds=waited) if waited is not None else None,
    )


def keys(proxy: InboxFilter) -> list[str]:
    return [proxy.index(r, 0).data(Role.KEY)[2] for r in range(proxy.rowCount())]


def filled() -> InboxModel:
    model = InboxModel()
    model.set_accounts([ShopAccount(Platform.TAOBAO, "s1", "云裳女装", "kf"),
                        ShopAccount(Platform.KUAISHOU, "k1", "老铁家居", "kf"),
                        ShopAccount(Platform.PDD, "p1", "鲜果园", "kf")])
    model.upsert_many([
        conv("idle-old", last=now() - timedelta(hours=3)),
        conv("tb-90s", waited=90, unread=2),                              # due in 90 s
        conv("ks-170s", Platform.KUAISHOU, "k1", waited=170, unread=1),   # due in 10 s
        conv("pdd-4min", Platform.PDD, "p1", waited=240, unread=5),       # due in 60 s
        conv("idle-new", last=now() - timedelta(minutes=1), text="好的谢谢"),
    ])
    return model


def test_models_pass_the_model_tester(qtmodeltester):
    model = filled()
    qtmodeltester.check(model)
    proxy = InboxFilter(model)
    qtmodeltester.check(proxy)
    proxy.set_waiting_only(False)
    qtmodeltester.check(proxy)


def test_waiting_buyers_sort_by_time_left_to_their_platform_deadline():
    proxy = InboxFilter(filled())
    assert keys(proxy) == ["ks-170s", "pdd-4min", "tb-90s"]
    proxy.set_waiting_only(False)
    assert keys(proxy) == ["ks-170s", "pdd-4min", "tb-90s", "idle-new", "idle-old"]


def test_filters_by_platform_shop_and_search():
    model = filled()
    proxy = InboxFilter(model)
    proxy.set_waiting_only(False)
    proxy.set_platform(Platform.PDD)
    assert keys(proxy) == ["pdd-4min"]
    proxy.set_platform(None)
    proxy.set_shop(("taobao", "s1"))
    assert keys(proxy) == ["tb-90s", "idle-new", "idle-old"]
    proxy.set_shop(None)
    proxy.set_search("谢谢")
    assert keys(proxy) == ["idle-new"]
    proxy.set_search("买家KS")  # nick, case-insensitive
    assert keys(proxy) == ["ks-170s"]
    proxy.set_search("退款", message_hits={("taobao", "s1", "idle-old")})  # matched in older messages
    assert keys(proxy) == ["idle-old"]


def test_updates_change_rows_in_place_and_resort(qtbot):
    model = filled()
    proxy = InboxFilter(model)
    events = []
    model.modelReset.connect(lambda: events.append("reset"))
    model.rowsInserted.connect(lambda *a: events.append("inserted"))
    model.dataChanged.connect(lambda a, b, roles: events.append(("changed", a.row(), b.row())))
    replied = replace(model.conversation(("kuaishou", "k1", "ks-170s")), waiting_since=None, unread=0)
    model.upsert(replied)
    assert events == [("changed", 2, 2)]
    assert keys(proxy) == ["pdd-4min", "tb-90s"]
    assert model.rowCount() == 5
    assert model.unread_total == 7
    model.upsert(conv("new", waited=1, unread=1))
    assert events[-1] == "inserted" and "reset" not in events
    assert keys(proxy) == ["pdd-4min", "tb-90s", "new"]


def test_a_removed_shop_and_a_wild_nick_still_show_sanely():
    model = filled()
    model.upsert(conv("gone", Platform.JD, "removed-shop", waited=5, nick="\u0000\u202e🌸小\n雨\u0007🌸" * 10))
    row = model.row_of(("jd", "removed-shop", "gone"))
    index = model.index(row, 0)
    assert index.data(Role.SHOP).removed
    nick = index.data(Role.NICK)
    assert "\u0000" not in nick and "\n" not in nick and "\u202e" not in nick and len(nick) <= 32
    assert nick.startswith("🌸小 雨")
    assert display_nick("", "buyer-7") == "buyer-7"
    assert display_nick("   ") == "（无昵称）"


def test_the_panel_paints_every_urgency_and_ticks_without_touching_the_model(qtbot):
    model = filled()
    model.upsert(conv("late", waited=400, unread=1))
    panel = InboxPanel(model)
    qtbot.addWidget(panel)
    panel.resize(360, 500)
    panel.show()
    changed = []
    model.dataChanged.connect(lambda *a: changed.append(a))
    panel._tick()
    assert not changed
    image = panel.grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(image.width()) for y in range(0, image.height(), 3)}
    assert "#dc2626" in colours          # red: past the 3-minute shop target
    assert "#d97706" in colours          # amber: past half of it
    assert panel.tabs.tabText(0) == "待回复 4"
    assert model.index(1, 0).data(Role.DEADLINE) is not None
    assert model.data(QModelIndex()) is None


def test_the_message_model_passes_the_model_tester_and_claims_its_pending_bubbles(qtmodeltester):
    from workstation.domain.messages import Message, Sender, SendState
    from workstation.ui.message_model import MessageModel

    def msg(n, sender=Sender.BUYER, **kw):
        return Message(Platform.PDD, "p1", "c1", f"m{n}", sender, now() + timedelta(seconds=n), text=f"第{n}条", **kw)

    model = MessageModel()
    model.append([MessageModel.make_item(msg(n)) for n in range(3, 6)])
    model.prepend([MessageModel.make_item(msg(n)) for n in range(0, 3)])
    qtmodeltester.check(model)
    model.upsert_outbox({"id": 7, "state": "sending", "text": "稍等", "type": "text", "payload": {},
                         "idempotency_key": "k7"})
    assert model.rowCount() == 7 and model.items[-1].send_state is SendState.SENDING
    model.upsert_outbox({"id": 7, "state": "sent", "text": "稍等", "type": "text", "payload": {},
                         "idempotency_key": "k7", "message_id": "m9"})
    model.append([MessageModel.make_item(msg(9, Sender.AGENT, payload={"idempotency_key": "k7"}))])
    assert model.rowCount() == 7                      # the sent message took the pending bubble's place
    assert model.items[-1].message.message_id == "m9" and model.items[-1].send_state is SendState.SENT
    model.append([MessageModel.make_item(msg(9, Sender.AGENT))])  # a duplicate echo is ignored
    assert model.rowCount() == 7
    qtmodeltester.check(model)


def test_the_bridge_delivers_on_the_qt_thread_and_coalesces_bursts(qtbot):
    import threading

    from workstation.ui.sync_bridge import SyncBridge

    bridge = SyncBridge()
    batches, threads = [], []
    bridge.conversations_changed.connect(lambda batch: (batches.append(batch), threads.append(threading.get_ident())))
    first, second = conv("a", unread=1), conv("a", unread=2)
    worker = threading.Thread(target=lambda: (bridge.on_conversation(first), bridge.on_conversation(second),
                                              bridge.on_conversation(conv("b"))))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(batches) > 0)
    assert threads == [threading.get_ident()]
    assert [(c.conversation_id, c.unread) for c in batches[0]] == [("a", 2), ("b", 0)]
