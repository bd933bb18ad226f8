"""Bulk import: bad rows rejected with their row number and reason, good rows kept, no row
half-written, re-import idempotent, Chinese spreadsheets understood. (The job around it — in the
background, the limits, resuming — is tested in tests/handling/test_import_jobs.py.)"""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from kesu.complaints.errors import ComplaintError, PermissionRefused
from kesu.complaints.models import AuditEvent, Complaint, Message
from kesu.customers.models import Customer
from kesu.handling.importer import import_file, job_report

pytestmark = pytest.mark.django_db

CSV = """customer_name,phone,tier,channel,text,demand_type,demand_amount,external_ref
张伟,13800000001,vip,phone,流量包扣费两次，要求退还多扣的30元,refund,30,R-1
,13800000002,standard,web,没有姓名的一行,refund,,R-2
王芳,13800000003,standard,fax,渠道不对的一行,,,R-3
赵敏,13800000004,standard,chat,快递一周没动静，客服只会说明天到,explanation,-5,R-4
刘洋,13800000005,high,email,信用卡年费未经同意就扣了,refund,300,R-5
"""


class Report:
    """The job's report in the shape these tests read: totals, and the rejected rows' reasons."""

    def __init__(self, job):
        report = job_report(job)
        self.status, self.error_code = report["status"], report["error_code"]
        self.total, self.created, self.skipped = report["rows_total"], report["created"], report["skipped"]
        self.errors = [{"row": r["row"], "errors": r["messages"]} for r in report["rows"] if r["outcome"] == "rejected"]


def run(user, content: bytes, name="complaints.csv"):
    return Report(import_file(actor=user, name=name, stream=io.BytesIO(content), size=len(content)))


def test_bad_rows_are_reported_by_number_and_good_rows_kept(lead):
    report = run(lead, CSV.encode())
    assert (report.total, report.created, report.skipped) == (5, 2, 0)
    assert [e["row"] for e in report.errors] == [3, 4, 5]
    reasons = {e["row"]: " ".join(e["errors"]) for e in report.errors}
    assert "customer.name" in reasons[3]
    assert "channel" in reasons[4]
    assert "demand_amount" in reasons[5]
    assert Complaint.objects.count() == 2
    # Nothing of a rejected row was written: no customer, no message, no audit event.
    assert not Customer.objects.filter(phone__in=["13800000002", "13800000003", "13800000004"]).exists()
    assert Message.objects.count() == 2 and AuditEvent.objects.count() == 2


def test_reimporting_the_same_file_creates_nothing_new(lead):
    run(lead, CSV.encode())
    again = run(lead, CSV.encode())
    assert again.created == 0 and again.skipped == 2
    assert Complaint.objects.count() == 2


def test_chinese_headers_values_and_gb18030_from_excel(lead):
    content = "客户姓名,联系电话,客户等级,渠道,来源,投诉内容,诉求,金额\n陈静,13900000009,VIP,上门,客户,网点排队两小时没人管,道歉,\n".encode(
        "gb18030"
    )
    report = run(lead, content)
    assert report.created == 1, report.errors
    complaint = Complaint.objects.get()
    assert complaint.channel == "walk_in" and complaint.escalated_complaint
    assert complaint.customer.tier.code == "vip" and complaint.demand_type == "apology"


def test_xlsx(lead):
    book = Workbook()
    sheet = book.active
    sheet.append(["customer_name", "channel", "text", "received_at"])
    sheet.append(["Mary Chan", "email", "My card was charged twice for the same order.", "2026-11-01 09:30"])
    sheet.append(["Tom", "email", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    report = run(lead, buffer.getvalue(), name="batch.xlsx")
    assert report.created == 1 and [e["row"] for e in report.errors] == [3]
    assert Complaint.objects.get().received_at.day == 1


def test_a_file_without_the_required_columns_imports_nothing(lead):
    report = run(lead, "name,words\n张三,手机坏了\n".encode())
    assert (report.status, report.error_code) == ("failed", "missing_columns")
    with pytest.raises(ComplaintError):
        run(lead, b"%PDF-1.4", name="complaints.pdf")
    assert Complaint.objects.count() == 0


def test_agents_cannot_bulk_import(agent):
    with pytest.raises(PermissionRefused):
        run(agent, CSV.encode())


def test_import_through_the_api(api, lead):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kesu.handling.importer import run_pending_imports

    upload = SimpleUploadedFile("c.csv", CSV.encode(), content_type="text/csv")
    client = api(lead)
    response = client.post("/api/v1/complaints/import/", {"file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] == "queued" and response["Location"] == job["url"]
    assert Complaint.objects.count() == 0  # nothing in the request itself
    assert run_pending_imports() == 1  # the background run (Celery, or kesu serve's loop)
    body = client.get(job["url"]).json()
    assert (body["status"], body["created"], body["rejected"], body["percent"]) == ("done", 2, 3, 100)
    rows = client.get(body["rows_url"], {"outcome": "rejected"}).json()
    assert [r["row"] for r in rows["results"]] == [3, 4, 5] and all(r["messages"] for r in rows["results"])
    assert client.get(body["rows_url"]).json()["count"] == 5


def test_the_receiving_unit_column_decides_whether_a_walk_in_is_an_escalated_complaint(lead):
    content = (
        "客户姓名,渠道,受理单位,投诉内容\n"
        "陈静,上门,营业厅,网点排队两小时没人管\n"
        "李强,上门,省公司,网点排队两小时没人管，已经第二次了\n"
    ).encode()
    report = run(lead, content)
    assert report.created == 2, report.errors
    units = dict(Complaint.objects.values_list("receiving_unit", "escalated_complaint"))
    assert units == {"counter": False, "provincial": True}
