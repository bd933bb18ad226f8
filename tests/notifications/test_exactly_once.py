"""One notification per event, however the sweeps and workers race or die (issue 4).

These run on SQLite and PostgreSQL alike (DATABASE_URL), with committed data, real threads and
a worker in its own process that is killed mid-delivery.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from kesu.celery import app as celery_app
from kesu.notifications import services
from kesu.notifications.channels.sms import sms_file_name
from kesu.notifications.delivery import deliver_due
from kesu.notifications.models import OutboxMessage, Status
from kesu.notifications.services import SmsRow
from kesu.notifications.tasks import deliver_outbox
from tests.conftest import require_service
from tests.factories import CustomerFactory

ROOT = Path(__file__).resolve().parents[2]
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_together(count: int, work) -> list:
    """Run ``work(i)`` in ``count`` threads released at the same moment; return the results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


@transactional
def test_two_sweeps_enqueuing_the_same_event_at_once_make_one_row():
    def sweep(_: int) -> bool:
        with transaction.atomic():
            return services.enqueue_sms(
                event_key="sla.first_reply_48h:KS2026112300000001", phone="13800138000", text="您好"
            )

    created = run_together(6, sweep)
    assert sorted(created) == [False] * 5 + [True]
    assert OutboxMessage.objects.count() == 1


@transactional
def test_two_set_based_sweeps_at_once_make_one_row_per_event():
    rows = [SmsRow(f"sla:KS{n}", f"138{n:08d}", "您好") for n in range(300)]

    def sweep(_: int) -> int:
        with transaction.atomic():
            return services.enqueue_many_sms(rows, batch_size=100)

    run_together(3, sweep)
    assert OutboxMessage.objects.count() == 300


@transactional
def test_workers_delivering_at_the_same_moment_send_each_message_once(http_sms):
    for n in range(40):
        services.enqueue_sms(event_key=f"sla:KS{n}", phone=f"138{n:08d}", text="您好")

    reports = run_together(4, lambda _: deliver_due(limit=100))
    assert sum(r.sent for r in reports) == 40
    assert OutboxMessage.objects.filter(status=Status.SENT, attempts=1).count() == 40
    # Not just de-duplicated by the gateway: no message was even posted twice.
    assert len(http_sms.requests) == 40
    assert len({r.headers["Idempotency-Key"] for r in http_sms.requests}) == 40


def _worker_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kesu.settings", **extra}
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["KESU_SQLITE_PATH"] = str(db["NAME"])
    else:
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        host = db["HOST"] or "127.0.0.1"
        env["DATABASE_URL"] = f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
    return env


def run_worker_that_dies(**env: str) -> None:
    """``deliver_due`` in a separate worker process whose SMS channel kills it (SIGKILL) right
    after the first message went out — before the outbox could record it."""
    script = (
        "import django; django.setup(); from kesu.notifications.delivery import deliver_due; deliver_due()"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=_worker_env(**env), cwd=ROOT, capture_output=True, timeout=120
    )
    assert result.returncode == -9, result.stderr.decode(errors="replace")


@transactional
def test_a_worker_killed_mid_delivery_leaves_one_sms_file_per_complaint(settings, make_complaint):
    complaints = [make_complaint(customer=CustomerFactory()) for _ in range(3)]
    with transaction.atomic():
        for complaint in complaints:
            services.enqueue_sms(
                event_key=f"sla.first_reply_48h:{complaint.reference}",
                phone=complaint.customer.phone,
                text=f"【客诉中心】您的投诉 {complaint.reference} 正在处理，我们会尽快答复。",
                complaint=complaint,
            )
    sms_dir = Path(settings.KESU_SMS_DIR)

    run_worker_that_dies(
        KESU_SMS_BACKEND="tests.notifications.dying.FileSmsThenDie", KESU_SMS_DIR=str(sms_dir)
    )
    assert len(list(sms_dir.glob("*.sms"))) == 1  # the first went out, then the worker died
    assert OutboxMessage.objects.filter(status=Status.SENDING).count() == 3
    assert deliver_due().claimed == 0  # still leased to the dead worker

    lease_over = OutboxMessage.objects.latest("lease_until").lease_until + timedelta(seconds=1)
    report = deliver_due(now=lease_over)
    assert (report.claimed, report.sent) == (3, 3)

    files = sorted(sms_dir.glob("*.sms"))
    assert len(files) == 3
    for complaint in complaints:
        [message] = complaint.notifications.all()
        assert message.status == Status.SENT
        content = (sms_dir / sms_file_name(message)).read_text(encoding="utf-8")
        assert content.count(complaint.reference) == 2  # the key and the text: one message
    assert sorted(m.attempts for m in OutboxMessage.objects.all()) == [2, 2, 2]


@transactional
def test_a_worker_killed_after_posting_to_the_gateway_delivers_one_sms_per_complaint(
    http_sms, make_complaint
):
    complaints = [make_complaint(customer=CustomerFactory()) for _ in range(3)]
    for complaint in complaints:
        services.enqueue_sms(
            event_key=f"sla.first_reply_48h:{complaint.reference}",
            phone=complaint.customer.phone,
            text="您的投诉正在处理。",
            complaint=complaint,
        )

    run_worker_that_dies(
        KESU_SMS_BACKEND="tests.notifications.dying.HttpSmsThenDie",
        KESU_SMS_URL=http_sms.url,
        KESU_SMS_API_KEY="test-api-key",
    )
    assert len(http_sms.requests) == 1

    deliver_due(now=timezone.now() + timedelta(minutes=10))
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == 3
    # The first message was posted twice; the gateway delivered it once, as every other.
    assert len(http_sms.requests) == 4
    assert len({c.customer.phone for c in complaints}) == 3
    assert {r.json()["to"] for r in http_sms.requests} == {c.customer.phone for c in complaints}
    assert sorted(http_sms.delivered.values()) == [1, 1, 1]


@pytest.mark.services
@transactional
def test_a_real_celery_worker_delivers_through_redis(settings):
    """The task as production runs it: queued on Redis, taken by ``celery worker`` in its own
    process, which claims the row in the shared database and writes the SMS."""
    require_service(6379, "Redis")
    services.enqueue_sms(event_key="sla:KS-worker", phone="13800138000", text="您好")
    broker = "redis://127.0.0.1:6379/15"
    queue = f"kesu-test-{uuid.uuid4().hex[:8]}"
    sms_dir = str(settings.KESU_SMS_DIR)
    env = _worker_env(CELERY_BROKER_URL=broker, KESU_SMS_DIR=sms_dir)
    command = [sys.executable, "-m", "celery", "-A", "kesu.celery", "worker", "--pool", "solo", "-Q", queue]
    command += ["--without-gossip", "--without-mingle", "--loglevel", "WARNING"]
    worker = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    saved = {k: celery_app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    celery_app.conf.update(broker_url=broker, result_backend=broker, task_always_eager=False)
    try:
        result = deliver_outbox.apply_async(queue=queue).get(timeout=60)
    finally:
        celery_app.conf.update(saved)
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert result == {"claimed": 1, "sent": 1, "retrying": 0, "dead": 0}, output
    assert OutboxMessage.objects.get().status == Status.SENT
    assert len(list(Path(sms_dir).glob("*.sms"))) == 1
