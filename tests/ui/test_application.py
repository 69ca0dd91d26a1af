"""Qt's own buttons and dialogs speak the same language as the rest of the UI."""

from PySide6.QtWidgets import QApplication, QDialogButtonBox

from workstation.ui.application import install_qt_translations


def test_qt_standard_buttons_are_in_chinese(qtbot):
    app = QApplication.instance()
    translator = install_qt_translations(app)
    assert translator is not None, "Qt's Chinese translations are missing from the PySide6 install"
    try:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        qtbot.addWidget(box)
        assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
    finally:
        app.removeTranslator(translator)
