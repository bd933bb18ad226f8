"""The broker transport (kesu.broker) carries tasks as kombu's Redis transport does, building one Redis
client per channel for what it sends rather than one per message, and a new one after a fork."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from kombu import Connection

from kesu import broker
from tests.conftest import require_service

BROKER = "redis://127.0.0.1:6379/15"


@pytest.fixture
def connection():
    require_service(6379, "Redis")
    with Connection(BROKER, transport="kesu.broker:Transport") as conn:
        yield conn


def test_messages_sent_through_it_arrive_in_order_on_one_client(connection, monkeypatch):
    built = []
    create = broker.Channel._create_client

    def counting(self, asynchronous=False):
        client = create(self, asynchronous=asynchronous)
        if not asynchronous:
            built.append(client)
        return client

    monkeypatch.setattr(broker.Channel, "_create_client", counting)
    queue = connection.SimpleQueue(f"kesu-test-{uuid.uuid4().hex[:8]}")
    try:
        for n in range(3):
            queue.put({"complaint_id": n})
        assert [queue.get(timeout=5).payload for _ in range(3)] == [{"complaint_id": n} for n in range(3)]
        assert len(built) == 1
        connection.default_channel._after_fork()  # a forked process builds its own on a new pool
        queue.put({"complaint_id": 3})
        assert queue.get(timeout=5).payload == {"complaint_id": 3}
        assert len(built) == 2 and built[1].connection_pool is not built[0].connection_pool
    finally:
        queue.queue.delete()
        queue.close()


def test_a_redis_broker_is_reached_through_it():
    """The Celery app sends to a redis:// broker through it; another broker keeps its own transport."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='kesu.settings'; django.setup();"
        "from kesu.celery import app; print(type(app.connection_for_write().transport).__module__)"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "KESU_CACHE_URL"}}
    for url, module in ((BROKER, "kesu.broker"), ("amqp://guest@127.0.0.1//", "kombu.transport.pyamqp")):
        result = subprocess.run(
            [sys.executable, "-c", code], env={**env, "CELERY_BROKER_URL": url}, capture_output=True, text=True
        )
        assert result.stdout.strip() == module, result.stderr
