"""The main window's empty state, account states and error states."""

from __future__ import annotations

from PySide6.QtCore import Qt

from workstation.domain.accounts import ShopAccount
from workstation.domain.platforms import Platform
from workstation.ui.main_window import MainWindow


def test_without_accounts_the_window_invites_the_agent_to_add_one(qtbot, arun, services):
    window = MainWindow(services)
    qtbot.addWidget(window)
    window.show()
    arun(window.load())
    assert window.centre_stack.currentWidget() is window.no_accounts
    assert "还没有店铺账号" in window.no_accounts.title_label.text()
    qtbot.mouseClick(window.no_accounts.action_button, Qt.MouseButton.LeftButton)
    assert window.accounts_dialog is not None and window.accounts_dialog.isVisible()


def test_accounts_appear_in_the_status_bar(qtbot, arun, services):
    arun(services.store.open())
    for shop in ("a", "b"):
        arun(services.accounts.save(
            ShopAccount(Platform.DOUYIN, shop, f"店{shop}", "kf"), {"password": "x"}))
    window = MainWindow(services)
    qtbot.addWidget(window)
    arun(window.load())
    assert window.centre_stack.currentWidget() is window.conversation_placeholder
    ids = [a.id for a in window.accounts]
    window.account_states.set_state(ids[0], "connected")
    window.account_states.set_state(ids[1], "needs_login", "令牌已失效")
    assert window.account_states.state_of(ids[1]) == "needs_login"
    assert "需处理：店b" in window.account_states.summary_text()
    assert "1 已连接" in window.account_states.summary_text()


def test_a_corrupt_database_shows_a_message_instead_of_crashing(qtbot, arun, services):
    services.paths.database.write_bytes(b"garbage" * 100)
    window = MainWindow(services)
    qtbot.addWidget(window)
    arun(window.load())
    assert window.centre_stack.currentWidget() is window.store_error
    assert "已损坏" in window.store_error.hint_label.text()
    assert services.paths.database.read_bytes() == b"garbage" * 100
