"""KPI dashboard over a million complaints, on PostgreSQL and on SQLite.

Fills a fresh database (``kesu_bench_kpi`` on the local PostgreSQL, a temporary file for
SQLite) with N complaints received over twelve months (a large platform gets 100,000 a day;
this is a year of a large team's share), with set-based SQL as ``sla_sweep.py`` does:

* 10 teams; customers by tier 5 % VIP, 15 % high, 80 % standard;
* channels: phone 45 %, web 20 %, chat 17 %, e-mail 5 %, letter 3 %, walk-in 2 %, referrals
  from regulators/headquarters 8 % (letters, walk-ins and referrals are escalated complaints);
* eight categories in a Pareto-like spread (30 % … 3 %), each with three sub-categories;
* emotions: anger 25 %, disappointment 20 %, anxiety 15 %, confusion 10 %, neutral 25 %,
  expectation 5 %, in an analysis JSON of realistic size;
* clocks: first reply met 92 %, met late 5 %, breached 3 %; effective reply met 86 %, met
  late 10 %, breached 4 %; complaints of the last twenty days still open;
* escalated up the ladder: 8 % to the team lead, 2 % on to a manager, 0.3 % to legal/PR;
  4 % reopened; 12 % with a back-office work order (93 % in time);
* one follow-up per closed complaint: 非常满意 35 %, 满意 30 %, 基本满意 15 %, 不满意 5 %,
  很不满意 2 %, unreachable 13 %; 20,000,000 customers served a month.

Then times the whole dashboard (:func:`kesu.metrics.selectors.dashboard`: every KPI against
its target, the satisfaction by tier, the 12-month trend, Pareto, emotions, funnel, sources
and causes) for the last month and for the whole year, for all teams and for one team.

    python benchmarks/kpi.py                       # 1,000,000 rows, both databases
    python benchmarks/kpi.py --rows 200000 --db sqlite

Target on PostgreSQL: under 1 s for a month and 3 s for a year.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import sla_sweep  # noqa: E402  (the same database set-up and row source)
from benchmarks.sla_sweep import series, ts  # noqa: E402

PG_DB = os.environ.get("KESU_BENCH_KPI_DB", "kesu_bench_kpi")  # a helper can use its own
TEAMS = 10
#: The data's twelve months: November 2025 to October 2026 (Asia/Shanghai).
FIRST_MONTH, LAST_MONTH = date(2025, 11, 1), date(2026, 10, 1)


def configure(db: str) -> None:
    sla_sweep.configure(db, database=PG_DB, prefix="kesu-kpi-")


def h(prime: int) -> str:
    """A well-spread 0..999 per row (n × a prime, mod 1000; no overflow of a 32-bit n)."""
    return f"((n * {prime}) % 1000)"


def pick(bucket: str, choices: list[tuple[int, str]]) -> str:
    """``CASE`` over cumulative per-mille shares: [(300, "'a'"), (500, "'b'"), (1000, "'c'")]."""
    whens = " ".join(f"WHEN {bucket} < {limit} THEN {value}" for limit, value in choices[:-1])
    return f"CASE {whens} ELSE {choices[-1][1]} END"


def _other_columns(model, given: set[str]) -> dict[str, str]:
    """SQL literals for the NOT NULL columns this script does not set (columns other apps add)."""
    from django.db import models

    literals = {}
    for f in model._meta.concrete_fields:
        if f.column in given or f.null or f.primary_key:
            continue
        default = f.get_default()
        if isinstance(f, models.JSONField):
            literals[f.column] = "'[]'" if default == [] else "'{}'"
        elif isinstance(f, models.BooleanField):
            literals[f.column] = "TRUE" if default else "FALSE"
        elif isinstance(f, models.DateTimeField):
            literals[f.column] = "CURRENT_TIMESTAMP"
        elif isinstance(default, int | float):
            literals[f.column] = repr(default)
        else:
            literals[f.column] = "'" + str(default or "").replace("'", "''") + "'"
    return literals


def fill(rows: int) -> None:
    from django.contrib.auth.models import Group
    from django.db import connection

    from kesu.accounts.models import Team, User
    from kesu.complaints.models import Category, Complaint
    from kesu.customers.models import Tier
    from kesu.metrics.models import CustomersServed

    vendor = connection.vendor
    pg = vendor == "postgresql"
    jsonb = "::jsonb" if pg else ""
    teams = [Team.objects.create(name=f"投诉{i + 1}组") for i in range(TEAMS)]
    agent = User.objects.create(username="bench-agent", team=teams[0])
    agent.groups.add(Group.objects.get(name="agent"))
    tiers = {t.code: t.pk for t in Tier.objects.all()}
    names = ["网络故障", "计费争议", "服务态度", "物流配送", "产品质量", "退换货", "营销宣传", "隐私安全"]
    top = [Category.objects.create(code=f"b{i}", name=name, position=i) for i, name in enumerate(names)]
    subs = {
        c.pk: [
            Category.objects.create(code=f"{c.code}s{j}", name=f"{c.name}·{j + 1}", parent=c).pk
            for j in range(3)
        ]
        for c in top
    }
    start = datetime(2025, 11, 1, tzinfo=_shanghai()).astimezone(UTC)  # SQLite stores UTC text
    end = datetime(2026, 11, 1, tzinfo=_shanghai()).astimezone(UTC)
    window = (end - start).total_seconds()
    customers = max(1, rows // 5)
    received = f"(n * {window / (rows + 1)!r})"
    with connection.cursor() as cursor:
        tier = pick(
            h(101), [(50, str(tiers["vip"])), (200, str(tiers["high"])), (1000, str(tiers["standard"]))]
        )
        cursor.execute(
            "INSERT INTO customers_customer (external_id, name, phone, email, id_card, tier_id, created_at) "
            f"SELECT 'K' || n, '客户' || n, '139' || substr('00000000' || n, -8, 8), '', '', {tier}, "
            f"{ts(vendor, start, '0')} FROM {series(vendor, customers)}"
        )
        cursor.execute("SELECT MIN(id) FROM customers_customer")
        first_customer = cursor.fetchone()[0]
        channel = pick(
            h(37),
            [
                (450, "'phone'"),
                (650, "'web'"),
                (820, "'chat'"),
                (870, "'email'"),
                (900, "'letter'"),
                (920, "'walk_in'"),
                (1000, "'referral'"),
            ],
        )
        source = (
            f"CASE WHEN {h(37)} >= 920 THEN "
            + pick(
                h(53),
                [
                    (400, "'regulator_miit'"),
                    (700, "'regulator_market'"),
                    (850, "'consumer_association'"),
                    (1000, "'headquarters'"),
                ],
            )
            + " ELSE 'customer' END"
        )
        category_bucket = h(61)
        cat_choices, limit = [], 0
        for share, category in zip([300, 200, 150, 110, 90, 70, 50, 30], top, strict=True):
            limit += share
            cat_choices.append((limit, str(category.pk)))
        category = pick(category_bucket, cat_choices)
        sub_whens = " ".join(
            f"WHEN {category} = {c.pk} THEN "
            + pick(h(71), [(500, str(subs[c.pk][0])), (800, str(subs[c.pk][1])), (1000, str(subs[c.pk][2]))])
            for c in top
        )
        subcategory = f"CASE {sub_whens} END"
        recent = f"{received} > {window - 20 * 86400}"  # the last twenty days are still open
        stage = (
            f"CASE WHEN {recent} THEN "
            + pick(h(83), [(300, "'listen'"), (600, "'propose'"), (800, "'act'"), (1000, "'follow_up'")])
            + " ELSE 'closed' END"
        )
        follow_up = (
            f"CASE WHEN {recent} THEN '' ELSE "
            + pick(
                h(89),
                [
                    (350, "'very_satisfied'"),
                    (650, "'satisfied'"),
                    (800, "'basically_satisfied'"),
                    (850, "'dissatisfied'"),
                    (870, "'very_dissatisfied'"),
                    (1000, "'unreachable'"),
                ],
            )
            + " END"
        )
        level = pick(h(97), [(917, "0"), (977, "1"), (997, "2"), (1000, "3")])
        emotion = pick(
            h(103),
            [
                (250, "'anger'"),
                (450, "'disappointment'"),
                (600, "'anxiety'"),
                (700, "'confusion'"),
                (950, "'neutral'"),
                (1000, "'expectation'"),
            ],
        )
        analysis = (
            '(\'{"language": "zh", "emotion": {"label": "\' || ' + emotion + ' || \'", "intensity": 0.62}, '
            '"category": {"code": "network", "sub": "broadband", "confidence": 0.81}, '
            '"escalation": {"risk": 0.35, "level": "medium", "triggers": []}, '
            '"demands": [{"type": "repair", "amount": null, "evidence": "尽快修好"}], '
            '"bad_faith": {"signals": []}, "evidence": {"emotion": ["一直", "没人处理"]}}\')' + jsonb
        )
        at = ts(vendor, start, received)
        given = {
            "reference": "'K' || n",
            "customer_id": f"{first_customer} + (n * 7) % {customers}",
            "team_id": f"{teams[0].pk} + n % {TEAMS}",
            "owner_id": str(agent.pk),
            "created_by_id": str(agent.pk),
            "channel": channel,
            "source": source,
            "escalated_complaint": f"{h(37)} >= 870",
            "text": "'宽带断网三天了，一直没人处理'",
            "language": "'zh'",
            "priority": "2",
            "stage": stage,
            "checklist_done": "'[]'" + jsonb,
            "analysis": analysis,
            "category_id": category,
            "subcategory_id": subcategory,
            "follow_up_result": follow_up,
            "reopen_count": f"CASE WHEN {h(107)} < 40 THEN 1 ELSE 0 END",
            "escalation_level": level,
            "received_at": at,
            "accepted_at": at,
            "customer_agreed_at": f"CASE WHEN {recent} THEN NULL ELSE {ts(vendor, start, received + ' + 86400')} END",
            "closed_at": f"CASE WHEN {recent} THEN NULL ELSE {ts(vendor, start, received + ' + 4 * 86400')} END",
            "created_at": at,
            "updated_at": at,
        }
        columns = {**given, **_other_columns(Complaint, set(given))}
        cursor.execute(
            f"INSERT INTO complaints_complaint ({', '.join(columns)}) "
            f"SELECT {', '.join(columns.values())} FROM {series(vendor, rows)}"
        )
        cursor.execute("SELECT MIN(id) FROM complaints_complaint")
        first = cursor.fetchone()[0]
        first_status = (
            f"CASE WHEN {recent} AND {h(109)} < 50 THEN 'on_track' ELSE "
            + pick(h(109), [(920, "'met'"), (970, "'met_late'"), (1000, "'breached'")])
            + " END"
        )
        effective_status = (
            f"CASE WHEN {recent} AND {h(113)} < 300 THEN 'on_track' ELSE "
            + pick(h(113), [(860, "'met'"), (960, "'met_late'"), (1000, "'breached'")])
            + " END"
        )
        cursor.execute(
            "INSERT INTO sla_complaintsla (complaint_id, received_at, first_reply_hours, effective_reply_hours, "
            "at_risk_ratio, calendar_id, pauses, paused_since, first_reply_due_at, first_reply_risk_at, "
            "first_reply_status, effective_due_at, effective_risk_at, effective_status) "
            f"SELECT {first} + n - 1, {at}, 48, 24, 0.75, NULL, '[]'{jsonb}, NULL, "
            f"{ts(vendor, start, received + ' + 48 * 3600')}, {ts(vendor, start, received + ' + 36 * 3600')}, {first_status}, "
            f"{ts(vendor, start, received + ' + 24 * 3600')}, {ts(vendor, start, received + ' + 18 * 3600')}, {effective_status} "
            f"FROM {series(vendor, rows)}"
        )

        def shifted(column: str, seconds: int) -> str:
            if pg:
                return f"({column} + INTERVAL '{seconds} seconds')"
            return f"strftime('%Y-%m-%d %H:%M:%f', {column}, '+{seconds} seconds')"

        cursor.execute(
            "INSERT INTO followup_followup (complaint_id, method, result, comment, recorded_by_id, created_at, team_id, "
            "tier_id) "
            "SELECT c.id, CASE WHEN c.id % 3 = 0 THEN 'link' ELSE 'call' END, c.follow_up_result, '', "
            f"CASE WHEN c.id % 3 = 0 THEN NULL ELSE {agent.pk} END, {shifted('c.received_at', 3 * 86400)}, "
            "c.team_id, cu.tier_id FROM complaints_complaint c JOIN customers_customer cu ON cu.id = c.customer_id "
            "WHERE c.follow_up_result <> ''"
        )
        cursor.execute(
            "INSERT INTO followup_workorder (complaint_id, department, description, created_by_id, created_at, due_at, "
            "completed_at, result) "
            f"SELECT id, '网络部', '上门维修', {agent.pk}, {shifted('received_at', 3600)}, {shifted('received_at', 72 * 3600)}, "
            f"CASE WHEN id % 100 < 93 THEN {shifted('received_at', 48 * 3600)} WHEN id % 100 < 98 THEN "
            f"{shifted('received_at', 80 * 3600)} END, '' "
            "FROM complaints_complaint WHERE (id * 131) % 1000 < 120"
        )
        for position, code in [(1, "team_lead"), (2, "manager"), (3, "legal_pr")]:
            cursor.execute(
                "INSERT INTO escalation_escalation (complaint_id, level, level_code, reason, triggers, note, package, "
                "status, outcome, created_at) "
                f"SELECT id, {position}, '{code}', 'sla_breach', '[]'{jsonb}, '', '{{}}'{jsonb}, "
                f"CASE WHEN stage = 'closed' THEN 'resolved' ELSE 'open' END, '', {shifted('received_at', 86400)} "
                f"FROM complaints_complaint WHERE escalation_level >= {position}"
            )
    month = FIRST_MONTH
    while month <= LAST_MONTH:
        CustomersServed.objects.create(month=month, count=20_000_000)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _shanghai():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def timed(call, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def run(db: str, rows: int, repeat: int) -> list[str]:
    configure(db)
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from kesu.accounts.models import Team
    from kesu.metrics.periods import Period, add_months
    from kesu.metrics.permissions import Scope
    from kesu.metrics.selectors import dashboard
    from kesu.metrics.services import refresh_kpi_months

    started = time.perf_counter()
    fill(rows)
    filled = time.perf_counter() - started
    team = Team.objects.order_by("pk").first()
    month = Period.month(LAST_MONTH.year, LAST_MONTH.month)
    year = Period(FIRST_MONTH, date(2026, 10, 31))
    partial = Period(date(2026, 9, 10), date(2026, 10, 9))
    lines = []

    def measure(label: str, period: Period, scope: Scope, note: str = "") -> None:
        with CaptureQueriesContext(connection) as queries:
            board = dashboard(period=period, scope=scope)
        best, median = timed(lambda: dashboard(period=period, scope=scope), repeat)
        figure = board.kpi("on_time_effective_reply").value
        lines.append(
            f"{db:<9} {rows:>9,} {label:<17} {best:>7.3f} {median:>8.3f} {len(queries):>7} "
            f"{figure.denominator:>9,} {float(figure.value or 0):>7.3f}   {note}"
        )
        reset_queries()

    # Before the nightly summary of past months exists, the trend counts twelve months live.
    measure("month, no summary", month, Scope(), f"(fill {filled:.0f} s)")
    started = time.perf_counter()
    refresh_kpi_months(months=[add_months(FIRST_MONTH, i) for i in range(11)])
    refreshed = time.perf_counter() - started
    for label, period, scope in [
        ("month", month, Scope()),
        ("year", year, Scope()),
        ("30 days", partial, Scope()),
        ("month/team", month, Scope(team_id=team.pk)),
        ("year/team", year, Scope(team_id=team.pk)),
    ]:
        measure(
            label,
            period,
            scope,
            f"(nightly summary of 11 months: {refreshed:.1f} s)" if label == "month" else "",
        )
    connection.close()
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # one database per process: Django is configured once per process
        for line in run(args.db, args.rows, args.repeat):
            print(line, flush=True)
        return 0
    print(f"KPI dashboard benchmark on {os.cpu_count()} CPUs; targets on PostgreSQL: month < 1 s, year < 3 s")
    print(
        f"{'database':<9} {'rows':>9} {'period':<17} {'best s':>7} {'median s':>8} {'queries':>7} {'eff. due':>9} {'on-time':>7}"
    )
    for db in ["postgres", "sqlite"] if args.db == "both" else [args.db]:
        command = [
            sys.executable,
            __file__,
            "--child",
            "--db",
            db,
            "--rows",
            str(args.rows),
            "--repeat",
            str(args.repeat),
        ]
        subprocess.run(command, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
