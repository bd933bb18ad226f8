"""CSV and XLSX writers for the dashboard and for complaint lists. Lists are read from a chunked
``values_list`` iterator (no model instances, never the whole list in memory); CSV is streamed to the
client as it is written, XLSX is written by openpyxl's write-only mode to a temporary file and streamed
from it. Personal data is masked as in every list; cells that a spreadsheet would run as a formula are
neutralised."""

from __future__ import annotations

import csv
import itertools
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kesu.complaints.models import Channel, Complaint, FollowUpResult, Priority, Source, StageChoices
from kesu.core import privacy

#: Rows an XLSX export holds at most (a spreadsheet is for reading, not for a data dump); CSV exports
#: stream every row.
MAX_XLSX_ROWS = 100_000
#: A longer list is exported to XLSX in the background (:mod:`kesu.metrics.export_jobs`): openpyxl
#: writes about 2,500 rows a second on a busy two-core machine, so this keeps the request to a couple
#: of seconds, well inside a worker's 30 s.
XLSX_IN_REQUEST_ROWS = 5_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Sheet = tuple[str, Sequence[str], Iterable[Sequence[Any]]]


class _Echo:
    def write(self, value: str) -> str:
        return value


#: A cell a spreadsheet would read as a formula (=HYPERLINK(…), +cmd|…, -2+3, @SUM(…)), or that hides
#: one behind a tab or carriage return: team names, user names and what customers typed are not ours.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Formatted:
    """A number with its spreadsheet format (XLSX keeps the number) and its text (CSV)."""

    value: float | int | None
    number_format: str
    text: str


def percent(value: float | None) -> Formatted | str:
    """A rate (0.96) shown as 96.0%: a number formatted as percent in XLSX, "96.0%" in CSV."""
    if value is None:
        return ""
    shown = (Decimal(str(value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Formatted(value, "0.0%", f"{shown}%")


def decimal(value: float | None, places: int = 2) -> Formatted | str:
    if value is None:
        return ""
    shown = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return Formatted(value, "0." + "0" * places if places else "0", f"{shown}")


def _cell(value: Any) -> Any:
    if isinstance(value, Formatted):
        return value
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None, second=0, microsecond=0)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # shown as text, as OWASP advises for CSV injection
    return value


def _text(value: Any) -> Any:
    """A CSV cell: dates to the minute (2026-12-03 14:05), the rest as it is."""
    value = _cell(value)
    if isinstance(value, Formatted):
        return value.text
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat() if isinstance(value, date) else value


def _width(value: Any) -> int:
    """Columns sized to what they hold: a CJK character is about two Latin ones wide."""
    text = _text(value)
    text = "" if text is None else str(text)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


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
                yield writer.writerow([_text(v) for v in row])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, sheets: list[Sheet]) -> FileResponse:
    # Written to a temporary file and streamed from it: the workbook is never held in memory whole
    # (write-only sheets keep their rows on disk too). The file goes when the response is closed.
    spool = tempfile.TemporaryFile()
    write_xlsx(spool, sheets)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_TYPE)


def write_xlsx(
    target: IO[bytes],
    sheets: list[Sheet],
    *,
    max_rows: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write the sheets as one workbook (openpyxl's write-only mode) to ``target``, each cut at
    ``max_rows`` (:data:`MAX_XLSX_ROWS`); ``progress`` hears the rows written, every 1,000."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for title, header, body in sheets:
        sheet = book.create_sheet(title=title[:31])
        # Write-only sheets take their column widths before any row: sized from the header and
        # the first rows (a sample, so the export still streams).
        body = iter(body)
        head = [list(row) for _, row in zip(range(200), body, strict=False)]
        for index, name in enumerate(header, start=1):
            widest = max([_width(name), *(_width(r[index - 1]) for r in head if index - 1 < len(r))])
            sheet.column_dimensions[get_column_letter(index)].width = min(max(widest + 2, 8), 60)
        sheet.freeze_panes = "A2"
        sheet.append(list(header))

        def cells(row: Sequence[Any], sheet: Any = sheet) -> list[Any]:
            out = []
            for value in (_cell(v) for v in row):
                if isinstance(value, Formatted):
                    cell = WriteOnlyCell(sheet, value=value.value)
                    cell.number_format = value.number_format
                    out.append(cell)
                elif isinstance(value, datetime):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "yyyy-mm-dd hh:mm"
                    out.append(cell)
                elif isinstance(value, date):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "yyyy-mm-dd"
                    out.append(cell)
                elif isinstance(value, str):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"  # always a value: openpyxl stores any '=…' string as a formula
                    out.append(cell)
                else:
                    out.append(value)
            return out

        cap = MAX_XLSX_ROWS if max_rows is None else max_rows
        for count, row in enumerate(itertools.chain(head, body)):
            if count >= cap:
                sheet.append([_("Cut at %(rows)s rows; export CSV for all.") % {"rows": cap}])
                break
            sheet.append(cells(row))
            if progress is not None and count % 1000 == 999:
                progress(count + 1)
    book.save(target)


def respond(fmt: str, filename: str, sheets: list[Sheet]) -> FileResponse | StreamingHttpResponse:
    return xlsx_response(filename, sheets) if fmt == "xlsx" else csv_response(filename, sheets)


#: A complaint list's columns: the value read, the header a person reads, and the names of the
#: codes (none: the value as it is). Dates are local time, to the minute.
COMPLAINT_COLUMNS: tuple[tuple[str, Any, dict[Any, Any] | None], ...] = (
    ("reference", _lazy("Reference"), None),
    ("received_at", _lazy("Received"), None),
    ("stage", _lazy("Stage"), dict(StageChoices.choices)),
    ("channel", _lazy("Channel"), dict(Channel.choices)),
    ("source", _lazy("Source"), dict(Source.choices)),
    ("escalated_complaint", _lazy("Escalated complaint"), {True: _lazy("Yes"), False: _lazy("No")}),
    ("priority", _lazy("Priority"), dict(Priority.choices)),
    ("team__name", _lazy("Team"), None),
    ("owner__username", _lazy("Owner"), None),
    ("customer__tier__name", _lazy("Tier"), None),
    ("customer__name", _lazy("Customer"), None),
    ("category__name", _lazy("Category"), None),
    ("subcategory__name", _lazy("Sub-category"), None),
    ("escalation_level", _lazy("Escalation level"), None),
    ("reopen_count", _lazy("Times reopened"), None),
    ("first_reply_at", _lazy("First reply"), None),
    ("effective_solution_at", _lazy("Effective solution"), None),
    ("closed_at", _lazy("Closed at"), None),
    ("follow_up_result", _lazy("Follow-up result"), dict(FollowUpResult.choices)),
)


def complaint_sheet(queryset: QuerySet[Complaint]) -> Sheet:
    fields = [name for name, _label, _names in COMPLAINT_COLUMNS]
    customer = fields.index("customer__name")
    header = [str(label) for _name, label, _names in COMPLAINT_COLUMNS]
    names = [{k: str(v) for k, v in codes.items()} if codes else None for _n, _l, codes in COMPLAINT_COLUMNS]

    def rows() -> Iterator[list[Any]]:
        for row in queryset.values_list(*fields).iterator(chunk_size=2000):
            row = [
                codes.get(value, value) if codes and value is not None else value
                for codes, value in zip(names, row, strict=True)
            ]
            row[customer] = privacy.mask_name(row[customer] or "")
            yield row

    return (_("Complaints"), header, rows())
