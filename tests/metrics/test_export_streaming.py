"""Exports of large lists never hold the list, or the file, in memory: CSV streams rows as they are read
from a chunked iterator, XLSX is written to a temporary file and streamed from it, cut at its row cap."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import timedelta
from pathlib import Path

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import load_workbook

from kesu.complaints.models import Complaint
from kesu.metrics import exports
from tests.web.test_security_headers import assert_passes_its_policy


def endless():
    """More rows than any memory holds: an export that materialised its rows would never return."""
    for i in itertools.count():
        yield [f"KS{i:010d}", "=HYPERLINK(\"http://x\")", i]


def test_a_csv_export_streams_rows_as_they_are_read():
    response = exports.csv_response("big", [("Complaints", ["ref", "text", "n"], endless())])
    assert isinstance(response, StreamingHttpResponse)
    chunks = list(itertools.islice(response.streaming_content, 1 + 1 + 1000))
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert rows[0] == ["ref", "text", "n"] and len(rows) == 1001
    assert rows[1][1].startswith("'=")  # still formula-safe


def test_an_xlsx_export_is_streamed_from_a_temporary_file_and_cut_at_its_cap(monkeypatch):
    monkeypatch.setattr(exports, "MAX_XLSX_ROWS", 300)
    response = exports.xlsx_response("big", [("Complaints", ["ref", "text", "n"], endless())])
    assert isinstance(response, FileResponse) and response.streaming
    assert response.file_to_stream.fileno() >= 0  # a file on disk, not bytes held in memory
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + 300 + 1 and "CSV" in rows[-1][0]
    assert rows[1][1].startswith("'=")


@pytest.mark.django_db
def test_a_complaint_list_is_read_lazily_in_chunks(make_complaint, django_assert_num_queries, monkeypatch):
    for _ in range(3):
        make_complaint()
    chunks = []
    real = Complaint.objects.none().__class__.iterator

    def spy(self, chunk_size=None):
        chunks.append(chunk_size)
        return real(self, chunk_size=chunk_size)

    monkeypatch.setattr(type(Complaint.objects.all()), "iterator", spy)
    with django_assert_num_queries(0):
        _title, _header, rows = exports.complaint_sheet(Complaint.objects.order_by("id"))
    assert len(list(rows)) == 3 and chunks == [2000]


@pytest.mark.django_db
def test_a_long_list_is_exported_to_xlsx_in_the_background(september, client, manager, lead, monkeypatch):
    from kesu.metrics.export_jobs import run_pending_exports
    from kesu.metrics.models import ExportJob

    monkeypatch.setattr(exports, "XLSX_IN_REQUEST_ROWS", 2)  # longer lists go to a job
    client.force_login(manager)
    response = client.get("/metrics/export/complaints.xlsx", {"channel": "phone"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/metrics/exports/{job.pk}/"
    assert (job.status, job.source, job.params) == ("queued", "queue", {"channel": "phone"})
    page = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in page and "<progress" in page and "export-download" not in page
    assert client.get(f"/metrics/exports/{job.pk}/download/").status_code == 404  # not written yet

    assert run_pending_exports() == 1
    assert_passes_its_policy(client.get(response["Location"]))
    page = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="done"' in page and "hx-trigger" not in page and "export-download" in page
    download = client.get(f"/metrics/exports/{job.pk}/download/")
    assert isinstance(download, FileResponse) and 'filename="kesu-complaints.xlsx"' in download["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    references = {row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    expected = set(Complaint.objects.filter(channel="phone").values_list("reference", flat=True))
    assert references == expected and len(expected) > 2
    names = [row[10] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert all("*" in name for name in names)  # masked as in every list

    client.force_login(lead)  # another person's export is not theirs to read
    assert client.get(f"/metrics/exports/{job.pk}/").status_code == 404
    assert client.get(f"/metrics/exports/{job.pk}/download/").status_code == 404

    # kept a week for its requester, then deleted with the list's query (the job and its page stay)
    job.refresh_from_db()
    name = job.file.name
    ExportJob.objects.filter(pk=job.pk).update(finished_at=job.finished_at - timedelta(days=8))
    run_pending_exports()
    job.refresh_from_db()
    assert not job.file and not job.file.storage.exists(name)
    assert job.params == {}
    client.force_login(manager)
    gone = client.get(f"/metrics/exports/{job.pk}/download/")
    assert gone.status_code == 410 and "此导出已过期" in gone.content.decode()


def _files_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


@pytest.mark.django_db
def test_a_background_exports_file_goes_to_the_storage_in_force_not_into_the_projects_var(
    september, client, manager, monkeypatch, settings, tmp_path
):
    """The tests' STORAGES (a temporary folder, tests/django_fixtures.py) is where the workbook is
    written: the field's storage is looked up when it is used, not fixed when the model was loaded."""
    from kesu.metrics.export_jobs import run_pending_exports
    from kesu.metrics.models import ExportJob

    projects = Path(settings.VAR_DIR) / "imports"
    before = _files_under(projects)
    monkeypatch.setattr(exports, "XLSX_IN_REQUEST_ROWS", 1)
    client.force_login(manager)
    client.get("/metrics/export/complaints.xlsx")
    assert run_pending_exports() == 1
    job = ExportJob.objects.get()
    assert job.status == "done" and (tmp_path / "imports" / job.file.name).is_file()
    assert _files_under(projects) == before


@pytest.mark.django_db
def test_a_background_export_reads_the_list_as_its_requester(september, client, lead, monkeypatch):
    from kesu.metrics.export_jobs import run_pending_exports
    from kesu.metrics.models import ExportJob

    monkeypatch.setattr(exports, "XLSX_IN_REQUEST_ROWS", 1)
    client.force_login(lead)
    client.get("/metrics/export/complaints.xlsx")
    run_pending_exports()
    job = ExportJob.objects.get()
    book = load_workbook(io.BytesIO(b"".join(client.get(f"/metrics/exports/{job.pk}/download/").streaming_content)))
    references = {row[0] for row in book.active.iter_rows(min_row=2, values_only=True)}
    assert september.a.reference in references and september.f.reference not in references  # the lead's team only


def test_an_export_that_cannot_be_written_ends_failed_and_the_next_one_still_runs(
    september, client, manager, monkeypatch
):
    from kesu.metrics.export_jobs import run_pending_exports
    from kesu.metrics.models import ExportJob

    monkeypatch.setattr(exports, "XLSX_IN_REQUEST_ROWS", 2)
    client.force_login(manager)
    client.get("/metrics/export/complaints.xlsx", {"channel": "phone"})
    client.get("/metrics/export/complaints.xlsx", {"channel": "phone"})
    assert ExportJob.objects.count() == 2
    real = exports.write_xlsx
    calls = []

    def disk_full_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(exports, "write_xlsx", disk_full_once)
    assert run_pending_exports() == 2
    first, second = ExportJob.objects.order_by("pk")
    assert first.status == "failed" and "导出文件未能写成" in first.error
    assert second.status == "done"


@pytest.mark.django_db
def test_a_run_thought_dead_does_not_undo_the_export_that_took_it_over(september, client, manager, monkeypatch):
    """A run that stalls past STALE_AFTER is taken over; when it wakes it writes nothing more: the
    export another run finished stays done, with one file, however the stale run ends."""
    from kesu.imports.claims import STALE_AFTER
    from kesu.metrics.export_jobs import export_run
    from kesu.metrics.models import ExportJob

    monkeypatch.setattr(exports, "XLSX_IN_REQUEST_ROWS", 2)
    client.force_login(manager)
    client.get("/metrics/export/complaints.xlsx", {"channel": "phone"})
    job = ExportJob.objects.get()
    real = exports.write_xlsx
    runs, taken_over = [], []

    def stall_then_fail(*args, **kwargs):
        runs.append(1)
        if len(runs) > 1:
            return real(*args, **kwargs)
        # This run stalls; the catch-up finds it dead and runs the job again, to its end...
        ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=job.created_at - STALE_AFTER * 2)
        taken_over.append(export_run(job.pk))
        raise OSError("No space left on device")  # ... then the stalled run fails

    monkeypatch.setattr(exports, "write_xlsx", stall_then_fail)
    storage = ExportJob._meta.get_field("file").storage

    def stored() -> set[str]:
        folder = timezone.now().strftime("exports/%Y/%m")
        return {f"{folder}/{name}" for name in storage.listdir(folder)[1]} if storage.exists(folder) else set()

    before = stored()
    export_run(job.pk)
    assert taken_over[0].status == "done"
    job.refresh_from_db()
    assert (job.status, job.error) == ("done", "")
    download = client.get(f"/metrics/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert stored() - before == {job.file.name}  # the stalled run left no file of its own


@pytest.mark.django_db
def test_an_export_forgets_the_search_it_was_asked_for_when_its_file_expires(september, client, manager, monkeypatch):
    """The list's query may hold a search for a customer (name, number): it goes with the file, a
    week after, for an export written and for one that failed alike."""
    from kesu.metrics.export_jobs import run_pending_exports
    from kesu.metrics.models import ExportJob

    monkeypatch.setattr(exports, "XLSX_IN_REQUEST_ROWS", 0)
    client.force_login(manager)
    client.get("/metrics/export/complaints.xlsx", {"q": "宽带"})
    client.get("/metrics/export/complaints.xlsx", {"q": "修好"})
    written, failed = ExportJob.objects.order_by("pk")
    assert written.params == {"q": "宽带"}
    run_pending_exports()
    ExportJob.objects.filter(pk=failed.pk).update(status="failed", file="")
    ExportJob.objects.update(finished_at=timezone.now() - timedelta(days=6))
    run_pending_exports()
    assert [job.params for job in ExportJob.objects.order_by("pk")] == [{"q": "宽带"}, {"q": "修好"}]
    ExportJob.objects.update(finished_at=timezone.now() - timedelta(days=8))
    run_pending_exports()
    assert [(job.params, bool(job.file)) for job in ExportJob.objects.order_by("pk")] == [({}, False), ({}, False)]


@pytest.mark.django_db
def test_two_exports_of_the_same_name_on_a_storage_that_overwrites_keep_two_files(
    september, client, manager, monkeypatch, tmp_path
):
    """S3-like storages write over a name already taken: each run stores its workbook under a name
    of its own (its claim token in it), so the second export does not replace the first one's file."""
    from django.core.files.storage import FileSystemStorage

    from kesu.metrics.export_jobs import run_pending_exports
    from kesu.metrics.models import ExportJob

    overwriting = FileSystemStorage(location=tmp_path / "s3-like", allow_overwrite=True)
    monkeypatch.setattr(ExportJob._meta.get_field("file"), "storage", overwriting)
    monkeypatch.setattr(exports, "XLSX_IN_REQUEST_ROWS", 0)
    client.force_login(manager)
    client.get("/metrics/export/complaints.xlsx", {"channel": "letter"})
    client.get("/metrics/export/complaints.xlsx", {"channel": "phone"})
    assert run_pending_exports() == 2
    letters, calls = ExportJob.objects.order_by("pk")
    assert letters.filename == calls.filename == "kesu-complaints.xlsx"
    assert letters.file.name != calls.file.name
    assert overwriting.exists(letters.file.name) and overwriting.exists(calls.file.name)

    def downloaded(job: ExportJob) -> set[str]:
        response = client.get(f"/metrics/exports/{job.pk}/download/")
        assert 'filename="kesu-complaints.xlsx"' in response["Content-Disposition"]
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
        return {row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}

    assert downloaded(letters) == set(Complaint.objects.filter(channel="letter").values_list("reference", flat=True))
    assert downloaded(calls) == set(Complaint.objects.filter(channel="phone").values_list("reference", flat=True))


@pytest.mark.django_db
def test_an_expired_export_says_so_and_offers_no_download(september, client, manager, monkeypatch):
    """A week after it was written the file is no longer offered, even before the loop deletes it:
    the page says the export has expired (in the reader's language) instead of a Download link, and
    the download itself answers 410 with the same words, not the file and not a 500."""
    from kesu.metrics.export_jobs import run_pending_exports
    from kesu.metrics.models import ExportJob

    monkeypatch.setattr(exports, "XLSX_IN_REQUEST_ROWS", 0)
    client.force_login(manager)
    client.get("/metrics/export/complaints.xlsx", {"channel": "phone"})
    run_pending_exports()
    job = ExportJob.objects.get()
    page = client.get(f"/metrics/exports/{job.pk}/").content.decode()
    assert "export-download" in page and "已过期" not in page  # six days and 23 hours left

    ExportJob.objects.filter(pk=job.pk).update(finished_at=job.finished_at - timedelta(days=7, minutes=1))
    job.refresh_from_db()
    assert job.file and job.file.storage.exists(job.file.name)  # still stored: the loop has not run
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):  # the page, and its polled part
        page = client.get(f"/metrics/exports/{job.pk}/", **headers).content.decode()
        assert "export-download" not in page and f"/metrics/exports/{job.pk}/download/" not in page
        assert "此导出已过期：文件写成后保留 7 天，随后删除。" in page
    download = client.get(f"/metrics/exports/{job.pk}/download/")
    assert download.status_code == 410 and not isinstance(download, FileResponse)
    assert "此导出已过期" in download.content.decode()

    client.cookies["django_language"] = "en"  # the language switcher
    page = client.get(f"/metrics/exports/{job.pk}/").content.decode()
    assert "This export has expired: its file is kept for 7 days after it is written" in page
    assert "export-download" not in page
    assert "This export has expired" in client.get(f"/metrics/exports/{job.pk}/download/").content.decode()


@pytest.mark.django_db
def test_an_export_whose_file_is_gone_from_the_storage_is_expired_not_a_500(september, client, manager, monkeypatch):
    from kesu.metrics.export_jobs import run_pending_exports
    from kesu.metrics.models import ExportJob

    monkeypatch.setattr(exports, "XLSX_IN_REQUEST_ROWS", 0)
    client.force_login(manager)
    client.get("/metrics/export/complaints.xlsx", {"channel": "phone"})
    run_pending_exports()
    job = ExportJob.objects.get()
    job.file.storage.delete(job.file.name)  # a bucket's own lifecycle rule, say
    download = client.get(f"/metrics/exports/{job.pk}/download/")
    assert download.status_code == 410 and "此导出已过期" in download.content.decode()
