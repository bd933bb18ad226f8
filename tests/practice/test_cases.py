"""The case library: a closed complaint proposed by a trainer comes out anonymised, is checked by a
second person, published with its STAR-L, read by agents without its source, and made a scenario."""

from __future__ import annotations

import pytest

from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.practice import selectors, services
from kesu.practice.models import CaseStatus

pytestmark = pytest.mark.django_db


def test_a_proposed_case_keeps_nothing_personal(closed_personal, trainer):
    case = services.case_propose(complaint=closed_personal, actor=trainer, kind="cautionary")
    everything = case.text + "".join(t["text"] for t in case.conversation)
    for personal in (
        "张伟",
        "13812345678",
        "DD2026031500123",
        "6222020000000000009",
        "建国路88号",
        "1299元",
        "3月15日",
    ):
        assert personal not in everything
    assert "【客户】" in case.text and "某先生" in everything and "约1000元" in case.text
    assert case.replaced["phone"] >= 1 and case.replaced["bank_card"] == 1
    assert services.case_leaks(case) == []
    assert case.status == CaseStatus.DRAFT and case.situation == case.text


def test_only_closed_complaints_and_only_once(make_complaint, closed_personal, trainer, agent):
    with pytest.raises(ComplaintError) as open_one:
        services.case_propose(complaint=make_complaint(), actor=trainer)
    assert open_one.value.code == ErrorCode.COMPLAINT_NOT_CLOSED
    services.case_propose(complaint=closed_personal, actor=trainer)
    with pytest.raises(ComplaintError) as twice:
        services.case_propose(complaint=closed_personal, actor=trainer)
    assert twice.value.code == ErrorCode.CASE_EXISTS
    with pytest.raises(PermissionRefused):
        services.case_propose(complaint=closed_personal, actor=agent)


def test_a_second_person_checks_and_a_leak_is_refused(closed_personal, trainer, trainer2, qa):
    case = services.case_propose(complaint=closed_personal, actor=trainer)
    with pytest.raises(ComplaintError) as self_check:
        services.case_check(case=case, actor=trainer)
    assert self_check.value.code == ErrorCode.SECOND_PERSON_REQUIRED
    case = services.case_update(case=case, actor=trainer2, data={"lesson": "客户张伟的电话是13812345678"})
    with pytest.raises(ComplaintError) as editor_check:
        services.case_check(case=case, actor=trainer2)
    assert editor_check.value.code == ErrorCode.SECOND_PERSON_REQUIRED
    with pytest.raises(ComplaintError) as leaking:
        services.case_check(case=case, actor=qa)
    assert leaking.value.code == ErrorCode.CASE_LEAKS
    case = services.case_update(case=case, actor=trainer2, data={"lesson": "先共情，再给带时限的方案。"})
    with pytest.raises(ComplaintError) as unchecked:
        services.case_publish(case=case, actor=trainer2)
    assert unchecked.value.code == ErrorCode.CASE_NOT_CHECKED
    case = services.case_check(case=case, actor=qa)
    assert case.checked_by == qa
    case = services.case_publish(case=case, actor=trainer)
    assert case.published


def publish(case, trainer, checker):
    return services.case_publish(case=services.case_check(case=case, actor=checker), actor=trainer)


def test_agents_read_published_cases_only_and_never_the_source(closed_personal, trainer, qa, agent, client):
    case = services.case_propose(complaint=closed_personal, actor=trainer)
    assert case not in selectors.cases_visible_to(agent)
    publish(case, trainer, qa)
    assert list(selectors.cases_visible_to(agent)) == [case]
    client.force_login(agent)
    page = client.get(f"/training/cases/{case.pk}/").content.decode()
    assert case.text in page and closed_personal.reference not in page
    client.force_login(qa)
    assert closed_personal.reference in client.get(f"/training/cases/{case.pk}/").content.decode()


def test_editing_a_published_case_sends_it_back_to_be_checked(closed_personal, trainer, qa, agent):
    case = publish(services.case_propose(complaint=closed_personal, actor=trainer), trainer, qa)
    case = services.case_update(case=case, actor=trainer, data={"result": "客户接受退货"})
    assert case.status == CaseStatus.DRAFT and case.checked_by is None
    assert case not in selectors.cases_visible_to(agent)


def test_a_published_case_becomes_a_scenario_in_one_action(closed_personal, trainer, qa, scenario):
    case = services.case_propose(complaint=closed_personal, actor=trainer)
    with pytest.raises(ComplaintError) as draft:
        services.case_to_scenario(case=case, actor=trainer)
    assert draft.value.code == ErrorCode.CASE_NOT_PUBLISHED
    case = services.case_update(
        case=case, actor=trainer, data={"task": "让客户接受退货方案"}, scenarios=[scenario]
    )
    case = publish(case, trainer, qa)
    made = services.case_to_scenario(case=case, actor=trainer)
    played = made.as_engine()
    assert played.persona.opening == case.text and not made.active
    assert len(played.persona.facts) == 1 and "【银行卡号】" in played.persona.facts[0].text
    assert set(case.scenarios.all()) == {scenario, made}
    assert "任务：让客户接受退货方案" in made.brief


def test_a_trainer_withdraws_a_case_with_a_reason_on_its_page(closed_personal, trainer, qa, agent, client):
    case = publish(services.case_propose(complaint=closed_personal, actor=trainer), trainer, qa)
    client.force_login(trainer)
    assert client.post(f"/training/cases/{case.pk}/withdraw/", {"reason": ""}).status_code == 302
    case.refresh_from_db()
    assert case.published  # no reason, no withdrawal
    client.post(f"/training/cases/{case.pk}/withdraw/", {"reason": "客户要求不再使用"})
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert case not in selectors.cases_visible_to(agent)
