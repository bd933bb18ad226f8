"""The inbound webhook: a provider posts a parsed mail, signed; a forged or replayed post opens
nothing, and a provider's retry is answered with the first outcome."""

from __future__ import annotations

import base64
import json
import time

import pytest

from kesu.complaints.models import Complaint
from kesu.notifications.signing import sign
from tests.factories import TeamFactory, UserFactory
from tests.mail.mails import PDF, customer_mail

pytestmark = pytest.mark.django_db
SECRET = "inbound-secret"
URL = "/api/v1/inbound/mail/"


@pytest.fixture(autouse=True)
def _webhook(settings):
    settings.KESU_INBOUND_MAIL_SECRET = SECRET
    UserFactory(username="mailbox", team=TeamFactory(name="邮件组"), role="agent")


def post(client, payload: dict, *, secret: str = SECRET, timestamp: int | None = None):
    body = json.dumps(payload, ensure_ascii=False).encode()
    stamp = str(timestamp or int(time.time()))
    return client.post(
        URL,
        body,
        content_type="application/json",
        HTTP_X_KESU_TIMESTAMP=stamp,
        HTTP_X_KESU_SIGNATURE=sign(secret, body, stamp),
    )


PARSED = {
    "from": "陈先生 <chen@example.cn>",
    "to": "desk@kesu.test",
    "subject": "冰箱不制冷",
    "html": "<div>买了两周的冰箱<b>不制冷</b>了，要求换货。</div><blockquote>以前的邮件</blockquote>",
    "message_id": "<parsed-1@provider.example>",
    "attachments": [{"filename": "发票.pdf", "content_type": "application/pdf", "content": base64.b64encode(PDF).decode()}],
}


def test_a_parsed_mail_opens_a_complaint_once(client):
    first = post(client, PARSED)
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "new_complaint"
    complaint = Complaint.objects.get()
    assert first.json()["complaint"] == complaint.reference
    assert "不制冷了，要求换货" in complaint.text and "以前的邮件" not in complaint.text
    assert complaint.messages.get().quoted == "> 以前的邮件"
    assert [a.filename for a in complaint.attachments.all()] == ["发票.pdf"]

    again = post(client, PARSED)  # the provider retries
    assert again.json() == first.json()
    assert Complaint.objects.count() == 1


def test_the_raw_mail_in_gb2312_is_taken_as_well(client):
    raw, _ = customer_mail(charset="gb2312", body="电视机屏幕有坏点，要求更换。")
    response = post(client, {"raw": base64.b64encode(raw).decode()})
    assert response.json()["status"] == "new_complaint"
    assert "电视机屏幕有坏点" in Complaint.objects.get().text


@pytest.mark.parametrize("secret, age", [("wrong-secret", 0), (SECRET, 3600)])
def test_a_forged_or_replayed_post_opens_nothing(client, secret, age):
    response = post(client, PARSED, secret=secret, timestamp=int(time.time()) - age)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"
    assert not Complaint.objects.exists()


def test_without_a_secret_the_webhook_is_off(client, settings):
    settings.KESU_INBOUND_MAIL_SECRET = ""
    assert post(client, PARSED).status_code == 404
