"""The team lead's phrase editor, driven with keys and clicks, through to an agent using the result."""

import asyncio

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt

from workstation.quickreply.model import Phrase
from workstation.quickreply.remote import FolderRemote
from workstation.quickreply.service import QuickReplies
from workstation.quickreply.store import LibraryStore
from workstation.quickreply.sync import TeamSync
from workstation.quickreply.variables import ConversationContext
from workstation.ui.phrase_popup import PhrasePopup
from workstation.ui.quickreply_editor import QuickReplyEditor
from tests.quickreply.fakes import fake_check_text
from tests.quickreply.samples import team_library


@pytest.fixture
def dav(tmp_path):
    from tests.quickreply.davserver import DavServer

    root = tmp_path / "dav-root"
    root.mkdir()
    server = DavServer(root)
    yield server
    server.stop()


@pytest.fixture
def shared(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    return folder


def make_editor(qtbot, data_dir, shared, library=None):
    sync = TeamSync(LibraryStore(data_dir), FolderRemote(shared), check_text=fake_check_text)
    if library is not None:
        sync.library = library
    editor = QuickReplyEditor(sync, lead_name="主管A")
    qtbot.addWidget(editor)
    editor.show()
    return editor


@pytest.fixture
def editor(qtbot, data_dir, shared):
    return make_editor(qtbot, data_dir, shared, team_library())


def structure(editor):
    return [(g.name, [p.code for p in g.phrases]) for g in editor.library.groups]


def test_tree_model_passes_qt_model_tester(qtmodeltester, editor):
    qtmodeltester.check(editor.model)


def test_build_a_phrase_with_clicks_and_keys_then_undo_and_redo(qtbot, data_dir, shared):
    editor = make_editor(qtbot, data_dir, shared)
    qtbot.mouseClick(editor.new_group_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.new_phrase_button, Qt.MouseButton.LeftButton)
    assert structure(editor) == [("新分组", ["new1"])]
    editor.code_field.clear()
    qtbot.keyClicks(editor.code_field, "fh")
    editor.text_field.clear()
    editor.text_field.setFocus()
    editor.text_field.insertPlainText("{买家昵称|亲}，48小时内发货")  # Chinese arrives through the IME, not key codes
    qtbot.mouseClick(editor.save_phrase_button, Qt.MouseButton.LeftButton)
    assert editor.library.find("fh")[1].text == "{买家昵称|亲}，48小时内发货"
    assert "小米粥，48小时内发货" in editor.preview.toPlainText()
    editor.tree.setFocus()
    qtbot.keyClick(editor.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert structure(editor) == [("新分组", ["new1"])]
    qtbot.keyClick(editor.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert structure(editor) == [("新分组", ["fh"])]
    editor.save_draft()
    assert LibraryStore(data_dir).load_team_draft().library.find("fh")


def test_invalid_edits_are_refused_with_a_message(qtbot, editor):
    editor.select_code("by")
    editor.code_field.setText("fh")  # already used in 发货
    qtbot.mouseClick(editor.save_phrase_button, Qt.MouseButton.LeftButton)
    assert "已被分组“发货”中的短语使用" in editor.message_label.text()
    editor.code_field.setText("by")
    editor.text_field.setPlainText("长" * 20_000)
    qtbot.mouseClick(editor.save_phrase_button, Qt.MouseButton.LeftButton)
    assert "20000 个字符" in editor.message_label.text()
    assert editor.library.content_equals(team_library())


def test_drag_to_reorder_is_one_undoable_step(qtbot, editor):
    model = editor.model
    source = model.index_of_code("tk")
    target_group = model.index_of_group("售前")
    model.dropMimeData(model.mimeData([source]), Qt.DropAction.MoveAction, 0, 0, target_group)
    assert structure(editor)[0] == ("售前", ["tk", "hi", "by"])
    groups = model.mimeData([model.index_of_group("售后")])
    model.dropMimeData(groups, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert [g for g, _ in structure(editor)] == ["售后", "售前", "发货"]
    editor.undo_stack.undo()
    editor.undo_stack.undo()
    assert editor.library.content_equals(team_library())


def test_keyboard_reorder_search_bulk_move_and_delete(qtbot, editor):
    editor.select_code("hi")
    editor.tree.setFocus()
    qtbot.keyClick(editor.tree, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert structure(editor)[0] == ("售前", ["by", "hi"])

    qtbot.keyClicks(editor.search_field, "fahuo")
    assert set(editor.visible_codes()) == {"fh", "dh"}
    editor.search_field.clear()
    assert len(editor.visible_codes()) == len(editor.library)

    selection = editor.tree.selectionModel()
    selection.clearSelection()
    for code in ("fh", "tk"):
        selection.select(editor.model.index_of_code(code),
                         QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    editor.move_target.setCurrentText("常用")
    qtbot.mouseClick(editor.move_button, Qt.MouseButton.LeftButton)
    assert structure(editor)[-1] == ("常用", ["fh", "tk"])

    selection.clearSelection()
    for code in ("fh", "tk"):
        selection.select(editor.model.index_of_code(code),
                         QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    editor.tree.setFocus()
    qtbot.keyClick(editor.tree, Qt.Key.Key_Delete)
    assert editor.library.find("fh") is None and editor.library.find("tk") is None
    qtbot.keyClick(editor.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.library.find("fh") and editor.library.find("tk")


def test_preview_highlights_variables_the_sample_cannot_fill(qtbot, editor):
    editor.select_code("wl")
    assert "240521-330917566" in editor.preview.toPlainText()
    editor.set_sample_context(ConversationContext(buyer_nick="小米粥"))
    assert "{订单号}" in editor.preview.toPlainText()
    assert "没有值" in editor.preview.toPlainText()


def test_blocked_phrase_is_shown_with_its_reason_and_not_published(qtbot, editor, shared):
    editor.apply(editor.library.upsert("售前", Phrase("gf", "这款是高仿的")), "加")
    assert asyncio.run(editor.check()) == 1
    assert asyncio.run(editor.publish()) is False
    assert editor.problems_list.count() == 1
    assert "gf" in editor.problems_list.item(0).text() and "假货用语" in editor.problems_list.item(0).text()
    assert "没有发布" in editor.message_label.text()
    assert editor.model.phrase_at(editor.tree.currentIndex()).code == "gf"
    assert not (shared / "team-library.json").exists()


def test_lead_publishes_and_agent_uses_it_from_the_keyboard(qtbot, tmp_path, editor, shared):
    assert asyncio.run(editor.publish()) is True
    assert "已发布团队话术（第 1 版" in editor.message_label.text()
    agent = QuickReplies(tmp_path / "agent-data", remote=FolderRemote(shared))
    assert asyncio.run(agent.refresh_team()).text.startswith("团队话术已同步 ")
    popup = PhrasePopup(agent, as_popup=False)
    qtbot.addWidget(popup)
    popup.set_context(ConversationContext(buyer_nick="阿花"))
    popup.open_at()
    qtbot.keyClicks(popup.search_field, "dh")
    with qtbot.waitSignal(popup.phrase_chosen) as chosen:
        qtbot.keyClick(popup.search_field, Qt.Key.Key_Return)
    assert chosen.args == ["阿花，当天下单当天发货哦", []]


def test_conflict_opens_merge_view_and_merged_library_publishes(qtbot, tmp_path, editor, shared):
    assert asyncio.run(editor.publish())
    other = make_editor(qtbot, tmp_path / "lead-b", shared)
    asyncio.run(other.team_sync.refresh())
    other = make_editor(qtbot, tmp_path / "lead-b", shared)
    assert other.library.content_equals(editor.library)
    editor.apply(editor.library.upsert("售前", Phrase("a", "主管A的新短语")), "加")
    assert asyncio.run(editor.publish())
    other.apply(other.library.upsert("售前", Phrase("b", "主管B的新短语")), "加")
    assert asyncio.run(other.publish()) is False
    assert "另一位主管已经发布了新版本" in other.message_label.text()
    dialog = other.merge_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.table.topLevelItemCount() == 2
    dialog.accept()
    assert other.library.find("a") and other.library.find("b")
    assert asyncio.run(other.publish())


def test_import_with_errors_changes_nothing_and_good_import_is_undoable(qtbot, tmp_path, editor):
    bad = tmp_path / "bad.csv"
    bad.write_text("分组,快捷编码,短语内容\n售前,,空编码\n", encoding="utf-8-sig")
    assert asyncio.run(editor.import_file(bad)) is False
    assert "第 2 行：快捷编码为空" in editor.problems_list.item(0).text()
    assert editor.library.content_equals(team_library())
    good = tmp_path / "good.csv"
    good.write_text("分组,快捷编码,短语内容,备注\n售前,hi,亲亲您好\n新组,nw,新短语\n", encoding="utf-8-sig")
    assert asyncio.run(editor.import_file(good))
    assert "新增 1 条，更新 1 条" in editor.message_label.text()
    assert editor.library.find("hi")[1].text == "亲亲您好"
    editor.undo_stack.undo()
    assert editor.library.content_equals(team_library())
    out = tmp_path / "out.xlsx"
    assert editor.export_file(out) and out.exists()


def qr_png() -> bytes:
    import cv2
    import numpy as np

    encoder = cv2.QRCodeEncoder.create()
    image = cv2.resize(encoder.encode("https://example.com/wx"), (240, 240), interpolation=cv2.INTER_NEAREST)
    padded = np.pad(image, 40, constant_values=255)
    ok, data = cv2.imencode(".png", padded)
    return data.tobytes()


def plain_png() -> bytes:
    import cv2
    import numpy as np

    ok, data = cv2.imencode(".png", np.full((60, 60), 200, dtype=np.uint8))
    return data.tobytes()


def test_images_attach_travel_to_the_agent_and_qr_codes_block_publishing(qtbot, tmp_path, editor, shared):
    editor.select_code("by")
    assert editor.add_image(plain_png())
    assert editor.images_label.text() == "1 张图片"
    assert not editor.add_image(b"not an image")
    assert "图片格式不支持" in editor.message_label.text()
    assert asyncio.run(editor.publish())
    agent = QuickReplies(tmp_path / "agent-data", remote=FolderRemote(shared))
    asyncio.run(agent.refresh_team())
    (hit,) = [h for h in agent.search("by") if h.entry.phrase.code == "by"]
    assert agent.images_for(hit.entry) == [plain_png()]

    editor.select_code("hi")
    assert editor.add_image(qr_png())
    assert asyncio.run(editor.publish()) is False
    assert "二维码" in editor.problems_list.item(0).text() or "QR" in editor.problems_list.item(0).text()
    editor.clear_images()
    assert editor.library.find("hi")[1].images == ()


def test_personal_mode_saves_the_agents_own_library(qtbot, data_dir):
    agent = QuickReplies(data_dir)
    editor = QuickReplyEditor.for_personal(agent)
    qtbot.addWidget(editor)
    editor.show()
    assert editor.publish_button.isHidden()
    editor.add_group("我的")
    editor.add_phrase()
    editor.code_field.setText("xx")
    editor.text_field.setPlainText("谢谢亲的支持")
    with qtbot.waitSignal(editor.saved, timeout=3000):
        qtbot.mouseClick(editor.save_phrase_button, Qt.MouseButton.LeftButton)
    assert QuickReplies(data_dir).personal.find("xx")[1].text == "谢谢亲的支持"
    assert [h.entry.phrase.code for h in agent.search("xiexie")] == ["xx"]


def test_source_form_saves_webdav_settings_with_password_in_keyring(qtbot, data_dir, dav, memory_keyring):
    from tests.quickreply.davserver import PASSWORD, USER
    from workstation.ui.quickreply_editor import TeamSourceForm

    form = TeamSourceForm(data_dir)
    qtbot.addWidget(form)
    form.location_field.setText("ftp://nope")
    assert asyncio.run(form.save()) is False and "无效" in form.message_label.text()
    form.location_field.setText(dav.url())
    form.username_field.setText(USER)
    form.password_field.setText("wrong")
    assert asyncio.run(form.test_connection()) is False
    assert "用户名或密码不对" in form.message_label.text()
    form.password_field.setText(PASSWORD)
    assert asyncio.run(form.test_connection()) is True
    assert "还没有团队话术库" in form.message_label.text()
    assert asyncio.run(form.save())
    assert PASSWORD not in (data_dir / "quickreply" / "subscription.json").read_text("utf-8")
    assert PASSWORD in memory_keyring.entries.values()
    memory_keyring.refuse = True
    form.password_field.setText(PASSWORD)
    assert asyncio.run(form.save()) is False and "钥匙串" in form.message_label.text()


def test_xlsx_to_webdav_to_agent_keyboard_end_to_end(qtbot, tmp_path, dav):
    """A lead imports an xlsx, publishes to WebDAV; an agent on another data dir inserts it with `/fahuo⏎`."""
    from openpyxl import Workbook

    from tests.quickreply.davserver import PASSWORD, USER
    from workstation.quickreply.remote import WebDavRemote
    from workstation.quickreply.sync import Subscription, save_subscription

    sheet_path = tmp_path / "话术.xlsx"
    workbook = Workbook()
    workbook.active.append(["分组", "快捷编码", "短语内容"])
    workbook.active.append(["发货", "fh", "{买家昵称|亲}，付款后48小时内发货，单号 {订单号}"])
    workbook.active.append(["售后", "tk", "亲，退款1-3个工作日原路退回"])
    workbook.save(sheet_path)

    lead_sync = TeamSync(LibraryStore(tmp_path / "lead"), WebDavRemote(dav.url(), USER, PASSWORD))
    editor = QuickReplyEditor(lead_sync, lead_name="主管A")
    qtbot.addWidget(editor)
    assert asyncio.run(editor.import_file(sheet_path))
    assert asyncio.run(editor.publish()), editor.message_label.text()

    agent_dir = tmp_path / "agent"
    save_subscription(agent_dir, Subscription("webdav", dav.url(), USER), password=PASSWORD)
    agent = QuickReplies(agent_dir)
    assert asyncio.run(agent.refresh_team()).text.startswith("团队话术已同步 ")
    popup = PhrasePopup(agent, as_popup=False)
    qtbot.addWidget(popup)
    popup.set_context(ConversationContext(buyer_nick="阿花"))
    popup.open_at()
    qtbot.keyClicks(popup.search_field, "fahuo")
    with qtbot.waitSignal(popup.phrase_chosen) as chosen:
        qtbot.keyClick(popup.search_field, Qt.Key.Key_Return)
    text, unfilled = chosen.args
    assert text == "阿花，付款后48小时内发货，单号 {订单号}"
    assert [(v.name, text[v.start:v.end]) for v in unfilled] == [("订单号", "{订单号}")]


def test_rename_group_from_the_form(qtbot, editor):
    editor.tree.setCurrentIndex(editor.model.index_of_group("售后"))
    assert editor.code_field.text() == "" and editor.group_field.currentText() == "售后"
    editor.group_field.setCurrentText("发货")
    qtbot.mouseClick(editor.save_phrase_button, Qt.MouseButton.LeftButton)
    assert "已经存在" in editor.message_label.text()
    editor.group_field.setCurrentText("退换货")
    qtbot.mouseClick(editor.save_phrase_button, Qt.MouseButton.LeftButton)
    assert [g for g, _ in structure(editor)] == ["售前", "发货", "退换货"]
    editor.undo_stack.undo()
    assert [g for g, _ in structure(editor)] == ["售前", "发货", "售后"]
