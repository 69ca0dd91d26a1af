"""Bank card numbers: 16–19 digits (15 for Amex), grouped or not, UnionPay 62 and other BINs.

Luhn is not required (agents mistype, evaders alter a digit). Order and tracking numbers are
the benign look-alikes: a number introduced as 订单/单号/快递 is never a card, a bare 62…
number or a card-style 4-4-4-4 group is, and any long number introduced as a card or
account is.
"""

from __future__ import annotations

import re

from workstation.compliance.context import CheckContext, light_hit
from workstation.compliance.detectors.numbers import context_before, digit_runs
from workstation.compliance.normalize import Normalized
from workstation.domain.verdict import Category, Hit

_BANK_CUE = re.compile(
    r"卡号|银行|储蓄卡|信用卡|借记卡|账号|帐号|账户|帐户|转账|打款|汇款|收款|开户|户名|"
    r"工行|建行|农行|中行|招行|交行|邮储|农商|card"
)
_ORDER_CUE = re.compile(r"订单|单号|运单|快递|物流|编号|取件|发票|批次|条码|序列号|sn|imei|型号|货号")
_GROUPED = re.compile(r"^[3-6]\d{3}(?:[ \t\-]\d{4}){3}(?:[ \t\-]?\d{1,3})?$")

REASON = "“{m}”像银行卡号，平台禁止发送支付账号，请删除。"


def detect(doc: Normalized, ctx: CheckContext) -> list[Hit]:
    hits = []
    for run in digit_runs(doc):
        n = len(run.digits)
        if n < 15 or n > 19 or run.glued:
            continue
        before = context_before(doc, run.start)
        if _BANK_CUE.search(before):
            pass
        elif _ORDER_CUE.search(before):
            continue
        elif _GROUPED.match(run.raw.strip()):
            pass
        elif not (n >= 16 and run.digits.startswith("62")):
            continue
        hits.append(light_hit(doc, run.start, run.end, Category.PAYMENT, "payment.bank_card", REASON))
    return hits
