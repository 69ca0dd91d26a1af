"""淘宝/天猫 TOP router (`/taobao/router/rest`), TMC-style push and the OAuth page.

Published: the router and system parameters, md5/hmac/hmac-sha256 signing, the
`error_response` codes (25 signature, 27 session, 7 call limited …),
`taobao.top.auth.token.*`, `taobao.trades.sold.get`, `taobao.trade.fullinfo.get`,
`taobao.top.oaid.decrypt`, `taobao.items.onsale.get`, TMC confirms. Modelled (千牛
chat is closed): every `taobao.qianniu.cs.*` method.
"""

from __future__ import annotations

import json
import uuid

from workstation.domain.platforms import Platform
from workstation.shops import signing
from workstation.shops.emulator.gateway import Call, Gateway, cst_text, parse_cst, yuan
from workstation.shops.emulator.world import OpError, Shop

ERRORS = {  # kind -> (code, msg, sub_code)
    "missing_param": (40, "Missing required arguments", "isv.missing-parameter"),
    "invalid_param": (41, "Invalid arguments", "isv.invalid-parameter"),
    "unknown_method": (22, "Invalid method", "isv.invalid-method"),
    "bad_app_key": (29, "Invalid app Key", "isv.appkey-not-exists"),
    "bad_signature": (25, "Invalid signature", "isv.invalid-signature"),
    "bad_timestamp": (31, "Invalid timestamp", "isv.invalid-timestamp"),
    "invalid_token": (27, "Invalid session", "invalid-sessionkey"),
    "expired_token": (27, "Invalid session", "sessionkey-expired"),
    "invalid_refresh": (15, "Remote service error", "isv.refresh-token-invalid"),
    "invalid_code": (15, "Remote service error", "isv.code-invalid"),
    "rate_limited": (7, "App Call Limited", "accesscontrol.limited-by-app-access-count"),
}
ORDER_STATUS = {
    "unpaid": ("WAIT_BUYER_PAY", ""), "to_ship": ("WAIT_SELLER_SEND_GOODS", ""),
    "shipped": ("WAIT_BUYER_CONFIRM_GOODS", ""), "received": ("TRADE_FINISHED", ""),
    "refunding": ("WAIT_BUYER_CONFIRM_GOODS", "WAIT_SELLER_AGREE"), "closed": ("TRADE_CLOSED", "SUCCESS"),
}
SYSTEM = ("method", "app_key", "session", "timestamp", "format", "v", "sign_method", "sign",
          "partner_id", "target_app_key", "simplify")


class TaobaoGateway(Gateway):
    platform = Platform.TAOBAO
    prefix = "/taobao"
    api_path = "/router/rest"
    ws_path = "/tmc/ws"
    has_acks = True
    methods = {
        "taobao.top.auth.token.create": "token.create",
        "taobao.top.auth.token.refresh": "token.refresh",
        "taobao.qianniu.cs.message.history": "chat.history",    # modelled
        "taobao.qianniu.cs.message.send": "chat.send",          # modelled
        "taobao.qianniu.cs.message.query": "chat.find",         # modelled
        "taobao.qianniu.cs.conversation.read": "chat.read",     # modelled
        "taobao.qianniu.cs.conversation.transfer": "chat.transfer",  # modelled
        "taobao.trades.sold.get": "order.list",                 # published; buyer filter modelled
        "taobao.trade.fullinfo.get": "order.get",
        "taobao.top.oaid.decrypt": "order.contact",             # published name; single form modelled
        "taobao.qianniu.cs.coupon.list": "coupon.list",         # modelled
        "taobao.qianniu.cs.coupon.send": "coupon.send",         # modelled
        "taobao.qianniu.cs.coupon.query": "coupon.find",        # modelled
        "taobao.qianniu.cs.rating.invite": "rating.invite",     # modelled
        "taobao.qianniu.cs.buyer.remark.set": "buyer.remark",   # modelled
        "taobao.items.onsale.get": "product.list",
    }

    def _call(self, fields: dict) -> Call:
        self.require_fields(fields, ("method", "app_key", "timestamp", "sign"), "系统参数")
        return Call(method=fields["method"], app_key=fields["app_key"], token=fields.get("session", ""),
                    params=self.form_params(fields, SYSTEM), system=fields)

    def verify(self, call: Call, app: Shop) -> None:
        method = call.system.get("sign_method", "md5")
        if method not in signing.TOP_SIGN_METHODS:
            raise OpError("invalid_param", f"不支持的 sign_method {method}")
        expected = signing.top_sign(call.system, app.app_secret, method)
        if not signing.constant_time_equal(expected, call.system.get("sign", "")):
            raise OpError("bad_signature", "签名错误")
        self.check_skew(parse_cst(call.system.get("timestamp", "")))

    def success(self, call: Call, result: dict) -> dict:
        name = call.method.removeprefix("taobao.").replace(".", "_") + "_response"
        return {name: {**result, "request_id": uuid.uuid4().hex[:13]}}

    def error_body(self, call: Call | None, err: OpError) -> dict:
        code, msg, sub_code = ERRORS.get(err.kind, (15, "Remote service error", f"isv.{err.kind}"))
        sub_msg = err.message
        if err.kind == "rate_limited":
            sub_msg = f"This ban will last {max(1, int(err.retry_after + 0.999))} more seconds"
        return {"error_response": {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg,
                                   "request_id": uuid.uuid4().hex[:13]}}

    def time_out(self, moment):
        return cst_text(moment)

    def render_tokens(self, tokens: dict) -> dict:
        # TOP wraps the token JSON as a string in `token_result`.
        return {"token_result": json.dumps({
            "access_token": tokens["access_token"], "expires_in": tokens["expires_in"],
            "refresh_token": tokens["refresh_token"], "re_expires_in": tokens["refresh_expires_in"],
            "taobao_user_id": tokens["shop_id"], "taobao_user_nick": tokens["shop_name"]}, ensure_ascii=False)}

    def render_order(self, order: dict) -> dict:
        status, refund = ORDER_STATUS[order["status"]]
        return {
            "tid": order["order_id"], "buyer_open_uid": order["buyer_id"], "status": status,
            "payment": yuan(order["amount_fen"]), "created": cst_text(order["created_at"]),
            "orders": {"order": [{"num_iid": i["product_id"], "title": i["title"], "num": i["quantity"],
                                  "price": yuan(i["price_fen"]), "sku_properties_name": i["sku"],
                                  "pic_path": i["image_url"], "refund_status": refund or "NO_REFUND"}
                                 for i in order["items"]]},
            "receiver_name": order["receiver"][0] + "**",
            "receiver_mobile": order["phone"][:3] + "****" + order["phone"][-4:],
            "receiver_address": order["address_masked"],
            "logistics_company": order["carrier"], "out_sid": order["tracking_no"],
            "trace_list": {"transit_step_info": [{"status_time": cst_text(t["at"]), "status_desc": t["text"]}
                                                 for t in order["logistics"]]},  # modelled: trace folded in
        }

    def dispatch(self, operation: str, app: Shop, call: Call) -> dict:
        result = super().dispatch(operation, app, call)
        if operation == "order.list":  # TOP nests lists: {"trades": {"trade": [...]}}
            return {"trades": {"trade": result["orders"]}, "total_results": result["total"]}
        if operation == "order.get":
            return {"trade": result["order"]}
        return result

    def ws_frame(self, event: dict) -> dict:
        return {"id": event["seq"], "topic": f"taobao_qianniu_Cs{event['kind'].title().replace('_', '')}",
                "pub_time": cst_text(event["sent_at"]), "user_id": event["shop_id"],
                "content": json.dumps(self.render_event(event), ensure_ascii=False)}

    def ws_ack(self, frame: dict) -> int | None:
        try:
            return int(frame["confirm"]) if "confirm" in frame else None
        except (TypeError, ValueError):
            return None
