from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@pytest.fixture(autouse=True)
def _outbox_settings(settings, tmp_path):
    """SMS files go to a fresh directory; delivery runs when a test says so, not on commit."""
    settings.KESU_SMS_DIR = tmp_path / "sms"
    settings.KESU_OUTBOX_DELIVER_ON_COMMIT = False
    settings.KESU_SMS_BACKEND = "kesu.notifications.channels.sms.FileSms"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class FakeGateway:
    """An HTTP receiver on 127.0.0.1 that answers with the scripted statuses (then 200) and, like
    a real SMS gateway, delivers each Idempotency-Key once however often it is posted."""

    url: str = ""
    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    delivered: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, received: Received) -> int:
        with self.lock:
            self.requests.append(received)
            status = self.statuses.pop(0) if self.statuses else 200
            key = received.headers.get("Idempotency-Key", "")
            if 200 <= status < 300 and key not in self.delivered:
                self.delivered[key] += 1
            return status


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    fake = FakeGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = fake.answer(Received(self.path, dict(self.headers.items()), body))
            payload = b'{"ok": true}' if status < 300 else b'{"error": "unavailable"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_port}/sms/send"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http_sms(settings, gateway):
    settings.KESU_SMS_BACKEND = "kesu.notifications.channels.sms.HttpSmsGateway"
    settings.KESU_SMS_URL = gateway.url
    settings.KESU_SMS_API_KEY = "test-api-key"
    settings.KESU_SMS_TIMEOUT = 2
    return gateway
