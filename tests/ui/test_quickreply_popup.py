"""The composer's `/` popup, driven from the keyboard as an agent would."""

import pytest
from PySide6.QtCore import Qt

from workstation.domain.platforms import Platform
from workstation.quickreply.service import QuickReplies
from workstation.quickreply.store import LibraryStore, TeamCache
from workstation.quickreply.variables import ConversationContext
from workstation.ui.phrase_popup import PhrasePopup
from tests.quickreply.samples import personal_library, team_library


@pytest.fixture
def quick_replies(data_dir):
    store = LibraryStore(data_dir)
    store.save_team_cache(TeamCache(team_library(), None, None, "test"))
    store.save_personal(personal_library())
    return QuickReplies(data_dir)


@pytest.fixture
def popup(qtbot, quick_replies):
    widget = PhrasePopup(quick_replies, as_popup=False)
    qtbot.addWidget(widget)
    widget.set_context(ConversationContext(buyer_nick="小米粥"))
    widget.open_at()
    return widget


def codes(popup) -> list[str]:
    return [popup.model.hit(r).entry.phrase.code for r in range(popup.model.rowCount())]


def test_model_passes_qt_model_tester(qtmodeltester, popup):
    popup.set_query("fh")
    qtmodeltester.check(popup.model)


def test_typing_pinyin_filters_and_enter_inserts_rendered_phrase(qtbot, popup):
    qtbot.keyClicks(popup.search_field, "dangtian")
    assert codes(popup)[0] == "dh"
    with qtbot.waitSignal(popup.phrase_chosen) as chosen:
        qtbot.keyClick(popup.search_field, Qt.Key.Key_Return)
    text, unfilled = chosen.args
    assert text == "小米粥，当天下单当天发货哦" and unfilled == []
    assert not popup.isVisible()
    assert popup.quick_replies.usage.counts == {"team:dh": 1}


def test_arrow_keys_choose_another_row_and_unfilled_variables_are_reported(qtbot, popup):
    qtbot.keyClicks(popup.search_field, "fh")
    assert codes(popup)[:2] == ["fh", "fh"]  # personal first, then the team's
    popup.set_query("wl")
    qtbot.keyClick(popup.search_field, Qt.Key.Key_Down)
    qtbot.keyClick(popup.search_field, Qt.Key.Key_Up)
    with qtbot.waitSignal(popup.phrase_chosen) as chosen:
        qtbot.keyClick(popup.search_field, Qt.Key.Key_Enter)
    text, unfilled = chosen.args
    assert [(v.name, text[v.start:v.end]) for v in unfilled] == [("订单号", "{订单号}")]


def test_escape_dismisses_and_no_match_says_so(qtbot, popup):
    qtbot.keyClicks(popup.search_field, "zzzz")
    assert popup.model.rowCount() == 0
    assert "没有找到" in popup.status_label.text()
    with qtbot.assertNotEmitted(popup.phrase_chosen):
        qtbot.keyClick(popup.search_field, Qt.Key.Key_Return)
    with qtbot.waitSignal(popup.dismissed):
        qtbot.keyClick(popup.search_field, Qt.Key.Key_Escape)
    assert not popup.isVisible()


def test_context_limits_phrases_to_platform_and_shop(qtbot, popup):
    popup.set_context(ConversationContext(), platform=Platform.PDD, shop_id="2002")
    popup.set_query("")
    assert "ks" not in codes(popup) and "s1" not in codes(popup)
    popup.set_context(ConversationContext(), platform=Platform.KUAISHOU, shop_id="1001")
    assert "ks" in codes(popup) and "s1" in codes(popup)


def test_click_inserts(qtbot, popup):
    popup.set_query("退款")
    rect = popup.list_view.visualRect(popup.model.index(0))
    with qtbot.waitSignal(popup.phrase_chosen) as chosen:
        qtbot.mouseClick(popup.list_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chosen.args[0].startswith("亲，退款")


def test_side_panel_browser_lists_groups_and_click_inserts(qtbot, qtmodeltester, quick_replies):
    from workstation.ui.phrase_popup import PhraseBrowser

    browser = PhraseBrowser(quick_replies)
    qtbot.addWidget(browser)
    browser.set_context(ConversationContext(buyer_nick="小米粥"), platform=Platform.PDD, shop_id="2002")
    qtmodeltester.check(browser.model)
    groups = [browser.model.index(r, 0).data() for r in range(browser.model.rowCount())]
    assert groups == ["个人 · 我的（2）", "团队 · 售前（2）", "团队 · 发货（3）", "团队 · 售后（1）"]
    browser.show()
    group = browser.model.index(2, 0)
    browser.tree.expand(group)
    phrase = browser.model.index(1, 0, group)
    rect = browser.tree.visualRect(phrase)
    with qtbot.waitSignal(browser.phrase_chosen) as chosen:
        qtbot.mouseClick(browser.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chosen.args == ["小米粥，当天下单当天发货哦", []]
