"""拼多多 connector: the open-platform router, MD5 signing, OAuth code, message-service push.

Published (open.pinduoduo.com): router with `type`, `client_id`, `timestamp`,
`data_type`, `version`, `access_token`, `sign`; `pdd.pop.auth.token.create/refresh`;
`pdd.order.list.get`, `pdd.order.information.get`, `pdd.open.decrypt.batch`,
`pdd.goods.list.get`; the message service with Ack frames.
MODELLED, not published (PDD has no customer-service chat API): every `pdd.cs.*`
method below, served by the emulator in PDD's style.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from workstation.domain.commerce import LogisticsEvent, Order, OrderItem
from workstation.domain.platforms import Platform
from workstation.shops import signing
from workstation.shops.base import Credentials, Tokens
from workstation.shops.connector_base import GatewayConnector, Refusal
from workstation.shops.wire import cst_time, fen_from_yuan, order_from, wire_value

STATUS_TEXT = {0: "待付款", 1: "待发货", 2: "已发货待签收", 3: "已签收"}
REFUND_TEXT = {2: "售后处理中", 3: "退款中", 4: "退款成功"}
AUTH_CODES = {10019, 10020}
SIGNATURE_CODES = {10013, 10011}


class PddConnector(GatewayConnector):
    platform = Platform.PDD
    has_acks = True
    operations = {
        "token.create": "pdd.pop.auth.token.create",
        "token.refresh": "pdd.pop.auth.token.refresh",
        "chat.history": "pdd.cs.message.history.get",      # modelled
        "chat.send": "pdd.cs.message.send",                # modelled
        "chat.find": "pdd.cs.message.query",               # modelled
        "chat.read": "pdd.cs.conversation.read",           # modelled
        "chat.transfer": "pdd.cs.conversation.transfer",   # modelled
        "order.list": "pdd.order.list.get",                # published name; buyer filter modelled
        "order.get": "pdd.order.information.get",
        "order.contact": "pdd.open.decrypt.batch",         # published name; single-order form modelled
        "coupon.list": "pdd.cs.coupon.list.get",           # modelled
        "coupon.send": "pdd.cs.coupon.send",               # modelled
        "coupon.find": "pdd.cs.coupon.send.query",         # modelled
        "rating.invite": "pdd.cs.rating.invite",           # modelled
        "buyer.remark": "pdd.cs.buyer.remark.set",         # modelled
        "product.list": "pdd.goods.list.get",
    }

    @property
    def _root(self) -> str:
        return self._require_setup().gateway.removesuffix("/api/router")

    def _request(self, method: str, params: dict, token: str) -> dict:
        creds = self._require_setup()
        fields = {"type": method, "client_id": creds.app_key, "timestamp": str(int(self._clock().timestamp())),
                  "data_type": "JSON", "version": "V1"}
        if token:
            fields["access_token"] = token
        fields.update({k: wire_value(v) for k, v in params.items() if v is not None})
        fields["sign"] = signing.pdd_sign(fields, creds.app_secret)
        return {"url": creds.gateway, "data": fields}

    def _unwrap(self, method: str, body: Any) -> dict:
        key = method.removeprefix("pdd.").replace(".", "_") + "_response"
        return self._keyed_result(body, key, "拼多多")

    def _classify(self, error: dict) -> Refusal:
        try:
            code = int(error.get("error_code"))
        except (TypeError, ValueError):
            code = -1
        kind = ("auth" if code in AUTH_CODES else "rate" if code == 70031 else "signature" if code in SIGNATURE_CODES
                else "timestamp" if code == 10016 else "other")
        return Refusal(kind, str(code), str(error.get("sub_code") or ""),
                       str(error.get("sub_msg") or error.get("error_msg") or ""), 1.0)

    def _tokens(self, result: dict) -> Tokens:
        self.shop_name = str(result.get("owner_name") or self.shop_name)
        return self._tokens_from(result.get("access_token", ""), result.get("refresh_token", ""),
                                 result.get("expires_in"), result.get("refresh_token_expires_in"))

    async def _sign_in(self, credentials: Credentials) -> Tokens:
        code = await self._authorization_code("/oauth/authorize",
                                              {"response_type": "code", "client_id": credentials.app_key},
                                              credentials)
        return self._tokens(await self._api("token.create", {"code": code}, auth=False, idempotent=False))

    async def _refresh(self, refresh_token: str) -> Tokens:
        return self._tokens(await self._api("token.refresh", {"refresh_token": refresh_token}, auth=False))

    def _ws_url(self, token: str, cursor: str | None) -> str:
        creds = self._require_setup()
        timestamp = str(int(self._clock().timestamp()))
        query = {"client_id": creds.app_key, "timestamp": timestamp, "access_token": token,
                 "sign": signing.pdd_ws_sign(creds.app_key, timestamp, creds.app_secret)}
        if cursor:
            query["cursor"] = cursor
        return f"{self._root}/message/ws?{urlencode(query)}"

    def _frame_events(self, frame: Any) -> list[tuple[dict, Any]]:
        if not isinstance(frame, dict) or frame.get("commandType") != "Common":
            return []
        message = frame.get("message") or {}
        ack = {"commandType": "Ack", "id": frame.get("id"), "sendTime": frame.get("sendTime")}
        return [self._pushed_event(message.get("type", ""), "pdd_cs_", message.get("content"), ack)]

    def _parse_order(self, data: dict) -> Order:
        status, refund = int(data.get("order_status", -1)), int(data.get("refund_status", 1))
        text = REFUND_TEXT.get(refund) or STATUS_TEXT.get(status, f"状态{status}")
        return order_from(
            self.platform, order_id=data["order_sn"], buyer_id=data.get("buyer_id", ""),
            status=f"{status}" if refund == 1 else f"{status}/{refund}", status_text=text,
            amount_fen=fen_from_yuan(data["pay_amount"]), created_at=cst_time(data["created_time"]),
            items=[OrderItem(product_id=str(i["goods_id"]), title=i["goods_name"], quantity=int(i["goods_count"]),
                             price_fen=fen_from_yuan(i["goods_price"]), image_url=i.get("goods_img", ""),
                             sku=i.get("goods_spec", "")) for i in data.get("item_list") or []],
            receiver=data.get("receiver_name_mask", ""), phone=data.get("receiver_phone_mask", ""),
            address=data.get("address_mask", ""), carrier=data.get("logistics_company", ""),
            tracking_no=data.get("tracking_number", ""),
            logistics=[LogisticsEvent(cst_time(t["time"]), t["info"]) for t in data.get("trace_list") or []])
