"""聊天记录 window driven as a reviewer uses it: no account, type a word, press Enter, read, export, import."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from openpyxl import load_workbook

from tests.helpers.history_chat import Chat
from tests.helpers.typing import type_text
from workstation.domain.platforms import Platform
from workstation.ui.history_models import HitsModel
from workstation.ui.history_window import PAGE_SIZE, HistoryWindow, open_history_window


def seed(services, fn):
    services.store.call_blocking(fn)


def make_window(qtbot, arun, services):
    arun(services.store.open())
    window = HistoryWindow(services.store)
    qtbot.addWidget(window)
    window.show()
    arun(window.load_filters())
    return window


def conversation(db):
    chat = Chat(db, Platform.PDD, "p1", "山野茶铺")
    chat.buyer("b1", "2026-11-03 10:00:00", "你好，在吗")
    chat.agent("b1", "2026-11-03 10:00:20", "亲，在的")
    chat.buyer("b1", "2026-11-03 10:01:00", "我要退款，电话13812348000")
    chat.agent("b1", "2026-11-03 10:01:30", "好的，马上为您处理")
    chat.buyer("b1", "2026-11-03 10:02:00", "谢谢")
    other = Chat(db, Platform.KUAISHOU, "k1", "老铁家居")
    other.buyer("b2", "2026-11-04 09:00:00", "退款到账了吗")


def test_two_character_search_from_the_keyboard_and_the_conversation_around_the_hit(qtbot, arun, services):
    seed(services, conversation)
    window = make_window(qtbot, arun, services)
    assert window.shop_combo.count() == 3  # 全部 + two shops, read from the history alone
    type_text(qtbot, window.search_edit, "退款")
    with qtbot.waitSignal(window.search_finished, timeout=5000) as blocker:
        qtbot.keyClick(window.search_edit, Qt.Key.Key_Return)
    assert blocker.args == [2]
    assert window.model.index(0, 4).data() == "退款到账了吗"
    window.view.selectRow(1)
    qtbot.waitUntil(lambda: "马上为您处理" in window.replay.toPlainText(), timeout=5000)
    text = window.replay.toPlainText()
    assert text.index("你好，在吗") < text.index("我要退款") < text.index("谢谢")
    assert "山野茶铺" in window.replay_title.text()


def test_filters_narrow_the_results(qtbot, arun, services):
    seed(services, conversation)
    window = make_window(qtbot, arun, services)
    window.search_edit.setText("退款")
    window.platform_combo.setCurrentIndex(window.platform_combo.findData(Platform.KUAISHOU))
    assert arun(window.run_search()) == 1
    window.platform_combo.setCurrentIndex(0)
    window.shop_combo.setCurrentIndex(window.shop_combo.findData("p1"))
    assert arun(window.run_search()) == 1
    window.blocked_check.setChecked(True)
    assert arun(window.run_search()) == 0
    assert "没有找到" in window.status.text()


def test_results_stream_in_pages_as_the_view_scrolls(qtbot, arun, services):
    def many(db):
        chat = Chat(db)
        for index in range(PAGE_SIZE * 2 + 10):
            chat.buyer(f"b{index}", "2026-11-03 10:00:00", f"第{index}次催发货")

    seed(services, many)
    window = make_window(qtbot, arun, services)
    window.search_edit.setText("发货")
    assert arun(window.run_search()) == PAGE_SIZE
    assert window.model.canFetchMore()
    window.view.scrollToBottom()
    qtbot.waitUntil(lambda: window.model.rowCount() == PAGE_SIZE * 2, timeout=5000)
    window.view.scrollToBottom()
    qtbot.waitUntil(lambda: window.model.rowCount() == PAGE_SIZE * 2 + 10, timeout=5000)
    assert not window.model.canFetchMore()
    assert "共 410 条" in window.status.text()


def test_export_masks_phone_numbers_unless_opted_in(qtbot, arun, services, tmp_path):
    seed(services, conversation)
    window = make_window(qtbot, arun, services)
    arun(window.run_search())
    arun(window.export_to(tmp_path / "out.xlsx", "xlsx"))
    cells = [c.value for row in load_workbook(tmp_path / "out.xlsx").active.iter_rows() for c in row]
    assert any("138****8000" in str(c) for c in cells) and not any("13812348000" in str(c) for c in cells)
    window.reveal_check.setChecked(True)
    arun(window.export_to(tmp_path / "out.jsonl", "jsonl", selection=[3]))
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["text"] for x in lines] == ["我要退款，电话13812348000"]


def test_import_an_archive_with_a_bad_line_and_find_its_messages(qtbot, arun, services, tmp_path):
    window = make_window(qtbot, arun, services)
    path = tmp_path / "a.jsonl"
    good = {"platform": "jd", "shop_id": "j1", "shop_name": "京东店", "conversation_id": "c", "buyer_id": "b",
            "message_id": "m1", "sender": "buyer", "sent_at": "2026-11-03T10:00:00+08:00", "type": "text",
            "text": "发票开了吗"}
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n{broken\n", encoding="utf-8")
    summary = arun(window.import_file(path))
    assert summary.imported == 1 and summary.bad_rows == 1
    assert "第 2 行" in window.status.toolTip()
    assert window.import_button.isEnabled() and not window.progress.isVisible()
    assert window.shop_combo.findData("j1") > 0
    window.search_edit.setText("发票")
    assert arun(window.run_search()) == 1


def test_open_history_window_with_its_own_connection_needs_no_account(qtbot, qloop, services, arun):
    arun(services.store.open())
    seed(services, conversation)
    window = open_history_window(services.paths.database)
    assert window.own_store and window.store is not services.store
    qtbot.waitUntil(lambda: window.shop_combo.count() == 3, timeout=5000)
    window.search_edit.setText("退款")
    assert arun(window.run_search()) == 2
    window.close()  # closes its own connection; the app's stays open
    assert services.store.call_blocking(lambda db: db.execute("SELECT count(*) FROM messages").fetchone()[0]) == 6


def test_hits_model_passes_the_model_tester(qtmodeltester, arun, services):
    seed(services, conversation)
    arun(services.store.open())
    from workstation.history.search import HistoryQuery, search

    page = services.store.call_blocking(search, HistoryQuery())
    model = HitsModel()
    model.append_page(page.hits[:3], True)
    qtmodeltester.check(model)
    model.append_page(page.hits[3:], False)
    qtmodeltester.check(model)
    model.reset()
    qtmodeltester.check(model)


def test_exporting_the_selected_rows_through_the_file_dialog(qtbot, arun, services, tmp_path):
    seed(services, conversation)
    window = make_window(qtbot, arun, services)
    arun(window.run_search())
    window.view.selectRow(0)
    assert window.selected_row_ids() == []  # the highlighted row alone is not a selection
    window.view.selectAll()
    window.export_button.click()
    dialog = window.file_dialog
    assert dialog is not None and dialog.isVisible() and dialog.isModal()
    with qtbot.waitSignal(window.export_finished, timeout=5000):
        dialog.fileSelected.emit(str(tmp_path / "picked"))
        dialog.close()
    assert (tmp_path / "picked.xlsx").exists() or (tmp_path / "picked.jsonl").exists()


def test_phone_numbers_are_masked_on_screen_until_the_reviewer_opts_in(qtbot, arun, services):
    seed(services, conversation)
    window = make_window(qtbot, arun, services)
    window.search_edit.setText("电话")
    assert arun(window.run_search()) == 1
    assert window.model.index(0, 4).data() == "我要退款，电话138****8000"
    qtbot.waitUntil(lambda: "138****8000" in window.replay.toPlainText(), timeout=5000)
    assert "13812348000" not in window.replay.toPlainText()
    with qtbot.waitSignal(window.model.dataChanged):
        window.reveal_check.setChecked(True)
    assert window.model.index(0, 4).data() == "我要退款，电话13812348000"
    assert "13812348000" in window.replay.toPlainText()


def test_ctrl_f_returns_to_the_search_box(qtbot, arun, services):
    seed(services, conversation)
    window = make_window(qtbot, arun, services)
    window.activateWindow()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.search_edit.hasFocus, timeout=2000)
