"""账号管理 driven the way an agent uses it: typing, clicking, pressing keys."""

from __future__ import annotations

from PySide6.QtCore import Qt

from workstation.secrets import SecretStore
from workstation.ui.accounts_dialog import AccountsDialog

from tests.helpers.typing import type_text


def make_dialog(qtbot, arun, services):
    arun(services.store.open())
    dialog = AccountsDialog(services.accounts)
    qtbot.addWidget(dialog)
    dialog.show()
    arun(dialog.reload())
    return dialog


def fill(qtbot, dialog, *, platform="快手", shop_id="ks-1", name="老铁家居", login="老铁家居:小张", password="pw-1"):
    dialog.platform_combo.setCurrentIndex(dialog.platform_combo.findText(platform))
    for edit, text in ((dialog.shop_id_edit, shop_id), (dialog.name_edit, name),
                       (dialog.login_edit, login), (dialog.password_edit, password)):
        edit.clear()
        type_text(qtbot, edit, text)


def test_adding_an_account_from_the_keyboard(qtbot, arun, services, memory_keyring):
    dialog = make_dialog(qtbot, arun, services)
    assert dialog.empty_hint.isVisible()
    fill(qtbot, dialog)
    with qtbot.waitSignal(dialog.accounts_changed, timeout=5000):
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.model.rowCount() == 1
    assert dialog.model.index(0, 1).data() == "老铁家居"
    assert dialog.model.index(0, 0).data() == "快手"
    assert not dialog.empty_hint.isVisible()
    saved = dialog.model.account_at(0)
    assert SecretStore().get(saved.key, "password") == "pw-1"


def test_empty_fields_are_named_and_nothing_is_saved(qtbot, arun, services):
    dialog = make_dialog(qtbot, arun, services)
    fill(qtbot, dialog, shop_id="", name="", login="")
    arun(dialog.save())
    assert "店铺ID不能为空" in dialog.error_label.text()
    assert "店铺名称不能为空" in dialog.error_label.text()
    assert dialog.shop_id_edit.hasFocus() or dialog.focusWidget() is dialog.shop_id_edit
    assert arun(services.accounts.list()) == []


def test_a_duplicate_account_is_refused(qtbot, arun, services):
    dialog = make_dialog(qtbot, arun, services)
    fill(qtbot, dialog)
    arun(dialog.save())
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    fill(qtbot, dialog, name="同一个号")
    arun(dialog.save())
    assert "已经添加过了" in dialog.error_label.text()
    assert dialog.model.rowCount() == 1


def test_a_refusing_keyring_is_explained_and_nothing_saved(qtbot, arun, services, memory_keyring):
    dialog = make_dialog(qtbot, arun, services)
    memory_keyring.refuse = True
    fill(qtbot, dialog)
    arun(dialog.save())
    assert "钥匙串" in dialog.error_label.text()
    memory_keyring.refuse = False
    assert arun(services.accounts.list()) == []


def test_editing_disabling_and_removing(qtbot, arun, services, memory_keyring):
    dialog = make_dialog(qtbot, arun, services)
    fill(qtbot, dialog)
    arun(dialog.save())
    dialog.table.selectRow(0)
    assert dialog.form_title.text() == "编辑账号"
    assert dialog.password_edit.text() == ""  # never shown back
    dialog.name_edit.clear()
    type_text(qtbot, dialog.name_edit, "老铁家居旗舰店")
    arun(dialog.save())
    assert dialog.model.index(0, 1).data() == "老铁家居旗舰店"
    assert SecretStore().get(dialog.model.account_at(0).key, "password") == "pw-1"  # blank password kept the old one

    qtbot.mouseClick(dialog.toggle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.model.index(0, 4).data() == "已停用", timeout=5000)

    dialog.table.selectRow(0)
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    assert dialog.confirm_bar.isVisible() and "钥匙串" in dialog.confirm_label.text()
    with qtbot.waitSignal(dialog.accounts_changed, timeout=5000):
        qtbot.mouseClick(dialog.confirm_yes, Qt.MouseButton.LeftButton)
    assert dialog.model.rowCount() == 0
    assert memory_keyring.entries == {}


def test_cancelling_a_removal_keeps_the_account(qtbot, arun, services):
    dialog = make_dialog(qtbot, arun, services)
    fill(qtbot, dialog)
    arun(dialog.save())
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.confirm_no, Qt.MouseButton.LeftButton)
    assert not dialog.confirm_bar.isVisible()
    assert dialog.model.rowCount() == 1
