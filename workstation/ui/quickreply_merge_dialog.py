"""The merge view a lead sees when another lead published first: pick, phrase by phrase, whose
version to keep, then publish the merged library."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from workstation.quickreply.merge import differences, merge
from workstation.quickreply.model import Library


class MergeDialog(QDialog):
    """My version against the one another lead published: tick the phrases to take from theirs."""

    def __init__(self, mine: Library, theirs: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("合并团队话术")
        self.mine, self.theirs = mine, theirs
        self.differences = differences(mine, theirs)
        self.table = QTreeWidget(self)
        self.table.setHeaderLabels(["采用对方版本 / 快捷编码", "差异", "我的版本", "对方版本"])
        self.table.setRootIsDecorated(False)
        for diff in self.differences:
            item = QTreeWidgetItem([diff.code, diff.kind.label,
                                    f"{diff.mine[0]}：{diff.mine[1].text}" if diff.mine else "—",
                                    f"{diff.theirs[0]}：{diff.theirs[1].text}" if diff.theirs else "—"])
            # Phrases only the other lead has are taken by default; conflicts are the lead's call.
            checked = diff.mine is None
            item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.table.addTopLevelItem(item)
        intro = QLabel(f"另一位主管已发布新版本，有 {len(self.differences)} 处不同。勾选要采用对方版本的短语，"
                       "其余保留你的版本。合并后请再次发布。", self)
        intro.setWordWrap(True)
        standard = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(standard.Ok | standard.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("合并")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(760, 420)

    def set_take_theirs(self, code: str, take: bool) -> None:
        for row, diff in enumerate(self.differences):
            if diff.code == code:
                state = Qt.CheckState.Checked if take else Qt.CheckState.Unchecked
                self.table.topLevelItem(row).setCheckState(0, state)

    def merged_library(self) -> Library:
        chosen = [d.code for row, d in enumerate(self.differences)
                  if self.table.topLevelItem(row).checkState(0) == Qt.CheckState.Checked]
        return merge(self.mine, self.theirs, chosen)
