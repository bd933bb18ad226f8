"""Exports of large lists never hold the list, or the file, in memory: CSV streams rows as they are read
from a chunked iterator, XLSX is written to a temporary file and streamed from it, cut at its row cap."""

from __future__ import annotations

import csv
import io
import itertools

import pytest
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import load_workbook

from kesu.complaints.models import Complaint
from kesu.metrics import exports


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
