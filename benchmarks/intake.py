"""Intake throughput: complaints created through the HTTP API under concurrency.

Serves the app as ``kesu serve`` does (gunicorn's sync worker processes, an access log) on a
fresh database — SQLite and/or PostgreSQL — then POSTs complaints from concurrent HTTP/1.1
clients, each request with its own Idempotency-Key, and prints complaints/s and p50/p95/p99
latency. Every created complaint is counted in the database afterwards, so a fast but lossy run
cannot pass unnoticed.

    python benchmarks/intake.py                      # both databases
    python benchmarks/intake.py --db postgres --requests 5000 --concurrency 8 --workers 3 --threads 2

``--threads`` above 1 serves with gunicorn's threaded workers (gthread, keep-alive) instead.

The web tier is served as in production: with a Celery broker (``--broker``, default a Redis database of
the benchmark's own), so each intake sends its semantic-tier task on commit; no worker runs here (they are
other machines in production), and what the encoder costs a worker per complaint is measured after the
run (``--semantic N``; see SEMANTIC_NOTE below).

Two checkouts side by side, interleaved (the machine's speed drifts, so compare runs made together):

    python benchmarks/intake.py --db postgres --root /tmp/kesu-main --root . --rounds 3

It also prints the CPU the app (gunicorn), PostgreSQL and the client spent per request, read
from /proc, so a reader sees where the two cores went, and the CPU everything else on the
machine spent meanwhile ("other"): a run that shared the machine says so.

Target on a 2-core machine: ≥ 200 complaints/s on PostgreSQL with p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kesu.cli import gunicorn_command  # noqa: E402  (serves the way ``kesu serve`` does)

PG_ADMIN_URL = os.environ.get("KESU_BENCH_PG", "postgres://postgres@127.0.0.1:5432/test")
PG_BENCH_DB = "kesu_bench_intake"

TEXTS = [
    "宽带断网三天了，打了五次电话都说在处理，再不修好我就去工信部投诉！",
    "信用卡年费没经过我同意就扣了300元，客服说是系统自动扣的，我要求退还。",
    "买的手机用了一周就黑屏，售后让我自己寄回去检测，来回运费谁出？",
    "快递显示签收但我根本没收到，客服只会说明天给答复，已经第三天了。",
    "營業廳的員工態度很差，我問了兩次就不耐煩，要求道歉。",
    "I was charged twice for the same order and nobody has replied to my emails for a week.",
    "套餐降档一直办不了，营业厅让我找客服，客服让我去营业厅，来回折腾。",
    "理财产品的风险没有讲清楚，亏了两万块，我要找你们领导。",
]
CHANNELS = ["phone", "web", "chat", "email", "social"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(env: dict[str, str], root: Path = ROOT) -> str:
    """Migrate the fresh database and create an agent with an API token; return the token."""
    script = (
        "import django; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "from django.contrib.auth.models import Group;"
        "from kesu.accounts.models import Team, User;"
        "from rest_framework.authtoken.models import Token;"
        "team, _ = Team.objects.get_or_create(name='bench');"
        "user, _ = User.objects.get_or_create(username='bench-agent', defaults={'team': team});"
        "user.groups.add(Group.objects.get(name='agent'));"
        "print(Token.objects.get_or_create(user=user)[0].key)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=root, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


def count_complaints(env: dict[str, str], root: Path = ROOT) -> int:
    script = (
        "import django; django.setup();"
        "from kesu.complaints.models import Complaint; print(Complaint.objects.count())"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=root, check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip().splitlines()[-1])


def cpu_seconds(match) -> dict[int, float]:
    """User+system CPU of each process whose /proc stat matches, by pid (Linux; none elsewhere)."""
    found: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if match(int(entry.name), name, int(fields[1])):
            found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    return found


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """The CPU spent between two readings by the processes alive at the second: a process that
    started meanwhile counts whole; one that ended meanwhile (a database backend whose connection
    outlived its ``CONN_MAX_AGE``) is left out, its last moments with it, rather than subtracted."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def machine_busy_seconds() -> float:
    """CPU time all processors spent busy since boot (Linux; 0 elsewhere)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[:7])
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    return (user + nice + system + irq + softirq) / tick


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


#: Where the semantic tier goes. Intake analyses every complaint inline with the fast tier and marks it
#: ``semantic_pending``; the encoder (tens of milliseconds of CPU a text) refines it after commit in a
#: Celery worker (production, README "Deploy": the web process sends ``refine_analysis`` to the broker on
#: commit), or, without a broker, in the minute loop ``kesu serve`` starts beside gunicorn. The benchmark
#: serves the production web tier: gunicorn with ``CELERY_BROKER_URL`` set (``--broker``, a Redis database
#: of its own, emptied before and after), so each intake pays for sending its task; the workers are other
#: machines in production and none runs here, so the tasks wait in Redis. What the encoder costs a
#: worker per complaint is measured after the run (``--semantic``).
BROKER = os.environ.get("KESU_BENCH_BROKER", "redis://127.0.0.1:6379/12")


def broker_reachable(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def broker_queued(url: str, *, empty: bool = False) -> int:
    """The tasks waiting in the benchmark's broker database (Celery's default queue); ``empty``
    empties that database (it is the benchmark's own)."""
    import redis

    client = redis.Redis.from_url(url)
    queued = int(client.llen("celery"))
    if empty:
        client.flushdb()
    return queued


def semantic_note(broker: str) -> str:
    if broker:
        return (
            f"semantic tier: sent to Celery on commit (broker {broker}, as in production); no worker runs "
            "on this machine, so the tasks wait in the broker and the encoder's cost is measured apart"
        )
    return "semantic tier: no broker (--broker ''), so nothing is sent; complaints stay marked semantic_pending"

#: One request of a benchmark's load: method, path, body, headers, and the status that means it worked.
Request = tuple[str, str, bytes, dict[str, str], int]


def complaint_text(rng: random.Random) -> str:
    """One of the texts, told apart by the order it is about: no two complaints of a run read the same
    (as in production), so the analysis engine's memo of the last few texts (``MEMO_SIZE``, 8 — as many as
    there are texts) never answers for it and every complaint is analysed in full on the fast tier."""
    text, order = rng.choice(TEXTS), rng.randint(1000, 9999)
    return f"{text} Order ending {order}." if text.isascii() else f"{text}订单尾号{order}。"


def complaint_fields(rng: random.Random) -> dict:
    """One complaint of the load: a customer out of 5,000, a text, one of the channels."""
    return {
        "customer": {"name": "压测客户", "external_id": f"B{rng.randint(1, 5000)}", "phone": "13800000000"},
        "text": complaint_text(rng),
        "channel": rng.choice(CHANNELS),
        "demand_type": "refund",
        "demand_amount": "100.00",
    }


def drive(
    port: int, requests: int, concurrency: int, request_for: Callable[[random.Random], Request]
) -> tuple[list[float], int, float, float]:
    """Send ``requests`` requests from ``concurrency`` HTTP/1.1 clients (client ``i`` draws from
    ``random.Random(i)``, so two systems given the same ``request_for`` shape get the same texts,
    customers and count); return the latencies, the failures, the seconds and the client's CPU ms
    per request."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        failed = 0
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            method, path, body, headers, expected = request_for(rng)
            started = time.perf_counter()
            try:
                conn.request(method, path, body, headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == expected
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - started)
            failed += not ok
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    cpu_before = time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    client_ms = (time.process_time() - cpu_before) / max(1, requests) * 1000
    return latencies, errors, elapsed, client_ms


def kesu_request(token: str) -> Callable[[random.Random], Request]:
    """Kesu's API intake: ``POST /api/v1/complaints/`` with the token and an Idempotency-Key."""
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def request_for(rng: random.Random) -> Request:
        body = json.dumps(complaint_fields(rng), ensure_ascii=False).encode()
        return "POST", "/api/v1/complaints/", body, {**headers, "Idempotency-Key": uuid.uuid4().hex}, 201

    return request_for


def measure(
    server: subprocess.Popen, port: int, requests: int, concurrency: int, request_for, *, database_cpu: bool
) -> dict[str, float | int]:
    """Drive the load at a warmed-up server and read where the CPU went (app = the server process
    and its children; database = the PostgreSQL processes; other = the rest of the machine)."""
    def app(pid: int, name: str, ppid: int) -> bool:
        return pid == server.pid or ppid == server.pid

    def database(pid: int, name: str, ppid: int) -> bool:
        return database_cpu and name.startswith("postgres")

    app_before, db_before = cpu_seconds(app), cpu_seconds(database)
    busy_before = machine_busy_seconds()
    latencies, errors, elapsed, client_ms = drive(port, requests, concurrency, request_for)
    busy_ms = (machine_busy_seconds() - busy_before) / requests * 1000
    app_ms = cpu_spent(app_before, cpu_seconds(app)) / requests * 1000
    db_ms = cpu_spent(db_before, cpu_seconds(database)) / requests * 1000
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "errors": errors,
        "per_s": (len(latencies) - errors) / elapsed,
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
        "p99_ms": q[98] * 1000,
        "client_cpu_ms": client_ms,
        "app_cpu_ms": app_ms,
        "db_cpu_ms": db_ms,
        "other_cpu_ms": max(0.0, busy_ms - app_ms - db_ms - client_ms),
    }


def fresh_postgres(name: str) -> str:
    """Drop and create database ``name``; return its URL."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


@dataclass
class Served:
    """A system under load: its server process, port, the request its clients send, and how to
    count what it stored."""

    server: subprocess.Popen
    port: int
    request_for: Callable[[random.Random], Request]
    count: Callable[[], int]
    database_cpu: bool
    env: dict[str, str] = field(default_factory=dict)
    root: Path = ROOT
    broker: str = ""


def measure_round(served: Served, requests: int, concurrency: int) -> dict[str, float | int]:
    """One measured round against a warmed-up server, with what it stored (and, with a broker, the
    tasks it sent) meanwhile."""
    before = served.count()
    queued = broker_queued(served.broker) if served.broker else 0
    result = measure(
        served.server, served.port, requests, concurrency, served.request_for, database_cpu=served.database_cpu
    )
    result["stored"] = served.count() - before
    if served.broker:
        result["tasks_sent"] = broker_queued(served.broker) - queued
    return result


@contextmanager
def kesu_served(
    db: str,
    workers: int,
    threads: int = 1,
    root: Path = ROOT,
    warm_up: int = 100,
    concurrency: int = 4,
    broker: str = "",
):
    """Kesu served as ``kesu serve`` serves it (gunicorn, its workers, an access log) on a fresh
    database, with an agent's token, warmed up; with ``broker``, the web tier sends its tasks there."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kesu.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(root),
    }
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    env.pop("CELERY_RESULT_BACKEND", None)
    if broker:
        env["CELERY_BROKER_URL"] = broker  # the production web tier (SEMANTIC_NOTE)
        broker_queued(broker, empty=True)
    tmp = tempfile.mkdtemp(prefix="kesu-bench-")
    if db == "sqlite":
        env["KESU_SQLITE_PATH"] = os.path.join(tmp, "bench.sqlite3")
        env["KESU_VAR_DIR"] = tmp
    else:
        env["DATABASE_URL"] = fresh_postgres(PG_BENCH_DB)
    token = prepare(env, root)
    port = free_port()
    command = gunicorn_command(f"127.0.0.1:{port}", workers, access_log=os.path.join(tmp, "access.log"))
    if threads > 1:
        command += ["--threads", str(threads), "--keep-alive", "30"]
    server = subprocess.Popen([*command, "--log-level", "warning"], env=env, cwd=root)
    try:
        served = Served(
            server, port, kesu_request(token), lambda: count_complaints(env, root), db == "postgres", env, root, broker
        )
        wait_for(port)
        drive(port, warm_up, concurrency, served.request_for)  # warm-up: imports, connections
        yield served
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)
        if broker:
            broker_queued(broker, empty=True)


SEMANTIC_COST = """
import time, django; django.setup()
from kesu.complaints.models import Complaint
from kesu.handling.analysis import refine_complaint
pending = Complaint.objects.filter(semantic_pending=True).count()
ids = list(Complaint.objects.filter(semantic_pending=True).order_by("-pk").values_list("pk", flat=True)[:{n} + 2])
refine_complaint(ids.pop())  # the encoder loaded, as a Celery worker has it
refine_complaint(ids.pop())
started = time.process_time()
done = sum(refine_complaint(pk) is not None for pk in ids)
print(pending, done, (time.process_time() - started) / max(1, done) * 1000)
"""


def semantic_cost(served: Served, count: int) -> tuple[int, int, float]:
    """What the semantic tier left to the workers costs: the complaints still marked after the
    run, and the CPU ms per complaint of refining ``count`` of them in one process with the
    encoder loaded (what a Celery worker does after commit)."""
    out = subprocess.run(
        [sys.executable, "-c", SEMANTIC_COST.format(n=count)],
        env=served.env, cwd=served.root, check=True, capture_output=True, text=True,
    )
    pending, done, per = out.stdout.split()[-3:]
    return int(pending), int(done), float(per)


def run(db: str, args: argparse.Namespace, root: Path = ROOT) -> dict[str, float | int | str]:
    with kesu_served(
        db,
        args.workers,
        args.threads,
        root,
        warm_up=min(100, args.requests),
        concurrency=args.concurrency,
        broker=args.broker,
    ) as served:
        result = measure_round(served, args.requests, args.concurrency)
        if args.semantic:
            pending, done, per = semantic_cost(served, args.semantic)
            result |= {"semantic_pending": pending, "semantic_done": done, "semantic_ms": per}
    return {"db": db, "root": str(root), **result}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--root", action="append", type=Path, help="serve this checkout's code (repeat to compare, interleaved)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="repeat the runs, interleaved (A B A B ...)")
    parser.add_argument(
        "--semantic",
        type=int,
        default=20,
        metavar="N",
        help="after each run, refine N of the complaints left pending, as a Celery worker does, and print "
        "the CPU it took (0: skip)",
    )
    parser.add_argument(
        "--broker",
        default=BROKER,
        help="the Celery broker the web tier sends its tasks to, as in production ('' for none; "
        "default KESU_BENCH_BROKER or a Redis database of its own)",
    )
    args = parser.parse_args()
    if args.broker and not broker_reachable(args.broker):
        print(f"no broker at {args.broker}: serving without one (nothing sent to Celery)")
        args.broker = ""
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    roots = [r.resolve() for r in (args.root or [ROOT])]
    print(
        f"intake benchmark: {args.requests} POST /api/v1/complaints/, {args.concurrency} concurrent clients, "
        f"gunicorn {args.workers} "
        + (f"workers × {args.threads} threads" if args.threads > 1 else "sync workers")
        + f", {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start"
    )
    print(semantic_note(args.broker))
    label = (lambda root: f" {root.name:<14}") if len(roots) > 1 else (lambda root: "")
    print(
        f"{'database':<10}" + (f" {'code':<14}" if len(roots) > 1 else "")
        + f" {'complaints/s':>13} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'stored':>7}"
        "   CPU ms/request: app / database / client / other"
    )
    ok = True
    for _round in range(args.rounds):
        for db in dbs:
            for root in roots:
                r = run(db, args, root)
                print(
                    f"{r['db']:<10}{label(root)} {r['per_s']:>13.1f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
                    f"{r['p99_ms']:>8.1f} {r['errors']:>7} {r['stored']:>7}   {r['app_cpu_ms']:.2f} / "
                    f"{r['db_cpu_ms']:.2f} / {r['client_cpu_ms']:.2f} / {r['other_cpu_ms']:.2f}",
                    flush=True,
                )
                if "semantic_ms" in r:
                    print(
                        f"{'':<10}   semantic tier after commit: {r.get('tasks_sent', 0)} tasks sent, "
                        f"{r['semantic_pending']} complaints marked for the workers; refining "
                        f"{r['semantic_done']} took {r['semantic_ms']:.0f} ms CPU each "
                        f"(at {r['per_s']:.0f} complaints/s: {r['semantic_ms'] * r['per_s'] / 1000:.1f} cores of workers)",
                        flush=True,
                    )
                ok &= r["errors"] == 0 and r["stored"] == r["requests"]
    print("target (PostgreSQL): ≥ 200 complaints/s, p95 < 100 ms")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
