"""Test images: QR codes (segno) placed, rotated, inverted, covered; and QR-free look-alikes."""

from __future__ import annotations

import io

import cv2
import numpy as np
import segno
import zxingcpp


def qr_gray(content: str = "https://u.wechat.com/abcdefg", *, scale: int = 6, error: str = "h",
            micro: bool = False) -> np.ndarray:
    code = segno.make_micro(content) if micro else segno.make(content, error=error, micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=4)
    return cv2.imdecode(np.frombuffer(buffer.getvalue(), np.uint8), cv2.IMREAD_GRAYSCALE)


def screenshot(width: int = 1600, height: int = 1000, seed: int = 1) -> np.ndarray:
    """A chat-window-like screenshot: light background, bubbles, lines of text."""
    rng = np.random.default_rng(seed)
    img = np.full((height, width, 3), 246, np.uint8)
    cv2.rectangle(img, (0, 0), (260, height), (235, 235, 235), -1)
    y = 40
    while y < height - 40:
        x = int(rng.integers(300, 700))
        w = int(rng.integers(200, 800))
        colour = (255, 255, 255) if rng.random() < 0.5 else (180, 230, 160)
        cv2.rectangle(img, (x, y), (min(x + w, width - 20), y + 50), colour, -1)
        cv2.putText(img, "order 2311250012 shipped, thanks " * 2, (x + 10, y + 32),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.6, (40, 40, 40), 1, cv2.LINE_AA)
        y += 80
    return img


def paste(canvas: np.ndarray, patch: np.ndarray, x: int, y: int) -> np.ndarray:
    out = canvas.copy()
    if patch.ndim == 2 and out.ndim == 3:
        patch = cv2.cvtColor(patch, cv2.COLOR_GRAY2BGR)
    h, w = patch.shape[:2]
    out[y:y + h, x:x + w] = patch
    return out


def rotate(img: np.ndarray, degrees: float) -> np.ndarray:
    h, w = img.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    matrix[0, 2] += nw / 2 - w / 2
    matrix[1, 2] += nh / 2 - h / 2
    border = 255 if img.ndim == 2 else (255, 255, 255)
    return cv2.warpAffine(img, matrix, (nw, nh), borderValue=border)


def cover_centre(img: np.ndarray, fraction: float) -> np.ndarray:
    """A shop logo over the middle of the code (a filled disc on a plate)."""
    out = img.copy()
    h, w = out.shape[:2]
    s = int(min(h, w) * fraction)
    x, y = (w - s) // 2, (h - s) // 2
    cv2.rectangle(out, (x, y), (x + s, y + s), 230, -1)
    cv2.circle(out, (w // 2, h // 2), s // 3, 40, -1)
    return out


def ean13(content: str = "6901234567892") -> np.ndarray:
    barcode = zxingcpp.create_barcode(content, zxingcpp.BarcodeFormat.EAN13)
    return np.array(zxingcpp.write_barcode_to_image(barcode, scale=3))


def encode(img: np.ndarray, ext: str = ".png", **params) -> bytes:
    flags = []
    if ext in (".jpg", ".jpeg"):
        flags = [cv2.IMWRITE_JPEG_QUALITY, params.get("quality", 80)]
    ok, data = cv2.imencode(ext, img, flags)
    assert ok
    return data.tobytes()
