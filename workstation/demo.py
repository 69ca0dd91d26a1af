"""`--demo`: a ready set of shop accounts on every platform, so a newcomer sees a working product at once."""

from __future__ import annotations

import logging

from workstation.domain.accounts import SHOP_COLOURS, ShopAccount
from workstation.domain.platforms import Platform

log = logging.getLogger(__name__)

# Used until the platform emulator supplies its own seeded accounts.
DEMO_ACCOUNTS = (
    {"platform": "pdd", "shop_id": "pdd-1001", "shop_name": "拼多多·鲜果园", "login": "鲜果园:小王", "password": "demo-pdd-1"},
    {"platform": "pdd", "shop_id": "pdd-1002", "shop_name": "拼多多·萌宠屋", "login": "萌宠屋:小李", "password": "demo-pdd-2"},
    {"platform": "taobao", "shop_id": "tb-2001", "shop_name": "淘宝·云裳女装", "login": "云裳女装:客服1", "password": "demo-tb-1"},
    {"platform": "taobao", "shop_id": "tb-2002", "shop_name": "天猫·极客数码旗舰店", "login": "极客数码:售前", "password": "demo-tb-2"},
    {"platform": "douyin", "shop_id": "dy-3001", "shop_name": "抖店·山野茶舍", "login": "山野茶舍:阿青", "password": "demo-dy-1"},
    {"platform": "douyin", "shop_id": "dy-3002", "shop_name": "抖店·小鹿童装", "login": "小鹿童装:客服", "password": "demo-dy-2"},
    {"platform": "kuaishou", "shop_id": "ks-4001", "shop_name": "快手·老铁家居", "login": "老铁家居:小张", "password": "demo-ks-1"},
    {"platform": "kuaishou", "shop_id": "ks-4002", "shop_name": "快手·东北特产", "login": "东北特产:阿美", "password": "demo-ks-2"},
    {"platform": "jd", "shop_id": "jd-5001", "shop_name": "京东·好家电自营", "login": "好家电:售后", "password": "demo-jd-1"},
    {"platform": "jd", "shop_id": "jd-5002", "shop_name": "京东·书香阁", "login": "书香阁:客服", "password": "demo-jd-2"},
)

_SECRET_FIELDS = ("password", "app_secret", "sign_secret")


async def seed_demo_accounts(services, accounts=DEMO_ACCOUNTS) -> list[ShopAccount]:
    """Make sure every demo account exists and its (throwaway) secrets are in the keyring."""
    existing = {(a.platform.value, a.shop_id, a.login): a for a in await services.accounts.list()}
    saved = []
    for index, entry in enumerate(accounts):
        extra = {key: entry[key] for key in ("gateway", "app_key") if entry.get(key)}
        current = existing.get((entry["platform"], entry["shop_id"], entry["login"]))
        account = ShopAccount(
            id=current.id if current else None,
            platform=Platform(entry["platform"]),
            shop_id=entry["shop_id"],
            display_name=entry["shop_name"],
            login=entry["login"],
            colour=current.colour if current else SHOP_COLOURS[index % len(SHOP_COLOURS)],
            enabled=current.enabled if current else True,
            extra={**(current.extra if current else {}), **extra},
        )
        secrets = {kind: entry[kind] for kind in _SECRET_FIELDS if entry.get(kind)}
        saved.append(await services.accounts.save(account, secrets))
    log.info("demo: %d accounts ready", len(saved))
    return saved
