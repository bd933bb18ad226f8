"""CSV and XLSX writers for the dashboard and for complaint lists. Lists are streamed from a
``values_list`` iterator (no model instances); personal data is masked as in every list."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.complaints.models import Complaint
from kesu.core import privacy

#: Rows an XLSX export holds at most (a spreadsheet is for reading, not for a data dump).
MAX_XLSX_ROWS = 100_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Sheet = tuple[str, Sequence[str], Iterable[Sequence[Any]]]


class _Echo:
    def write(self, value: str) -> str:
        return value


#: A cell a spreadsheet would read as a formula (=HYPERLINK(…), +cmd|…, -2+3, @SUM(…)), or that hides
#: one behind a tab or carriage return: team names, user names and what customers typed are not ours.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # shown as text, as OWASP advises for CSV injection
    return value


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """A cell that is always a value: openpyxl would store any string beginning with = as a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=_cell(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def csv_response(filename: str, sheets: list[Sheet]) -> StreamingHttpResponse:
    """One CSV; several sheets follow each other, each under its title. UTF-8 with a BOM so
    that Excel opens Chinese text correctly."""
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield "\ufeff"
        for index, (title, header, body) in enumerate(sheets):
            if len(sheets) > 1:
                if index:
                    yield writer.writerow([])
                yield writer.writerow([f"# {title}"])
            yield writer.writerow(header)
            for row in body:
                yield writer.writerow([_cell(v) for v in row])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, sheets: list[Sheet]) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, header, body in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append(list(header))
        for count, row in enumerate(body):
            if count >= MAX_XLSX_ROWS:
                sheet.append([_("Cut at %(rows)s rows; export CSV for all.") % {"rows": MAX_XLSX_ROWS}])
                break
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def respond(fmt: str, filename: str, sheets: list[Sheet]) -> HttpResponse | StreamingHttpResponse:
    return xlsx_response(filename, sheets) if fmt == "xlsx" else csv_response(filename, sheets)


COMPLAINT_COLUMNS = (
    ("reference", "reference"),
    ("received_at", "received at"),
    ("stage", "stage"),
    ("channel", "channel"),
    ("source", "source"),
    ("escalated_complaint", "escalated complaint"),
    ("priority", "priority"),
    ("team__name", "team"),
    ("owner__username", "owner"),
    ("customer__tier__code", "tier"),
    ("customer__name", "customer"),
    ("category__code", "category"),
    ("subcategory__code", "sub-category"),
    ("escalation_level", "escalation level"),
    ("reopen_count", "times reopened"),
    ("first_reply_at", "first reply at"),
    ("effective_solution_at", "effective solution at"),
    ("closed_at", "closed at"),
    ("follow_up_result", "follow-up result"),
)


def complaint_sheet(queryset: QuerySet[Complaint]) -> Sheet:
    fields = [name for name, _label in COMPLAINT_COLUMNS]
    customer = fields.index("customer__name")
    header = [label for _name, label in COMPLAINT_COLUMNS]

    def rows() -> Iterator[list[Any]]:
        for row in queryset.values_list(*fields).iterator(chunk_size=2000):
            row = list(row)
            row[customer] = privacy.mask_name(row[customer] or "")
            yield row

    return (_("Complaints"), header, rows())
