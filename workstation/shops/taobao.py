"""淘宝/天猫 connector: TOP router, hmac-sha256 signing, OAuth code, TMC-style push with confirms.

Published (open.taobao.com): `router/rest` with `method`, `app_key`, `session`,
`timestamp` (GMT+8), `format`, `v=2.0`, `sign_method`; the error codes (25 invalid
signature, 27 invalid session, 7 call limited …); `taobao.top.auth.token.create/refresh`;
`taobao.trades.sold.get`, `taobao.trade.fullinfo.get`, `taobao.top.oaid.decrypt`,
`taobao.items.onsale.get`; TMC message confirms.
MODELLED, not published (千牛 chat is closed to ISVs): every `taobao.qianniu.cs.*`
method, and the WebSocket framing of the push (TMC's own wire protocol is binary).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from workstation.domain.commerce import LogisticsEvent, Order, OrderItem
from workstation.domain.platforms import Platform
from workstation.shops import signing
from workstation.shops.base import Credentials, PlatformError, Tokens
from workstation.shops.connector_base import GatewayConnector, Refusal
from workstation.shops.wire import CST, cst_time, fen_from_yuan, order_from, wire_value

STATUS_TEXT = {"WAIT_BUYER_PAY": "待付款", "WAIT_SELLER_SEND_GOODS": "待发货", "WAIT_BUYER_CONFIRM_GOODS": "已发货",
               "TRADE_FINISHED": "交易成功", "TRADE_CLOSED": "交易关闭", "TRADE_CLOSED_BY_TAOBAO": "交易关闭"}
REFUND_TEXT = {"WAIT_SELLER_AGREE": "退款中", "WAIT_BUYER_RETURN_GOODS": "退货中", "SUCCESS": "退款成功"}
_BAN = re.compile(r"ban will last (\d+)")


class TaobaoConnector(GatewayConnector):
    platform = Platform.TAOBAO
    has_acks = True
    sign_method = "hmac-sha256"
    operations = {
        "token.create": "taobao.top.auth.token.create",
        "token.refresh": "taobao.top.auth.token.refresh",
        "chat.history": "taobao.qianniu.cs.message.history",      # modelled
        "chat.send": "taobao.qianniu.cs.message.send",            # modelled
        "chat.find": "taobao.qianniu.cs.message.query",           # modelled
        "chat.read": "taobao.qianniu.cs.conversation.read",       # modelled
        "chat.transfer": "taobao.qianniu.cs.conversation.transfer",  # modelled
        "order.list": "taobao.trades.sold.get",                   # published; buyer filter modelled
        "order.get": "taobao.trade.fullinfo.get",
        "order.contact": "taobao.top.oaid.decrypt",               # published name; single form modelled
        "coupon.list": "taobao.qianniu.cs.coupon.list",           # modelled
        "coupon.send": "taobao.qianniu.cs.coupon.send",           # modelled
        "coupon.find": "taobao.qianniu.cs.coupon.query",          # modelled
        "rating.invite": "taobao.qianniu.cs.rating.invite",       # modelled
        "buyer.remark": "taobao.qianniu.cs.buyer.remark.set",     # modelled
        "product.list": "taobao.items.onsale.get",
    }

    @property
    def _root(self) -> str:
        return self._require_setup().gateway.removesuffix("/router/rest")

    def _system(self, method: str, token: str) -> dict:
        creds = self._require_setup()
        fields = {"method": method, "app_key": creds.app_key,
                  "timestamp": self._clock().astimezone(CST).strftime("%Y-%m-%d %H:%M:%S"),
                  "format": "json", "v": "2.0", "sign_method": self.sign_method, "simplify": "false"}
        if token:
            fields["session"] = token
        return fields

    def _request(self, method: str, params: dict, token: str) -> dict:
        creds = self._require_setup()
        fields = self._system(method, token)
        fields.update({k: wire_value(v) for k, v in params.items() if v is not None})
        fields["sign"] = signing.top_sign(fields, creds.app_secret)
        return {"url": creds.gateway, "data": fields}

    def _unwrap(self, method: str, body: Any) -> dict:
        key = method.removeprefix("taobao.").replace(".", "_") + "_response"
        return self._keyed_result(body, key, "淘宝")

    def _classify(self, error: dict) -> Refusal:
        code = str(error.get("code", ""))
        sub_msg = str(error.get("sub_msg") or error.get("msg") or "")
        retry_after = 1.0
        if code == "7":
            match = _BAN.search(sub_msg)
            retry_after = float(match.group(1)) if match else 1.0
        kind = {"26": "auth", "27": "auth", "7": "rate", "25": "signature", "29": "signature",
                "31": "timestamp"}.get(code, "other")
        return Refusal(kind, code, str(error.get("sub_code") or ""), sub_msg, retry_after)

    def _parse_time(self, value: Any):
        return cst_time(value)

    def _tokens(self, result: dict) -> Tokens:
        try:
            token = json.loads(result["token_result"])
        except (KeyError, TypeError, json.JSONDecodeError):
            raise PlatformError("淘宝返回的授权结果无法解析") from None
        self.shop_name = str(token.get("taobao_user_nick") or self.shop_name)
        return self._tokens_from(token.get("access_token", ""), token.get("refresh_token", ""),
                                 token.get("expires_in"), token.get("re_expires_in"))

    async def _sign_in(self, credentials: Credentials) -> Tokens:
        code = await self._authorization_code(
            "/oauth/authorize", {"response_type": "code", "client_id": credentials.app_key, "view": "web"}, credentials)
        return self._tokens(await self._api("token.create", {"code": code}, auth=False, idempotent=False))

    async def _refresh(self, refresh_token: str) -> Tokens:
        return self._tokens(await self._api("token.refresh", {"refresh_token": refresh_token}, auth=False))

    def _ws_url(self, token: str, cursor: str | None) -> str:
        fields = self._system("taobao.tmc.messages.consume", token)
        if cursor:
            fields["cursor"] = cursor
        fields["sign"] = signing.top_sign(fields, self._require_setup().app_secret)
        return f"{self._root}/tmc/ws?{urlencode(fields)}"

    def _frame_events(self, frame: Any) -> list[tuple[dict, Any]]:
        if not isinstance(frame, dict) or "topic" not in frame:
            return []
        ack = {"confirm": frame.get("id")}
        return [self._pushed_event(frame["topic"], "taobao_qianniu_Cs", frame.get("content"), ack)]

    def _order_list(self, result: dict) -> list[dict]:
        return ((result.get("trades") or {}).get("trade")) or []

    def _order_one(self, result: dict) -> dict | None:
        return result.get("trade")

    def _parse_order(self, data: dict) -> Order:
        items = (data.get("orders") or {}).get("order") or []
        refund = next((i.get("refund_status") for i in items if i.get("refund_status") not in (None, "NO_REFUND")), "")
        status = data.get("status", "")
        trace = (data.get("trace_list") or {}).get("transit_step_info") or []
        return order_from(
            self.platform, order_id=data["tid"], buyer_id=data.get("buyer_open_uid", ""),
            status=status if not refund else f"{status}/{refund}",
            status_text=REFUND_TEXT.get(refund) or STATUS_TEXT.get(status, status),
            amount_fen=fen_from_yuan(data["payment"]), created_at=cst_time(data["created"]),
            items=[OrderItem(product_id=str(i["num_iid"]), title=i["title"], quantity=int(i["num"]),
                             price_fen=fen_from_yuan(i["price"]), image_url=i.get("pic_path", ""),
                             sku=i.get("sku_properties_name", "")) for i in items],
            receiver=data.get("receiver_name", ""), phone=data.get("receiver_mobile", ""),
            address=data.get("receiver_address", ""), carrier=data.get("logistics_company", ""),
            tracking_no=data.get("out_sid", ""),
            logistics=[LogisticsEvent(cst_time(t["status_time"]), t["status_desc"]) for t in trace])
