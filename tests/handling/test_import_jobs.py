"""Bulk import as a background job: the request only stores the file; the run checks the whole file
within the limits before writing anything, then takes rows in one by one, each with its line of report,
and a run that dies is resumed without a row imported twice."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from kesu.complaints.errors import ComplaintError
from kesu.complaints.models import Complaint
from kesu.handling import importer
from kesu.handling.importer import run_import, run_pending_imports, start_import
from kesu.imports import services as job_services
from kesu.imports.models import ImportJob, ImportRow
from tests.web.test_security_headers import assert_passes_its_policy

pytestmark = pytest.mark.django_db


def csv_file(rows: int, *, bad: frozenset[int] = frozenset()) -> bytes:
    lines = ["customer_name,channel,text,external_ref"]
    for i in range(rows):
        channel = "fax" if i in bad else "phone"
        lines.append(f"客户{i},{channel},宽带第{i}次断网，师傅一直不上门,EXT-{i}")
    return ("\n".join(lines) + "\n").encode()


def start(user, content: bytes, name: str = "batch.csv", language: str = "zh-hans") -> ImportJob:
    return start_import(actor=user, name=name, stream=io.BytesIO(content), size=len(content), language=language)


def xlsx_bomb() -> bytes:
    """A valid workbook with one more part: 60 MiB of zeros that deflate to about 60 KiB."""
    book = Workbook()
    book.active.append(["customer_name", "channel", "text"])
    plain = io.BytesIO()
    book.save(plain)
    bomb = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        with target.open("xl/media/image1.bin", "w") as part:
            chunk = b"\0" * 1_048_576
            for _ in range(110):
                part.write(chunk)
    return bomb.getvalue()


def test_the_request_only_stores_the_file_and_the_run_imports_it(lead, django_capture_on_commit_callbacks, tmp_path):
    job = start(lead, csv_file(3))
    assert job.status == "queued" and Complaint.objects.count() == 0
    assert job.file.storage.exists(job.file.name)  # through the storage API, under a key of ours
    assert (tmp_path / "imports" / job.file.name).is_file()  # the tests' STORAGES, not the project's var/
    assert job.file.name.startswith("imports/") and "batch" not in job.file.name
    name, storage = job.file.name, job.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(job.pk)
    assert (job.status, job.rows_total, job.rows_done, job.created) == ("done", 3, 3, 3)
    assert Complaint.objects.count() == 3
    # the upload is not kept once its job is finished (deleted when the finish commits); the report is
    assert not job.file and not storage.exists(name)
    assert job.rows.count() == 3


def test_a_hundred_thousand_row_csv_under_the_size_limit_is_refused_without_a_write(lead, settings):
    content = csv_file(100_000)
    assert len(content) < settings.KESU_MAX_IMPORT_BYTES
    job = run_import(start(lead, content).pk)
    assert (job.status, job.error_code) == ("failed", "too_many_rows")
    assert "20000" in job.error and "行" in job.error  # in the language of the person who uploaded it
    assert Complaint.objects.count() == 0 and ImportRow.objects.count() == 0
    assert job.rows_done == 0


def test_an_xlsx_bomb_is_refused_by_its_unpacked_size_at_upload(lead, client):
    content = xlsx_bomb()
    assert len(content) < 200_000
    with pytest.raises(ComplaintError) as refused:
        start(lead, content, name="bomb.xlsx")
    assert refused.value.code == "unpacks_too_large"
    client.force_login(lead)
    response = client.post(reverse("web:import"), {"file": SimpleUploadedFile("bomb.xlsx", content)})
    assert response.status_code == 200
    assert "解压后" in response.content.decode()  # refused in Chinese, on the form
    assert ImportJob.objects.count() == 0 and Complaint.objects.count() == 0


def test_a_file_refused_while_reading_imports_nothing_even_when_its_early_rows_are_good(lead, settings):
    settings.KESU_MAX_IMPORT_CELL_CHARS = 100
    content = csv_file(50) + ("客户x,phone," + "长" * 101 + ",EXT-x\n").encode()
    job = run_import(start(lead, content).pk)
    assert (job.status, job.error_code) == ("failed", "cell_too_long")
    assert Complaint.objects.count() == 0


class Killed(BaseException):
    """The worker's process is killed: nothing after this line runs (not even an except Exception)."""


def test_a_run_killed_mid_file_is_resumed_without_duplicates(lead, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_ROWS", 3)  # commits after rows 4, 7, 10, 13
    job = start(lead, csv_file(12, bad=frozenset({4})))
    real = job_services.row_record
    calls = {"n": 0}

    def dies_on_the_seventh_row(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 7:
            raise Killed  # on row 8, inside its batch's transaction: the batch's complaints go with it
        return real(*args, **kwargs)

    with (
        mock.patch.object(importer, "row_record", dies_on_the_seventh_row),
        mock.patch.object(job_services, "row_record", dies_on_the_seventh_row),
        pytest.raises(Killed),
    ):
        run_import(job.pk)
    job.refresh_from_db()
    assert job.status == "running" and job.rows_done == 6 and Complaint.objects.count() == 5
    # A live run is not taken over, and the catch-up leaves it alone while its heartbeat is fresh.
    assert run_import(job.pk) is None and run_pending_imports() == 0
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert run_pending_imports() == 1
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.created, job.rejected, job.attempts) == ("done", 12, 11, 1, 1)
    refs = list(Complaint.objects.values_list("external_ref", flat=True))
    assert len(refs) == len(set(refs)) == 11
    assert list(job.rows.values_list("number", flat=True)) == list(range(2, 14))


def test_a_job_whose_runs_keep_dying_is_given_up_with_what_it_did(lead):
    job = start(lead, csv_file(2))
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", attempts=importer.MAX_ATTEMPTS - 1, heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    job = run_import(job.pk)  # the third death: failed, not retried for ever
    assert (job.status, job.error_code) == ("failed", "internal") and "意外" in job.error
    assert run_pending_imports() == 0


def test_a_run_that_lost_its_claim_writes_nothing_more(lead):
    job = job_services.job_claim(start(lead, csv_file(2)).pk)
    ImportJob.objects.filter(pk=job.pk).update(claim="another-run")
    with pytest.raises(job_services.ClaimLost):
        job_services.row_record(job, number=2, outcome="created")
    assert ImportRow.objects.count() == 0


def test_the_report_lists_every_row_with_its_complaint_or_its_reason_in_chinese(lead, client):
    content = csv_file(3, bad=frozenset({1})) + "客户9,phone,再导一次的行,EXT-0\n".encode()
    job = run_import(start(lead, content).pk)
    rows = {r.number: r for r in job.rows.all()}
    assert [rows[n].outcome for n in (2, 3, 4, 5)] == ["created", "rejected", "created", "skipped"]
    assert rows[2].reference.startswith("KS") and rows[5].reference == rows[2].reference
    assert "channel" in rows[3].messages[0] and "不是合法选项" in rows[3].messages[0]
    client.force_login(lead)
    response = client.get(reverse("web:import-job", args=[job.pk]))
    assert_passes_its_policy(response)
    assert_passes_its_policy(client.get(reverse("web:import")))
    page = response.content.decode()
    assert 'id="import-report"' in page and rows[2].reference in page and "hx-trigger" not in page
    only = client.get(reverse("web:import-job", args=[job.pk]), {"outcome": "rejected"}).content.decode()
    assert "不是合法选项" in only and rows[2].reference not in only


def test_a_row_already_imported_by_another_team_is_not_linked_for_one_who_cannot_see_it(
    lead, other_lead, client
):
    theirs = run_import(start(other_lead, csv_file(1)).pk).rows.get()  # EXT-0, 投诉二组's complaint
    content = "customer_name,channel,text,external_ref\n客户0,phone,宽带又断了,EXT-0\n客户1,phone,网速很慢,EXT-1\n"
    job = run_import(start(lead, content.encode()).pk)
    skipped, created = job.rows.order_by("number")
    assert (skipped.outcome, skipped.reference) == ("skipped", theirs.reference)
    client.force_login(lead)
    with translation.override("zh-hans"):
        page = client.get(reverse("web:import-job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    report = page[page.index('id="import-report"') :]
    assert reverse("web:complaint", args=[theirs.reference]) not in report
    assert "<span class=\"muted\">（您无权查看的投诉）</span>" in report
    assert theirs.reference not in report  # another team's reference is not disclosed either
    assert f'<a href="{reverse("web:complaint", args=[created.reference])}">{created.reference}</a>' in report
    assert client.get(reverse("web:complaint", args=[theirs.reference])).status_code in (403, 404)


def test_progress_is_visible_while_the_job_runs(lead, client):
    job = start(lead, csv_file(4))
    client.force_login(lead)
    url = reverse("web:import-job", args=[job.pk])
    queued = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in queued and "<progress" in queued and "<html" not in queued
    run_import(job.pk, budget_seconds=0)  # one row, then the job goes back to the queue
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'max="4" value="1"' in partial and 'hx-trigger="every 1s"' in partial
    assert run_pending_imports() == 1
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'max="4" value="4"' in done and "hx-trigger" not in done and 'data-status="done"' in done


def test_the_page_uploads_then_shows_the_job_and_lists_my_recent_imports(lead, other_lead, client):
    client.force_login(lead)
    response = client.post(reverse("web:import"), {"file": SimpleUploadedFile("一月.csv", csv_file(2))})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:import-job", args=[job.pk])
    listing = client.get(reverse("web:import")).content.decode()
    assert "一月.csv" in listing and 'id="import-semantics"' in listing
    client.force_login(other_lead)
    assert client.get(reverse("web:import-job", args=[job.pk])).status_code == 404
    assert "一月.csv" not in client.get(reverse("web:import")).content.decode()


def test_agents_neither_import_nor_read_import_jobs(agent, lead, client, api):
    job = start(lead, csv_file(1))
    client.force_login(agent)
    assert client.get(reverse("web:import-job", args=[job.pk])).status_code == 403
    assert api(agent).get(f"/api/v1/imports/{job.pk}/").status_code == 403
    assert api(lead).get("/api/v1/imports/99999999999999999999/").status_code == 404


def test_with_a_broker_the_job_is_sent_to_celery_after_commit(lead, settings, django_capture_on_commit_callbacks):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    with mock.patch("kesu.celery.app.send_task") as send:
        with django_capture_on_commit_callbacks(execute=True):
            job = start(lead, csv_file(1))
    send.assert_called_once_with("kesu.handling.tasks.run_import_job", args=[job.pk])
    assert Complaint.objects.count() == 0


def test_the_cli_runs_the_same_job_in_the_foreground(lead, tmp_path, capsys):
    from kesu import cli

    path = tmp_path / "batch.csv"
    path.write_bytes(csv_file(2, bad=frozenset({1})))
    assert cli.main(["import", str(path), "--user", "lead"]) == 1
    out = capsys.readouterr().out
    assert '"outcome": "rejected"' in out and '"status": "done"' in out
    job = ImportJob.objects.get()
    assert job.filename == "batch.csv" and job.created == 1


def test_the_background_loop_never_takes_the_job_the_cli_is_running(lead, tmp_path, capsys, monkeypatch):
    from kesu import cli

    path = tmp_path / "batch.csv"
    path.write_bytes(csv_file(2))
    create = importer.start_import
    loop_took: list[int] = []

    def create_then_the_loop_wakes(**kwargs):
        job = create(**kwargs)
        loop_took.append(run_pending_imports())  # the minute loop of `kesu serve`, just then
        return job

    monkeypatch.setattr(importer, "start_import", create_then_the_loop_wakes)
    assert cli.main(["import", str(path), "--user", "lead"]) == 0
    out = capsys.readouterr().out
    assert loop_took == [0]
    assert '"status": "done"' in out and '"created": 2' in out and out.count('"outcome": "created"') == 2
    job = ImportJob.objects.get()
    assert (job.status, job.created, job.attempts) == ("done", 2, 0)


CALLS_CSV = (
    "call_id,speaker,start,end,text,agent\n"
    "T-1,customer,0,4,宽带断了三天,agent\nT-1,agent,4.5,9,非常抱歉，我马上安排师傅今天18点前上门,agent\n"
    "T-2,customer,0,3,话费多扣了,nobody\n"
    "T-3,customer,0,3,快递丢了,agent\nT-3,agent,3.5,8,非常抱歉，我立刻为您补发,agent\n"
)


def test_transcript_files_are_imported_by_the_same_background_job(qa, agent, client):
    client.force_login(qa)
    upload = SimpleUploadedFile("calls.csv", CALLS_CSV.encode())
    response = client.post(reverse("qa:import"), {"file": upload, "inspect": "on"})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:import-job", args=[job.pk])
    assert (job.kind, job.status) == ("transcripts", "queued")
    from kesu.qa.models import Inspection, Transcript

    assert not Transcript.objects.exists()
    run_import(job.pk, budget_seconds=0)  # one transcript, then back to the queue
    assert Transcript.objects.count() == 1
    assert run_pending_imports() == 1
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.created, job.rejected) == ("done", 3, 2, 1)
    rows = list(job.rows.order_by("number"))
    assert [(r.number, r.outcome, r.reference) for r in rows] == [
        (1, "created", "T-1"), (2, "rejected", "T-2"), (3, "created", "T-3"),
    ]
    assert rows[0].messages == [f"QA-{Inspection.objects.get(transcript__external_ref='T-1').pk}"]
    page = client.get(reverse("web:import-job", args=[job.pk])).content.decode()
    assert "nobody" in page and 'id="import-report"' in page and reverse("qa:import") in page
    assert "calls.csv" in client.get(reverse("qa:import")).content.decode()
    # the same file again: every call is already there
    client.post(reverse("qa:import"), {"file": SimpleUploadedFile("calls.csv", CALLS_CSV.encode())})
    again = run_import(ImportJob.objects.exclude(pk=job.pk).get().pk)
    assert (again.created, again.skipped, again.rejected) == (0, 2, 1) and Transcript.objects.count() == 2


def test_a_transcript_file_that_cannot_be_read_is_refused_in_the_request(qa, client):
    client.force_login(qa)
    response = client.post(reverse("qa:import"), {"file": SimpleUploadedFile("calls.json", b"{oops")})
    assert response.status_code == 200 and ImportJob.objects.count() == 0
