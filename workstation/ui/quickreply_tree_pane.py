"""The phrase editor's left-hand pane: a search box over the tree of groups and phrases, which rows
the search leaves visible, and which rows are selected."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTreeView, QVBoxLayout, QWidget

from workstation.quickreply.model import Entry, Library, Scope
from workstation.quickreply.search import PhraseIndex
from workstation.ui.quickreply_tree_model import LibraryTreeModel


class PhraseTreePane(QWidget):
    def __init__(self, model: LibraryTreeModel, scope: Scope, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.scope = scope
        self._index: PhraseIndex | None = None  # built on the first search after each change
        self.search_field = QLineEdit(self)
        self.search_field.setPlaceholderText("搜索编码、文字或拼音")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.textChanged.connect(self.apply_filter)

        self.tree = QTreeView(self)
        self.tree.setModel(model)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.tree.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.tree.setDragEnabled(True)
        self.tree.setAcceptDrops(True)
        self.tree.setDropIndicatorShown(True)
        self.tree.setColumnWidth(0, 180)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_field)
        layout.addWidget(self.tree)

    @property
    def library(self) -> Library:
        return self.model.library

    def show_library(self, library: Library, select: str | None) -> bool:
        """Swap in `library`, keeping open the groups that were open and selecting phrase `select`.
        False when there is no such phrase (the current row is then wherever the view left it)."""
        expanded = {self.model.group_at(self.model.index(r, 0)) for r in range(self.model.rowCount())
                    if self.tree.isExpanded(self.model.index(r, 0))}
        self.model.set_library(library)
        self._index = None
        for row in range(self.model.rowCount()):
            index = self.model.index(row, 0)
            self.tree.setExpanded(index, self.model.group_at(index) in expanded or not expanded)
        target = self.model.index_of_code(select) if select else QModelIndex()
        if target.isValid():
            self.tree.setCurrentIndex(target)
        return target.isValid()

    # --- selection ----------------------------------------------------------------------------

    def selected_codes(self) -> list[str]:
        rows = self.tree.selectionModel().selectedRows(0)
        return [p.code for index in rows if (p := self.model.phrase_at(index)) is not None]

    def selected_groups(self) -> list[str]:
        rows = self.tree.selectionModel().selectedRows(0)
        return [self.model.group_at(index) for index in rows if self.model.phrase_at(index) is None]

    def select_code(self, code: str) -> None:
        index = self.model.index_of_code(code)
        if index.isValid():
            self.tree.setCurrentIndex(index)

    def select_group(self, name: str) -> None:
        self.tree.setCurrentIndex(self.model.index_of_group(name))

    # --- search -------------------------------------------------------------------------------

    def apply_filter(self, query: str | None = None) -> None:
        """Hide the phrases `query` (by default the search box) does not find, and groups left empty."""
        query = (self.search_field.text() if query is None else query).strip()
        matched: set[tuple[str, str]] | None = None
        if query:
            if self._index is None:
                self._index = PhraseIndex([Entry(self.scope, g, p, i)
                                           for i, (g, p) in enumerate(self.library.entries())])
            matched = {(h.entry.group, h.entry.phrase.code)
                       for h in self._index.search(query, limit=len(self._index) or 1)}
        for gi, group in enumerate(self.library.groups):
            group_index = self.model.index(gi, 0)
            visible = 0
            for pi, phrase in enumerate(group.phrases):
                hide = matched is not None and (group.name, phrase.code) not in matched
                self.tree.setRowHidden(pi, group_index, hide)
                visible += not hide
            self.tree.setRowHidden(gi, QModelIndex(), matched is not None and visible == 0)
            if matched is not None and visible:
                self.tree.setExpanded(group_index, True)

    def visible_codes(self) -> list[str]:
        codes = []
        for gi, group in enumerate(self.library.groups):
            if self.tree.isRowHidden(gi, QModelIndex()):
                continue
            group_index = self.model.index(gi, 0)
            codes += [p.code for pi, p in enumerate(group.phrases)
                      if not self.tree.isRowHidden(pi, group_index)]
        return codes
