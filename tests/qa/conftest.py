"""Shared fixtures for quality inspection: the roles around one team, a closed complaint with a
real-looking conversation, and a scored inspection of it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kesu.complaints.models import Complaint, Message
from kesu.core.workflow import Stage
from kesu.qa import services as qa_services
from kesu.qa.models import Inspection
from kesu.sla.models import ComplaintSla
from tests.factories import UserFactory

CUSTOMER_TEXT = "宽带断了三天了，打10000号一直没人管，你们到底什么时候修好？"
REPLY_GOOD = "李女士您好，非常抱歉给您添麻烦了，我理解您着急的心情。能告诉我具体是什么情况吗？"
REPLY_SOLUTION = "我已为您提交加急维修工单，师傅今天下午5点前上门检修，修好后我会给您回电确认。以后如果再遇到断网，您可以直接拨打我的专线。谢谢您的耐心！"


@pytest.fixture
def qa2(db):
    return UserFactory(username="qa2", team=None, role="qa_inspector")


@pytest.fixture
def trainer(db):
    return UserFactory(username="trainer", team=None, role="trainer")


def close(
    complaint: Complaint,
    owner,
    *,
    closed_at=None,
    replies=(REPLY_GOOD, "从周一晚上开始光猫一直闪红灯。", REPLY_SOLUTION),
) -> Complaint:
    """A complaint handled and closed by ``owner``: its conversation (agent and customer turns in
    turn after the intake message) and the closing stamps, written straight to the rows — QA reads
    closed complaints and never takes them through the workflow itself."""
    at = complaint.received_at
    for index, body in enumerate(replies):
        at = at + timedelta(minutes=20)
        Message.objects.create(
            complaint=complaint,
            kind="agent" if index % 2 == 0 else "customer",
            channel=complaint.channel,
            author=owner if index % 2 == 0 else None,
            body=body,
            created_at=at,
        )
    Complaint.objects.filter(pk=complaint.pk).update(
        owner=owner, stage=Stage.CLOSED.value, closed_at=closed_at or at, first_reply_at=complaint.received_at
    )
    ComplaintSla.objects.filter(pk=complaint.pk).update(first_reply_status="met", effective_status="met")
    complaint.refresh_from_db()
    return complaint


@pytest.fixture
def closed_complaint(make_complaint, agent):
    return close(make_complaint(text=CUSTOMER_TEXT), agent)


@pytest.fixture
def inspection(closed_complaint, qa) -> Inspection:
    return qa_services.inspect_complaint(complaint=closed_complaint, actor=qa)


def finish(inspection: Inspection, inspector, **scores: float) -> Inspection:
    """Score the manual items (1 unless given) and complete the inspection."""
    for result in inspection.results.filter(kind="manual", applicable=True):
        qa_services.inspection_score_item(
            inspection=inspection, actor=inspector, code=result.code, score=scores.get(result.code, 1.0)
        )
    return qa_services.inspection_complete(inspection=inspection, actor=inspector)


@pytest.fixture
def completed(inspection, qa) -> Inspection:
    return finish(inspection, qa)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The users of these tests never log in with a password: hash theirs cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
