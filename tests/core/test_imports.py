"""The limits of an uploaded table, checked before and while it is read (kesu.core.imports): a file over
any of them is refused with a stable code before a single row reaches the importer."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from kesu.core.errors import ErrorCode
from kesu.core.imports import Limits, TableRefused, check_archive, kind_of, read_rows

SMALL = Limits(max_rows=10, max_columns=5, max_cells=200, max_cell_chars=50, max_unpacked_bytes=256 * 1024)


def csv_bytes(rows: int, header: str = "customer_name,channel,text") -> bytes:
    return (header + "\n" + "".join(f"客户{i},phone,第{i}条投诉\n" for i in range(rows))).encode()


def xlsx_bytes(fill) -> bytes:
    book = Workbook()
    fill(book.active)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read(name: str, content: bytes, limits: Limits = SMALL) -> list[tuple[int, list]]:
    return list(read_rows(name, io.BytesIO(content), limits))


def refused(name: str, content: bytes, limits: Limits = SMALL) -> TableRefused:
    with pytest.raises(TableRefused) as caught:
        read(name, content, limits)
    return caught.value


def test_rows_up_to_the_cap_are_read_and_one_more_refuses_the_file():
    rows = read("a.csv", csv_bytes(10))
    assert len(rows) == 11 and rows[1] == (2, ["客户0", "phone", "第0条投诉"])
    error = refused("a.csv", csv_bytes(11))
    assert error.code == ErrorCode.TOO_MANY_ROWS and error.params == {"limit": 10}


def test_blank_rows_are_not_data_but_a_sheet_of_blank_rows_is_refused_by_its_cells():
    assert len(read("a.csv", b"customer_name,channel,text\n\n\n,,\nx,phone,y\n")) == 2

    def far(sheet):
        sheet["A1"] = "customer_name"
        sheet.cell(row=100_000, column=1, value="x")

    error = refused("far.xlsx", xlsx_bytes(far))
    assert error.code == ErrorCode.TOO_MANY_CELLS


def test_a_row_wider_than_the_cap_is_refused_without_padding_every_row():
    def wide(sheet):
        sheet["A1"] = "customer_name"
        sheet.cell(row=2, column=16_384, value="XFD")  # the last column a sheet has

    error = refused("wide.xlsx", xlsx_bytes(wide), Limits(max_columns=100))
    assert error.code == ErrorCode.TOO_MANY_COLUMNS and error.params["row"] == 2
    assert refused("wide.csv", b"a,b,c,d,e,f\n").code == ErrorCode.TOO_MANY_COLUMNS
    # trailing empty cells are not columns
    assert read("ok.csv", b"a,b,c,,,,,,,,,,\n") == [(1, ["a", "b", "c"])]


def test_a_cell_longer_than_the_cap_is_refused_and_so_is_one_beyond_the_csv_modules_own_limit():
    error = refused("long.csv", ("a,b\nx," + "长" * 51 + "\n").encode())
    assert error.code == ErrorCode.CELL_TOO_LONG and error.params == {"row": 2, "column": 2, "limit": 50}
    huge = b"a,b\nx," + b"y" * 200_000 + b"\n"
    assert refused("huge.csv", huge, Limits()).code == ErrorCode.CELL_TOO_LONG


def test_an_xlsx_that_unpacks_beyond_the_cap_is_refused_from_the_zips_directory():
    plain = xlsx_bytes(lambda sheet: sheet.append(["customer_name", "channel", "text"]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            bomb.writestr(item, source.read(item))
        bomb.writestr("xl/media/padding.bin", b"\0" * (4 * 1_048_576))  # 4 MiB that zip to ~4 KiB
    content = buffer.getvalue()
    assert len(content) < 40_000
    error = refused("bomb.xlsx", content)
    assert error.code == ErrorCode.UNPACKS_TOO_LARGE and error.params["size"] >= 4
    with pytest.raises(TableRefused):
        check_archive(io.BytesIO(content), SMALL)  # the check alone, before openpyxl opens anything
    assert read("plain.xlsx", plain) == [(1, ["customer_name", "channel", "text"])]


def test_a_sheet_whose_dimension_lies_is_read_to_its_last_row():
    content = xlsx_bytes(lambda sheet: [sheet.append([f"r{i}"]) for i in range(5)])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:A2"', data)
            target.writestr(item, data)
    assert [row for _n, row in read("lie.xlsx", buffer.getvalue())] == [[f"r{i}"] for i in range(5)]


def test_files_that_are_not_what_they_say_are_refused_with_their_own_codes():
    assert refused("x.xlsx", b"PK not really").code == ErrorCode.BAD_FILE
    assert refused("x.pdf", b"%PDF").code == ErrorCode.UNSUPPORTED_FILE
    assert refused("big.csv", b"a\n" * 100, Limits(max_bytes=100)).code == ErrorCode.FILE_TOO_LARGE
    assert kind_of("投诉.XLSX") == "xlsx" and kind_of("a.txt") == "csv"


def test_a_workbook_claiming_a_zip_version_nobody_reads_is_refused_not_a_server_error():
    content = bytearray(xlsx_bytes(lambda sheet: sheet.append(["customer_name", "channel", "text"])))
    at = content.index(b"PK\x01\x02")  # the first central-directory entry: "version needed" at +6
    content[at + 6 : at + 8] = (170).to_bytes(2, "little")  # 17.0: zipfile raises NotImplementedError
    error = refused("new.xlsx", bytes(content))
    assert error.code == ErrorCode.BAD_FILE
