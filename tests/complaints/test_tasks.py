"""Background tasks: eager on the embedded default, and through a real worker on Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from django.db import connection

from kesu.celery import app as celery_app
from kesu.complaints.models import AuditEvent, Complaint
from kesu.complaints.tasks import reanalyse_complaint
from tests.conftest import require_service


@pytest.mark.django_db
def test_tasks_run_eagerly_without_a_broker(make_complaint):
    assert celery_app.conf.task_always_eager
    complaint = make_complaint()
    Complaint.objects.filter(pk=complaint.pk).update(analysis={})
    result = reanalyse_complaint.delay(complaint.pk).get()
    assert result["complaint"] == complaint.reference
    complaint.refresh_from_db()
    assert complaint.analysis["category"]["code"] and complaint.analysis["emotion"]["label"]


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_runs_a_task_through_redis(make_complaint):
    """Start ``celery worker`` as its own process on the test database and the local Redis."""
    require_service(6379, "Redis")
    complaint = make_complaint()
    Complaint.objects.filter(pk=complaint.pk).update(analysis={"stale": True})
    broker = "redis://127.0.0.1:6379/15"
    queue = f"kesu-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CELERY_BROKER_URL": broker, "DJANGO_SETTINGS_MODULE": "kesu.settings"}
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["KESU_SQLITE_PATH"] = str(db["NAME"])
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kesu.celery",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    saved = {k: celery_app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    celery_app.conf.update(broker_url=broker, result_backend=broker, task_always_eager=False)
    try:
        async_result = reanalyse_complaint.apply_async((complaint.pk,), queue=queue)
        result = async_result.get(timeout=60)
    finally:
        celery_app.conf.update(saved)
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert result == {"complaint": complaint.reference, "changed": True}, output
    complaint.refresh_from_db()
    assert "stale" not in complaint.analysis
    assert AuditEvent.objects.filter(complaint=complaint, action="reanalysed").exists()
