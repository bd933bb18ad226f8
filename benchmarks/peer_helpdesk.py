"""A peer benchmark: Kesu's API intake against django-helpdesk's, the same load on both.

django-helpdesk (``PEER``) is installed from PyPI into a throwaway virtualenv under a temporary
directory, with the gunicorn and psycopg that Kesu is locked to, and served by a minimal Django
project this script writes there (settings, urls, wsgi) exactly as Kesu is served: gunicorn,
``--workers`` sync workers, an access log, DEBUG off, on a fresh database of the same kind
(PostgreSQL). Nothing of it is kept or committed; the temporary directory is removed at the end.

The closest analogue of Kesu's ``POST /api/v1/complaints/`` (an integration or an agent creating
a complaint with a token) is helpdesk's REST API, ``POST /helpdesk/api/tickets/`` (2.6.1 has one:
``TicketViewSet``, staff only, which creates the ticket through the same ``TicketForm`` the staff
pages use, notifications included, mail to a dummy backend). Both authenticate with a DRF token,
which DRF does not CSRF-check (only session authentication is), so no CSRF token is involved on
either side; a browser submitting helpdesk's public form would need one, and that path is not
measured here.

Both systems get the same load from ``benchmarks/intake.py``'s clients: the same texts, customers
(Kesu's external id ``B123`` is helpdesk's submitter ``b123@example.com``), channels-as-priorities
and count, client ``i`` drawing from ``random.Random(i)`` on both sides. Rounds are interleaved
(Kesu, helpdesk, Kesu, helpdesk, ...) on two servers started once, so a machine that slows down
meanwhile slows both.

    python benchmarks/peer_helpdesk.py                       # 3 rounds of 1,000 each
    python benchmarks/peer_helpdesk.py --rounds 5 --requests 2000

Needs network access to PyPI (or a local index pip is configured for) on the first step, and
PostgreSQL as ``benchmarks/intake.py`` does (``KESU_BENCH_PG``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from intake import (  # noqa: E402  (the client code and the measurement are intake.py's)
    BROKER,
    ROOT,
    Request,
    Served,
    broker_reachable,
    complaint_fields,
    drive,
    free_port,
    fresh_postgres,
    gunicorn_command,
    kesu_served,
    measure_round,
    semantic_note,
    wait_for,
)

PEER = "django-helpdesk==2.6.1"
PEER_DB = "kesu_bench_helpdesk"


def _locked(name: str) -> str:
    """Kesu's own pin of a package (requirements.lock), so both systems run the same server."""
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.lower().startswith(name.lower() + "=="):
            return line.strip()
    raise SystemExit(f"{name} is not in requirements.lock")


SETTINGS = """
import os
SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django.contrib.sites", "django.contrib.humanize",
    "rest_framework", "rest_framework.authtoken", "helpdesk",
]
SITE_ID = 1
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "peer.urls"
WSGI_APPLICATION = "peer.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request", "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
import urllib.parse as _u
_db = _u.urlparse(os.environ["DATABASE_URL"])
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql", "NAME": _db.path.lstrip("/"), "USER": _db.username or "",
    "PASSWORD": _db.password or "", "HOST": _db.hostname or "", "PORT": _db.port or "",
    "CONN_MAX_AGE": 60,  # as Kesu's default (DB_CONN_MAX_AGE)
}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
LANGUAGE_CODE = "zh-hans"
STATIC_URL = "/static/"
LOGIN_URL = "/helpdesk/login/"
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
HELPDESK_TEAMS_MODE_ENABLED = False  # the optional pinax-teams extra, which Kesu's load does not need
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
}
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "ERROR"}}
"""

URLS = """
from django.urls import include, path
urlpatterns = [path("helpdesk/", include("helpdesk.urls"))]
"""

WSGI = """
import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer.settings")
application = get_wsgi_application()
"""

PREPARE = """
import django; django.setup()
from django.core.management import call_command; call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from helpdesk.models import Queue
User = get_user_model()
user, _ = User.objects.get_or_create(username="bench-agent", defaults={"is_staff": True})
queue, _ = Queue.objects.get_or_create(slug="complaints", defaults={"title": "Complaints"})
print(queue.pk, Token.objects.get_or_create(user=user)[0].key)
"""

COUNT = """
import django; django.setup()
from helpdesk.models import Ticket; print(Ticket.objects.count())
"""

#: Kesu's channels as helpdesk priorities (1 critical … 5 very low): a field the form has per ticket.
PRIORITY = {"phone": 2, "web": 3, "chat": 3, "email": 4, "social": 2}


def helpdesk_request(queue: int, token: str):
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def request_for(rng: random.Random) -> Request:
        fields = complaint_fields(rng)  # the same draws as Kesu's clients, in the same order
        text = fields["text"]
        body = {
            "queue": queue,
            "title": text[:40],
            "description": text,
            "submitter_email": fields["customer"]["external_id"].lower() + "@example.com",
            "priority": PRIORITY[fields["channel"]],
        }
        return "POST", "/helpdesk/api/tickets/", json.dumps(body, ensure_ascii=False).encode(), dict(headers), 201

    return request_for


def install(directory: Path) -> Path:
    """A virtualenv with the peer and Kesu's gunicorn and psycopg; returns its python."""
    venv = directory / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    packages = [PEER, _locked("gunicorn"), _locked("psycopg"), _locked("psycopg-binary")]
    print(f"installing {', '.join(packages)} into {venv}", flush=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *packages], check=True)
    return python


@contextmanager
def helpdesk_served(python: Path, directory: Path, workers: int, warm_up: int, concurrency: int):
    project = directory / "project"
    (project / "peer").mkdir(parents=True)
    (project / "peer" / "__init__.py").write_text("")
    for name, text in (("settings", SETTINGS), ("urls", URLS), ("wsgi", WSGI)):
        (project / "peer" / f"{name}.py").write_text(textwrap.dedent(text))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "peer.settings",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "DATABASE_URL": fresh_postgres(PEER_DB),
        "PYTHONPATH": str(project),
    }

    def python_c(script: str) -> str:
        out = subprocess.run([str(python), "-c", script], env=env, cwd=project, capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"django-helpdesk's project failed:\n{out.stderr[-3000:]}")
        return out.stdout.strip().splitlines()[-1]

    queue, token = python_c(PREPARE).split()
    port = free_port()
    command = gunicorn_command(
        f"127.0.0.1:{port}",
        workers,
        access_log=str(directory / "access.log"),
        app="peer.wsgi:application",
        python=str(python),
    )
    server = subprocess.Popen([*command, "--log-level", "warning"], env=env, cwd=project)
    try:
        served = Served(server, port, helpdesk_request(int(queue), token), lambda: int(python_c(COUNT)), True)
        wait_for(port)
        _, errors, _, _ = drive(port, warm_up, concurrency, served.request_for)
        if errors:
            raise SystemExit(f"django-helpdesk refused {errors} of {warm_up} warm-up tickets")
        yield served
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000, help="per round and system")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--peer-python", type=Path, help="a virtualenv's python that has the peer already")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="kesu-peer-"))
    try:
        python = args.peer_python or install(directory)
        warm = min(100, args.requests)
        print(
            f"peer benchmark: {args.rounds} interleaved rounds of {args.requests} creations per system, "
            f"{args.concurrency} concurrent clients, gunicorn {args.workers} sync workers each, PostgreSQL, "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start",
            flush=True,
        )
        broker = BROKER if broker_reachable(BROKER) else ""
        print("Kesu's " + semantic_note(broker))
        rows: dict[str, list[dict]] = {"kesu": [], "helpdesk": []}
        with kesu_served(
            "postgres", args.workers, warm_up=warm, concurrency=args.concurrency, broker=broker
        ) as kesu:
            with helpdesk_served(python, directory, args.workers, warm, args.concurrency) as helpdesk:
                print(
                    f"{'round':<6} {'system':<16} {'created/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
                    f"{'errors':>7} {'stored':>7}   CPU ms/request: app / database / client / other"
                )
                for round_ in range(1, args.rounds + 1):
                    for name, served in (("kesu", kesu), ("helpdesk", helpdesk)):
                        r = measure_round(served, args.requests, args.concurrency)
                        rows[name].append(r)
                        label = "Kesu" if name == "kesu" else "django-helpdesk"
                        print(
                            f"{round_:<6} {label:<16} {r['per_s']:>10.1f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
                            f"{r['p99_ms']:>8.1f} {r['errors']:>7} {r['stored']:>7}   {r['app_cpu_ms']:.2f} / "
                            f"{r['db_cpu_ms']:.2f} / {r['client_cpu_ms']:.2f} / {r['other_cpu_ms']:.2f}",
                            flush=True,
                        )
                        time.sleep(1)
        print()
        for key, title in (("per_s", "created/s"), ("p95_ms", "p95 ms"), ("app_cpu_ms", "app CPU ms/request")):
            k = statistics.median(r[key] for r in rows["kesu"])
            h = statistics.median(r[key] for r in rows["helpdesk"])
            print(f"median {title:<20} Kesu {k:8.2f}   django-helpdesk {h:8.2f}   ratio Kesu/helpdesk {k / h:5.2f}")
        ratios = [k["per_s"] / h["per_s"] for k, h in zip(rows["kesu"], rows["helpdesk"], strict=True)]
        print(f"throughput ratio per round (Kesu/helpdesk): {', '.join(f'{r:.2f}' for r in ratios)}")
        ok = all(r["errors"] == 0 and r["stored"] == r["requests"] for rs in rows.values() for r in rs)
        return 0 if ok else 1
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
