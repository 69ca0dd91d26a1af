"""No path from the window reaches the platform with a message the compliance filter blocks.

Typed text, a pasted screenshot with a QR code, a dropped image file and a quick reply all end in
the same composer send, which goes through SyncHub.send and its gate; the coupon note is covered in
test_side_panel_coupons.py and the one-way-in outbox in tests/sync/test_outbox.py.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QImage

from tests.compliance.qrimages import encode, paste, qr_gray, screenshot
from tests.helpers.inbox import inbox_rig  # noqa: F401 (fixture)
from tests.ui.test_inbox_composer import open_page


def qr_png(content: str) -> bytes:
    """A chat screenshot with a QR code in it, as an agent would paste it."""
    return encode(paste(screenshot(800, 500), qr_gray(content), 300, 120))


def assert_blocked_and_nothing_sent(qtbot, page, shop):
    qtbot.waitUntil(lambda: page.composer.verdict is not None, timeout=10_000)
    assert page.composer.verdict.blocked
    assert "未发送" in page.composer.verdict_label.text()
    assert not shop.deliveries


def test_a_pasted_screenshot_with_a_qr_code_is_blocked(qtbot, inbox_rig):
    window, page, shop = open_page(inbox_rig)
    image = QImage.fromData(qr_png("https://u.wechat.com/abc123"))
    assert not image.isNull()
    mime = QMimeData()
    mime.setImageData(image)
    page.composer.edit.insertFromMimeData(mime)
    qtbot.keyClick(page.composer.edit, Qt.Key.Key_Return)
    assert_blocked_and_nothing_sent(qtbot, page, shop)
    assert "二维码" in page.composer.verdict_label.text()


def test_a_dropped_image_file_with_a_qr_code_is_blocked(qtbot, inbox_rig, tmp_path):
    window, page, shop = open_page(inbox_rig)
    picture = tmp_path / "付款码.png"
    picture.write_bytes(qr_png("wxp://f2f0abcdef"))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(picture))])
    page.composer.edit.insertFromMimeData(mime)
    assert page.composer.image is not None
    qtbot.keyClick(page.composer.edit, Qt.Key.Key_Return)
    assert_blocked_and_nothing_sent(qtbot, page, shop)


def test_a_quick_reply_with_a_forbidden_word_is_blocked_after_insertion(qtbot, inbox_rig):
    window, page, shop = open_page(inbox_rig)
    page.composer.insert_phrase("亲，这款是高仿的，质量一样哦", [])
    qtbot.keyClick(page.composer.edit, Qt.Key.Key_Return)
    assert_blocked_and_nothing_sent(qtbot, page, shop)
    assert page.composer.text() == "亲，这款是高仿的，质量一样哦"
