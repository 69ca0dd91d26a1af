"""The demo profile: a fresh emulated world each start, buyers already waiting, real profiles left alone."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from workstation.demo import DemoRefused, reset_demo_profile, save_accounts, warm_up
from workstation.domain.accounts import ShopAccount
from workstation.domain.platforms import Platform
from workstation.secrets import SecretStore
from workstation.shops.emulator import create_app
from workstation.store import accounts as account_queries
from workstation.store import open_store


def test_a_profile_with_real_accounts_is_refused_and_kept(tmp_path):
    db = open_store(tmp_path / "w.sqlite3")
    account_queries.save_account(db, ShopAccount(Platform.PDD, "1", "真实店铺", "me"))
    db.execute("INSERT INTO drafts VALUES ('pdd', '1', 'c1', '草稿', 0)")
    with pytest.raises(DemoRefused) as caught:
        reset_demo_profile(db)
    assert "真实的店铺账号" in str(caught.value)
    assert db.execute("SELECT text FROM drafts").fetchone()[0] == "草稿"


def test_a_demo_profile_is_cleared_but_keeps_its_accounts_and_settings(tmp_path):
    db = open_store(tmp_path / "w.sqlite3")
    reset_demo_profile(db)  # a new, empty profile becomes a demo profile
    account_queries.save_account(db, ShopAccount(Platform.JD, "9", "演示店", "kf"))
    db.execute("INSERT INTO drafts VALUES ('jd', '9', 'c1', '旧草稿', 0)")
    account_queries.set_setting(db, "sound", "off")
    reset_demo_profile(db)
    assert db.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0
    assert [a.display_name for a in account_queries.list_accounts(db)] == ["演示店"]
    assert account_queries.get_setting(db, "sound") == "off"


def test_warm_up_leaves_buyers_waiting_for_different_lengths_of_time():
    world = create_app(seed=5, buyers_per_minute=0).state.emulator
    started = warm_up(world, minutes=8, per_shop=3, seed=5)
    assert started == 3 * len(world.shops)
    now = world.now()
    waits = []
    for shop in world.shops.values():
        for event in shop.events:
            if event.get("sender") == "buyer":
                waits.append(now - event["sent_at"])
    assert waits, "the backlog produced no buyer messages"
    assert all(timedelta(0) <= wait <= timedelta(minutes=8, seconds=30) for wait in waits)
    assert min(waits) < timedelta(minutes=1) and max(waits) > timedelta(minutes=3)


def test_emulator_accounts_become_shop_accounts_with_secrets_in_the_keyring(services):
    entries = [{
        "platform": "kuaishou", "shop_id": "42", "shop_name": "暖居家纺", "app_key": "ks1", "app_secret": "s3cr3t",
        "login": "暖居:客服01", "password": "pw", "gateway": "http://127.0.0.1:1/kuaishou/openapi", "sign_secret": "sig",
    }]

    async def scenario():
        await services.store.open()
        first = await save_accounts(services, entries)
        again = await save_accounts(services, entries)  # a second start updates, never duplicates
        return first, again, await services.accounts.list()

    first, again, listed = asyncio.run(scenario())
    assert first[0].id == again[0].id and len(listed) == 1
    assert listed[0].extra == {"gateway": "http://127.0.0.1:1/kuaishou/openapi", "app_key": "ks1", "approval": "password"}
    store = SecretStore()
    assert store.get(listed[0].key, "sign_secret") == "sig" and store.get(listed[0].key, "app_secret") == "s3cr3t"
