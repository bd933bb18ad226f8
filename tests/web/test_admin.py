"""Administrators configure the workflow in the admin; nobody edits the audit trail there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kesu.complaints.models import AuditEvent, ChecklistItemConfig, StageConfig
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(team):
    user = UserFactory(username="boss", team=team, role="admin")
    user.is_staff = True
    user.save()
    return user


def test_an_admin_renames_a_stage_and_adds_a_checklist_item(client, admin_user):
    stage = StageConfig.objects.get(stage="listen")
    items = list(stage.items.all())
    client.force_login(admin_user)
    url = reverse("admin:complaints_stageconfig_change", args=[stage.pk])
    assert client.get(url).status_code == 200
    data = {
        "stage": "listen",
        "name": "倾听安抚",
        "name_en": "Listen",
        "description": "",
        "items-TOTAL_FORMS": str(len(items) + 1),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(items):
        data.update(
            {
                f"items-{index}-id": str(item.pk),
                f"items-{index}-stage": str(stage.pk),
                f"items-{index}-position": str(item.position),
                f"items-{index}-code": item.code,
                f"items-{index}-label": item.label,
                f"items-{index}-label_en": item.label_en,
                f"items-{index}-active": "on",
            }
        )
    new = len(items)
    data.update(
        {
            f"items-{new}-stage": str(stage.pk),
            f"items-{new}-position": "9",
            f"items-{new}-code": "asked_name",
            f"items-{new}-label": "询问客户称呼",
            f"items-{new}-required": "on",
            f"items-{new}-active": "on",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    stage.refresh_from_db()
    assert stage.name == "倾听安抚"
    assert ChecklistItemConfig.objects.get(stage=stage, code="asked_name").required


def test_the_audit_trail_is_read_only_in_the_admin(client, admin_user, make_complaint):
    complaint = make_complaint()
    event = AuditEvent.objects.get(complaint=complaint)
    client.force_login(admin_user)
    assert client.get(reverse("admin:complaints_auditevent_changelist")).status_code == 200
    client.post(reverse("admin:complaints_auditevent_change", args=[event.pk]), {"note": "x"})
    client.post(reverse("admin:complaints_auditevent_delete", args=[event.pk]), {"post": "yes"})
    event.refresh_from_db()
    assert event.note == "" and AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_role_edits_what_business_people_configure(client, admin_user):
    from kesu.escalation.models import EscalationLevel

    client.force_login(admin_user)
    for name in ("scripts_script", "complaints_category", "metrics_kpitarget", "metrics_customersserved"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
    index = client.get(reverse("admin:index")).content.decode()
    assert "Kesu 客诉" in index and "Django" not in index.split("<title>")[1].split("</title>")[0]
    level = EscalationLevel.objects.get(code="team_lead")
    form = client.get(reverse("admin:escalation_escalationlevel_change", args=[level.pk])).content.decode()
    assert '<select name="role"' in form and '<option value="team_lead" selected>' in form
    data = {
        "position": level.position,
        "code": level.code,
        "name": level.name,
        "name_en": "",
        "role": "nobody",
    }
    refused = client.post(reverse("admin:escalation_escalationlevel_change", args=[level.pk]), data)
    assert refused.status_code == 200  # a role that does not exist cannot be chosen
    level.refresh_from_db()
    assert level.role == "team_lead"


def test_the_business_calendar_is_a_form_with_chinese_refusals(client, admin_user):
    from django.utils import translation

    from kesu.sla.models import BusinessCalendarConfig

    calendar = BusinessCalendarConfig.objects.first() or BusinessCalendarConfig.objects.create(
        name="默认", data={"timezone": "Asia/Shanghai", "week": {"mon": ["09:00-18:00"]}}
    )
    client.force_login(admin_user)
    url = reverse("admin:sla_businesscalendarconfig_change", args=[calendar.pk])
    page = client.get(url).content.decode()
    assert 'name="week_mon"' in page and 'name="holidays"' in page and 'name="data"' not in page
    data = {"name": calendar.name, "timezone": "Asia/Shanghai", "holidays": "2026-10-01\n2026-10-02"}
    data.update({f"week_{d}": "09:00-12:00, 13:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")})
    with translation.override("zh-hans"):
        refused = client.post(url, {**data, "week_sat": "9点到5点", "makeup_workdays": "十月十日"})
    html = refused.content.decode()
    assert refused.status_code == 200 and "不是" in html and "十月十日" in html
    assert client.post(url, {**data, "makeup_workdays": "2026-10-10"}).status_code == 302
    calendar.refresh_from_db()
    assert (
        calendar.data["week"]["mon"] == ["09:00-12:00", "13:00-18:00"] and calendar.data["week"]["sat"] == []
    )
    assert calendar.data["holidays"] == ["2026-10-01", "2026-10-02"]
    assert calendar.data["makeup_workdays"] == ["2026-10-10"]


def test_the_admin_sets_a_roles_default_authority(client, admin_user, lead, agent):
    from decimal import Decimal

    from kesu.accounts.models import User

    client.force_login(admin_user)
    url = reverse("admin:accounts_roleauthoritylimit_add")
    # Authority handed out is for superusers (issue 12): the admin role cannot raise a role's limit.
    assert client.post(url, {"role": "team_lead", "limit": "8000"}).status_code == 403
    assert User.objects.get(pk=lead.pk).effective_authority_limit() == Decimal("5000")
    admin_user.is_superuser = True
    admin_user.save()
    assert client.post(url, {"role": "team_lead", "limit": "8000"}).status_code == 302
    assert User.objects.get(pk=lead.pk).effective_authority_limit() == Decimal("8000")
    assert User.objects.get(pk=agent.pk).effective_authority_limit() == Decimal("500")  # the default


def test_the_admin_edits_the_solution_catalogue_and_the_page_offers_it(
    client, admin_user, make_complaint, agent
):
    from kesu.complaints import services
    from kesu.complaints.models import Category, Complaint
    from kesu.scripts.models import SolutionOption

    complaint = services.complaint_accept(complaint=make_complaint(), actor=agent)
    Complaint.objects.filter(pk=complaint.pk).update(
        stage="propose", category=Category.objects.get(code="price_fee")
    )
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:scripts_solutionoption_add"),
        {
            "category": "price_fee",
            "solution_type": "refund",
            "title": "话费返还三倍差额",
            "text": "3个工作日内返还到账户。",
            "position": 0,
            "active": "on",
        },
    )
    assert response.status_code == 302 and SolutionOption.objects.filter(title="话费返还三倍差额").exists()
    client.force_login(agent)
    page = client.get(reverse("web:complaint", args=[complaint.reference])).content.decode()
    assert "话费返还三倍差额" in page and "退还多收费用（返还账户）" in page  # the seeded ones stay
