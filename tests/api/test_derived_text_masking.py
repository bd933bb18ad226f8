"""Whoever may not see a customer's personal data sees none of it, in the words or in anything
derived from them: the analysis (its normalised text, its evidence), the agents' notes on the
case, the audit trail, on the API and on the page, and in the escalation package."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from kesu.complaints import services
from kesu.escalation.packages import compile_package
from kesu.handling.conversation import add_message
from kesu.handling.solution import record_solution

pytestmark = pytest.mark.django_db

# Full-width digits: the analysis normalises them to ASCII in ``normalized_text``.
WORDS = "我的电话１３９４７２９６６５１，身份证１１０１０１１９９００３０７１２３６，三天没人管，我要投诉到12315！"
SECRETS = ("4729", "４７２９", "19900307", "１９９００３０７")


_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?")


def leaked(content: str) -> list[str]:
    # Timestamps leave: a microsecond field such as .347291 holds "4729" by chance (a flaky failure, not a leak).
    content = _TIMESTAMP.sub("", content)
    return [secret for secret in SECRETS if secret in content]


@pytest.fixture
def handled(make_complaint, agent):
    complaint = services.complaint_accept(complaint=make_complaint(text=WORDS), actor=agent)
    add_message(complaint=complaint, actor=agent, body="座机也行：010-4729 6651，手机13947296651", kind="customer")
    record_solution(
        complaint=complaint,
        actor=agent,
        solution_type="apology",
        text="致电13947296651致歉，24小时内回电",
    )
    services.complaint_record_agreement(complaint=complaint, actor=agent, note="客户同意，回电号码139 4729 6651")
    complaint.refresh_from_db()
    assert complaint.analysis.get("normalized_text")  # the derived copy this is about
    return complaint


def test_qa_reads_the_complaint_in_the_api_without_personal_data(api, qa, handled):
    base = f"/api/v1/complaints/{handled.reference}/"
    for url in (base, f"{base}messages/", f"{base}audit/", "/api/v1/complaints/"):
        response = api(qa).get(url)
        assert response.status_code == 200, url
        assert leaked(json.dumps(response.json(), ensure_ascii=False)) == [], url


def test_the_handling_agent_still_sees_everything(api, agent, handled):
    detail = api(agent).get(f"/api/v1/complaints/{handled.reference}/").json()
    assert "4729" in detail["analysis"]["normalized_text"] and "13947296651" in detail["solution_text"]


def test_qa_reads_the_complaint_page_without_personal_data(client, qa, handled):
    client.force_login(qa)
    html = client.get(reverse("web:complaint", args=[handled.reference])).content.decode()
    assert "139****6651" in html
    assert leaked(html) == []


def test_the_escalation_package_quotes_nothing_personal(handled):
    package = json.dumps(compile_package(handled), ensure_ascii=False)
    assert "12315" in package  # the trigger's evidence is there, masked where it must be
    assert leaked(package) == []
