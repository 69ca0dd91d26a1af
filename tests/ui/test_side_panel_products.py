"""商品 tab: what the buyer asked about first, send a product card, a product removed meanwhile."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.helpers.side_panel import panel_env, qt_garbage_on_qt_thread  # noqa: F401 (fixtures)
from tests.helpers.typing import type_text
from workstation.domain.messages import MessageType


def open_products(panel_env, qtbot, asked_index=3):
    env, panel = panel_env("pdd")
    title = env.shop.products[asked_index]["title"]
    env, panel = panel_env("pdd", says=("在吗", f"{title}还有货吗？"))
    panel.set_conversation(env.conversation, env.connector, env.hub)
    panel.tabs.setCurrentWidget(panel.products_tab)
    qtbot.waitUntil(lambda: panel.products_tab.stack.state == "content", timeout=5000)
    return env, panel, panel.products_tab, title


def test_asked_about_first_search_and_send_a_card(panel_env, qtbot):
    env, panel, tab, title = open_products(panel_env, qtbot)
    first = tab.product_rows[0]
    assert first.offer.product.title == title and first.offer.asked_about
    assert len(tab.product_rows) == len(env.shop.products)
    for row in tab.product_rows:
        assert row.send_button.isEnabled() == (row.offer.product.on_sale and row.offer.product.stock > 0)

    row = next(r for r in tab.product_rows if r.send_button.isEnabled())
    with qtbot.waitSignal(panel.message_queued, timeout=5000):
        qtbot.mouseClick(row.send_button, Qt.MouseButton.LeftButton)
    _, draft, card, message_type = env.hub.sent[-1]
    assert message_type is MessageType.PRODUCT_CARD and card["product_id"] == row.offer.product.product_id
    assert row.offer.product.title in draft.text

    word = env.shop.products[0]["title"][:2]
    type_text(qtbot, tab.search_edit, word)
    qtbot.keyClick(tab.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.stack.state == "content"
                    and all(word in r.offer.product.title for r in tab.product_rows), timeout=5000)


def test_product_removed_meanwhile_is_not_sent_and_the_list_refreshes(panel_env, qtbot):
    env, panel, tab, title = open_products(panel_env, qtbot)
    row = next(r for r in tab.product_rows if r.send_button.isEnabled())
    gone = row.offer.product.product_id
    env.shop.products[:] = [p for p in env.shop.products if p["product_id"] != gone]
    qtbot.mouseClick(row.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.status.tone == "error", timeout=5000)
    assert "已下架或已删除" in tab.status.text()
    qtbot.waitUntil(lambda: tab.stack.state == "content"
                    and gone not in [r.offer.product.product_id for r in tab.product_rows], timeout=5000)
    assert not env.hub.sent


def test_thumbnails_load_from_the_platform_when_a_fetcher_is_given(panel_env, qtbot, arun):
    from workstation.commerce.images import HttpImageFetcher
    from workstation.ui.side_panel.widgets import placeholder_thumbnail

    env, panel = panel_env("pdd")
    fetcher = HttpImageFetcher(transport=env.transport.inner)
    panel.image_fetcher = fetcher
    panel.set_conversation(env.conversation, env.connector, env.hub)
    panel.tabs.setCurrentWidget(panel.products_tab)
    tab = panel.products_tab
    qtbot.waitUntil(lambda: tab.stack.state == "content", timeout=5000)
    thumbnail = tab.product_rows[0].thumbnail
    assert thumbnail.url.startswith("http")
    placeholder = placeholder_thumbnail(tab.product_rows[0].offer.product.title, 48).toImage()
    qtbot.waitUntil(lambda: thumbnail.pixmap().toImage() != placeholder, timeout=5000)
    arun(fetcher.aclose())
