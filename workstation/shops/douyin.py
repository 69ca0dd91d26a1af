"""抖店 connector: path-named methods, HMAC-SHA256 signing, sub-account sign-in, push.

Published (op.jinritemai.com): method = URL path with `/` → `.`; system parameters
`app_key`, `method`, `v=2`, `timestamp`, `sign`, `sign_method`, `access_token` in
the query and `param_json` as the body; `/token/create` (`authorization_self` for a
self-use app) and `/token/refresh` — access 7 days, refresh 14; `{code, msg,
sub_code, sub_msg, log_id, data}` with code 10000 for success; `/order/searchList`,
`/order/orderDetail`, `/order/batchDecrypt`, `/product/listV2`.
MODELLED, not published: every `/im/*` method (飞鸽 chat has no open API), the
sub-account `login`/`password` fields of `authorization_self`, and the WebSocket push
(抖店 pushes by HTTP callback).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from workstation.domain.commerce import LogisticsEvent, Order, OrderItem
from workstation.domain.platforms import Platform
from workstation.shops import signing
from workstation.shops.base import AuthExpired, Credentials, PlatformError, Tokens
from workstation.shops.connector_base import GatewayConnector, Refusal
from workstation.shops.wire import CST, order_from, unix_time

STATUS_TEXT = {1: "待支付", 2: "待发货", 3: "已发货", 4: "已取消", 5: "已完成"}
KINDS = {30004: "auth", 30005: "auth", 90000: "rate", 30001: "signature", 30002: "signature", 30003: "timestamp"}
REFRESH_LIFETIME = timedelta(days=14)  # published: refresh_token valid 14 days


class DouyinConnector(GatewayConnector):
    platform = Platform.DOUYIN
    operations = {
        "token.create": "token.create",
        "token.refresh": "token.refresh",
        "chat.history": "im.message.history",           # modelled
        "chat.send": "im.message.send",                 # modelled
        "chat.find": "im.message.query",                # modelled
        "chat.read": "im.conversation.read",            # modelled
        "chat.transfer": "im.conversation.transfer",    # modelled
        "order.list": "order.searchList",               # published; buyer filter modelled
        "order.get": "order.orderDetail",
        "order.contact": "order.batchDecrypt",          # published name; single form modelled
        "coupon.list": "im.coupon.list",                # modelled
        "coupon.send": "im.coupon.send",                # modelled
        "coupon.find": "im.coupon.query",               # modelled
        "rating.invite": "im.rating.invite",            # modelled
        "buyer.remark": "im.buyer.remark",              # modelled
        "product.list": "product.listV2",
    }

    def _query(self, method: str, param_json: str, token: str) -> dict:
        creds = self._require_setup()
        timestamp = self._clock().astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")
        query = {"app_key": creds.app_key, "method": method, "v": "2", "timestamp": timestamp,
                 "sign_method": "hmac-sha256",
                 "sign": signing.douyin_sign(creds.app_key, method, param_json, timestamp, creds.app_secret)}
        if token:
            query["access_token"] = token
        return query

    def _request(self, method: str, params: dict, token: str) -> dict:
        param_json = signing.douyin_param_json(params)
        url = self._require_setup().gateway.rstrip("/") + "/" + method.replace(".", "/")
        return {"url": url, "params": self._query(method, param_json, token), "content": param_json.encode("utf-8"),
                "headers": {"Content-Type": "application/json;charset=UTF-8"}}

    def _unwrap(self, method: str, body: Any) -> dict:
        return self._enveloped_data(body, "code", 10000)

    def _classify(self, body: dict) -> Refusal:
        try:
            code = int(body.get("code"))
        except (TypeError, ValueError):
            code = -1
        return Refusal(KINDS.get(code, "other"), str(code), str(body.get("sub_code") or ""),
                       str(body.get("sub_msg") or body.get("msg") or ""), 1.0)

    def _frame_error(self, frame: Any) -> Refusal | None:
        return self._envelope_refusal(frame, "code", 10000)

    def _tokens(self, data: dict) -> Tokens:
        self.shop_name = str(data.get("shop_name") or self.shop_name)
        return self._tokens_from(data.get("access_token", ""), data.get("refresh_token", ""), data.get("expires_in"),
                                 int(REFRESH_LIFETIME.total_seconds()))

    async def _sign_in(self, credentials: Credentials) -> Tokens:
        # 自用型应用: no browser; the shop's sub-account proves the agent may act for it.
        try:
            data = await self._api("token.create", {"grant_type": "authorization_self", "shop_id": credentials.shop_id,
                                                    "login": credentials.login, "password": credentials.password},
                                   auth=False, idempotent=False)
        except PlatformError as exc:
            if exc.code == "30007":
                raise AuthExpired("抖店子账号或密码错误，请检查后重新登录") from None
            raise
        return self._tokens(data)

    async def _refresh(self, refresh_token: str) -> Tokens:
        return self._tokens(await self._api("token.refresh", {"grant_type": "refresh_token",
                                                              "refresh_token": refresh_token}, auth=False))

    def _ws_url(self, token: str, cursor: str | None) -> str:
        query = self._query("im.message.subscribe", "{}", token)
        query["param_json"] = "{}"
        if cursor:
            query["cursor"] = cursor
        return f"{self._require_setup().gateway.rstrip('/')}/message/ws?{urlencode(query)}"

    def _frame_events(self, frame: Any) -> list[tuple[dict, Any]]:
        if not isinstance(frame, dict) or not isinstance(frame.get("messages"), list):
            return []
        return [self._pushed_event(item.get("tag", ""), "im_", item.get("data"))
                if isinstance(item, dict) else ({}, None) for item in frame["messages"]]

    def _parse_order(self, data: dict) -> Order:
        status = int(data.get("order_status", 0))
        after_sale = int(data.get("after_sale_status") or 0)
        logistics = (data.get("logistics_info") or [{}])[0] if data.get("logistics_info") else {}
        return order_from(
            self.platform, order_id=data["order_id"], buyer_id=data.get("open_id", ""),
            status=str(status) if not after_sale else f"{status}/{after_sale}",
            status_text="售后中" if after_sale else STATUS_TEXT.get(status, f"状态{status}"),
            amount_fen=int(data["pay_amount"]), created_at=unix_time(data["create_time"]),
            items=[OrderItem(product_id=str(i["product_id"]), title=i["product_name"], quantity=int(i["item_num"]),
                             price_fen=int(i["origin_amount"]), image_url=i.get("product_pic", ""),
                             sku=i.get("spec_desc", "")) for i in data.get("sku_order_list") or []],
            receiver=data.get("mask_post_receiver", ""), phone=data.get("mask_post_tel", ""),
            address=(data.get("mask_post_addr") or {}).get("detail", ""),
            carrier=logistics.get("company_name", ""), tracking_no=logistics.get("tracking_no", ""),
            logistics=[LogisticsEvent(unix_time(t["time"]), t["content"]) for t in logistics.get("trace") or []])
