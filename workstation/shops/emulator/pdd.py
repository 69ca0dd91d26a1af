"""拼多多 open-platform router (`/pdd/api/router`), its message service and OAuth page.

Published: the router, `type` method names, MD5 signing, `pdd.pop.auth.token.*`,
`pdd.order.list.get` / `pdd.order.information.get`, `pdd.goods.list.get`, the error
envelope and Ack frames of the message service. Modelled (PDD has no chat API):
every `pdd.cs.*` method.
"""

from __future__ import annotations

import json
import uuid

from starlette.requests import Request

from workstation.domain.platforms import Platform
from workstation.shops import signing
from workstation.shops.emulator.gateway import Call, Gateway, cst_text, from_unix, read_form
from workstation.shops.emulator.world import OpError, Shop

ERRORS = {  # kind -> (error_code, error_msg, sub_code)
    "missing_param": (10000, "参数错误", "10000"),
    "invalid_param": (10000, "参数错误", "10001"),
    "unknown_method": (10001, "接口不存在", "10001"),
    "bad_app_key": (10011, "client_id不存在", "10011"),
    "bad_signature": (10013, "签名错误", "10013"),
    "bad_timestamp": (10016, "timestamp已过期", "10016"),
    "invalid_token": (10019, "access_token已过期", "10019"),
    "expired_token": (10019, "access_token已过期", "10019"),
    "invalid_refresh": (10020, "refresh_token已过期或无效", "10020"),
    "invalid_code": (10021, "code无效或已使用", "10021"),
    "rate_limited": (70031, "调用过于频繁，请调整调用频率", "70031"),
}

SYSTEM = ("type", "client_id", "timestamp", "sign", "data_type", "version", "access_token")
ORDER_STATUS = {  # neutral -> (order_status, refund_status); 1 待发货 2 已发货待签收 3 已签收
    "unpaid": (0, 1), "to_ship": (1, 1), "shipped": (2, 1), "received": (3, 1),
    "refunding": (2, 2), "closed": (3, 4),
}


class PddGateway(Gateway):
    platform = Platform.PDD
    prefix = "/pdd"
    api_path = "/api/router"
    has_acks = True
    methods = {
        "pdd.pop.auth.token.create": "token.create",
        "pdd.pop.auth.token.refresh": "token.refresh",
        "pdd.cs.message.history.get": "chat.history",   # modelled
        "pdd.cs.message.send": "chat.send",             # modelled
        "pdd.cs.message.query": "chat.find",            # modelled
        "pdd.cs.conversation.read": "chat.read",        # modelled
        "pdd.cs.conversation.transfer": "chat.transfer",  # modelled
        "pdd.order.list.get": "order.list",             # published name; buyer filter modelled
        "pdd.order.information.get": "order.get",
        "pdd.open.decrypt.batch": "order.contact",      # published name; single-order form modelled
        "pdd.cs.coupon.list.get": "coupon.list",        # modelled
        "pdd.cs.coupon.send": "coupon.send",            # modelled
        "pdd.cs.coupon.send.query": "coupon.find",      # modelled
        "pdd.cs.rating.invite": "rating.invite",        # modelled
        "pdd.cs.buyer.remark.set": "buyer.remark",      # modelled
        "pdd.goods.list.get": "product.list",
    }

    async def parse(self, request: Request) -> Call:
        fields = dict(request.query_params)
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.json()
            fields.update({k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for k, v in body.items()})
        else:
            fields.update(await read_form(request))
        return self._call(fields)

    def parse_query(self, query: dict) -> Call:
        return Call(method="ws", app_key=query.get("client_id", ""), token=query.get("access_token", ""),
                    system=query)

    def _call(self, fields: dict) -> Call:
        self.require_fields(fields, ("type", "client_id", "timestamp", "sign"))
        return Call(method=fields["type"], app_key=fields["client_id"], token=fields.get("access_token", ""),
                    params=self.form_params(fields, SYSTEM), system=fields)

    def verify(self, call: Call, app: Shop) -> None:
        if call.method == "ws":
            expected = signing.pdd_ws_sign(app.app_key, call.system.get("timestamp", ""), app.app_secret)
        else:
            expected = signing.pdd_sign(call.system, app.app_secret)
        if not signing.constant_time_equal(expected, call.system.get("sign", "")):
            raise OpError("bad_signature", "签名错误")
        self.check_skew(from_unix(call.system.get("timestamp")))

    def success(self, call: Call, result: dict) -> dict:
        name = call.method.removeprefix("pdd.").replace(".", "_") + "_response"
        return {name: {**result, "request_id": uuid.uuid4().hex}}

    def error_body(self, call: Call | None, err: OpError) -> dict:
        code, msg, sub_code = ERRORS.get(err.kind, (50000, "业务处理失败", f"isv.{err.kind}"))
        return {"error_response": {"error_code": code, "error_msg": msg, "sub_code": sub_code,
                                   "sub_msg": err.message, "request_id": uuid.uuid4().hex}}

    def render_tokens(self, tokens: dict) -> dict:
        return {"access_token": tokens["access_token"], "expires_in": tokens["expires_in"],
                "expires_at": int(tokens["access_expires_at"].timestamp()),
                "refresh_token": tokens["refresh_token"],
                "refresh_token_expires_in": tokens["refresh_expires_in"],
                "refresh_token_expires_at": int(tokens["refresh_expires_at"].timestamp()),
                "owner_id": tokens["shop_id"], "owner_name": tokens["shop_name"], "scope": ["pdd.cs", "pdd.order"]}

    def render_order(self, order: dict) -> dict:
        status, refund = ORDER_STATUS[order["status"]]
        return {
            "order_sn": order["order_id"], "buyer_id": order["buyer_id"], "order_status": status,
            "refund_status": refund, "pay_amount": order["amount_fen"] / 100,  # PDD answers yuan as a number
            "created_time": cst_text(order["created_at"]),
            "item_list": [{"goods_id": i["product_id"], "goods_name": i["title"], "goods_count": i["quantity"],
                           "goods_price": i["price_fen"] / 100, "goods_spec": i["sku"], "goods_img": i["image_url"]}
                          for i in order["items"]],
            "receiver_name_mask": order["receiver"][0] + "*" * (len(order["receiver"]) - 1),
            "receiver_phone_mask": order["phone"][:3] + "****" + order["phone"][-4:],
            "address_mask": order["address_masked"], "logistics_company": order["carrier"],
            "tracking_number": order["tracking_no"],
            "trace_list": [{"time": cst_text(t["at"]), "info": t["text"]} for t in order["logistics"]],
        }

    def ws_frame(self, event: dict) -> dict:
        content = json.dumps(self.render_event(event), ensure_ascii=False)
        return {"commandType": "Common", "id": event["seq"], "sendTime": int(event["sent_at"].timestamp() * 1000),
                "message": {"type": f"pdd_cs_{event['kind']}", "mallID": event["shop_id"], "content": content}}

    def ws_ack(self, frame: dict) -> int | None:
        if frame.get("commandType") == "Ack":
            try:
                return int(frame.get("id"))
            except (TypeError, ValueError):
                return None
        return None
