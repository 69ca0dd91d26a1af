"""京东 JOS router (`/jd/routerjson`), JOS-style push and the OAuth endpoints.

Published: `routerjson`, `360buy_param_json`, MD5 signing, the `error_response`
shape (`code`, `zh_desc`, `en_desc`), the `…_responce` success key, OAuth at
`/oauth2/to_login`, `/oauth2/access_token`, `/oauth2/refresh_token`,
`jingdong.pop.order.search` / `jingdong.pop.order.get`. Modelled: every
`jingdong.im.cs.*` method (JD's 咚咚 chat has no open API) and the receiver call.
"""

from __future__ import annotations

import json
from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from workstation.domain.platforms import Platform
from workstation.shops import signing
from workstation.shops.emulator.gateway import Call, Gateway, cst_text, yuan
from workstation.shops.emulator.world import OpError, Shop

ERRORS = {  # kind -> (code, zh_desc, en_desc)
    "missing_param": ("9", "缺少必填参数", "missing required parameter"),
    "invalid_param": ("10", "参数错误", "invalid parameter"),
    "unknown_method": ("8", "方法不存在", "method not found"),
    "bad_app_key": ("18", "app_key无效", "invalid app_key"),
    "bad_signature": ("12", "签名无效", "invalid signature"),
    "bad_timestamp": ("13", "时间戳误差超过10分钟", "timestamp out of range"),
    "invalid_token": ("19", "access_token无效", "invalid access_token"),
    "expired_token": ("19", "access_token已过期", "access_token expired"),
    "rate_limited": ("74", "调用次数超过限制", "call frequency limited"),
}
ORDER_STATUS = {
    "unpaid": "WAIT_PAY", "to_ship": "WAIT_SELLER_STOCK_OUT", "shipped": "WAIT_GOODS_RECEIVE_CONFIRM",
    "received": "FINISHED_L", "refunding": "LOCKED", "closed": "TRADE_CANCELED",
}
SYSTEM = ("method", "app_key", "access_token", "timestamp", "v", "sign", "360buy_param_json", "format")


def parse_jd_time(text: str) -> datetime | None:
    for fmt in ("%Y-%m-%d %H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S%z"):
        try:
            return datetime.strptime(text, fmt)
        except (TypeError, ValueError):
            continue
    return None


class JdGateway(Gateway):
    platform = Platform.JD
    prefix = "/jd"
    api_path = "/routerjson"
    ws_path = "/jos/ws"
    camel_case = True
    methods = {
        "jingdong.im.cs.message.history": "chat.history",      # modelled
        "jingdong.im.cs.message.send": "chat.send",            # modelled
        "jingdong.im.cs.message.query": "chat.find",           # modelled
        "jingdong.im.cs.conversation.read": "chat.read",       # modelled
        "jingdong.im.cs.conversation.transfer": "chat.transfer",  # modelled
        "jingdong.pop.order.search": "order.list",             # published; buyer filter modelled
        "jingdong.pop.order.get": "order.get",
        "jingdong.pop.order.receiver.get": "order.contact",    # modelled
        "jingdong.im.cs.coupon.list": "coupon.list",           # modelled
        "jingdong.im.cs.coupon.send": "coupon.send",           # modelled
        "jingdong.im.cs.coupon.query": "coupon.find",          # modelled
        "jingdong.im.cs.rating.invite": "rating.invite",       # modelled
        "jingdong.im.cs.buyer.remark.set": "buyer.remark",     # modelled
        "jingdong.ware.read.searchWare4Valid": "product.list",
    }

    def _call(self, fields: dict) -> Call:
        return self.json_param_call(fields, required=("method", "app_key", "timestamp", "sign", "v"),
                                    param="360buy_param_json", app_key="app_key", missing="系统参数")

    def verify(self, call: Call, app: Shop) -> None:
        expected = signing.jd_sign(call.system, app.app_secret)
        if not signing.constant_time_equal(expected, call.system.get("sign", "")):
            raise OpError("bad_signature", "签名无效")
        self.check_skew(parse_jd_time(call.system.get("timestamp", "")))

    def success(self, call: Call, result: dict) -> dict:
        name = call.method.replace(".", "_") + "_responce"  # sic: JOS spells it "responce"
        return {name: {"code": "0", "result": result}}

    def error_body(self, call: Call | None, err: OpError) -> dict:
        code, zh, en = ERRORS.get(err.kind, ("66", "业务处理失败", f"business error: {err.kind}"))
        return {"error_response": {"code": code, "zh_desc": f"{zh}：{err.message}" if err.message != zh else zh,
                                   "en_desc": en}}

    def time_out(self, moment):
        return cst_text(moment)

    def render_order(self, order: dict) -> dict:
        return {
            "orderId": order["order_id"], "pin": order["buyer_id"], "orderState": ORDER_STATUS[order["status"]],
            "orderPayment": yuan(order["amount_fen"]), "orderStartTime": cst_text(order["created_at"]),
            "itemInfoList": [{"skuId": i["product_id"], "skuName": i["title"], "itemTotal": str(i["quantity"]),
                              "jdPrice": yuan(i["price_fen"]), "skuPropertiesName": i["sku"]} for i in order["items"]],
            "consigneeInfo": {"fullname": order["receiver"][0] + "**",
                              "mobile": order["phone"][:3] + "****" + order["phone"][-4:],
                              "fullAddress": order["address_masked"]},
            "logisticsCompany": order["carrier"], "waybill": order["tracking_no"],
            "traceList": [{"opeTime": cst_text(t["at"]), "opeRemark": t["text"]} for t in order["logistics"]],
        }

    def ws_frame(self, event: dict) -> dict:
        return {"msgId": str(event["seq"]), "topic": f"jd_im_cs_{event['kind']}", "venderId": event["shop_id"],
                "body": json.dumps(self.render_event(event), ensure_ascii=False)}

    # ---- OAuth token endpoints (open-oauth.jd.com style) ---------------------------------

    async def oauth_token(self, request: Request) -> Response:
        try:
            fields, app = await self.token_client(request, "app_key")
            grant_type = fields.get("grant_type")
            if grant_type == "authorization_code":
                shop = self.world.redeem_code(app, fields.get("code", ""))
                tokens = self.world.issue_tokens(shop)
            elif grant_type == "refresh_token":
                tokens = self.world.refresh_tokens(app, fields.get("refresh_token", ""), rotate=False)
            else:
                raise OpError("invalid_param", "grant_type 错误")
        except OpError as err:
            return JSONResponse({"code": 402 if err.kind in ("invalid_code", "invalid_refresh") else 401,
                                 "msg": err.message})
        return JSONResponse({"code": 0, "access_token": tokens["access_token"], "expires_in": tokens["expires_in"],
                             "refresh_token": tokens["refresh_token"],
                             "refresh_expires_in": tokens["refresh_expires_in"], "scope": "snsapi_base",
                             "open_id": tokens["shop_id"], "uid": tokens["shop_id"],
                             "time": int(self.world.now().timestamp() * 1000), "token_type": "bearer"})
