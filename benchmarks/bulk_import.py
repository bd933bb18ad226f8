"""Bulk import: what the upload request costs, how fast a job takes rows in, and how fast the files
the limits are for are refused.

On a fresh database (a temporary SQLite file, or ``kesu_bench_import`` on the local PostgreSQL):

- the upload request (checks, storing the file, creating the job) for a CSV of N rows;
- the job's run over it (the whole file checked, then every row taken in with its line of report);
- a 100,000-row CSV under the size limit, refused by the row cap before anything is written;
- a ~100 KiB XLSX that unpacks past the limit, refused at upload from the zip's directory.

    python benchmarks/bulk_import.py                  # 2,000 rows, SQLite
    python benchmarks/bulk_import.py --rows 20000 --db postgres
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import sla_sweep  # noqa: E402  (the same database set-up)

TEXTS = [
    "宽带断网三天了，打了五次电话都说在处理，再不修好我就去工信部投诉！",
    "信用卡年费没经过我同意就扣了300元，客服说是系统自动扣的，我要求退还。",
    "快递显示签收但我根本没收到，客服只会说明天给答复，已经第三天了。",
    "I was charged twice for the same order and nobody has replied to my emails for a week.",
]


def csv_file(rows: int) -> bytes:
    lines = ["客户姓名,联系电话,渠道,投诉内容,外部编号"]
    lines += [f"客户{i},139{i:08d},电话,{TEXTS[i % len(TEXTS)]},BENCH-{i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def xlsx_bomb() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["customer_name", "channel", "text"])
    plain, bomb = io.BytesIO(), io.BytesIO()
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        with target.open("xl/worksheets/sheet2.xml", "w") as part:
            for _ in range(120):
                part.write(b"\0" * 1_048_576)
    return bomb.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    sla_sweep.configure(args.db, database="kesu_bench_import", prefix="kesu-import-")

    from kesu.complaints.errors import ComplaintError
    from kesu.complaints.models import Complaint
    from kesu.handling.importer import _run_claimed, start_import
    from tests.factories import TeamFactory, UserFactory

    lead = UserFactory(username="bench-lead", team=TeamFactory(name="投诉一组"), role="team_lead")
    content = csv_file(args.rows)
    started = time.perf_counter()
    # the foreground path of ``kesu import``: the job is claimed at its creation, then run here
    job = start_import(actor=lead, name="bench.csv", stream=io.BytesIO(content), size=len(content), foreground=True)
    upload_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    job = _run_claimed(job, None)
    run_s = time.perf_counter() - started
    assert job is not None and job.status == "done" and job.created == args.rows, job
    assert Complaint.objects.count() == args.rows
    print(f"{args.db}: upload request for {args.rows} rows ({len(content) / 1_048_576:.1f} MiB): {upload_ms:.0f} ms")
    print(f"{args.db}: job run: {run_s:.1f} s, {args.rows / run_s:.0f} rows/s (every row a full intake + its report line)")

    big = ("customer_name,channel,text\n" + "".join(f"客户{i},phone,第{i}条投诉\n" for i in range(100_000))).encode()
    started = time.perf_counter()
    refused = _run_claimed(
        start_import(actor=lead, name="big.csv", stream=io.BytesIO(big), size=len(big), foreground=True), None
    )
    assert refused is not None and refused.error_code == "too_many_rows"
    assert Complaint.objects.count() == args.rows
    print(
        f"{args.db}: 100,000-row CSV ({len(big) / 1_048_576:.1f} MiB): refused by the row cap in "
        f"{time.perf_counter() - started:.2f} s, nothing written"
    )

    bomb = xlsx_bomb()
    started = time.perf_counter()
    try:
        start_import(actor=lead, name="bomb.xlsx", stream=io.BytesIO(bomb), size=len(bomb), foreground=True)
    except ComplaintError as error:
        assert error.code == "unpacks_too_large"
    else:
        raise AssertionError("the bomb was accepted")
    print(
        f"{args.db}: XLSX of {len(bomb) / 1024:.0f} KiB unpacking to 120 MiB: refused at upload in "
        f"{(time.perf_counter() - started) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
