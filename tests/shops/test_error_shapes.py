"""Every gateway answers each failure in its platform's own error shape, checks in the real order."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from tests.helpers.emulator import mounted_emulator
from workstation.shops.emulator.world import TOKEN_TTL
from workstation.domain.platforms import Platform

# platform -> (error body path, keys, {failure: expected code})
SHAPES = {
    "pdd": (("error_response",), {"error_code", "error_msg", "sub_code", "sub_msg", "request_id"}, "error_code",
            {"signature": 10013, "invalid_token": 10019, "expired_token": 10019, "rate": 70031, "missing": 10000,
             "app_key": 10011, "timestamp": 10016}),
    "taobao": (("error_response",), {"code", "msg", "sub_code", "sub_msg", "request_id"}, "code",
               {"signature": 25, "invalid_token": 27, "expired_token": 27, "rate": 7, "missing": 40, "app_key": 29,
                "timestamp": 31}),
    "jd": (("error_response",), {"code", "zh_desc", "en_desc"}, "code",
           {"signature": "12", "invalid_token": "19", "expired_token": "19", "rate": "74", "missing": "9",
            "app_key": "18", "timestamp": "13"}),
    "douyin": ((), {"code", "msg", "sub_code", "sub_msg", "log_id", "data"}, "code",
               {"signature": 30002, "invalid_token": 30004, "expired_token": 30005, "rate": 90000, "missing": 40001,
                "app_key": 30001, "timestamp": 30003}),
    "kuaishou": ((), {"result", "error_msg", "code", "requestId"}, "result",
                 {"signature": 25, "invalid_token": 24, "expired_token": 28, "rate": 35, "missing": 20,
                  "app_key": 23, "timestamp": 26}),
}


def _signed_fields(kwargs: dict) -> dict:
    return kwargs["params"] if "sign" in kwargs.get("params", {}) else kwargs["data"]


async def _raw(env, connector, operation: str, params: dict, token: str, tamper=None) -> tuple[int, dict]:
    kwargs = connector._request(connector.operations[operation], params, token)
    if tamper is not None:
        tamper(_signed_fields(kwargs))
    client = httpx.AsyncClient(transport=env.transport)
    response = await client.request("POST", **kwargs)
    return response.status_code, response.json()


def _error(platform: str, body: dict) -> dict:
    path, keys, _, _ = SHAPES[platform]
    for part in path:
        body = body[part]
    assert set(body) == keys, body
    return body


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", list(SHAPES))
async def test_error_shapes_and_codes(platform):
    _, _, code_field, codes = SHAPES[platform]
    async with mounted_emulator(seed=31) as env:
        connector = await env.signed_in(platform)
        token = connector.tokens.access_token
        shop_id = env.account(platform)["shop_id"]

        def sign_broken(fields):
            fields["sign"] = "0" * len(fields["sign"])

        def app_key_unknown(fields):
            fields["appkey" if "appkey" in fields else "client_id" if "client_id" in fields else "app_key"] = "nobody"

        cases = {
            "signature": dict(tamper=sign_broken),
            "invalid_token": dict(token="not-a-token"),
            "missing": dict(params={}),
            "app_key": dict(tamper=app_key_unknown),
        }
        for failure, case in cases.items():
            status, body = await _raw(env, connector, "chat.history" if failure != "missing" else "chat.send",
                                      case.get("params", {"cursor": "0"}), case.get("token", token), case.get("tamper"))
            assert status == 200
            assert _error(platform, body)[code_field] == codes[failure], (failure, body)

        # Signature is checked before the token, as the real gateways do.
        status, body = await _raw(env, connector, "chat.history", {}, "not-a-token", sign_broken)
        assert _error(platform, body)[code_field] == codes["signature"]

        # A clock 11 minutes off is refused whatever else is right.
        skewed = env.connector(platform, shared_clock=False)
        skewed._clock = lambda: env.world.now() - timedelta(minutes=11)
        skewed.use_credentials(connector.credentials)
        status, body = await _raw(env, skewed, "chat.history", {}, token)
        assert _error(platform, body)[code_field] == codes["timestamp"]

        env.world.throttle(shop_id, 120)
        status, body = await _raw(env, connector, "chat.history", {}, token)
        error = _error(platform, body)
        assert error[code_field] == codes["rate"]
        if platform == "taobao":
            assert "This ban will last 120 more seconds" == error["sub_msg"]
        env.world.shops[shop_id].throttled_until = None

        env.world.tick(TOKEN_TTL[Platform(platform)][0].total_seconds() + 60)
        status, body = await _raw(env, connector, "chat.history", {}, token)
        assert _error(platform, body)[code_field] == codes["expired_token"]


@pytest.mark.asyncio
async def test_success_envelopes_follow_each_platform():
    async with mounted_emulator(seed=32) as env:
        for platform, check in {
            "pdd": lambda b: "cs_message_history_get_response" in b,
            "taobao": lambda b: "qianniu_cs_message_history_response" in b,
            "jd": lambda b: b["jingdong_im_cs_message_history_responce"]["code"] == "0",
            "douyin": lambda b: b["code"] == 10000 and b["msg"] == "success" and "nextCursor" not in b["data"],
            "kuaishou": lambda b: b["result"] == 1 and "nextCursor" in b["data"],
        }.items():
            connector = await env.signed_in(platform)
            status, body = await _raw(env, connector, "chat.history", {"cursor": "0"}, connector.tokens.access_token)
            assert status == 200 and check(body), (platform, body)


@pytest.mark.asyncio
async def test_authorize_page_and_single_use_code():
    async with mounted_emulator(seed=33) as env:
        account = env.account("kuaishou")
        client = httpx.AsyncClient(transport=env.transport, base_url="http://emulator.test")
        page = await client.get("/kuaishou/oauth2/authorize", params={"app_id": account["app_key"]})
        assert page.status_code == 200 and "授权" in page.text and "password" in page.text
        query = {"app_id": account["app_key"], "redirect_uri": "http://127.0.0.1:1/cb", "state": "s1"}
        denied = await client.post("/kuaishou/oauth2/authorize", params=query,
                                   data={"login": account["login"], "password": "nope"})
        assert denied.status_code == 401
        foreign = await client.post("/kuaishou/oauth2/authorize", params={**query, "redirect_uri": "https://evil.example/cb"},
                                    data={"login": account["login"], "password": account["password"]})
        assert foreign.status_code == 400
        ok = await client.post("/kuaishou/oauth2/authorize", params=query,
                               data={"login": account["login"], "password": account["password"]})
        assert ok.status_code == 302 and "state=s1" in ok.headers["location"]
        code = httpx.URL(ok.headers["location"]).params["code"]
        exchange = {"app_id": account["app_key"], "app_secret": account["app_secret"], "grant_type": "code", "code": code}
        first = (await client.get("/kuaishou/oauth2/access_token", params=exchange)).json()
        assert first["result"] == 1 and first["refresh_token_expires_in"] == 180 * 86400
        assert first["expires_in"] == 48 * 3600
        second = (await client.get("/kuaishou/oauth2/access_token", params=exchange)).json()
        assert second["result"] != 1 and second["error"] == "invalid_grant"
        # a code older than two minutes is refused
        ok = await client.post("/kuaishou/oauth2/authorize", params=query,
                               data={"login": account["login"], "password": account["password"]})
        env.world.tick(121)
        stale = {**exchange, "code": httpx.URL(ok.headers["location"]).params["code"]}
        assert (await client.get("/kuaishou/oauth2/access_token", params=stale)).json()["result"] != 1


@pytest.mark.asyncio
async def test_unreadable_request_bodies_get_the_platform_error_shape():
    async with mounted_emulator(seed=34) as env:
        client = httpx.AsyncClient(transport=env.transport, base_url="http://emulator.test")
        pdd = await client.post("/pdd/api/router", content=b"{not json", headers={"Content-Type": "application/json"})
        assert pdd.status_code == 200 and pdd.json()["error_response"]["error_code"] == 10000
        douyin = await client.post("/douyin/order/orderDetail", content=b"[1,2",
                                   params={"app_key": "a", "method": "order.orderDetail", "timestamp": "1", "sign": "s", "v": "2"})
        assert douyin.json()["code"] == 40002
