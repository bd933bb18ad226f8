"""Instructions per API intake, counted by valgrind's callgrind: a figure that does not drift with
the machine's speed, for comparing two versions of the code.

Each intake is ``POST /api/v1/complaints/`` with an ``Idempotency-Key`` through Django's whole
request path in one process (token authentication, the shared schema, the intake act with its
analysis, repeat look-up, clocks and escalation, the response), on SQLite, with the complaints of
``benchmarks/intake.py`` (each text its own since 2026-12-04: before, the eight texts repeated and the
analysis engine's memo answered for all of them, so its work was not counted). Callgrind counts a run of ``--count`` intakes and a run of none (the
same start-up and warm-up); the difference divided by the count is the figure.

    python benchmarks/intake_instructions.py                          # this checkout
    python benchmarks/intake_instructions.py --root /tmp/kesu-main    # another checkout's code
    python benchmarks/intake_instructions.py --root A --root B --rounds 2   # interleaved A B A B
    python benchmarks/intake_instructions.py --db postgres --broker redis://127.0.0.1:6379/12

``--db postgres`` serves the intakes from PostgreSQL (a fresh database per run, copied from a migrated
template) and ``--broker`` sends each intake's semantic-tier task to a Celery broker on commit: the web
tier of ``benchmarks/intake.py`` and of production. Callgrind counts the web process only (the
database server and the broker are other processes), which is the app CPU that benchmark reports.
Every run serves with ``DEBUG`` off, as production and ``benchmarks/intake.py`` do (before 2026-12-04
these counts ran with it on, so Django's debug cursor logged every query: about 4 % more).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import types
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
WARM_UP = 10
PG_ADMIN_URL = os.environ.get("KESU_BENCH_PG", "postgres://postgres@127.0.0.1:5432/test")


def _child(root: Path, count: int) -> None:
    sys.path.insert(0, str(root))
    sys.path.insert(1, str(HERE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()
    from django.test import Client
    from intake import complaint_fields
    from rest_framework.authtoken.models import Token

    token = Token.objects.get(user__username="bench-agent").key
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    rng = random.Random(2026)

    def intake() -> None:
        body = complaint_fields(rng)  # the load of benchmarks/intake.py, every text its own
        response = client.post(
            "/api/v1/complaints/",
            json.dumps(body, ensure_ascii=False),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        assert response.status_code == 201, response.content[:500]

    for _ in range(WARM_UP):
        intake()
    # What start-up made is kept out of the garbage collector's view, so a full collection, which
    # would scan every module and model of both versions at a moment set by their object counts,
    # does not fall into one run's count and not the other's.
    gc.collect()
    gc.freeze()
    # The per-process memos (kesu.memo: the token's user, roles, permissions, tiers, policies …) expire
    # after 10-60 s. Under callgrind an intake takes seconds, so they expired every few intakes and the
    # count paid their reloads as often, by how busy the machine was (the same code counted 18.8 M and
    # 21.1 M on PostgreSQL an hour apart); at hundreds of intakes a second a reload comes once in
    # thousands. Their clock stands still for the counted intakes.
    from kesu import memo

    stopped = memo.time.monotonic()
    memo.time = types.SimpleNamespace(monotonic=lambda: stopped)
    started = time.perf_counter()
    for _ in range(count):
        intake()
    if count:
        print(f"wall {(time.perf_counter() - started) / count * 1000:.2f} ms/intake", file=sys.stderr)


def _template(root: Path, directory: Path, db: str) -> str:
    """A migrated database with an agent and a token, made once per code version: a SQLite file, or
    a PostgreSQL database each run copies."""
    tag = abs(hash(str(root)))
    target = str(directory / f"template-{tag}.sqlite3") if db == "sqlite" else f"kesu_instr_tpl_{tag}"
    if db == "postgres":
        _pg_admin(f"DROP DATABASE IF EXISTS {target}", f"CREATE DATABASE {target}")
    script = (
        "import django; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "from django.contrib.auth.models import Group;"
        "from kesu.accounts.models import Team, User;"
        "from rest_framework.authtoken.models import Token;"
        "team, _ = Team.objects.get_or_create(name='bench');"
        "user, _ = User.objects.get_or_create(username='bench-agent', defaults={'team': team});"
        "user.groups.add(Group.objects.get(name='agent'));"
        "Token.objects.get_or_create(user=user)"
    )
    env = {**_env(db, target, directory, ""), "PYTHONPATH": str(root)}
    subprocess.run([sys.executable, "-c", script], env=env, cwd=root, check=True)
    return target


def _pg_admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as admin:
        for statement in statements:
            admin.execute(statement)


def _pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _env(db: str, database: str, directory: Path, broker: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kesu.settings",
        "DEBUG": "0",
        "SECRET_KEY": "instructions-" + "x" * 40,
        "KESU_VAR_DIR": str(directory),
        "KESU_OUTBOX_DELIVER_ON_COMMIT": "0",
        "LOG_LEVEL": "ERROR",
        "PYTHONHASHSEED": "0",
    }
    for name in ("DATABASE_URL", "KESU_SQLITE_PATH", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "KESU_CACHE_URL"):
        env.pop(name, None)
    if db == "sqlite":
        env["KESU_SQLITE_PATH"] = database
    else:
        env["DATABASE_URL"] = _pg_url(database)
    if broker:
        env["CELERY_BROKER_URL"] = broker
    return env


def _flush(broker: str) -> None:
    if broker:
        import redis

        redis.Redis.from_url(broker).flushdb()


def _instructions(root: Path, template: str, count: int, directory: Path, db: str, broker: str) -> int:
    if db == "sqlite":
        database = str(directory / f"run-{uuid.uuid4().hex[:8]}.sqlite3")
        shutil.copy(template, database)
    else:
        database = f"kesu_instr_run_{uuid.uuid4().hex[:8]}"
        _pg_admin(f"CREATE DATABASE {database} TEMPLATE {template}")
    _flush(broker)
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        "--count",
        str(count),
        "--root",
        str(root),
    ]
    try:
        result = subprocess.run(
            command, env=_env(db, database, directory, broker), cwd=root, capture_output=True, text=True, check=True
        )
    finally:
        if db == "sqlite":
            Path(database).unlink()
        else:
            _pg_admin(f"DROP DATABASE IF EXISTS {database}")
        _flush(broker)
    found = re.search(r"Collected : (\d+)", result.stderr)
    assert found, result.stderr[-2000:]
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", action="append", type=Path, help="a checkout whose code to count")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--broker", default="", help="a Celery broker (a Redis database of the benchmark's own: emptied)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    roots = [r.resolve() for r in (args.root or [HERE.parent])]
    if args.child:
        _child(roots[0], args.count)
        return 0
    with tempfile.TemporaryDirectory(prefix="kesu-instr-") as tmp:
        directory = Path(tmp)
        templates = {root: _template(root, directory, args.db) for root in roots}
        where = args.db + (", broker" if args.broker else "")
        try:
            for round_ in range(1, args.rounds + 1):
                for root in roots:
                    busy = _instructions(root, templates[root], args.count, directory, args.db, args.broker)
                    idle = _instructions(root, templates[root], 0, directory, args.db, args.broker)
                    per = (busy - idle) / args.count
                    print(
                        f"round {round_}  {root}  {per / 1e6:.2f} M instructions per API intake ({where})",
                        flush=True,
                    )
        finally:
            if args.db == "postgres":
                _pg_admin(*(f"DROP DATABASE IF EXISTS {name}" for name in templates.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
