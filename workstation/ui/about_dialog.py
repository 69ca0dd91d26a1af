"""关于: version, and where data and logs live."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from workstation import __version__
from workstation.paths import DataPaths


class AboutDialog(QDialog):
    def __init__(self, paths: DataPaths, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("关于 Workstation"))
        text = QLabel(
            self.tr("<b>Workstation 客服工作台</b> %s<br>多店铺、多平台的统一客服收件箱。<br><br>"
                    "数据目录：%s<br>日志：%s") % (__version__, paths.root, paths.log_file)
        )
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)
