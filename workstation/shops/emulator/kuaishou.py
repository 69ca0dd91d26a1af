"""快手 open API (`/kuaishou/openapi/{method with . → /}`), push and OAuth.

Published: system parameters (`appkey`, `access_token`, `method`, `param`,
`signMethod`, `timestamp` in ms, `version=1`), signing with the separate
signSecret, `{"result": 1, …}` success, OAuth code (2 minutes, single use),
access 48 h / refresh 180 days rotated on refresh, `open.seller.order.pcursor.list`,
`open.order.detail`, `open.item.list.get`. Modelled: every `open.cs.*` method
(快手's CS send is open to one closed category only), the decrypt call, the push.
"""

from __future__ import annotations

import json
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from workstation.domain.platforms import Platform
from workstation.shops import signing
from workstation.shops.emulator.gateway import Call, Gateway, from_unix, read_form
from workstation.shops.emulator.world import OpError, Shop

ERRORS = {  # kind -> (result, error_msg)
    "missing_param": (20, "缺少必要参数"),
    "invalid_param": (21, "参数不合法"),
    "unknown_method": (22, "API不存在"),
    "bad_app_key": (23, "appkey不存在"),
    "bad_signature": (25, "签名校验失败"),
    "bad_timestamp": (26, "timestamp已过期"),
    "invalid_token": (24, "access_token无效"),
    "expired_token": (28, "access_token已过期"),
    "rate_limited": (35, "调用频率超过限制"),
}
ORDER_STATUS = {"unpaid": 10, "to_ship": 30, "shipped": 40, "received": 70, "refunding": 40, "closed": 80}


class KuaishouGateway(Gateway):
    platform = Platform.KUAISHOU
    prefix = "/kuaishou"
    api_path = "/openapi/{method_path:path}"
    ws_path = "/openapi-ws/message"
    camel_case = True
    methods = {
        "open.cs.message.history": "chat.history",          # modelled
        "open.cs.message.send": "chat.send",                # modelled
        "open.cs.message.query": "chat.find",               # modelled
        "open.cs.conversation.read": "chat.read",           # modelled
        "open.cs.conversation.transfer": "chat.transfer",   # modelled
        "open.seller.order.pcursor.list": "order.list",     # published; buyer filter modelled
        "open.order.detail": "order.get",
        "open.order.decrypt": "order.contact",              # modelled
        "open.cs.coupon.list": "coupon.list",               # modelled
        "open.cs.coupon.send": "coupon.send",               # modelled
        "open.cs.coupon.query": "coupon.find",              # modelled
        "open.cs.rating.invite": "rating.invite",           # modelled
        "open.cs.buyer.remark": "buyer.remark",             # modelled
        "open.item.list.get": "product.list",
    }

    async def parse(self, request: Request) -> Call:
        fields = dict(request.query_params)
        if request.method == "POST":
            fields.update(await read_form(request))
        path_method = request.path_params.get("method_path", "").strip("/").replace("/", ".")
        if fields.get("method") and fields["method"] != path_method:
            raise OpError("invalid_param", "method 与请求路径不一致")
        return self._call(fields)

    def _call(self, fields: dict) -> Call:
        required = ("appkey", "method", "timestamp", "sign", "version", "signMethod")
        return self.json_param_call(fields, required=required, param="param", app_key="appkey")

    def verify(self, call: Call, app: Shop) -> None:
        method = call.system.get("signMethod", "MD5").upper()
        if method not in ("MD5", "HMAC_SHA256"):
            raise OpError("invalid_param", f"不支持的 signMethod {method}")
        expected = signing.kuaishou_sign(call.system, app.sign_secret, method)
        if not signing.constant_time_equal(expected, call.system.get("sign", "")):
            raise OpError("bad_signature", "签名校验失败")
        self.check_skew(from_unix(call.system.get("timestamp"), millis=True))

    def success(self, call: Call, result: dict) -> dict:
        return {"result": 1, "data": result, "requestId": uuid.uuid4().hex}

    def error_body(self, call: Call | None, err: OpError) -> dict:
        result, msg = ERRORS.get(err.kind, (802000, "业务处理失败"))
        return {"result": result, "error_msg": f"{msg}：{err.message}", "code": err.kind.upper(),
                "requestId": uuid.uuid4().hex}

    def time_out(self, moment):
        return int(moment.timestamp() * 1000)

    def render_order(self, order: dict) -> dict:
        return {
            "oid": order["order_id"], "buyerOpenId": order["buyer_id"], "status": ORDER_STATUS[order["status"]],
            "refundStatus": 1 if order["status"] == "refunding" else 0,
            "totalFee": order["amount_fen"], "createTime": int(order["created_at"].timestamp() * 1000),
            "orderItemInfo": [{"itemId": i["product_id"], "itemTitle": i["title"], "num": i["quantity"],
                               "price": i["price_fen"], "skuDesc": i["sku"], "itemPicUrl": i["image_url"]}
                              for i in order["items"]],
            "orderAddress": {"consignee": order["receiver"][0] + "*" * (len(order["receiver"]) - 1),
                             "mobile": order["phone"][:3] + "****" + order["phone"][-4:],
                             "address": order["address_masked"]},
            "logisticsInfo": {"expressCompany": order["carrier"], "expressNo": order["tracking_no"],
                              "trace": [{"time": int(t["at"].timestamp() * 1000), "desc": t["text"]}
                                        for t in order["logistics"]]},
        }

    def ws_frame(self, event: dict) -> dict:
        return {"eventId": str(event["seq"]), "event": f"kwaishop_cs_{event['kind']}", "bizId": event["shop_id"],
                "createTime": int(event["sent_at"].timestamp() * 1000),
                "info": json.dumps(self.render_event(event), ensure_ascii=False)}

    # ---- OAuth (open.kuaishou.com/oauth2 style) ------------------------------------------

    async def oauth_token(self, request: Request) -> Response:
        try:
            fields, app = await self.token_client(request, "app_id")
            grant_type = fields.get("grant_type")
            if grant_type == "code":
                tokens = self.world.issue_tokens(self.world.redeem_code(app, fields.get("code", "")))
            elif grant_type == "refresh_token":
                # Every refresh returns a new refresh token and voids the old one.
                tokens = self.world.refresh_tokens(app, fields.get("refresh_token", ""), rotate=True)
            else:
                raise OpError("invalid_param", "grant_type 错误")
        except OpError as err:
            return JSONResponse({"result": 100200101 if err.kind != "bad_app_key" else 100200100,
                                 "error": "invalid_grant" if err.kind != "bad_app_key" else "invalid_client",
                                 "error_msg": err.message})
        return JSONResponse({"result": 1, "access_token": tokens["access_token"], "expires_in": tokens["expires_in"],
                             "refresh_token": tokens["refresh_token"],
                             "refresh_token_expires_in": tokens["refresh_expires_in"],
                             "open_id": tokens["shop_id"], "scopes": ["merchant_order", "merchant_cs"]})
