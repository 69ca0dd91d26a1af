"""The phrase editor's right-hand pane: one phrase's fields, and a preview of it rendered against a
sample conversation with the variables the sample cannot fill highlighted."""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton,
    QTextBrowser, QWidget,
)

from workstation.domain.platforms import Platform
from workstation.quickreply.model import DEFAULT_GROUP, Phrase
from workstation.quickreply.variables import SAMPLE_CONTEXT, ConversationContext, render


class PhraseForm(QWidget):
    """Shows a phrase and reads back what was typed; the editor decides what to do with it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.sample_context: ConversationContext = SAMPLE_CONTEXT
        self.preview_text = ""
        self.group_field = QComboBox(self)
        self.group_field.setEditable(True)
        self.code_field = QLineEdit(self)
        self.text_field = QPlainTextEdit(self)
        self.text_field.textChanged.connect(self._update_preview)
        self.platform_boxes = {p: QCheckBox(p.label, self) for p in Platform}
        platforms = QHBoxLayout()
        for box in self.platform_boxes.values():
            platforms.addWidget(box)
        self.shops_field = QLineEdit(self)
        self.shops_field.setPlaceholderText("店铺ID，用顿号或逗号分隔；留空表示所有店铺")
        self.save_phrase_button = QPushButton("保存短语", self)
        self.save_phrase_button.setShortcut(QKeySequence("Ctrl+S"))
        self.images_label = QLabel("无图片", self)
        self.add_image_button = QPushButton("添加图片…", self)
        self.clear_images_button = QPushButton("移除图片", self)
        images = QHBoxLayout()
        for widget in (self.images_label, self.add_image_button, self.clear_images_button):
            images.addWidget(widget)
        images.addStretch(1)
        self.preview = QTextBrowser(self)
        self.preview.setMaximumHeight(110)
        self.sample_label = QLabel(self)

        form = QFormLayout(self)
        form.addRow("分组", self.group_field)
        form.addRow("快捷编码", self.code_field)
        form.addRow("短语内容", self.text_field)
        form.addRow("适用平台", platforms)
        form.addRow("适用店铺", self.shops_field)
        form.addRow("图片", images)
        form.addRow("", self.save_phrase_button)
        form.addRow("预览", self.preview)
        form.addRow("", self.sample_label)
        self.set_sample_context(self.sample_context)

    def show_phrase(self, group: str | None, phrase: Phrase | None) -> None:
        """Fill the fields from `phrase` (empty when None); a group name, if any, goes in the group box."""
        if group:
            self.group_field.setCurrentText(group)
        self.code_field.setText(phrase.code if phrase else "")
        self.text_field.setPlainText(phrase.text if phrase else "")
        for platform, box in self.platform_boxes.items():
            box.setChecked(bool(phrase and platform in phrase.platforms))
        self.shops_field.setText("、".join(phrase.shops) if phrase else "")
        self.images_label.setText(f"{len(phrase.images)} 张图片" if phrase and phrase.images else "无图片")
        self._update_preview()

    def group_name(self) -> str:
        return self.group_field.currentText().strip() or DEFAULT_GROUP

    def code(self) -> str:
        return self.code_field.text().strip()

    def text(self) -> str:
        return self.text_field.toPlainText()

    def phrase(self, images: tuple[str, ...]) -> Phrase:
        """The phrase as typed, keeping `images` (the form shows only how many there are)."""
        typed = self.shops_field.text().replace(",", "、").replace("，", "、")
        shops = tuple(s.strip() for s in typed.split("、") if s.strip())
        platforms = tuple(p for p, box in self.platform_boxes.items() if box.isChecked())
        return Phrase(self.code(), self.text(), images=images, platforms=platforms, shops=shops)

    def set_sample_context(self, context: ConversationContext) -> None:
        self.sample_context = context
        self.sample_label.setText(f"示例会话：买家 {context.buyer_nick or '（无）'} · 订单 {context.order_id or '（无）'}"
                                  f" · 商品 {context.product_name or '（无）'}")
        self._update_preview()

    def _update_preview(self) -> None:
        rendered = render(self.text(), self.sample_context)
        html, last = [], 0
        for variable in rendered.unfilled:
            html.append(escape(rendered.text[last:variable.start], quote=False))
            placeholder = escape(rendered.text[variable.start:variable.end], quote=False)
            html.append(f'<span style="background:#fde2e2;color:#b91c1c">{placeholder}</span>')
            last = variable.end
        html.append(escape(rendered.text[last:], quote=False))
        warning = (f'<p style="color:#b91c1c">{escape(rendered.warning(), quote=False)}</p>'
                   if rendered.unfilled else "")
        self.preview.setHtml("".join(html).replace("\n", "<br>") + warning)
        self.preview_text = rendered.text
