"""QR codes in images: any QR code blocks, decodable or not.

zxing-cpp looks first (rotated, inverted, and — with return_errors — codes it can find but not
read, such as logo-covered ones); OpenCV's QR detector gives a second opinion on the finder
patterns. Large images are downscaled first. Blocking: callers run it off the Qt thread.
"""

from __future__ import annotations

import io
import logging
import warnings

import cv2
import numpy as np
import zxingcpp

from workstation.domain.verdict import PASS, Action, Category, Hit, Verdict

log = logging.getLogger(__name__)

MAX_SIDE = 1600          # longer side after downscaling; a 1600×1000 screenshot is read as is
MAX_PIXELS = 60_000_000  # refuse decompression bombs rather than stall the worker
SECOND_OPINION_SIDE = 800  # OpenCV's detector is the slow one; it looks at a smaller copy
_FORMATS = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.MicroQRCode, zxingcpp.BarcodeFormat.RMQRCode)

QR_REASON = "图片里有二维码，平台禁止发送二维码（截图里的也不行），请换一张没有二维码的图片。"
TOO_LARGE_REASON = "图片尺寸太大，无法检查其中有没有二维码，没有发送；请缩小后再发。"
UNREADABLE_REASON = "无法识别这张图片，不能确认其中没有二维码，所以没有发送；请另存为 PNG 或 JPG 后再试。"


def _block(rule: str, reason: str, category: Category = Category.QR) -> Verdict:
    return Verdict(Action.BLOCK, (Hit(category, rule, 0, 0, "", reason),))


def _opaque(data: bytes) -> bool:
    """True for JPEGs and PNGs without transparency: they can be decoded straight to gray."""
    if data[:3] == b"\xff\xd8\xff":
        return True
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 25:
        header = data[:max(data.find(b"IDAT"), 0)]
        return data[25] in (0, 2, 3) and b"tRNS" not in header
    return False


def _too_large(data: bytes) -> bool:
    """Read only the header: a decompression bomb is refused before any pixel is decoded."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we judge the size ourselves
            with Image.open(io.BytesIO(data)) as pil:
                width, height = pil.size
    except Image.DecompressionBombError:
        return True
    except Exception:
        return False  # not a format Pillow knows; OpenCV may still read it, under its own limits
    return width * height > MAX_PIXELS


def _decode(data: bytes) -> np.ndarray | None:
    """Grayscale pixels, transparent areas on white (a QR on a transparent PNG must stay dark-on-light)."""
    buffer = np.frombuffer(data, np.uint8)
    if _opaque(data):  # decoding straight to gray skips a colour pass on the common screenshot
        gray = cv2.imdecode(buffer, cv2.IMREAD_GRAYSCALE)
        if gray is not None:
            return gray
    image = cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED)
    if image is None:
        try:
            from PIL import Image

            with Image.open(io.BytesIO(data)) as pil:
                image = np.array(pil.convert("RGBA"))[:, :, [2, 1, 0, 3]]
        except Exception:
            return None
    if image.dtype != np.uint8:
        image = cv2.convertScaleAbs(image, alpha=255.0 / max(1, int(image.max())))
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        alpha = image[:, :, 3:4].astype(np.float32) / 255.0
        rgb = image[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        image = rgb.astype(np.uint8)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _downscale(gray: np.ndarray, limit: int = MAX_SIDE) -> np.ndarray:
    h, w = gray.shape[:2]
    side = max(h, w)
    if side <= limit:
        return gray
    scale = limit / side
    return cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def find_qr(gray: np.ndarray) -> str | None:
    """The rule that found a QR code in a grayscale image, or None."""
    found = zxingcpp.read_barcodes(gray, formats=_FORMATS, try_rotate=True, try_invert=True,
                                   try_downscale=True, return_errors=True)
    if found:
        return "qr.decoded" if any(b.valid for b in found) else "qr.damaged"
    # The ArUco-based detector is several times faster than the classic one at the same recall.
    detector = cv2.QRCodeDetectorAruco() if hasattr(cv2, "QRCodeDetectorAruco") else cv2.QRCodeDetector()
    small = _downscale(gray, SECOND_OPINION_SIDE)
    for candidate in (small, 255 - small):
        ok, points = detector.detect(candidate)
        if ok and points is not None and _plausible(points):
            return "qr.detected"
    return None


def _plausible(points: np.ndarray) -> bool:
    """OpenCV reports a quadrilateral; a QR code's is roughly square and not tiny."""
    quad = points.reshape(-1, 2).astype(np.float32)
    if quad.shape[0] != 4:
        return False
    sides = [float(np.linalg.norm(quad[i] - quad[(i + 1) % 4])) for i in range(4)]
    return min(sides) >= 12 and max(sides) / max(min(sides), 1e-6) <= 1.6


def check_image(data: bytes) -> Verdict:
    """Block any image with a QR code, and any image that cannot be read (fail closed)."""
    if not data:
        return _block("image.empty", UNREADABLE_REASON, Category.UNCHECKABLE)
    data = bytes(data)
    if _too_large(data):
        return _block("image.too_large", TOO_LARGE_REASON, Category.UNCHECKABLE)
    gray = _decode(data)
    if gray is None or gray.size == 0 or gray.size > MAX_PIXELS:
        return _block("image.unreadable", UNREADABLE_REASON, Category.UNCHECKABLE)
    rule = find_qr(_downscale(gray))
    if rule:
        return _block(rule, QR_REASON)
    return PASS
