"""The composer: Enter/Shift+Enter, blocked and warned messages, drafts, images, failed sends and retry."""

from __future__ import annotations

from collections import deque

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget

from tests.helpers.inbox import inbox_rig, message  # noqa: F401 (fixture)
from tests.helpers.typing import type_text
from workstation.domain.messages import MessageType, SendState
from workstation.domain.platforms import Platform


def open_page(inbox_rig, conversation="c1", platform=Platform.PDD, shop_id="p1"):
    account_id, shop = inbox_rig.add_shop(platform, shop_id, "拼多多·鲜果园")
    inbox_rig.store_history(account_id, [message(platform, shop_id, conversation, "这个榴莲甜吗", ago=30)])
    window = inbox_rig.window()
    inbox_rig.wait_connected(window)
    window.open_conversation((platform.value, shop_id, conversation))
    page = window.tabs.current_page()
    inbox_rig.qtbot.waitUntil(lambda: page.loaded)
    return window, page, shop


def test_shift_enter_is_a_new_line_and_the_send_key_is_switchable(qtbot, inbox_rig):
    window, page, shop = open_page(inbox_rig)
    edit = page.composer.edit
    type_text(qtbot, edit, "第一行")
    qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    type_text(qtbot, edit, "第二行")
    assert page.composer.text() == "第一行\n第二行"
    window.toggle_enter_mode()                        # now Enter = new line, Ctrl+Enter = send
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert page.composer.text() == "第一行\n第二行\n" and not shop.deliveries
    qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(shop.deliveries) == 1, timeout=5000)
    assert shop.deliveries[0].outgoing.text == "第一行\n第二行\n"
    window.toggle_enter_mode()


def test_a_blocked_message_keeps_its_text_with_the_words_marked(qtbot, inbox_rig):
    window, page, shop = open_page(inbox_rig)
    text = "亲🌸加我微信 wx12345678 聊"
    type_text(qtbot, page.composer.edit, text)
    qtbot.keyClick(page.composer.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.composer.verdict is not None, timeout=5000)
    assert page.composer.verdict.blocked
    assert page.composer.text() == text
    assert "未发送" in page.composer.verdict_label.text() and "联系方式" in page.composer.verdict_label.text()
    selections = page.composer.edit.extraSelections()
    assert selections
    # The highlight covers 加我微信 although an emoji (two UTF-16 units) precedes it.
    assert selections[0].cursor.selectedText().startswith("加我微信")
    assert not shop.deliveries and not page.composer.confirm_button.isVisible()


def test_a_warning_needs_a_second_send_to_go(qtbot, inbox_rig):
    window, page, shop = open_page(inbox_rig)
    type_text(qtbot, page.composer.edit, "不知道")
    qtbot.keyClick(page.composer.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.composer.verdict is not None, timeout=5000)
    assert page.composer.verdict.warned and page.composer.confirm_button.isVisible()
    assert not shop.deliveries
    qtbot.keyClick(page.composer.edit, Qt.Key.Key_Return)          # the same text again confirms it
    qtbot.waitUntil(lambda: len(shop.deliveries) == 1, timeout=5000)
    assert page.composer.verdict is None and page.composer.text() == ""


def test_the_draft_survives_tab_switches_and_a_restart(qtbot, inbox_rig):
    window, page, shop = open_page(inbox_rig)
    type_text(qtbot, page.composer.edit, "稍等，我查一下物流")
    window.close()
    inbox_rig.arun(window.shutdown())
    again = inbox_rig.window()
    again.open_conversation(page.key)
    restored = again.tabs.current_page()
    qtbot.waitUntil(lambda: restored.loaded)
    assert restored.composer.text() == "稍等，我查一下物流"


def test_a_pasted_image_is_sent_and_a_refused_message_can_be_retried(qtbot, inbox_rig):
    window, page, shop = open_page(inbox_rig)
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("#10b981"))
    mime = QMimeData()
    mime.setImageData(image)
    page.composer.edit.insertFromMimeData(mime)
    assert page.composer.image is not None and page.composer.attachment.isVisible()
    shop.send_plan = deque(["reject"])
    assert inbox_rig.arun(page.composer.send())
    qtbot.waitUntil(lambda: page.model.last_failed() is not None, timeout=5000)
    failed = page.model.last_failed()
    assert failed.message_type is MessageType.IMAGE and "违规" in failed.error
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(shop.deliveries) == 1, timeout=5000)
    qtbot.waitUntil(lambda: page.model.last_failed() is None, timeout=5000)
    assert shop.deliveries[0].outgoing.image.startswith(b"\x89PNG")
    qtbot.waitUntil(lambda: any(i.send_state is SendState.SENT for i in page.model.items), timeout=5000)


def test_slash_opens_the_quick_replies_and_the_phrase_lands_in_the_composer(qtbot, inbox_rig):
    from tests.quickreply.samples import personal_library, team_library
    from workstation.quickreply.store import LibraryStore, TeamCache

    store = LibraryStore(inbox_rig.services.paths.root)
    store.save_team_cache(TeamCache(team_library(), None, None, "test"))
    store.save_personal(personal_library())
    window, page, shop = open_page(inbox_rig)
    qtbot.waitUntil(lambda: "quick_replies" in inbox_rig.services.extras)
    type_text(qtbot, page.composer.edit, "亲，")
    qtbot.keyClick(page.composer.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(page.composer.edit, Qt.Key.Key_Slash)
    popup = page.findChild(QWidget, "phrasePopup")
    assert popup is not None and popup.isVisible()
    qtbot.keyClicks(popup.search_field, "fh")
    assert popup.model.rowCount() > 0
    qtbot.keyClick(popup.search_field, Qt.Key.Key_Return)
    text = page.composer.text()
    assert text.startswith("亲，\n") and "/" not in text and len(text) > 4
    # With Chinese punctuation on, the IME commits 、 for the / key: at a line start it opens the popup too.
    page.composer.set_draft("")
    popup.hide()
    type_text(qtbot, page.composer.edit, "、")
    assert popup.isVisible() and page.composer.text() == "/"
