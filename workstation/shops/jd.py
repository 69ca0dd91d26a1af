"""京东 connector: JOS `routerjson`, MD5 signing, OAuth code, JOS-style push.

Published (jos.jd.com): `routerjson` with `method`, `app_key`, `access_token`,
`timestamp`, `v`, `360buy_param_json`, `sign`; `error_response {code, zh_desc,
en_desc}`; the `…_responce` success key; OAuth `/oauth2/to_login`,
`/oauth2/access_token`, `/oauth2/refresh_token`; `jingdong.pop.order.search`,
`jingdong.pop.order.get`, `jingdong.ware.read.searchWare4Valid`.
MODELLED, not published (咚咚 chat has no open API): every `jingdong.im.cs.*`
method, `jingdong.pop.order.receiver.get`, and the WebSocket push.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from workstation.domain.commerce import LogisticsEvent, Order, OrderItem
from workstation.domain.platforms import Platform
from workstation.shops import signing
from workstation.shops.base import AuthExpired, Credentials, PlatformError, Tokens
from workstation.shops.connector_base import GatewayConnector, Refusal
from workstation.shops.wire import CST, cst_time, fen_from_yuan, order_from

STATUS_TEXT = {"WAIT_PAY": "待付款", "WAIT_SELLER_STOCK_OUT": "等待出库", "WAIT_GOODS_RECEIVE_CONFIRM": "等待确认收货",
               "FINISHED_L": "完成", "TRADE_CANCELED": "已取消", "LOCKED": "已锁定（售后中）"}
KINDS = {"19": "auth", "74": "rate", "12": "signature", "18": "signature", "13": "timestamp"}


class JdConnector(GatewayConnector):
    platform = Platform.JD
    camel_case = True
    operations = {
        "chat.history": "jingdong.im.cs.message.history",        # modelled
        "chat.send": "jingdong.im.cs.message.send",              # modelled
        "chat.find": "jingdong.im.cs.message.query",             # modelled
        "chat.read": "jingdong.im.cs.conversation.read",         # modelled
        "chat.transfer": "jingdong.im.cs.conversation.transfer",  # modelled
        "order.list": "jingdong.pop.order.search",               # published; buyer filter modelled
        "order.get": "jingdong.pop.order.get",
        "order.contact": "jingdong.pop.order.receiver.get",      # modelled
        "coupon.list": "jingdong.im.cs.coupon.list",             # modelled
        "coupon.send": "jingdong.im.cs.coupon.send",             # modelled
        "coupon.find": "jingdong.im.cs.coupon.query",            # modelled
        "rating.invite": "jingdong.im.cs.rating.invite",         # modelled
        "buyer.remark": "jingdong.im.cs.buyer.remark.set",       # modelled
        "product.list": "jingdong.ware.read.searchWare4Valid",
    }

    @property
    def _root(self) -> str:
        return self._require_setup().gateway.removesuffix("/routerjson")

    def _timestamp(self) -> str:
        now = self._clock().astimezone(CST)
        return now.strftime("%Y-%m-%d %H:%M:%S.") + f"{now.microsecond // 1000:03d}+0800"

    def _fields(self, method: str, params: dict, token: str) -> dict:
        creds = self._require_setup()
        fields = {"method": method, "app_key": creds.app_key, "access_token": token, "timestamp": self._timestamp(),
                  "v": "2.0", "360buy_param_json": json.dumps(params, ensure_ascii=False, separators=(",", ":"))}
        fields["sign"] = signing.jd_sign(fields, creds.app_secret)
        return fields

    def _request(self, method: str, params: dict, token: str) -> dict:
        return {"url": self._require_setup().gateway, "data": self._fields(method, params, token)}

    def _unwrap(self, method: str, body: Any) -> dict:
        key = method.replace(".", "_") + "_responce"
        wrapper = self._keyed_result(body, key, "京东")
        if not isinstance(wrapper.get("result"), dict):
            raise PlatformError(f"京东返回缺少 {key}")
        if str(wrapper.get("code", "0")) != "0":
            raise PlatformError(f"京东返回错误：{wrapper.get('code')}", code=str(wrapper.get("code")))
        return wrapper["result"]

    def _classify(self, error: dict) -> Refusal:
        code = str(error.get("code", ""))
        return Refusal(KINDS.get(code, "other"), code, str(error.get("en_desc") or ""),
                       str(error.get("zh_desc") or error.get("en_desc") or ""), 1.0)

    def _parse_time(self, value: Any):
        return cst_time(value)

    async def _oauth_token(self, path: str, query: dict) -> Tokens:
        creds = self._require_setup()
        body = await self._plain_json("POST", f"{self._root}/oauth2/{path}", what=f"jd oauth2 {path}",
                                      data={"app_key": creds.app_key, "app_secret": creds.app_secret, **query})
        if body.get("code") not in (0, "0"):
            raise AuthExpired(f"京东授权失败，请重新登录（{body.get('msg') or body.get('code')}）")
        return self._tokens_from(body.get("access_token", ""), body.get("refresh_token", ""), body.get("expires_in"),
                                 body.get("refresh_expires_in"))

    async def _sign_in(self, credentials: Credentials) -> Tokens:
        code = await self._authorization_code("/oauth2/to_login",
                                              {"response_type": "code", "app_key": credentials.app_key},
                                              credentials)
        return await self._oauth_token("access_token", {"grant_type": "authorization_code", "code": code})

    async def _refresh(self, refresh_token: str) -> Tokens:
        return await self._oauth_token("refresh_token", {"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _ws_url(self, token: str, cursor: str | None) -> str:
        fields = self._fields("jingdong.im.cs.message.subscribe", {}, token)
        if cursor:
            fields["cursor"] = cursor
        return f"{self._root}/jos/ws?{urlencode(fields)}"

    def _frame_events(self, frame: Any) -> list[tuple[dict, Any]]:
        if not isinstance(frame, dict) or "msgId" not in frame:
            return []
        return [self._pushed_event(frame.get("topic", ""), "jd_im_cs_", frame.get("body"))]

    def _parse_order(self, data: dict) -> Order:
        state = data.get("order_state", "")
        consignee = data.get("consignee_info") or {}
        return order_from(
            self.platform, order_id=data["order_id"], buyer_id=data.get("pin", ""), status=state,
            status_text=STATUS_TEXT.get(state, state), amount_fen=fen_from_yuan(data["order_payment"]),
            created_at=cst_time(data["order_start_time"]),
            items=[OrderItem(product_id=str(i["sku_id"]), title=i["sku_name"], quantity=int(i["item_total"]),
                             price_fen=fen_from_yuan(i["jd_price"]), sku=i.get("sku_properties_name", ""))
                   for i in data.get("item_info_list") or []],
            receiver=consignee.get("fullname", ""), phone=consignee.get("mobile", ""),
            address=consignee.get("full_address", ""), carrier=data.get("logistics_company", ""),
            tracking_no=data.get("waybill", ""),
            logistics=[LogisticsEvent(cst_time(t["ope_time"]), t["ope_remark"]) for t in data.get("trace_list") or []])
