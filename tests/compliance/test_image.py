"""Any QR code in an image blocks — decodable or not; QR-free images pass."""

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from tests.compliance import qrimages as q
from workstation.compliance import check_image


def _blocked_as_qr(data: bytes) -> bool:
    verdict = check_image(data)
    return verdict.blocked and verdict.hits[0].category == "qr"


def test_plain_qr():
    assert _blocked_as_qr(q.encode(q.qr_gray()))
    assert check_image(q.encode(q.qr_gray())).hits[0].rule == "qr.decoded"


def test_qr_in_a_screenshot():
    shot = q.paste(q.screenshot(), q.qr_gray(scale=4), 900, 300)
    assert _blocked_as_qr(q.encode(shot))


@pytest.mark.parametrize("degrees", [17, 45, 90, 180, 271])
def test_rotated_qr(degrees):
    shot = q.paste(q.screenshot(1200, 900), q.rotate(q.qr_gray(scale=5), degrees), 500, 200)
    assert _blocked_as_qr(q.encode(shot))


def test_inverted_qr():
    inverted = 255 - q.qr_gray(scale=5)
    assert _blocked_as_qr(q.encode(q.paste(q.screenshot(1200, 800), inverted, 500, 200)))


@pytest.mark.parametrize("fraction", [0.25, 0.4, 0.5])
def test_logo_covered_qr_blocks_even_when_it_cannot_be_read(fraction):
    covered = q.cover_centre(q.qr_gray("https://weixin.qq.com/r/abcdefghijklmnop", scale=7), fraction)
    verdict = check_image(q.encode(q.paste(q.screenshot(1200, 900), covered, 400, 150)))
    assert verdict.blocked and verdict.hits[0].category == "qr"


def test_jpeg_photo_of_a_qr_with_perspective():
    code = cv2.cvtColor(q.qr_gray(scale=6), cv2.COLOR_GRAY2BGR)
    h, w = code.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[40, 10], [w - 20, 50], [w - 5, h - 30], [10, h - 5]])
    warped = cv2.warpPerspective(code, cv2.getPerspectiveTransform(src, dst), (w, h), borderValue=(200, 190, 180))
    noisy = np.clip(warped.astype(np.int16) + np.random.default_rng(3).integers(-20, 20, warped.shape), 0, 255)
    assert _blocked_as_qr(q.encode(noisy.astype(np.uint8), ".jpg", quality=70))


def test_micro_qr():
    assert _blocked_as_qr(q.encode(q.qr_gray("12345", micro=True, scale=8)))


def test_qr_on_transparent_png():
    code = q.qr_gray(scale=5)
    rgba = np.zeros((*code.shape, 4), np.uint8)
    rgba[code < 128] = (0, 0, 0, 255)          # only the dark modules are opaque
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, "PNG")
    assert _blocked_as_qr(buffer.getvalue())


def test_large_photo_is_downscaled_and_still_checked():
    big = cv2.resize(q.paste(q.screenshot(1600, 1000), q.qr_gray(scale=6), 600, 300), (4800, 3000),
                     interpolation=cv2.INTER_NEAREST)
    assert _blocked_as_qr(q.encode(big, ".jpg", quality=85))


def test_gif_and_webp_are_read():
    img = Image.fromarray(q.qr_gray(scale=5))
    for fmt in ("GIF", "WEBP", "BMP"):
        buffer = io.BytesIO()
        img.save(buffer, fmt)
        assert _blocked_as_qr(buffer.getvalue()), fmt


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(lambda: q.screenshot(), id="chat-screenshot"),
        pytest.param(lambda: q.paste(q.screenshot(1200, 800), q.ean13(), 400, 300), id="product-ean13-barcode"),
        pytest.param(lambda: np.random.default_rng(5).integers(0, 255, (600, 800, 3), dtype=np.uint8), id="noise"),
        pytest.param(lambda: np.tile(np.linspace(0, 255, 640, dtype=np.uint8), (480, 1)), id="gradient"),
        pytest.param(lambda: np.kron(np.indices((24, 32)).sum(axis=0) % 2 * 255, np.ones((20, 20))).astype(np.uint8),
                     id="checkerboard"),
    ],
)
def test_images_without_qr_pass(image):
    assert check_image(q.encode(image())).passed


def test_unreadable_bytes_are_blocked_not_passed():
    verdict = check_image(b"this is not an image")
    assert verdict.blocked and verdict.hits[0].category == "uncheckable"
    assert check_image(b"").blocked


def test_decompression_bomb_is_refused_without_decoding(monkeypatch):
    from workstation.compliance import image

    data = q.encode(q.qr_gray(scale=2))
    monkeypatch.setattr(image, "MAX_PIXELS", 100)
    verdict = check_image(data)
    assert verdict.blocked and verdict.hits[0].rule == "image.too_large"
