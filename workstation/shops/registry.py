"""Which connector serves which platform: `connector_for(Platform.PDD)`.

`transport` mounts something else under the connector's HTTP client — in tests the
emulator in-process (`httpx_ws.transport.ASGIWebSocketTransport(app)`, which serves
both HTTP and WebSocket); `clock` lets a test share the emulator's clock.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Callable

import httpx

from workstation.domain.platforms import Platform
from workstation.shops.base import Credentials, ShopConnector


_CONNECTORS = {
    Platform.PDD: ("workstation.shops.pdd", "PddConnector"),
    Platform.TAOBAO: ("workstation.shops.taobao", "TaobaoConnector"),
    Platform.DOUYIN: ("workstation.shops.douyin", "DouyinConnector"),
    Platform.KUAISHOU: ("workstation.shops.kuaishou", "KuaishouConnector"),
    Platform.JD: ("workstation.shops.jd", "JdConnector"),
}


def connector_for(platform: Platform | str, *, transport: httpx.AsyncBaseTransport | None = None,
                  clock: Callable[[], datetime] | None = None,
                  credentials: Credentials | None = None) -> ShopConnector:
    platform = Platform.parse(platform) if isinstance(platform, str) else platform
    kwargs: dict = {"transport": transport, "credentials": credentials}
    if clock is not None:
        kwargs["clock"] = clock
    module_name, class_name = _CONNECTORS[platform]
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls(**kwargs)


def credentials_from_account(account: dict) -> Credentials:
    """An emulator account dict (`workstation emulator accounts --json`) as Credentials."""
    return Credentials(gateway=account["gateway"], app_key=account["app_key"], app_secret=account["app_secret"],
                       login=account["login"], password=account.get("password", ""),
                       sign_secret=account.get("sign_secret", ""), shop_id=str(account.get("shop_id", "")),
                       approval=account.get("approval", "password"))
