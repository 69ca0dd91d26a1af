"""服务数据 window: figures, charts against the platform line, the agent table, and the xlsx export."""

from __future__ import annotations

from datetime import date

from openpyxl import load_workbook

from tests.helpers.history_chat import Chat
from workstation.domain.platforms import Platform
from workstation.history.figures import compute_report
from workstation.ui.history_models import AgentsModel
from workstation.ui.reports_window import ReportsWindow, open_reports_window

NOV = (date(2026, 11, 1), date(2026, 11, 30))


def history(db):
    pdd = Chat(db, Platform.PDD, "p1", "山野茶铺")
    for index in range(100):  # Nov 3 is a penalty day: 100 buyers, 40 answered in time
        pdd.buyer(f"x{index}", "2026-11-03 10:00:00")
        if index < 40:
            pdd.agent(f"x{index}", "2026-11-03 10:00:30", agent="p1:小王")
    ks = Chat(db, Platform.KUAISHOU, "k1", "老铁家居")
    ks.buyer("b1", "2026-11-04 10:00:00")
    ks.agent("b1", "2026-11-04 10:01:00", agent="k1:小李")


def make_window(qtbot, arun, services):
    arun(services.store.open())
    services.store.call_blocking(history)
    window = ReportsWindow(services.store)
    qtbot.addWidget(window)
    window.show()
    return window


def test_figures_and_charts_for_each_shop(qtbot, arun, services):
    window = make_window(qtbot, arun, services)
    with qtbot.waitSignal(window.report_ready, timeout=10_000):
        report = arun(window.compute(*NOV))
    assert [s.shop_id for s in report.shops] == ["k1", "p1"]
    assert window.shop_combo.count() == 2
    window.shop_combo.setCurrentIndex(window.shop_combo.findData("pdd/p1"))
    assert "<b>1</b> 天" in window.kpis.text() and "11-03" in window.kpis.text()
    names = [s.name() for s in window.rate_chart.series()]
    assert names == ["每日比率", "扣款线 50%"]
    rates = window.rate_chart.series()[0]
    assert rates.count() == 1 and rates.at(0).y() == 40.0
    assert "1 小时" in window.help.toPlainText()
    window.shop_combo.setCurrentIndex(window.shop_combo.findData("kuaishou/k1"))
    assert [s.name() for s in window.rate_chart.series()] == ["每日比率", "考核线 70%"]
    assert "3 分钟回复率 100.0%" in window.kpis.text()
    assert "排队时间不算" in window.help.toPlainText()
    assert len(window.histogram_chart.series()) == 1
    agents = [window.agents_model.index(r, 0).data() for r in range(window.agents_model.rowCount())]
    assert agents == ["k1:小李", "p1:小王", "（未接待）"]


def test_export_to_xlsx(qtbot, arun, services, tmp_path):
    window = make_window(qtbot, arun, services)
    arun(window.compute(*NOV))
    arun(window.export_to(tmp_path / "r.xlsx"))
    book = load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["店铺指标", "每日回复率", "客服", "快手月度回复率", "指标说明"]
    penalty_rows = [row for row in book["每日回复率"].iter_rows(values_only=True) if row[-1] == "是"]
    assert len(penalty_rows) == 1 and penalty_rows[0][2] == "2026-11-03"


def test_until_before_since_is_explained(qtbot, arun, services):
    window = make_window(qtbot, arun, services)
    assert arun(window.compute(date(2026, 11, 5), date(2026, 11, 1))) is None
    assert "早于" in window.status.text()


def test_open_reports_window_computes_this_month(qtbot, arun, services):
    arun(services.store.open())
    window = open_reports_window(services.paths.database)
    qtbot.waitUntil(lambda: window.report is not None, timeout=10_000)
    assert window.export_button.isEnabled()
    window.close()


def test_agents_model_passes_the_model_tester(qtmodeltester, arun, services):
    arun(services.store.open())
    services.store.call_blocking(history)
    report = services.store.call_blocking(compute_report, *NOV)
    model = AgentsModel()
    model.set_agents(report.agents)
    qtmodeltester.check(model)
    model.set_agents([])
    qtmodeltester.check(model)
