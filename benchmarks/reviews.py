"""The loop's pages over a million complaints: the journey map and the root-cause Pareto.

Fills a fresh database with the KPI benchmark's million complaints (:func:`benchmarks.kpi.fill`,
twelve months, ten teams), then, set-based, what the loop adds:

* touchpoint marks: every complaint one touchpoint where it arose (宣传 … 变更/退订), 60 % also one
  touchpoint of the handling (投诉接入 … 结果确认与回访) — about 1.6 marks a complaint;
* a case review of every closed complaint that needs one (escalated complaints, escalations to the
  second level or above, reopened ones: about 16 %), each with one root cause from the default
  tree's leaves and a second for 30 % of them.

Then times, for the last month (counted live, as the month on screen always is) and the whole
year (eleven months from the nightly journey summary, ``refresh_journey_months``), the selectors
and the pages as a manager requests them (rendering included): ``/reviews/journey/``, its
drill-down, ``/reviews/causes/`` and the dashboard's loop panel ``/reviews/panel/``.

    python benchmarks/reviews.py                          # 1,000,000 rows on PostgreSQL
    python benchmarks/reviews.py --rows 100000 --db sqlite

Target on PostgreSQL: each page under 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import kpi, sla_sweep  # noqa: E402

PG_DB = "kesu_bench_reviews"


def fill_loop() -> tuple[int, int, int]:
    from django.db import connection

    from kesu.accounts.models import User
    from kesu.reviews.models import Review, RootCause, Touchpoint

    arising = list(Touchpoint.objects.filter(phase="arising").values_list("pk", flat=True))
    handling = list(Touchpoint.objects.filter(phase="handling").values_list("pk", flat=True))
    leaves = list(RootCause.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    agent = User.objects.get(username="bench-agent")

    def by_hash(prime: int, ids: list[int]) -> str:
        return (
            "CASE "
            + " ".join(f"WHEN (id * {prime}) % {len(ids)} = {i} THEN {pk}" for i, pk in enumerate(ids))
            + " END"
        )

    pg = connection.vendor == "postgresql"
    jsonb = "::jsonb" if pg else ""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO reviews_complainttouchpoint (complaint_id, touchpoint_id, confirmed, received_at) "
            f"SELECT id, {by_hash(127, arising)}, FALSE, received_at FROM complaints_complaint"
        )
        cursor.execute(
            "INSERT INTO reviews_complainttouchpoint (complaint_id, touchpoint_id, confirmed, received_at) "
            f"SELECT id, {by_hash(131, handling)}, (id % 5 = 0), received_at FROM complaints_complaint "
            "WHERE (id * 137) % 10 < 6"
        )
        given = {
            "complaint_id": "id",
            "team_id": "team_id",
            "received_at": "received_at",
            "status": "CASE WHEN id % 4 = 0 THEN 'submitted' ELSE 'approved' END",
            "required": "TRUE",
            "reasons": "'[\"escalated_complaint\"]'" + jsonb,
            "chain": "'{}'" + jsonb,
            "situation": "'客户宽带断网一周，经工信部转办。'",
            "task": "'48小时内恢复网络并安抚客户。'",
            "action": "'加急派单维修，主管致电道歉。'",
            "result": "'当天修复，客户表示基本满意。'",
            "lesson": "'一线未主动询问需求；加强沟通培训。'",
            "drafted_by_id": str(agent.pk),
            "submitted_at": "closed_at",
            "created_at": "closed_at",
        }
        columns = {**given, **kpi._other_columns(Review, set(given))}
        cursor.execute(
            f"INSERT INTO reviews_review ({', '.join(columns)}) SELECT {', '.join(columns.values())} "
            "FROM complaints_complaint WHERE stage = 'closed' "
            "AND (escalated_complaint OR escalation_level >= 2 OR reopen_count > 0)"
        )
        cursor.execute(
            "INSERT INTO reviews_review_root_causes (review_id, rootcause_id) "
            f"SELECT id, {by_hash(139, leaves)} FROM reviews_review"
        )
        cursor.execute(
            "INSERT INTO reviews_review_root_causes (review_id, rootcause_id) "
            f"SELECT id, {by_hash(149, leaves)} FROM reviews_review WHERE (id * 151) % 10 < 3 "
            f"AND {by_hash(149, leaves)} <> {by_hash(139, leaves)}"
        )
        cursor.execute("ANALYZE")
        counts = []
        for table in ("reviews_complainttouchpoint", "reviews_review", "reviews_review_root_causes"):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts.append(cursor.fetchone()[0])
    return counts[0], counts[1], counts[2]


def timed(call, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def run(db: str, rows: int, repeat: int) -> list[str]:
    sla_sweep.configure(db, database=PG_DB, prefix="kesu-reviews-")
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from kesu.accounts.models import User
    from kesu.metrics.periods import Period
    from kesu.reviews import selectors

    started = time.perf_counter()
    kpi.fill(rows)
    marks, reviews, causes = fill_loop()
    filled = time.perf_counter() - started
    setup_test_environment()
    manager = User.objects.create(username="bench-manager")
    manager.groups.add(Group.objects.get(name="manager"))
    client = Client()
    client.force_login(manager)
    month, year = Period.month(2026, 10), Period(kpi.FIRST_MONTH, kpi.LAST_MONTH.replace(day=31))
    lines = [
        f"# {db}: {rows:,} complaints, {marks:,} touchpoint marks, {reviews:,} reviews, "
        f"{causes:,} root causes (fill {filled:.0f} s)"
    ]

    def measure(label: str, call) -> None:
        queries = []  # counted by a wrapper: a request resets connection.queries
        with connection.execute_wrapper(
            lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
        ):
            call()
        best, median = timed(call, repeat)
        lines.append(f"{db:<9} {label:<40} {best:>7.3f} {median:>8.3f} {len(queries):>7}")

    from kesu.reviews.services import refresh_journey_months

    whole_year = selectors.Period(year.start, year.end)
    measure("journey() year, no summary", lambda: selectors.journey(whole_year))
    started = time.perf_counter()
    refresh_journey_months(months=year.months(), now=month.start)  # October stays live
    lines.append(f"# the nightly journey summary of 11 months: {time.perf_counter() - started:.1f} s")
    for name, period, query in [
        ("month", month, "month=2026-10"),
        ("year", year, "from=2025-11-01&to=2026-10-31"),
    ]:
        span = selectors.Period(period.start, period.end)
        measure(f"journey() {name}", lambda span=span: selectors.journey(span))
        measure(f"root_cause_pareto() {name}", lambda span=span: selectors.root_cause_pareto(span))
        for page in ("journey/", "journey/usage/", "causes/", "panel/"):
            url = f"/reviews/{page}?{query}"

            def get(url=url) -> None:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            measure(f"GET /reviews/{page} {name}", get)
    connection.close()
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"Closing-the-loop pages on {os.cpu_count()} CPUs; target on PostgreSQL: each page < 1 s")
    print(f"{'database':<9} {'what':<40} {'best s':>7} {'median s':>8} {'queries':>7}")
    for line in run(args.db, args.rows, args.repeat):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
