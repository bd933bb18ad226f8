"""SPEC §11 on the dashboard: every timeliness KPI counts a deadline in the month it falls due, the
pending ones apart; two target schemes; escalated complaints by configuration; the trend as SVG;
exports a person reads (Chinese headers, names, percent, dates)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.utils import translation
from openpyxl import load_workbook

from kesu.complaints.models import Complaint, EscalatedComplaintConfig
from kesu.escalation.models import Escalation
from kesu.followup.models import WorkOrder
from kesu.metrics import selectors
from kesu.metrics.periods import Period
from kesu.metrics.permissions import Scope
from kesu.sla.models import ComplaintSla
from tests.metrics.conftest import CALM, at

pytestmark = pytest.mark.django_db


def _first_reply(complaint, status, due):
    ComplaintSla.objects.filter(pk=complaint.pk).update(first_reply_status=status, first_reply_due_at=due)


@pytest.fixture
def mid_september(make_complaint, agent):
    """The 15th of September: one first reply met, one overdue and still open, one not yet due,
    one paused while the customer is waited for, and one received on 31 August, due in September."""
    met = make_complaint(text=CALM, received_at=at(1))
    overdue = make_complaint(text=CALM, received_at=at(10))
    coming = make_complaint(text=CALM, received_at=at(14))
    paused = make_complaint(text=CALM, received_at=at(11))
    august = make_complaint(text=CALM, received_at=at(31, 20, month=8))
    Escalation.objects.filter(complaint__in=[met, overdue, coming, paused, august]).delete()
    _first_reply(met, "met", at(3))
    _first_reply(overdue, "at_risk", at(12))
    _first_reply(coming, "on_track", at(16))
    _first_reply(paused, "on_track", at(13))
    ComplaintSla.objects.filter(pk=paused.pk).update(paused_since=at(12))
    _first_reply(august, "met", at(2, 20))
    for due, done in ((at(5), at(4)), (at(10), None), (at(20), None)):
        WorkOrder.objects.create(
            complaint=met,
            department="网络部",
            description="修",
            created_by=agent,
            due_at=due,
            completed_at=done,
        )
    return {"met": met, "overdue": overdue, "coming": coming, "paused": paused, "august": august}


def test_mid_month_a_deadline_counts_when_it_falls_due_and_pending_ones_apart(mid_september, team):
    board = selectors.dashboard(period=Period.month(2026, 9), scope=Scope(team_id=team.pk), now=at(15))
    first = board.kpi("first_reply_timeliness")
    # met, august's (due 2 September) met; overdue counted as not in time; coming and paused pending
    assert (first.value.numerator, first.value.denominator, first.pending, first.overdue) == (2, 3, 2, 1)
    orders = board.kpi("work_order_on_time")
    assert (orders.value.numerator, orders.value.denominator, orders.pending, orders.overdue) == (1, 2, 1, 1)
    august = selectors.dashboard(period=Period.month(2026, 8), scope=Scope(team_id=team.pk), now=at(15))
    assert august.kpi("first_reply_timeliness").value.denominator == 0  # received in August, due in September
    pending = selectors.figure_complaints(
        figure="first_reply_timeliness",
        part="pending",
        value="",
        period=Period.month(2026, 9),
        scope=Scope(team_id=team.pk),
        now=at(15),
    )
    assert set(pending) == {mid_september["coming"], mid_september["paused"]}


def test_the_dashboard_shows_pending_counts_both_schemes_and_an_svg_trend(september, client, manager, team):
    client.force_login(manager)
    with translation.override("zh-hans"):
        page = client.get("/metrics/", {"month": "2026-09", "team": team.pk}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200
    assert "指标标准" in html and "集团指标" in html and "待定" in html
    row = re.search(r'<tr data-kpi="work_order_on_time">(.*?)</tr>', html, re.S).group(1)
    assert "≥ 96.0%" in row and "≥ 95.0%" in row and "未达标" in row
    # The trend: an SVG per KPI, a % axis with gridlines, both targets labelled, no inline style.
    chart = re.search(
        r'<figure class="trend-chart" data-kpi="work_order_on_time".*?</figure>', html, re.S
    ).group(0)
    assert "<svg" in chart and "100.0%" in chart and chart.count('<g class="target') == 2
    assert "指标标准 96.0%" in chart and "集团指标 95.0%" in chart and "style=" not in chart
    assert "<polyline" in chart and "hidden" in chart  # only the first KPI's chart shows at first


def test_the_dashboard_export_reads_as_a_report(september, client, manager, team):
    client.force_login(manager)
    params = {"month": "2026-09", "team": team.pk}
    with translation.override("zh-hans"):
        text = b"".join(client.get("/metrics/export.csv", params).streaming_content).decode("utf-8-sig")
        book = load_workbook(io.BytesIO(b"".join(client.get("/metrics/export.xlsx", params).streaming_content)))
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[1]
    assert (
        header[:5] == ["指标", "客户等级", "从", "至", "数值"]
        and "指标标准" in header
        and "集团指标" in header
    )
    by_label = {row[0] + row[1]: row for row in rows[2:10] if row}
    work_orders = next(row for key, row in by_label.items() if key.startswith("投诉工单处理及时率"))
    assert work_orders[2:5] == ["2026-09-01", "2026-09-30", "33.3%"]
    assert (
        work_orders[header.index("指标标准")] == "96.0%" and work_orders[header.index("集团指标")] == "95.0%"
    )
    assert "未达标" in work_orders and "work_order_on_time" not in text and "missed" not in text
    sheet = book.worksheets[0]
    assert sheet.title == "指标" and sheet["A1"].value == "指标"
    values = {row[0].value + (row[1].value or ""): row for row in sheet.iter_rows(min_row=2)}
    cell = next(row for key, row in values.items() if key.startswith("投诉工单处理及时率"))[4]
    assert cell.number_format == "0.0%" and cell.value == pytest.approx(1 / 3)
    assert sheet["C2"].number_format == "yyyy-mm-dd" and sheet.column_dimensions["A"].width >= 16
    manager.language = "en"  # the user's own language
    manager.save(update_fields=["language"])
    english = b"".join(client.get("/metrics/export.csv", params).streaming_content).decode("utf-8-sig")
    assert "Provincial standard" in english and "Work-order on-time rate" in english


def test_a_walk_in_at_a_branch_counter_is_not_an_escalated_complaint(make_complaint):
    at_province = make_complaint(channel="walk_in", receiving_unit="provincial")
    at_counter = make_complaint(channel="walk_in", receiving_unit="counter")
    letter = make_complaint(channel="letter")  # the provincial company by default
    referral = make_complaint(channel="phone", source="regulator_miit", receiving_unit="counter")
    assert (at_province.escalated_complaint, at_counter.escalated_complaint) == (True, False)
    assert letter.escalated_complaint and referral.escalated_complaint
    config = EscalatedComplaintConfig.objects.get()  # seeded with the SPEC default
    assert config.receiving_units == ["provincial"] and config.walk_ins and config.letters
    config.receiving_units = ["provincial", "counter"]
    config.letters = False
    config.save()
    assert make_complaint(channel="walk_in", receiving_unit="counter").escalated_complaint
    assert not make_complaint(channel="letter").escalated_complaint
    assert Complaint.objects.filter(escalated_complaint=True).count() == 4


def test_the_intake_form_asks_which_unit_took_the_complaint_in(client, agent):
    client.force_login(agent)
    with translation.override("zh-hans"):
        html = client.get("/complaints/new/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'name="receiving_unit"' in html and "营业厅" in html
    data = {"customer_name": "陈静", "channel": "walk_in", "source": "customer", "receiving_unit": "counter"}
    response = client.post("/complaints/new/", {**data, "text": "网点排队两小时没人管"}, follow=True)
    complaint = Complaint.objects.get(customer__name="陈静")
    assert response.status_code == 200 and not complaint.escalated_complaint
    with translation.override("zh-hans"):
        page = client.get(f"/complaints/{complaint.reference}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "营业厅柜台" in page


def test_the_trend_svg_scales_to_its_values():
    from kesu.metrics.charts import trend_chart

    chart = trend_chart(
        key="x",
        label="X",
        is_rate=True,
        months=["2026-01", "2026-02", "2026-03"],
        values=[0.9, None, 0.97],
        targets=[{"scheme": "standard", "label": "指标标准", "value": 0.96}],
        axis_label="%",
    )
    assert chart.ticks[0]["label"] == "80.0%" and chart.ticks[-1]["label"] == "100.0%"
    assert len(chart.segments) == 2 and len(chart.points) == 2  # a gap where a month has no value
    assert chart.top <= chart.points[0]["y"] <= chart.bottom_edge
    assert chart.targets[0]["label"] == "指标标准 96.0%"


def test_the_complaints_behind_a_figure_are_titled_in_words_not_codes(september, client, manager, team):
    client.force_login(manager)
    params = {"month": "2026-09", "team": team.pk, "figure": "work_order_on_time", "part": "pending"}
    with translation.override("zh-hans"):
        html = client.get("/metrics/complaints/", params, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        tier = client.get(
            "/metrics/complaints/", {**params, "figure": "satisfaction", "part": "num", "value": "standard"}
        ).content.decode()
    title = re.search(r'<span class="muted figure-title">(.*?)</span>', html).group(1)
    assert title == "投诉工单处理及时率 · 待定 · 2026-09" and "work_order_on_time" not in title
    assert "投诉客户满意率 · 普通客户 · 计入分子" in tier


def test_the_dashboard_counts_each_clock_as_the_due_period_rule_decides_it(make_complaint, team):
    """One rule, two forms: the dashboard's SQL gives every clock the outcome
    kesu.core.kpi.deadline_outcome gives it — a clock breached and then paused is overdue, only a
    pause begun before the deadline keeps it pending."""
    from kesu.core.kpi import Outcome, TimelinessCounts, deadline_outcome

    now = at(15)
    # (status, due, paused since, done at, the outcome a manager should see)
    cases = [
        ("met", at(3), None, at(2), Outcome.IN_TIME),
        ("met_late", at(5), None, at(6), Outcome.LATE),
        ("at_risk", at(10), None, None, Outcome.OVERDUE),  # the sweep has not yet run
        ("breached", at(9), None, None, Outcome.OVERDUE),
        ("on_track", at(20), None, None, Outcome.PENDING),  # not yet due
        ("on_track", at(13), at(12), None, Outcome.PENDING),  # paused before its deadline: it will move
        ("on_track", at(20), at(14), None, Outcome.PENDING),
        ("breached", at(8), at(9), None, Outcome.OVERDUE),  # breached while paused
        ("at_risk", at(11), at(12), None, Outcome.OVERDUE),  # paused after its deadline, before the sweep
        ("met", at(12), at(11), at(11), Outcome.IN_TIME),  # replied while paused
        ("on_track", at(2, month=10), None, None, Outcome.OUTSIDE),  # October's
    ]
    complaints = [make_complaint(text=CALM, received_at=at(1)) for _ in cases]
    Escalation.objects.filter(complaint__in=complaints).delete()
    for complaint, (status, due, paused_since, _done, _outcome) in zip(complaints, cases, strict=True):
        ComplaintSla.objects.filter(pk=complaint.pk).update(
            first_reply_status=status,
            first_reply_due_at=due,
            effective_status=status,
            effective_due_at=due,
            paused_since=paused_since,
        )
    september = Period.month(2026, 9)
    outcomes = [
        deadline_outcome(
            due_at=due,
            done_at=done,
            now=now,
            period_start=september.start,
            period_end=september.end,
            paused_since=paused_since,
        )
        for _status, due, paused_since, done, _outcome in cases
    ]
    assert outcomes == [case[-1] for case in cases]
    expected = TimelinessCounts.of(outcomes)
    assert expected == TimelinessCounts(due=7, in_time=2, pending=3, overdue=4)

    board = selectors.dashboard(period=september, scope=Scope(team_id=team.pk), now=now)
    for figure in ("first_reply_timeliness", "on_time_effective_reply"):
        shown = board.kpi(figure)
        assert TimelinessCounts(
            due=shown.value.denominator, in_time=shown.value.numerator, pending=shown.pending, overdue=shown.overdue
        ) == expected, figure
        pending = selectors.figure_complaints(
            figure=figure, part="pending", value="", period=september, scope=Scope(team_id=team.pk), now=now
        )
        assert set(pending) == {
            complaint for complaint, outcome in zip(complaints, outcomes, strict=True) if outcome == Outcome.PENDING
        }
