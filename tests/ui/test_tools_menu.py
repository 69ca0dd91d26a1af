"""The 工具 menu opens each tool once, and the side panel's 快捷短语 tab inserts into the composer."""

from __future__ import annotations

from tests.helpers.inbox import inbox_rig  # noqa: F401  (fixture)
from workstation.domain.platforms import Platform
from workstation.ui.compliance_dialog import ComplianceDialog
from workstation.ui.history_window import HistoryWindow
from workstation.ui.quickreply_editor import QuickReplyEditor
from workstation.ui.reports_window import ReportsWindow


def test_every_tool_opens_from_the_menu_and_is_reused(qtbot, inbox_rig):
    inbox_rig.add_shop(Platform.PDD, "p1", "拼多多·鲜果园")
    window = inbox_rig.window()
    qtbot.waitUntil(lambda: "quick_replies" in window.services.extras, timeout=10_000)
    expected = {
        "history": HistoryWindow, "reports": ReportsWindow, "compliance": ComplianceDialog,
        "personal_phrases": QuickReplyEditor, "team_phrases": QuickReplyEditor,
    }
    for name, kind in expected.items():
        action = window.tools.actions[name]
        assert action in window.tools_menu.actions()
        action.trigger()
        opened = window.tools.opened[name]
        assert isinstance(opened, kind) and opened.isVisible()
        action.trigger()
        assert window.tools.opened[name] is opened  # brought to the front, not opened twice
        opened.close()
    assert window.tools.actions["history"].shortcut().toString() == "Ctrl+Shift+H"


def test_a_phrase_chosen_in_the_side_panel_lands_in_the_open_composer(qtbot, inbox_rig):
    account_id, shop = inbox_rig.add_shop(Platform.KUAISHOU, "ks1", "快手·老铁家居")
    window = inbox_rig.window()
    qtbot.waitUntil(lambda: "quick_replies" in window.services.extras, timeout=10_000)
    inbox_rig.wait_connected(window)
    shop.enters_reception("c1")
    shop.buyer_says("c1", "什么时候发货")
    key = ("kuaishou", "ks1", "c1")
    qtbot.waitUntil(lambda: window.inbox.unread_total == 1, timeout=5000)
    window.open_conversation(key)
    page = window.tabs.current_page()
    browser = window.phrase_browser
    assert browser._platform is Platform.KUAISHOU and browser._shop_id == "ks1"  # phrases for this shop
    browser.phrase_chosen.emit("小鹿，今天下单明天发货哦", [])
    assert page.composer.text() == "小鹿，今天下单明天发货哦"
    assert page.composer.edit.hasFocus() or window.focusWidget() is page.composer.edit
