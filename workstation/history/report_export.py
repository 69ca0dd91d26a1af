"""Write a computed Report to an xlsx workbook: shop figures, daily rates, agents, and how each is defined."""

from __future__ import annotations

import os
from pathlib import Path

from workstation.history.figures import FIGURE_HELP, Report


def _pct(value: float | None):
    return None if value is None else round(value, 4)


def write_report_xlsx(report: Report, path: Path) -> Path:
    """Atomic: written beside `path` and renamed, so a failure leaves no half file."""
    from openpyxl import Workbook

    path = Path(path)
    workbook = Workbook()
    shops = workbook.active
    shops.title = "店铺指标"
    shops.append([f"统计期 {report.since} 至 {report.until}（北京时间）"])
    shops.append(["平台", "店铺ID", "店铺", "3分钟回复率", "好评率", "服务态度差比例", "平均响应(秒)", "平均首次响应(秒)",
                  "可能被扣款的天数"])
    for shop in report.shops:
        penalties = None
        if shop.effective_reply_daily is not None:
            penalties = sum(1 for d in shop.effective_reply_daily if d.penalty)
        shops.append([
            shop.platform.label, shop.shop_id, shop.shop_name,
            _pct(shop.reply_rate_3min), _pct(shop.good_rating_rate), _pct(shop.bad_attitude_rate),
            None if shop.avg_response_s is None else round(shop.avg_response_s, 1),
            None if shop.avg_first_response_s is None else round(shop.avg_first_response_s, 1),
            penalties,
        ])
    daily = workbook.create_sheet("每日回复率")
    daily.append(["平台", "店铺ID", "日期", "指标", "咨询人数", "达标人数", "比率", "考核线", "扣款日"])
    for shop in report.shops:
        penalties = {d.date: d.penalty for d in shop.effective_reply_daily or []}
        for point in shop.daily_reply_rate:
            daily.append([
                shop.platform.label, shop.shop_id, point.date.isoformat(), shop.daily_rate_label,
                point.consulting_buyers, point.answered_buyers, _pct(point.rate), shop.reply_threshold,
                "是" if penalties.get(point.date) else "",
            ])
    agents = workbook.create_sheet("客服")
    agents.append(["客服", "店铺", "咨询人数", "回复率", "平均响应(秒)", "销售额(元)", "付款买家", "转化率", "客单价(元)"])
    for agent in report.agents:
        agents.append([
            agent.agent_id or "（未接待）", "、".join(s for _, s in sorted(agent.shops)), agent.consulting_buyers,
            _pct(agent.reply_rate), None if agent.avg_response_s is None else round(agent.avg_response_s, 1),
            agent.sales_fen / 100 if agent.has_order_data else None,
            agent.paying_buyers if agent.has_order_data else None, _pct(agent.conversion),
            None if agent.avg_order_value_fen is None else agent.avg_order_value_fen / 100,
        ])
    monthly = workbook.create_sheet("快手月度回复率")
    monthly.append(["店铺ID", "月份", "3分钟回复率"])
    for shop in report.shops:
        for month, rate in shop.monthly_reply_rate_3min():
            monthly.append([shop.shop_id, month, _pct(rate)])
    notes = workbook.create_sheet("指标说明")
    for key, text in FIGURE_HELP.items():
        notes.append([key, text])
    temporary = path.with_name(f".{path.name}.partial")
    try:
        workbook.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
