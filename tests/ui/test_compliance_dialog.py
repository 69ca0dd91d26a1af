"""合规词库 dialog: view, add, disable, remove, import/export, live test — changes apply without restart."""

import shutil

import pytest
from PySide6.QtCore import Qt

from workstation.compliance import ComplianceFilter
from workstation.compliance.filter import default_word_dir
from workstation.compliance.wordlists import load_list
from workstation.ui.compliance_dialog import ComplianceDialog


@pytest.fixture
def word_dir(tmp_path):
    target = tmp_path / "lists"
    shutil.copytree(default_word_dir(), target)
    return target


@pytest.fixture
def dialog(qtbot, word_dir):
    flt = ComplianceFilter(word_dir, auto_reload=False)
    dlg = ComplianceDialog(flt)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def _type_test(qtbot, dialog, text):
    # keyClicks cannot type Chinese; setting the text fires the same textChanged signal.
    dialog.test_input.setPlainText(text)


def test_shows_every_list_and_its_words(dialog):
    assert dialog.list_names.count() == 12
    dialog.select_list("counterfeit")
    words = [dialog.words.item(i).text() for i in range(dialog.words.count())]
    assert "高仿" in words and "精仿" in words


def test_adding_a_word_takes_effect_at_once(qtbot, dialog, word_dir):
    dialog.select_list("counterfeit")
    _type_test(qtbot, dialog, "这是原厂尾货")
    assert dialog.verdict_label.text() == "通过"
    dialog.new_word.setText("尾货")
    qtbot.keyClick(dialog.new_word, Qt.Key.Key_Return)
    assert dialog.new_word.text() == ""
    assert "尾货" in load_list(word_dir, "counterfeit").enabled_words
    assert dialog.verdict_label.text() == "拦截"
    assert dialog.test_hits.count() == 1 and "尾货" in dialog.test_hits.item(0).text()
    assert dialog.filter.check_text("原厂尾货").blocked
    assert dialog.test_input.extraSelections()  # the offending span is highlighted


def test_duplicate_and_empty_words_are_refused(dialog):
    dialog.select_list("counterfeit")
    assert not dialog.add_word("高仿")
    assert "已经在词库里" in dialog.message.text()
    assert not dialog.add_word("   ")


def test_unchecking_disables_a_word(qtbot, dialog, word_dir):
    dialog.select_list("counterfeit")
    _type_test(qtbot, dialog, "高仿")
    assert dialog.verdict_label.text() == "拦截"
    item = dialog.words.findItems("高仿", Qt.MatchFlag.MatchExactly)[0]
    item.setCheckState(Qt.CheckState.Unchecked)
    entries = {e.word: e.enabled for e in load_list(word_dir, "counterfeit").entries}
    assert entries["高仿"] is False
    assert dialog.verdict_label.text() == "通过"
    assert "!高仿" in (word_dir / "counterfeit.txt").read_text(encoding="utf-8")


def test_remove_and_warning_lists(qtbot, dialog, word_dir):
    dialog.select_list("shirking")
    _type_test(qtbot, dialog, "不关我的事")
    assert dialog.verdict_label.text().startswith("提醒")
    dialog.remove_words(["不关我的事", "不关我事"])
    assert "不关我的事" not in load_list(word_dir, "shirking").enabled_words
    assert dialog.verdict_label.text() == "通过"


def test_import_and_export(dialog, tmp_path, word_dir):
    dialog.select_list("illegal")
    source = tmp_path / "new.txt"
    source.write_text("# 主管整理\n特供酒\n代开发票\n!内部价\n", encoding="utf-8")
    assert dialog.import_file(source) == 2          # 代开发票 is already there
    listed = {e.word: e.enabled for e in load_list(word_dir, "illegal").entries}
    assert listed["特供酒"] is True and listed["内部价"] is False
    out = tmp_path / "out.txt"
    dialog.export_file(out)
    assert "特供酒" in out.read_text(encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes("特供".encode("gbk"))
    assert dialog.import_file(bad) == 0 and "UTF-8" in dialog.message.text()


def test_allowed_domains_need_platform_and_domain(qtbot, dialog):
    dialog.select_list("allowed_domains")
    assert not dialog.add_word("example.com")
    assert dialog.add_word("pdd brand.example.com")
    dialog.test_platform.setCurrentIndex(dialog.test_platform.findData("pdd"))
    _type_test(qtbot, dialog, "说明书 https://brand.example.com/manual")
    assert dialog.verdict_label.text() == "通过"


def test_platform_choice_changes_the_verdict(qtbot, dialog):
    _type_test(qtbot, dialog, "https://item.jd.com/1.html")
    dialog.test_platform.setCurrentIndex(dialog.test_platform.findData("jd"))
    assert dialog.verdict_label.text() == "通过"
    dialog.test_platform.setCurrentIndex(dialog.test_platform.findData("pdd"))
    assert dialog.verdict_label.text() == "拦截"


class _Store:
    """The StoreWorker's `call` over an in-memory database with the audit table."""

    def __init__(self):
        import sqlite_utils

        from workstation.store.migrations import m0003_compliance_audit

        self.db = sqlite_utils.Database(memory=True)
        m0003_compliance_audit.apply(self.db)

    async def call(self, fn, *args, **kwargs):
        return fn(self.db, *args, **kwargs)


def test_audit_tab_lists_and_exports_blocked_attempts(qtbot, qloop, arun, word_dir, tmp_path, qtmodeltester):
    from workstation.compliance import audit

    store = _Store()
    flt = ComplianceFilter(word_dir, auto_reload=False)
    text = "加我微信 abc12345 或打13812345678"
    audit.record_blocked(store.db, verdict=flt.check_text(text), text=text, platform="pdd", shop_id="s1",
                         conversation_id="c1", agent_id="小美")
    dlg = ComplianceDialog(flt, store=store)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.tabs.setCurrentWidget(dlg.audit_panel)
    qtbot.waitUntil(lambda: dlg.audit_panel.model.rowCount() == 1, timeout=5000)
    model = dlg.audit_panel.model
    qtmodeltester.check(model)
    shown = model.index(0, 6).data()
    assert "13812345678" not in shown and "*" in shown
    assert "联系方式" in model.index(0, 5).data()
    out = tmp_path / "audit.csv"
    arun(dlg.audit_panel.export(out))
    assert "c1" in out.read_text(encoding="utf-8")
    assert dlg.audit_panel.tasks.pending == 0


def test_an_unreadable_list_is_shown_read_only_and_never_overwritten(qtbot, word_dir):
    broken = "高仿\n尾货\n".encode("gbk")
    (word_dir / "counterfeit.txt").write_bytes(broken)
    flt = ComplianceFilter(word_dir / "..", auto_reload=False)  # any readable dir; the dialog reads word_dir
    flt.word_dir = word_dir
    dlg = ComplianceDialog(flt)
    qtbot.addWidget(dlg)
    dlg.select_list("counterfeit")
    assert "UTF-8" in dlg.message.text()
    assert not dlg.add_button.isEnabled()
    assert not dlg.add_word("新词")
    assert (word_dir / "counterfeit.txt").read_bytes() == broken
    dlg.select_list("insult")
    assert dlg.add_word("新骂人话")
    assert "暂未生效" in dlg.message.text()      # saved, but the broken list stops the reload
