"""备注 tab and the rating bar: tags and notes stored locally and pushed as the buyer remark;
邀请评价 only after 问题已解决, once, with the reason shown when disabled."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.helpers.side_panel import panel_env, qt_garbage_on_qt_thread  # noqa: F401 (fixtures)
from tests.helpers.typing import type_text
from workstation.store import messages as store


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_tags_and_note_saved_locally_pushed_and_shown_to_the_next_agent(panel_env, qtbot, arun):
    env, panel = panel_env("pdd")
    panel.set_conversation(env.conversation, env.connector, env.hub)
    panel.tabs.setCurrentWidget(panel.notes_tab)
    tab = panel.notes_tab
    qtbot.waitUntil(lambda: tab.stack.state == "content", timeout=5000)

    click(qtbot, tab.tag_buttons["老客户"])
    type_text(qtbot, tab.new_tag_edit, "要发票")
    qtbot.keyClick(tab.new_tag_edit, Qt.Key.Key_Return)
    assert tab.tag_buttons["要发票"].isChecked()
    type_text(qtbot, tab.note_edit, "上次买的M码偏小，推荐L码")
    with qtbot.waitSignal(panel.tags_changed, timeout=5000) as changed:
        click(qtbot, tab.save_button)
    assert changed.args[1] == ("老客户", "要发票")
    qtbot.waitUntil(lambda: tab.status.tone == "ok", timeout=5000)
    assert env.shop.remarks[env.conversation.buyer_id] == "[老客户][要发票] 上次买的M码偏小，推荐L码"
    chips = [panel.tag_row.itemAt(i).widget().text() for i in range(panel.tag_row.count() - 1)]
    assert chips == ["老客户", "要发票"]

    # The next agent (a fresh panel on the same store) sees it.
    other = type(panel)(env.worker, clock=env.world.now)
    qtbot.addWidget(other)
    other.set_conversation(env.conversation, env.connector, env.hub)
    other.tabs.setCurrentWidget(other.notes_tab)
    qtbot.waitUntil(lambda: other.notes_tab.stack.state == "content", timeout=5000)
    assert other.notes_tab.note_edit.toPlainText() == "上次买的M码偏小，推荐L码"
    assert other.notes_tab.checked_tags() == ["老客户", "要发票"]
    other.shutdown()


def test_note_kept_locally_when_the_platform_cannot_be_reached(panel_env, qtbot, arun):
    env, panel = panel_env("pdd")
    panel.set_conversation(env.conversation, env.connector, env.hub)
    panel.tabs.setCurrentWidget(panel.notes_tab)
    tab = panel.notes_tab
    qtbot.waitUntil(lambda: tab.stack.state == "content", timeout=5000)
    env.transport.down = True
    click(qtbot, tab.tag_buttons["易退款"])
    click(qtbot, tab.save_button)
    qtbot.waitUntil(lambda: tab.status.tone == "warn", timeout=10000)
    assert "已保存在本地" in tab.status.text()
    note = arun(env.worker.call(store.get_buyer_note, "pdd", env.conversation.shop_id, env.conversation.buyer_id))
    assert note.tags == ("易退款",)
    assert env.conversation.buyer_id not in env.shop.remarks


def test_rating_invitation_needs_solved_and_goes_once(panel_env, qtbot):
    env, panel = panel_env("pdd")
    panel.set_conversation(env.conversation, env.connector, env.hub)
    bar = panel.rating_bar
    qtbot.waitUntil(bar.solved_box.isEnabled, timeout=5000)
    assert not bar.invite_button.isEnabled()
    assert "问题已解决" in bar.reason_label.text() and "问题已解决" in bar.invite_button.toolTip()

    click(qtbot, bar.solved_box)
    qtbot.waitUntil(bar.invite_button.isEnabled, timeout=5000)
    click(qtbot, bar.invite_button)
    qtbot.waitUntil(lambda: bar.status.tone == "ok", timeout=5000)
    assert env.shop.conversations[env.conversation.conversation_id]["rating_invited"]
    assert not bar.invite_button.isEnabled() and "已于" in bar.reason_label.text()
    assert "每个会话限邀请一次" in bar.reason_label.text()


def test_rating_refused_by_the_platform_is_explained(panel_env, qtbot):
    env, panel = panel_env("pdd")
    env.shop.conversations[env.conversation.conversation_id]["rating_invited"] = True  # invited from elsewhere
    panel.set_conversation(env.conversation, env.connector, env.hub)
    bar = panel.rating_bar
    qtbot.waitUntil(bar.solved_box.isEnabled, timeout=5000)
    click(qtbot, bar.solved_box)
    qtbot.waitUntil(bar.invite_button.isEnabled, timeout=5000)
    click(qtbot, bar.invite_button)
    qtbot.waitUntil(lambda: bar.status.tone == "error", timeout=5000)
    assert "已邀请过评价" in bar.status.text()
    qtbot.waitUntil(lambda: not bar.invite_button.isEnabled(), timeout=5000)
