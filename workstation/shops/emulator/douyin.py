"""抖店 open API (`/douyin/{method path}`), push and token endpoints.

Published: method = URL path with `/` → `.`, system parameters in the query,
`param_json` as the body, HMAC-SHA256 signing, `/token/create` and `/token/refresh`
(access 7 days, refresh 14), `{code, msg, sub_code, sub_msg, log_id, data}` with
code 10000 for success, `/order/searchList`, `/order/orderDetail`,
`/order/batchDecrypt`, `/product/listV2`. Modelled: every `/im/*` method (抖店
飞鸽 chat has no open API), the sub-account login fields of `authorization_self`,
and the WebSocket push (抖店 pushes by HTTP callback).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from starlette.requests import Request

from workstation.domain.platforms import Platform
from workstation.shops import signing
from workstation.shops.emulator.gateway import Call, Gateway, from_unix, parse_cst
from workstation.shops.emulator.world import OpError, Shop

ERRORS = {  # kind -> (code, msg, sub_code)
    "missing_param": (40001, "缺少必选参数", "isv.parameter-missing"),
    "invalid_param": (40002, "非法的参数", "isv.parameter-invalid"),
    "unknown_method": (40003, "方法不存在", "isv.method-not-exist"),
    "bad_app_key": (30001, "app_key不存在", "isv.app-key-not-exist"),
    "bad_signature": (30002, "签名校验失败", "isv.sign-invalid"),
    "bad_timestamp": (30003, "请求已过期", "isv.timestamp-expired"),
    "invalid_token": (30004, "access_token无效", "isv.access-token-no-existed"),
    "expired_token": (30005, "access_token已过期", "isv.access-token-expired"),
    "invalid_refresh": (30006, "refresh_token无效或已过期", "isv.refresh-token-invalid"),
    "bad_login": (30007, "子账号或密码错误", "isv.sub-account-invalid"),
    "rate_limited": (90000, "请求过于频繁", "isp.rate-limited"),
}
ORDER_STATUS = {"unpaid": 1, "to_ship": 2, "shipped": 3, "closed": 4, "received": 5, "refunding": 3}


def parse_douyin_time(text: str) -> datetime | None:
    if text.isdigit():
        return from_unix(text)
    return parse_cst(text)


class DouyinGateway(Gateway):
    platform = Platform.DOUYIN
    prefix = "/douyin"
    api_path = "/{method_path:path}"
    methods = {
        "token.create": "token.create",
        "token.refresh": "token.refresh",
        "im.message.history": "chat.history",          # modelled
        "im.message.send": "chat.send",                # modelled
        "im.message.query": "chat.find",               # modelled
        "im.conversation.read": "chat.read",           # modelled
        "im.conversation.transfer": "chat.transfer",   # modelled
        "order.searchList": "order.list",              # published; buyer filter modelled
        "order.orderDetail": "order.get",
        "order.batchDecrypt": "order.contact",         # published name; single form modelled
        "im.coupon.list": "coupon.list",               # modelled
        "im.coupon.send": "coupon.send",               # modelled
        "im.coupon.query": "coupon.find",              # modelled
        "im.rating.invite": "rating.invite",           # modelled
        "im.buyer.remark": "buyer.remark",             # modelled
        "product.listV2": "product.list",
    }

    async def parse(self, request: Request) -> Call:
        fields = dict(request.query_params)
        body = (await request.body()).decode("utf-8")
        fields["param_json"] = body or fields.get("param_json", "{}")
        path_method = signing.douyin_method(request.path_params.get("method_path", ""))
        if fields.get("method") and fields["method"] != path_method:
            raise OpError("invalid_param", "method 与请求路径不一致")
        return self._call(fields)

    def parse_query(self, query: dict) -> Call:
        return self._call(dict(query, param_json=query.get("param_json", "{}")))

    def _call(self, fields: dict) -> Call:
        return self.json_param_call(fields, required=("app_key", "method", "timestamp", "sign", "v"),
                                    param="param_json", app_key="app_key")

    def verify(self, call: Call, app: Shop) -> None:
        s = call.system
        expected = signing.douyin_sign(app.app_key, s["method"], s["param_json"], s["timestamp"], app.app_secret,
                                       s.get("v", "2"))
        if not signing.constant_time_equal(expected, s.get("sign", "")):
            raise OpError("bad_signature", "签名校验失败")
        self.check_skew(parse_douyin_time(s["timestamp"]))

    def token_create(self, app: Shop, call: Call) -> dict:
        grant = call.params.get("grant_type")
        if grant == "authorization_self":
            # 自用型应用: the shop is the app's own; the sub-account check is modelled.
            if str(call.params.get("shop_id", "")) != app.shop_id:
                raise OpError("invalid_param", "shop_id 与应用不匹配")
            shop = self.world.shop_by_login(call.params.get("login", ""), call.params.get("password", ""))
            if shop is not app:
                raise OpError("bad_login", "子账号不属于该店铺")
            return self.render_tokens(self.world.issue_tokens(shop))
        if grant == "authorization_code":
            return super().token_create(app, call)
        raise OpError("invalid_param", "grant_type 错误")

    def success(self, call: Call, result: dict) -> dict:
        return {"code": 10000, "msg": "success", "sub_code": "", "sub_msg": "", "log_id": uuid.uuid4().hex,
                "data": result}

    def error_body(self, call: Call | None, err: OpError) -> dict:
        code, msg, sub_code = ERRORS.get(err.kind, (50002, "业务处理失败", f"isv.business-failed:{err.kind}"))
        return {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": err.message,
                "log_id": uuid.uuid4().hex, "data": None}

    def render_tokens(self, tokens: dict) -> dict:
        return {"access_token": tokens["access_token"], "expires_in": tokens["expires_in"],
                "refresh_token": tokens["refresh_token"], "scope": "SCOPE", "shop_id": int(tokens["shop_id"]),
                "shop_name": tokens["shop_name"]}

    def render_order(self, order: dict) -> dict:
        return {
            "order_id": order["order_id"], "open_id": order["buyer_id"], "order_status": ORDER_STATUS[order["status"]],
            "after_sale_status": 6 if order["status"] == "refunding" else 0,
            "pay_amount": order["amount_fen"], "create_time": int(order["created_at"].timestamp()),
            "sku_order_list": [{"product_id": i["product_id"], "product_name": i["title"], "item_num": i["quantity"],
                                "origin_amount": i["price_fen"], "spec_desc": i["sku"], "product_pic": i["image_url"]}
                               for i in order["items"]],
            "mask_post_receiver": order["receiver"][0] + "*" * (len(order["receiver"]) - 1),
            "mask_post_tel": order["phone"][:3] + "****" + order["phone"][-4:],
            "mask_post_addr": {"detail": order["address_masked"]},
            "logistics_info": [{"company_name": order["carrier"], "tracking_no": order["tracking_no"],
                                "trace": [{"time": int(t["at"].timestamp()), "content": t["text"]}
                                          for t in order["logistics"]]}] if order["carrier"] else [],
        }

    def ws_frame(self, event: dict) -> dict:
        # 抖店's callbacks carry a list of {tag, msg_id, data}; the push keeps that shape.
        return {"messages": [{"tag": f"im_{event['kind']}", "msg_id": str(event["seq"]),
                              "data": json.dumps(self.render_event(event), ensure_ascii=False)}]}
