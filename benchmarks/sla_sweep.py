"""SLA sweep over a million open complaints, on PostgreSQL and on SQLite.

Fills a fresh database (``kesu_bench_sla`` on the local PostgreSQL, a temporary file for
SQLite) with N open complaints received over the last 10 days across tiers — 5 % of them
waiting for the customer (clocks paused), a share already replied to — with their clocks as
they would stand had the sweep last run one interval ago. Then times one sweep, which must find
the clocks that crossed a threshold since, flip their state, warn, escalate and queue the SMS.

Scenarios: ``steady`` (the previous sweep ran a minute ago: what production does every
minute) and ``catch-up`` (the previous sweep ran an hour ago: a worker was down).

    python benchmarks/sla_sweep.py                       # 1,000,000 rows, both databases
    python benchmarks/sla_sweep.py --rows 200000 --db sqlite

Target: under 5 s on PostgreSQL and under 15 s on SQLite for 1,000,000 open complaints.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN_URL = os.environ.get("KESU_BENCH_PG", "postgres://postgres@127.0.0.1:5432/test")
PG_DB = "kesu_bench_sla"


def configure(db: str, *, database: str = PG_DB, prefix: str = "kesu-sla-") -> None:
    """Point Django at a fresh database — a temporary SQLite file, or ``database`` recreated on
    the local PostgreSQL — and migrate it. Shared by the benchmarks that fill a million rows."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "kesu.settings"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["KESU_OUTBOX_DELIVER_ON_COMMIT"] = "0"
    if db == "sqlite":
        tmp = tempfile.mkdtemp(prefix=prefix)
        os.environ["KESU_SQLITE_PATH"] = os.path.join(tmp, "bench.sqlite3")
        os.environ["KESU_VAR_DIR"] = tmp
        os.environ.pop("DATABASE_URL", None)
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {database}")
            admin.execute(f"CREATE DATABASE {database}")
        os.environ["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def series(vendor: str, rows: int) -> str:
    """A row source ``g(n)`` of 1..rows in either database."""
    if vendor == "postgresql":
        return f"generate_series(1, {rows}) AS g(n)"
    return f"(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {rows}) SELECT n FROM s) AS g"


def ts(vendor: str, base: datetime, seconds_expr: str) -> str:
    """SQL for ``base + seconds_expr seconds`` as a timestamp both databases store."""
    if vendor == "postgresql":
        return f"(TIMESTAMPTZ '{base.isoformat()}' + ({seconds_expr}) * INTERVAL '1 second')"
    return f"strftime('%Y-%m-%d %H:%M:%f', '{base.strftime('%Y-%m-%d %H:%M:%S')}', ({seconds_expr}) || ' seconds')"


def fill(rows: int, now: datetime, last_sweep: datetime) -> None:
    """Customers, complaints and clocks in a few set-based statements."""
    from django.db import connection

    from kesu.accounts.models import Team, User
    from kesu.customers.models import Tier

    vendor = connection.vendor
    team = Team.objects.create(name="bench")
    lead = User.objects.create(username="bench-lead", team=team, email="lead@example.com")
    from django.contrib.auth.models import Group

    lead.groups.add(Group.objects.get(name="team_lead"))
    User.objects.create(username="bench-agent", team=team, email="agent@example.com")
    tiers = {t.code: t.pk for t in Tier.objects.all()}
    customers = max(1, rows // 20)
    window = 10 * 24 * 3600  # received over the last ten days
    start = now - timedelta(seconds=window)
    with connection.cursor() as cursor:
        tier_expr = f"CASE WHEN n % 10 = 0 THEN {tiers['vip']} WHEN n % 4 = 0 THEN {tiers['high']} ELSE {tiers['standard']} END"
        cursor.execute(
            f"INSERT INTO customers_customer (external_id, name, phone, email, id_card, tier_id, created_at) "
            f"SELECT 'B' || n, '客户' || n, '138' || substr('00000000' || n, -8, 8), '', '', {tier_expr}, "
            f"{ts(vendor, start, '0')} FROM {series(vendor, customers)}"
        )
        cursor.execute("SELECT MIN(id) FROM customers_customer")
        first_customer = cursor.fetchone()[0]
        received = f"(n * {window / rows!r})"  # seconds after start, spread evenly
        empty_json_list, empty_json = "'[]'", "'{}'"
        cursor.execute(
            "INSERT INTO complaints_complaint (reference, customer_id, team_id, owner_id, created_by_id, channel, "
            "source, escalated_complaint, product, order_number, text, language, demand_type, demand_note, "
            "priority, stage, checklist_done, analysis, solution_type, solution_text, refund_method, "
            "agreement_note, follow_up_result, follow_up_note, close_reason, reopen_count, escalation_level, escalation_risk, "
            "repeat_count, bad_faith, bad_faith_reason, received_at, created_at, updated_at) "
            f"SELECT 'B' || n, {first_customer} + n % {customers}, {team.pk}, {lead.pk}, {lead.pk}, 'phone', "
            "'customer', FALSE, '', '', '宽带断网三天了，一直没人处理', 'zh', '', '', 2, 'listen', "
            f"{empty_json_list}, {empty_json}, '', '', '', '', '', '', '', 0, 0, 0.3, 0, FALSE, '', "
            f"{ts(vendor, start, received)}, {ts(vendor, start, received)}, {ts(vendor, start, received)} "
            f"FROM {series(vendor, rows)}"
        )
        cursor.execute("SELECT MIN(id) FROM complaints_complaint")
        first_complaint = cursor.fetchone()[0]
        # Targets by tier (SPEC §7): first reply 48 h; effective VIP 8 h, high 24 h, standard 48 h.
        effective = (
            f"CASE WHEN (n % {customers}) % 10 = 0 THEN 8 WHEN (n % {customers}) % 4 = 0 THEN 24 ELSE 48 END"
        )
        before = (last_sweep - start).total_seconds()

        def status(due: str) -> str:
            risk = f"({received} + 0.75 * ({due}))"
            return (
                f"CASE WHEN {received} + ({due}) <= {before} THEN 'breached' "
                f"WHEN {risk} <= {before} THEN 'at_risk' ELSE 'on_track' END"
            )

        replied = "n % 3 = 0"  # a third already had their first reply
        paused = "n % 20 = 0"  # 5 % wait for the customer
        cursor.execute(
            "INSERT INTO sla_complaintsla (complaint_id, received_at, first_reply_hours, effective_reply_hours, "
            "at_risk_ratio, calendar_id, pauses, paused_since, first_reply_due_at, first_reply_risk_at, "
            "first_reply_status, effective_due_at, effective_risk_at, effective_status) "
            f"SELECT {first_complaint} + n - 1, {ts(vendor, start, received)}, 48, {effective}, 0.75, NULL, "
            f"{empty_json_list}, CASE WHEN {paused} THEN {ts(vendor, start, received)} END, "
            f"{ts(vendor, start, f'{received} + 48 * 3600')}, {ts(vendor, start, f'{received} + 36 * 3600')}, "
            f"CASE WHEN {replied} THEN 'met' ELSE {status('48 * 3600')} END, "
            f"{ts(vendor, start, f'{received} + ({effective}) * 3600')}, "
            f"{ts(vendor, start, f'{received} + 0.75 * ({effective}) * 3600')}, "
            f"{status(f'({effective}) * 3600')} "
            f"FROM {series(vendor, rows)}"
        )
        # Complaints already past a breach were escalated by earlier sweeps.
        cursor.execute(
            "UPDATE complaints_complaint SET escalation_level = 1 WHERE id IN (SELECT complaint_id FROM "
            "sla_complaintsla WHERE first_reply_status = 'breached' OR effective_status = 'breached')"
        )
        cursor.execute("ANALYZE")


def run(db: str, rows: int, scenario: str) -> dict:
    configure(db)
    from django.db import connection

    from kesu.complaints.models import Complaint
    from kesu.handling.sweep import sweep

    now = datetime.now(UTC).replace(microsecond=0)
    interval = timedelta(minutes=1) if scenario == "steady" else timedelta(hours=1)
    started = time.perf_counter()
    fill(rows, now, now - interval)
    filled = time.perf_counter() - started
    open_complaints = Complaint.objects.count()
    report = sweep(now=now)
    again = sweep(now=now)
    result = {
        "db": db,
        "scenario": scenario,
        "open": open_complaints,
        "fill_s": filled,
        "sweep_s": report.seconds,
        "at_risk": sum(report.at_risk.values()),
        "breached": sum(report.breached.values()),
        "sms": report.customer_sms,
        "escalated": report.escalated,
        "again_s": again.seconds,
        "again_acted": sum(again.at_risk.values()) + sum(again.breached.values()),
    }
    connection.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--scenario", choices=["steady", "catch-up"], default="catch-up")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # one database per process: Django is configured once per process
        r = run(args.db, args.rows, args.scenario)
        print(
            f"{r['db']:<9} {r['scenario']:<9} {r['open']:>9,} {r['sweep_s']:>8.2f} {r['at_risk']:>8,} "
            f"{r['breached']:>8,} {r['sms']:>7,} {r['escalated']:>9,} {r['again_s']:>8.2f} {r['again_acted']:>6}"
            f"   (fill {r['fill_s']:.0f} s)",
            flush=True,
        )
        return 0
    import subprocess

    print(f"SLA sweep benchmark on {os.cpu_count()} CPUs; targets: PostgreSQL < 5 s, SQLite < 15 s")
    print(
        f"{'database':<9} {'scenario':<9} {'open':>9} {'sweep s':>8} {'at risk':>8} {'breached':>8} "
        f"{'sms':>7} {'escalated':>9} {'again s':>8} {'acted':>6}"
    )
    dbs = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    scenarios = ["steady", "catch-up"]
    for db in dbs:
        for scenario in scenarios:
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    "--db",
                    db,
                    "--rows",
                    str(args.rows),
                    "--scenario",
                    scenario,
                ],
                check=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
