"""Quality inspection at scale: the engine on 10,000 transcripts, and the roll-up of a month of
100,000 inspections on PostgreSQL (and SQLite with ``--db sqlite``).

1. **Scoring**: 10,000 transcripts built from written-for-the-benchmark turns (Chinese and English,
   4–16 turns, half of them calls with start and end times), scored on the default scorecard in one
   process, one core. Prints transcripts/s (best of ``--passes``) and the engine's first load.
2. **Roll-up**: a fresh database (``kesu_bench_qa`` on the local PostgreSQL) filled with set-based
   SQL: 50 teams of 20 agents; 100,000 completed inspections in the month (and 10,000 in each of the
   11 months before it, for the trend), each with the default scorecard's 21 item results (2.1 M rows
   in the month, 4.4 M in all). Then times what the roll-up page asks (:func:`kesu.qa.selectors.rollup`: per agent, per
   team, the item heat-map per agent, the item means and the 12-month trend) for all teams and for
   one team, and the two selectors other apps use (a team's communication sub-score for a month, an
   agent's weak items over three months). Median of five runs after a warm-up. The heat-map reads
   the running item sums (``ItemMonth``) that completing an inspection keeps; the script builds them
   with :func:`kesu.qa.services.rebuild_item_months` and prints how long that rebuild takes.

    python benchmarks/qa.py                      # both parts, PostgreSQL
    python benchmarks/qa.py --skip-scoring --db sqlite

Target: the month's roll-up under 1 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import sla_sweep  # noqa: E402  (the same database set-up)
from benchmarks.sla_sweep import series  # noqa: E402

PG_DB = "kesu_bench_qa"
TEAMS, AGENTS_PER_TEAM = 50, 20
MONTH = date(2026, 11, 1)

CUSTOMER_ZH = [
    "宽带从前天晚上就断了，光猫一直闪红灯，打了两次电话都说会处理，到现在也没人来！",
    "我信用卡上个月被扣了两笔年费，办卡时说好首年免年费的。",
    "快递显示已签收，可我根本没收到，你们到底怎么回事？",
    "手机买了一周就黑屏了，我要求换新机。",
    "话费多扣了30元，这个月套餐明明没有超。",
    "对，就是这样。",
    "好的，那我等你们消息。",
    "我姓陈，报修单号是BX20261116008。",
]
AGENT_ZH = [
    "您好，这里是客服中心，请问有什么可以帮您？",
    "非常抱歉给您添麻烦了，我理解您着急的心情。请问我该怎么称呼您？",
    "陈女士，能跟我说说具体是什么情况吗？",
    "我确认一下：您是说前天晚上开始断网，重启光猫也没用，对吗？",
    "我马上为您提交加急维修工单，今天下午3点前安排师傅上门。",
    "我们会帮你反馈一下，应该会退吧。",
    "你先别着急，这个我也没办法，规定就是这样。",
    "您可以在设置--网络--重置里恢复一下，如果再遇到问题可以直接拨打我的专线。",
    "感谢您的耐心和理解，祝您生活愉快！",
]
CUSTOMER_EN = [
    "I was charged twice for order 88231 and nobody answers my emails!!",
    "My package says delivered but it is not here.",
    "The app crashes every time I open it since the update.",
    "Yes, that's right.",
    "OK, thanks.",
]
AGENT_EN = [
    "Hi, I'm sorry for the trouble and I understand how frustrating that is. Could you tell me more about what happened?",
    "So you're saying the order was charged twice. I'll refund the duplicate charge within 24 hours.",
    "Did you check the tracking page? We will look at it.",
    "Please try signing out and back in, then go to Settings > Storage and clear the cache.",
    "If this happens again, you can always DM us. Thanks for your patience!",
]


def transcripts(n: int, seed: int = 16) -> list:
    from kesu.core.qa import Transcript, Turn

    rng = random.Random(seed)
    made = []
    for index in range(n):
        english = index % 4 == 3
        customers, agents = (CUSTOMER_EN, AGENT_EN) if english else (CUSTOMER_ZH, AGENT_ZH)
        timed = index % 2 == 0
        turns, at = [], 0.0
        for position in range(rng.randint(4, 16)):
            speaker = "customer" if position % 2 == 0 else "agent"
            text = rng.choice(customers if speaker == "customer" else agents)
            length = len(text) / (4.0 if not english else 15.0)
            start = at + rng.uniform(-1.0, 1.5) if position else 0.0
            turns.append(
                Turn(speaker, text, max(0.0, start), max(0.0, start) + length)
                if timed
                else Turn(speaker, text)
            )
            at = max(0.0, start) + length
        made.append(Transcript(tuple(turns), "phone" if timed else "chat"))
    return made


def bench_scoring(count: int, passes: int) -> None:
    started = time.perf_counter()
    from kesu.core.qa import Transcript, default_scorecard, score_transcript

    score_transcript(Transcript.of([("customer", "宽带断了"), ("agent", "非常抱歉")]))
    load = time.perf_counter() - started
    sample = transcripts(count)
    scorecard = default_scorecard()
    turns = sum(len(t.turns) for t in sample)
    best = float("inf")
    for _ in range(passes):
        started = time.perf_counter()
        for transcript in sample:
            score_transcript(transcript, scorecard)
        best = min(best, time.perf_counter() - started)
    print(
        f"scoring: {count:,} transcripts ({turns:,} turns) in {best:.2f} s = {count / best:,.0f} transcripts/s "
        f"({turns / best:,.0f} turns/s) on one core, best of {passes}; first load {load:.2f} s"
    )


def fill(per_month: int, earlier: int) -> None:
    from django.contrib.auth.models import Group
    from django.db import connection

    from kesu.accounts.models import Team, User
    from kesu.qa.models import Scorecard
    from kesu.qa.selectors import add_months

    vendor = connection.vendor
    teams = Team.objects.bulk_create(Team(name=f"质检{i + 1}组") for i in range(TEAMS))
    agents = User.objects.bulk_create(
        User(username=f"qa-bench-{t.pk}-{a}", team=t, password="!")
        for t in teams
        for a in range(AGENTS_PER_TEAM)
    )
    Group.objects.get(name="agent").user_set.add(*agents)
    scorecard = Scorecard.objects.get(code="default", status="active")
    items = list(scorecard.items.values_list("position", "code", "kind", "group", "weight", "critical"))
    first_agent, n_agents = min(a.pk for a in agents), len(agents)
    # Inspections: the month's, then `earlier` in each of the 11 months before it.
    months = [(MONTH, per_month)] + [(add_months(MONTH, -i), earlier) for i in range(1, 12)]
    true, false = ("TRUE", "FALSE")
    with connection.cursor() as cursor:
        offset = 0
        for _month, rows in months:
            cursor.execute(
                "INSERT INTO qa_transcript (source, channel, external_ref, turns, created_at, agent_id, team_id) "
                f"SELECT 'import', 'phone', 'B' || (n + {offset}), '[]', CURRENT_TIMESTAMP, "
                f"{first_agent} + (n % {n_agents}), NULL FROM {series(vendor, rows)}"
            )
            offset += rows
        cursor.execute(
            "UPDATE qa_transcript SET team_id = (SELECT team_id FROM accounts_user u WHERE u.id = qa_transcript.agent_id)"
        )
        cursor.execute("SELECT MIN(id) FROM qa_transcript")
        first_transcript = cursor.fetchone()[0]
        start = 0
        for month, rows in months:
            # A pseudo-random, well-spread score per inspection; 3 % fail on a critical item.
            score = "(60 + ((n * 7919) % 400) / 10.0)"
            cursor.execute(
                "INSERT INTO qa_inspection (transcript_id, scorecard_id, agent_id, team_id, month, status, reason, "
                "auto_score, raw_score, score, failed, communication_score, language, created_at, completed_at) "
                f"SELECT t.id, {scorecard.pk}, t.agent_id, t.team_id, '{month.isoformat()}', 'completed', 'random', "
                f"{score}, {score}, CASE WHEN n % 33 = 0 THEN 0 ELSE {score} END, "
                f"CASE WHEN n % 33 = 0 THEN {true} ELSE {false} END, (55 + ((n * 9973) % 450) / 10.0), 'zh', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
                f"FROM {series(vendor, rows)} JOIN qa_transcript t ON t.id = {first_transcript} + {start} + n - 1"
            )
            start += rows
        values = ", ".join(
            f"({p}, '{code}', '{kind}', '{group}', {float(weight)}, {true if critical else false})"
            for p, code, kind, group, weight, critical in items
        )
        cursor.execute(
            'INSERT INTO qa_itemresult (inspection_id, position, code, kind, "group", weight, critical, applicable, '
            "auto_score, score, reason_zh, reason_en, evidence, figures, overridden, override_reason) "
            "SELECT i.id, k.p, k.code, k.kind, k.grp, k.w, k.c, TRUE, "
            "((i.id * 7 + k.p * 131) % 5) / 4.0, ((i.id * 7 + k.p * 131) % 5) / 4.0, '', '', '[]', '{}', "
            f"{false}, '' FROM qa_inspection i CROSS JOIN (VALUES {values}) AS k(p, code, kind, grp, w, c)"
        )


def timed(fn, runs: int = 5) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_rollup(db: str, per_month: int, earlier: int) -> None:
    sla_sweep.configure(db, database=PG_DB, prefix="kesu-qa-")
    from django.db import connection

    from kesu.accounts.models import Team, User
    from kesu.qa import selectors, services
    from kesu.qa.models import Inspection, ItemResult

    started = time.perf_counter()
    fill(per_month, earlier)
    print(
        f"roll-up ({connection.vendor}): filled {Inspection.objects.count():,} inspections and "
        f"{ItemResult.objects.count():,} item results in {time.perf_counter() - started:.1f} s"
    )
    # Production keeps the item sums as each inspection completes; here they are built in one go, then
    # the tables are vacuumed and analysed as autovacuum would (index-only scans need the visibility map).
    started = time.perf_counter()
    rows = services.rebuild_item_months()
    print(
        f"  item sums rebuilt from the item results: {rows:,} rows in {time.perf_counter() - started:.1f} s"
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    team = Team.objects.order_by("pk").first()
    agent = User.objects.filter(team=team).order_by("pk").first()
    checks = [
        ("month, all teams (per agent, team, heat-map, trend)", lambda: selectors.rollup(month=MONTH)),
        ("month, one team", lambda: selectors.rollup(month=MONTH, team_id=team.pk)),
        ("teams' communication sub-scores, month", lambda: selectors.team_communication_scores(month=MONTH)),
        ("an agent's weak items, 3 months", lambda: selectors.agent_weak_items(agent=agent, until=MONTH)),
    ]
    rollup = selectors.rollup(month=MONTH)
    assert (
        sum(r["inspections"] for r in rollup.by_agent) == per_month
        and len(rollup.by_agent) == TEAMS * AGENTS_PER_TEAM
    )
    for label, fn in checks:
        seconds = timed(fn)
        print(f"  {label:55} {seconds:7.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--transcripts", type=int, default=10_000)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--inspections", type=int, default=100_000, help="completed inspections in the month")
    parser.add_argument("--earlier", type=int, default=10_000, help="in each of the 11 months before")
    parser.add_argument("--skip-scoring", action="store_true")
    parser.add_argument("--skip-rollup", action="store_true")
    args = parser.parse_args()
    if not args.skip_scoring:
        bench_scoring(args.transcripts, args.passes)
    if not args.skip_rollup:
        bench_rollup(args.db, args.inspections, args.earlier)


if __name__ == "__main__":
    main()
