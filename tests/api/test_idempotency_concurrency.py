"""Concurrent client retries with one Idempotency-Key create exactly one complaint."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from kesu.complaints.models import Complaint


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_retries_create_one_complaint(agent):
    body = {
        "customer": {"name": "王芳", "external_id": "C-77"},
        "text": "同一个请求因为网络超时被客户端重发了好几次",
        "channel": "web",
    }
    statuses: list[int] = []
    barrier = threading.Barrier(6)

    def send() -> None:
        client = APIClient()
        client.force_authenticate(agent)
        barrier.wait()
        try:
            statuses.append(
                client.post(
                    "/api/v1/complaints/", body, format="json", HTTP_IDEMPOTENCY_KEY="retry-1"
                ).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert Complaint.objects.count() == 1
    assert sorted(statuses) == [200] * 5 + [201]
