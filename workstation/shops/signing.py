"""How each platform's open API signs a request, exactly as its published documents describe.

Connectors sign what they send; the emulator recomputes the same signature to verify it.
Every function takes the parameters already as strings (what goes on the wire).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any, Mapping


def _md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


def _sorted_pairs(params: Mapping[str, Any], *, skip_empty: bool = False) -> str:
    """name+value for every parameter but `sign`, sorted by name, no separator."""
    parts = []
    for name in sorted(params):
        if name == "sign":
            continue
        value = params[name]
        if value is None or (skip_empty and value == ""):
            continue
        parts.append(f"{name}{value}")
    return "".join(parts)


# ---- 拼多多 -----------------------------------------------------------------------

def pdd_sign(params: Mapping[str, Any], client_secret: str) -> str:
    """PDD router: secret + sorted name+value pairs + secret, MD5, upper-case hex."""
    return _md5_upper(client_secret + _sorted_pairs(params) + client_secret)


def pdd_ws_sign(client_id: str, timestamp: str, client_secret: str) -> str:
    """PDD message service handshake (path `/message/{client_id}/{timestamp}/{sign}`)."""
    return _md5_upper(client_id + timestamp + client_secret)


# ---- 淘宝 TOP ---------------------------------------------------------------------

TOP_SIGN_METHODS = ("md5", "hmac", "hmac-sha256")


def top_sign(params: Mapping[str, Any], secret: str, sign_method: str | None = None) -> str:
    """TOP: sorted pairs (empty values skipped); md5 wraps them in the secret, hmac* key by it."""
    method = (sign_method or params.get("sign_method") or "md5").lower()
    pairs = _sorted_pairs(params, skip_empty=True)
    if method == "md5":
        return _md5_upper(secret + pairs + secret)
    if method == "hmac":
        return hmac.new(secret.encode(), pairs.encode("utf-8"), hashlib.md5).hexdigest().upper()
    if method == "hmac-sha256":
        return hmac.new(secret.encode(), pairs.encode("utf-8"), hashlib.sha256).hexdigest().upper()
    raise ValueError(f"unknown TOP sign_method {method!r}")


# ---- 京东 JOS ---------------------------------------------------------------------

JD_SIGNED = ("360buy_param_json", "access_token", "app_key", "method", "timestamp", "v")


def jd_sign(params: Mapping[str, Any], app_secret: str) -> str:
    """JOS: the six system parameters sorted, name+value, secret at both ends, MD5 upper hex."""
    signed = {k: params[k] for k in JD_SIGNED if k in params and params[k] is not None}
    return _md5_upper(app_secret + _sorted_pairs(signed) + app_secret)


# ---- 抖店 -------------------------------------------------------------------------

def douyin_method(path: str) -> str:
    """`/order/orderDetail` → `order.orderDetail`."""
    return path.strip("/").replace("/", ".")


def douyin_param_json(params: Mapping[str, Any]) -> str:
    """Business parameters as 抖店 signs them: keys sorted, no spaces, UTF-8 kept."""
    return json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def douyin_sign(app_key: str, method: str, param_json: str, timestamp: str, app_secret: str, v: str = "2") -> str:
    """Fixed order, app_secret at both ends, HMAC-SHA256 keyed by app_secret, lower hex.

    `access_token` and `sign_method` are not part of the signed string.
    """
    body = f"{app_secret}app_key{app_key}method{method}param_json{param_json}timestamp{timestamp}v{v}{app_secret}"
    return hmac.new(app_secret.encode(), body.encode("utf-8"), hashlib.sha256).hexdigest()


# ---- 快手 -------------------------------------------------------------------------

KUAISHOU_SIGNED = ("access_token", "appkey", "method", "param", "signMethod", "timestamp", "version")


def kuaishou_sign(params: Mapping[str, Any], sign_secret: str, sign_method: str | None = None) -> str:
    """Sorted k=v joined by &, then &signSecret=…; MD5 lower hex or HMAC_SHA256 → Base64."""
    method = (sign_method or params.get("signMethod") or "MD5").upper()
    signed = {k: params[k] for k in KUAISHOU_SIGNED if k in params and params[k] is not None}
    text = "&".join(f"{k}={signed[k]}" for k in sorted(signed)) + f"&signSecret={sign_secret}"
    if method == "MD5":
        return hashlib.md5(text.encode("utf-8")).hexdigest()
    if method == "HMAC_SHA256":
        digest = hmac.new(sign_secret.encode(), text.encode("utf-8"), hashlib.sha256).digest()
        return base64.b64encode(digest).decode("ascii")
    raise ValueError(f"unknown Kuaishou signMethod {method!r}")


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
