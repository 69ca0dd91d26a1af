"""The emulator on real loopback: uvicorn in a thread, the accounts command, a connector over TCP."""

from __future__ import annotations

import argparse
import asyncio
import json

import pytest

from workstation.shops.base import Outgoing
from workstation.shops.emulator_cli import add_arguments, run, start_emulator_in_thread
from workstation.shops.registry import connector_for, credentials_from_account

KEYS = {"platform", "shop_id", "shop_name", "app_key", "app_secret", "login", "password", "gateway"}


@pytest.fixture(scope="module")
def emulator():
    handle = start_emulator_in_thread(seed=4, port=0, buyers_per_minute=0)
    yield handle
    handle.stop()


def test_accounts_cover_five_platforms_with_their_gateways(emulator):
    accounts = emulator.accounts()
    assert len(accounts) >= 10
    assert {a["platform"] for a in accounts} == {"pdd", "taobao", "douyin", "kuaishou", "jd"}
    for account in accounts:
        expected = KEYS | ({"sign_secret"} if account["platform"] == "kuaishou" else set())
        assert set(account) == expected
        assert account["gateway"].startswith(emulator.base_url + "/")


def test_accounts_command_prints_one_json_object_per_line(emulator, capsys):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert run(parser.parse_args(["accounts", "--port", str(emulator.port), "--json"])) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [json.loads(line) for line in lines] == emulator.accounts()


def test_accounts_command_explains_when_nothing_listens(capsys):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert run(parser.parse_args(["accounts", "--port", "9", "--json"])) == 1
    assert "没有正在运行的模拟器" in capsys.readouterr().err


@pytest.mark.asyncio
async def test_connector_over_real_loopback_signs_in_receives_push_and_sends(emulator):
    account = next(a for a in emulator.accounts() if a["platform"] == "jd")
    connector = connector_for("jd")
    try:
        await connector.sign_in(credentials_from_account(account))  # OAuth through a real loopback redirect
        page = await connector.catch_up(None)
        stream = connector.events(page.next_cursor)
        conv = emulator.call(emulator.world.inject_buyer_message, account["shop_id"], "这款有优惠吗")
        try:
            event = await asyncio.wait_for(stream.__anext__(), 10)
            while event.message.text != "这款有优惠吗":
                event = await asyncio.wait_for(stream.__anext__(), 10)
        finally:
            await stream.aclose()
        receipt = await connector.send(Outgoing(conv["conversation_id"], conv["buyer_id"], "loop-1", text="有的亲"))
        assert await connector.find_sent(conv["conversation_id"], "loop-1") == receipt
    finally:
        await connector.aclose()


def test_operator_endpoints_inject_throttle_and_list_events(emulator):
    import httpx

    shop_id = emulator.accounts()[0]["shop_id"]
    conv = httpx.post(f"{emulator.base_url}/emulator/inject", json={"shop_id": shop_id, "text": "有货吗"}).json()
    assert conv["conversation_id"]
    events = httpx.get(f"{emulator.base_url}/emulator/shops/{shop_id}/events").json()
    assert events[-1]["text"] == "有货吗" and events[-1]["sent_at"].endswith("+00:00")
    assert httpx.post(f"{emulator.base_url}/emulator/throttle", json={"shop_id": shop_id, "seconds": 1}).json()["ok"]
    assert httpx.post(f"{emulator.base_url}/emulator/inject", json={"shop_id": "nope"}).status_code == 404
    assert httpx.post(f"{emulator.base_url}/emulator/revoke", content=b"not json").status_code == 400
    assert httpx.get(f"{emulator.base_url}/emulator/stats").json()["shops"] >= 10
