"""A team lead handles an escalation: sees it waiting on the home page, reads the case with the
evidence marked, replies to the customer and resolves it at their level."""

from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from kesu.escalation.models import Escalation
from kesu.handling.intake import take_in
from tests.browser.ui import css, submit, wait, xpath
from tests.factories import CustomerFactory, TeamFactory, UserFactory

TEXT = "手机买了一周就黑屏了，你们再不处理我就去12315投诉，还要找律师起诉你们！"
REPLY = "我理解您的心情，谢谢您告诉我这些。我是班组长，我将立刻跟进这件事，今天18点前给您回电。"


@pytest.fixture
def team(db):
    return TeamFactory(name="投诉一组")


@pytest.fixture
def agent(team):
    return UserFactory(username="agent", team=team, role="agent")


@pytest.fixture
def lead(team):
    return UserFactory(username="lead", team=team, role="team_lead")


@pytest.fixture
def escalated(agent, lead):
    """A complaint whose words escalate it at intake (legal risk, a regulator) to the team lead."""
    complaint = take_in(actor=agent, customer=CustomerFactory(), text=TEXT, channel="phone")
    escalation = complaint.escalations.get()
    assert escalation.assigned_to == lead and escalation.status == "open"
    return complaint


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_team_lead_handles_the_escalation_waiting_for_them(browser, login, lead, escalated):
    login(lead)
    waiting = css(browser, "#escalations-waiting")
    assert "待我处理的升级" in waiting.text
    link = xpath(waiting, f".//a[normalize-space()='{escalated.reference}']")
    submit(browser, link)

    # The escalation, and the analysis with its evidence marked in the customer's words.
    escalations = css(browser, "ul.escalations")
    assert "法律风险" in escalations.text and "lead" in escalations.text
    marked = [
        m.text for m in browser.find_elements(By.CSS_SELECTOR, "blockquote.customer-text mark.evidence")
    ]
    assert "找律师" in marked and "12315" in marked
    triggers = css(browser, "ul.triggers").text
    assert "找律师" in triggers and "12315" in triggers
    assert (
        "high" in css(browser, ".tag.risk").get_attribute("class") and "高" in css(browser, ".tag.risk").text
    )

    # The escalated level talks to the customer.
    css(browser, "#id_body").send_keys(REPLY)
    wait(browser).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "#reply-check .ok, #reply-check .findings"))
    )
    assert not browser.find_elements(By.CSS_SELECTOR, "#reply-check .finding.block")
    submit(browser, xpath(browser, "//form[contains(@class,'reply-form')]//button[@type='submit']"))
    reply = browser.find_elements(By.CSS_SELECTOR, ".conversation .msg.agent")[-1]
    assert REPLY in reply.text and "lead" in reply.text

    # Resolve the escalation at this level, with its outcome.
    form = css(browser, "form.escalation-close")
    css(form, "input[name=note]").send_keys("已致电客户，承诺今天内换新，客户同意不再投诉12315。")
    submit(browser, css(form, "button[value=resolve]"))
    assert not browser.find_elements(By.CSS_SELECTOR, "form.escalation-close")
    assert "已解决" in css(browser, "ul.escalations").text

    escalation = Escalation.objects.get(complaint=escalated)
    assert escalation.status == "resolved" and escalation.closed_by == lead
    assert escalation.outcome.startswith("已致电客户")
    escalated.refresh_from_db()
    assert escalated.first_reply_at is not None
    assert escalated.audit_events.filter(action="escalation_resolved", actor=lead).exists()
    assert escalated.messages.filter(kind="agent", author=lead, body=REPLY).exists()

    browser.get(f"{browser.base_url}/")
    waiting = css(browser, "#escalations-waiting")
    assert not waiting.find_elements(By.XPATH, f".//a[normalize-space()='{escalated.reference}']")


# The same action without a browser: handing back down a level, and only one's own escalations.


def _action(complaint) -> str:
    return reverse("web:complaint-action", args=[complaint.reference, "escalation"])


@pytest.mark.django_db
def test_a_lead_hands_an_escalation_back_down_a_level(client, lead, escalated):
    escalation = escalated.escalations.get()
    client.force_login(lead)
    response = client.post(
        _action(escalated), {"escalation": escalation.pk, "decision": "de_escalate", "note": "客户情绪已平复"}
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    escalated.refresh_from_db()
    assert escalation.status == "de_escalated" and escalation.outcome == "客户情绪已平复"
    assert escalated.escalation_level == 0
    assert escalated.audit_events.filter(action="de_escalated", actor=lead).exists()


@pytest.mark.django_db
def test_only_the_assignee_closes_an_escalation_from_the_page(client, agent, lead, escalated):
    escalation = escalated.escalations.get()
    client.force_login(agent)
    page = client.get(reverse("web:complaint", args=[escalated.reference])).content.decode()
    assert "escalation-close" not in page
    response = client.post(
        _action(escalated), {"escalation": escalation.pk, "decision": "resolve", "note": "x"}
    )
    assert response.status_code == 403
    client.force_login(lead)
    response = client.post(
        _action(escalated), {"escalation": escalation.pk, "decision": "resolve", "note": ""}
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == "open"  # no outcome, nothing closed
    page = client.get(reverse("web:complaint", args=[escalated.reference])).content.decode()
    assert "escalation-close" in page
