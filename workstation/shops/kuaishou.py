"""快手 connector: `openapi/{method}`, signSecret signing, OAuth code with rotating refresh.

Published (open.kwaixiaodian.com): system parameters `appkey`, `access_token`,
`method`, `param`, `signMethod`, `timestamp` (ms), `version=1`, signed with the
signSecret (separate from the app secret); `{"result": 1}` for success; OAuth code
valid 2 minutes and single use; access token 48 h, refresh token 180 days and
replaced on every refresh; `open.seller.order.pcursor.list`, `open.order.detail`,
`open.item.list.get`.
MODELLED, not published (CS send is open to one closed category only): every
`open.cs.*` method, `open.order.decrypt`, and the WebSocket push.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from workstation.domain.commerce import LogisticsEvent, Order, OrderItem
from workstation.domain.platforms import Platform
from workstation.shops import signing
from workstation.shops.base import AuthExpired, Credentials, Tokens
from workstation.shops.connector_base import GatewayConnector, Refusal
from workstation.shops.wire import order_from, unix_time

STATUS_TEXT = {10: "待付款", 30: "待发货", 40: "已发货", 50: "已收货", 70: "交易成功", 80: "交易关闭"}
KINDS = {24: "auth", 28: "auth", 35: "rate", 23: "signature", 25: "signature", 26: "timestamp"}


class KuaishouConnector(GatewayConnector):
    platform = Platform.KUAISHOU
    camel_case = True
    sign_method = "HMAC_SHA256"
    operations = {
        "chat.history": "open.cs.message.history",           # modelled
        "chat.send": "open.cs.message.send",                 # modelled
        "chat.find": "open.cs.message.query",                # modelled
        "chat.read": "open.cs.conversation.read",            # modelled
        "chat.transfer": "open.cs.conversation.transfer",    # modelled
        "order.list": "open.seller.order.pcursor.list",      # published; buyer filter modelled
        "order.get": "open.order.detail",
        "order.contact": "open.order.decrypt",               # modelled
        "coupon.list": "open.cs.coupon.list",                # modelled
        "coupon.send": "open.cs.coupon.send",                # modelled
        "coupon.find": "open.cs.coupon.query",               # modelled
        "rating.invite": "open.cs.rating.invite",            # modelled
        "buyer.remark": "open.cs.buyer.remark",              # modelled
        "product.list": "open.item.list.get",
    }

    @property
    def _root(self) -> str:
        return self._require_setup().gateway.rstrip("/").removesuffix("/openapi")

    def _fields(self, method: str, params: dict, token: str) -> dict:
        creds = self._require_setup()
        if not creds.sign_secret:
            raise AuthExpired("快手账号缺少 signSecret，请在账号设置中填写")
        fields = {"appkey": creds.app_key, "method": method, "version": "1", "signMethod": self.sign_method,
                  "param": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
                  "timestamp": str(int(self._clock().timestamp() * 1000))}
        if token:
            fields["access_token"] = token
        fields["sign"] = signing.kuaishou_sign(fields, creds.sign_secret)
        return fields

    def _request(self, method: str, params: dict, token: str) -> dict:
        url = self._require_setup().gateway.rstrip("/") + "/" + method.replace(".", "/")
        return {"url": url, "data": self._fields(method, params, token)}

    def _unwrap(self, method: str, body: Any) -> dict:
        return self._enveloped_data(body, "result", 1)

    def _classify(self, body: dict) -> Refusal:
        try:
            code = int(body.get("result"))
        except (TypeError, ValueError):
            code = -1
        return Refusal(KINDS.get(code, "other"), str(code), str(body.get("code") or ""),
                       str(body.get("error_msg") or ""), 1.0)

    def _frame_error(self, frame: Any) -> Refusal | None:
        return self._envelope_refusal(frame, "result", 1)

    def _parse_time(self, value: Any):
        return unix_time(value, millis=True)

    async def _oauth_token(self, path: str, query: dict) -> Tokens:
        creds = self._require_setup()
        body = await self._plain_json("POST", f"{self._root}/oauth2/{path}", what=f"kuaishou oauth2 {path}",
                                      data={"app_id": creds.app_key, "app_secret": creds.app_secret, **query})
        if body.get("result") != 1:
            raise AuthExpired(f"快手授权失败，请重新登录（{body.get('error_msg') or body.get('error')}）")
        return self._tokens_from(body.get("access_token", ""), body.get("refresh_token", ""), body.get("expires_in"),
                                 body.get("refresh_token_expires_in"))

    async def _sign_in(self, credentials: Credentials) -> Tokens:
        code = await self._authorization_code("/oauth2/authorize",
                                              {"app_id": credentials.app_key, "response_type": "code",
                                               "scope": "merchant_order,merchant_cs"},
                                              credentials)
        return await self._oauth_token("access_token", {"grant_type": "code", "code": code})

    async def _refresh(self, refresh_token: str) -> Tokens:
        # The answer carries a new refresh token; the old one is void from now on.
        return await self._oauth_token("refresh_token", {"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _ws_url(self, token: str, cursor: str | None) -> str:
        fields = self._fields("open.cs.message.subscribe", {}, token)
        if cursor:
            fields["cursor"] = cursor
        return f"{self._root}/openapi-ws/message?{urlencode(fields)}"

    def _frame_events(self, frame: Any) -> list[tuple[dict, Any]]:
        if not isinstance(frame, dict) or "eventId" not in frame:
            return []
        return [self._pushed_event(frame.get("event", ""), "kwaishop_cs_", frame.get("info"))]

    def _parse_order(self, data: dict) -> Order:
        status = int(data.get("status", 0))
        refund = int(data.get("refund_status") or 0)
        address = data.get("order_address") or {}
        logistics = data.get("logistics_info") or {}
        return order_from(
            self.platform, order_id=data["oid"], buyer_id=data.get("buyer_open_id", ""),
            status=str(status) if not refund else f"{status}/refund",
            status_text="退款中" if refund else STATUS_TEXT.get(status, f"状态{status}"),
            amount_fen=int(data["total_fee"]), created_at=unix_time(data["create_time"], millis=True),
            items=[OrderItem(product_id=str(i["item_id"]), title=i["item_title"], quantity=int(i["num"]),
                             price_fen=int(i["price"]), image_url=i.get("item_pic_url", ""), sku=i.get("sku_desc", ""))
                   for i in data.get("order_item_info") or []],
            receiver=address.get("consignee", ""), phone=address.get("mobile", ""), address=address.get("address", ""),
            carrier=logistics.get("express_company", ""), tracking_no=logistics.get("express_no", ""),
            logistics=[LogisticsEvent(unix_time(t["time"], millis=True), t["desc"]) for t in logistics.get("trace") or []])
