"""相似投诉 over many complaints: the similarity search behind the complaint page's panel.

Fills a fresh database with the KPI benchmark's complaints (:func:`benchmarks.kpi.fill`, twelve
months, ten teams), gives every one a random unit embedding (384 wide, float16, as the semantic tier
stores them), then times :func:`kesu.complaints.selectors.similar_complaints` and the panel
(:func:`kesu.web.presenters.similar_panel`) for the latest complaint, as an agent (their team's
complaints) and as a manager (every team's). The search is bounded: the newest ``SIMILAR_POOL``
(2,000) embeddings within ``SIMILAR_DAYS`` (365) of the complaint, a numpy product over them.

    python benchmarks/similar.py                      # 200,000 rows on PostgreSQL
    python benchmarks/similar.py --rows 50000 --db sqlite

Target: the panel under 100 ms (it loads after the page, so the page itself does not wait).
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

PG_DB = "kesu_bench_similar"


def embed_all(batch: int = 5000) -> int:
    import numpy as np
    from django.db import connection, transaction

    rng = np.random.default_rng(11)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM complaints_complaint ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        vectors = rng.standard_normal((len(chunk), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        data = [(v.astype(np.float16).tobytes(), pk) for v, pk in zip(vectors, chunk, strict=True)]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany("UPDATE complaints_complaint SET embedding = %s WHERE id = %s", data)
    return len(ids)


def plant_neighbours(target, count: int = 8) -> None:
    """Some complaints of the target's team that read like it (its vector plus a little noise), so
    that the search finds rows and the panel renders them."""
    import numpy as np

    from kesu.complaints.analysis import embedding_of
    from kesu.complaints.models import Complaint

    rng = np.random.default_rng(target.pk)
    base = embedding_of(target.embedding)
    others = Complaint.objects.filter(team_id=target.team_id).exclude(pk=target.pk).order_by("-received_at")
    for pk in others.values_list("pk", flat=True)[10 : 10 + count]:
        vector = base + 0.02 * rng.standard_normal(384).astype(np.float32)
        vector /= np.linalg.norm(vector)
        Complaint.objects.filter(pk=pk).update(embedding=vector.astype(np.float16).tobytes())


def run(db: str, rows: int, repeat: int) -> list[str]:
    sla_sweep.configure(db, database=PG_DB, prefix="kesu-similar-")
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kesu.accounts.models import User
    from kesu.complaints import selectors
    from kesu.complaints.models import Complaint
    from kesu.web.presenters import similar_panel

    started = time.perf_counter()
    kpi.fill(rows)
    embedded = embed_all()
    if connection.vendor == "postgresql":  # the planner's statistics, as autovacuum keeps them
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE complaints_complaint")
    filled = time.perf_counter() - started
    agent = User.objects.get(username="bench-agent")
    manager = User.objects.create(username="bench-manager")
    manager.groups.add(Group.objects.get(name="manager"))
    lines = []
    for who, user in (("agent (team)", agent), ("manager (all)", manager)):
        user = User.objects.get(pk=user.pk)  # fresh permission caches
        target = selectors.complaints_visible_to(user).order_by("-received_at").first()
        assert isinstance(target, Complaint)
        plant_neighbours(target)
        for label, call in (
            ("search", lambda u=user, t=target: selectors.similar_complaints(user=u, complaint=t)),
            ("panel", lambda u=user, t=target: similar_panel(u, t)),
        ):
            call()  # warm: permissions, taxonomy
            with CaptureQueriesContext(connection) as queries:
                call()
            times = []
            for _ in range(repeat):
                begun = time.perf_counter()
                call()
                times.append(time.perf_counter() - begun)
            lines.append(
                f"{db:<9} {rows:>9,} {who:<14} {label:<7} {1000 * min(times):>8.1f} "
                f"{1000 * statistics.median(times):>9.1f} {len(queries):>7}"
            )
    lines.append(f"{db:<9} (fill and embed {embedded:,} rows: {filled:.0f} s)")
    connection.close()
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"similar-complaints benchmark on {os.cpu_count()} CPUs; target: the panel < 100 ms")
    print(f"{'database':<9} {'rows':>9} {'user':<14} {'what':<7} {'best ms':>8} {'median ms':>9} {'queries':>7}")
    for line in run(args.db, args.rows, args.repeat):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
