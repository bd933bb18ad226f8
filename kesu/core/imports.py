"""Reading an uploaded table within limits 批量导入的读取与上限 (SPEC §2, bulk intake).

A spreadsheet comes from outside. A 100,000-row CSV under the size limit, or a few kilobytes of XLSX
that unpack to gigabytes, must be refused before they cost a worker minutes or its memory. The checks
come in the order that costs least:

1. the file's size and kind (``.csv``/``.txt`` or ``.xlsx``), before anything is read;
2. for XLSX, the declared unpacked size and the number of the zip's parts, before openpyxl opens it.
   :mod:`zipfile` never hands out more bytes than a part declares (it stops there and checks the
   CRC), so the sum of the declared sizes bounds what the reader can be made to unpack;
3. while reading: data rows, columns per row, cells read (blank rows count one each, so a sheet of a
   million empty rows is refused too) and characters per cell. openpyxl reads in read-only mode, with
   the sheet's own (untrusted) dimensions reset, so a row claiming column XFD is one row too wide,
   not sixteen thousand padded cells on every row.

A refusal is a :class:`TableRefused` with a stable code, an English message marked for translation and
its parameters; the caller translates it. Plain Python (csv, zipfile, openpyxl): no Django here.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from kesu.core.errors import ErrorCode

MIB = 1_048_576


def gettext_noop(message: str) -> str:
    """Mark a string for translation without translating it here (the core has no i18n)."""
    return message


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10 * MIB
    #: data rows (the header row not counted); blank rows are not data
    max_rows: int = 20_000
    max_columns: int = 100
    #: cells read, blank rows counted one each
    max_cells: int = 1_000_000
    max_cell_chars: int = 20_000
    #: XLSX: the sum of the zip parts' declared unpacked sizes, and how many parts
    max_unpacked_bytes: int = 100 * MIB
    max_parts: int = 1_000


@dataclass
class TableRefused(Exception):
    """The file as a whole is refused; nothing of it may be written."""

    code: ErrorCode
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message


def kind_of(name: str) -> str:
    lower = name.lower()
    if lower.endswith((".csv", ".txt")):
        return "csv"
    if lower.endswith(".xlsx"):
        return "xlsx"
    raise TableRefused(ErrorCode.UNSUPPORTED_FILE, gettext_noop("Upload a .csv or .xlsx file."))


def check_size(size: int, limits: Limits) -> None:
    if size > limits.max_bytes:
        raise TableRefused(
            ErrorCode.FILE_TOO_LARGE,
            gettext_noop("The file is larger than the import limit of %(limit)s MiB."),
            {"limit": round(limits.max_bytes / MIB, 1)},
        )


def check_archive(stream: IO[bytes], limits: Limits) -> None:
    """An XLSX is a zip: refuse one whose parts would unpack beyond the limits, before any is read."""
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError, KeyError):
        # NotImplementedError: a directory claiming a zip version or method zipfile does not read
        raise TableRefused(ErrorCode.BAD_FILE, gettext_noop("The file is not a readable XLSX workbook.")) from None
    finally:
        stream.seek(0)
    unpacked = sum(part.file_size for part in parts)
    if len(parts) > limits.max_parts or unpacked > limits.max_unpacked_bytes:
        raise TableRefused(
            ErrorCode.UNPACKS_TOO_LARGE,
            gettext_noop(
                "The workbook unpacks to %(size)s MiB, more than the import limit of %(limit)s MiB; "
                "save it as CSV or split it."
            ),
            {"size": round(unpacked / MIB, 1), "limit": round(limits.max_unpacked_bytes / MIB, 1)},
        )


#: An uploaded text file (a CSV of complaints, a transcript export) is UTF-8, with or without a byte
#: order mark, or GB18030 as Excel on Chinese Windows saves it.
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_text(raw: bytes) -> str | None:
    """An uploaded file's text in the first of :data:`TEXT_ENCODINGS` that reads it; None if neither does."""
    for encoding in TEXT_ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _csv_rows(stream: IO[bytes], limits: Limits) -> Iterator[list[Any]]:
    raw = stream.read(limits.max_bytes + 1)
    check_size(len(raw), limits)
    text = decode_text(raw)
    del raw
    if text is None:
        raise TableRefused(ErrorCode.BAD_ENCODING, gettext_noop("The CSV file is neither UTF-8 nor GB18030 encoded."))
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:  # a field beyond the csv module's own limit (128 KiB), or a broken quote
            raise TableRefused(
                ErrorCode.CELL_TOO_LONG,
                gettext_noop("Row %(row)s has a cell longer than %(limit)s characters, or a broken quote."),
                {"row": reader.line_num, "limit": limits.max_cell_chars},
            ) from None
        yield row


def _xlsx_rows(stream: IO[bytes], limits: Limits) -> Iterator[list[Any]]:
    check_archive(stream, limits)
    from openpyxl import load_workbook

    try:
        book = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # openpyxl raises many types for a broken file
        raise TableRefused(
            ErrorCode.BAD_FILE, gettext_noop("The XLSX file cannot be read: %(error)s"), {"error": str(error)[:200]}
        ) from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the sheet's own dimension claim is not to be trusted
        for row in sheet.iter_rows(values_only=True):
            yield ["" if value is None else value for value in row]
    except Exception as error:
        raise TableRefused(
            ErrorCode.BAD_FILE, gettext_noop("The XLSX file cannot be read: %(error)s"), {"error": str(error)[:200]}
        ) from None
    finally:
        book.close()


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def read_rows(name: str, stream: IO[bytes], limits: Limits) -> Iterator[tuple[int, list[Any]]]:
    """``(row number, cells)`` for every row with a value, the header first; trailing blank cells are
    dropped. Raises :class:`TableRefused` as soon as a limit is passed (so a caller that reads the
    whole file before writing anything writes nothing for a refused file)."""
    raw = _csv_rows(stream, limits) if kind_of(name) == "csv" else _xlsx_rows(stream, limits)
    cells = 0
    data_rows = -1  # the first row with a value is the header
    for number, row in enumerate(raw, start=1):
        cells += max(len(row), 1)
        if cells > limits.max_cells:
            raise TableRefused(
                ErrorCode.TOO_MANY_CELLS,
                gettext_noop("The file has more than %(limit)s cells (blank rows included); split it."),
                {"limit": limits.max_cells},
            )
        while row and _blank(row[-1]):
            row.pop()
        if not row:
            continue
        if len(row) > limits.max_columns:
            raise TableRefused(
                ErrorCode.TOO_MANY_COLUMNS,
                gettext_noop("Row %(row)s has more than %(limit)s columns."),
                {"row": number, "limit": limits.max_columns},
            )
        for column, cell in enumerate(row, start=1):
            if isinstance(cell, str) and len(cell) > limits.max_cell_chars:
                raise TableRefused(
                    ErrorCode.CELL_TOO_LONG,
                    gettext_noop("Row %(row)s, column %(column)s is longer than %(limit)s characters."),
                    {"row": number, "column": column, "limit": limits.max_cell_chars},
                )
        data_rows += 1
        if data_rows > limits.max_rows:
            raise TableRefused(
                ErrorCode.TOO_MANY_ROWS,
                gettext_noop("The file has more than %(limit)s rows; split it and import each part."),
                {"limit": limits.max_rows},
            )
        yield number, row
