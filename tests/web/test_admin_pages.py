"""Every page of the Django admin renders — each registered model's list, its add form and the
change form of a row — for a superuser and for the ``admin`` role (a 403 where the role may not,
never a 500), in Chinese, with Kesu's name on it."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_role(team):
    user = UserFactory(username="boss", team=team, role="admin")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def superuser(team):
    user = UserFactory(username="root", team=team, role="admin")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def _pages():
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        yield model, model_admin, f"admin:{info[0]}_{info[1]}"


def _chinese(client: Client) -> Client:
    client.cookies["django_language"] = "zh-hans"
    return client


def _walk(client: Client, user) -> list[tuple[str, int]]:
    client.force_login(user)
    _chinese(client)
    seen = []
    for model, _model_admin, name in _pages():
        urls = [reverse(f"{name}_changelist"), reverse(f"{name}_add")]
        row = model._default_manager.order_by("pk").first()
        if row is not None:
            try:
                urls.append(reverse(f"{name}_change", args=[row.pk]))
            except NoReverseMatch:
                pass
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            seen.append((url, response.status_code))
            assert response.status_code in (200, 302, 403), (url, response.status_code)
            if response.status_code == 200:
                html = response.content.decode()
                assert "Kesu 客诉" in html, url
                assert 'lang="zh-hans"' in html, url
    return seen


def test_every_admin_page_renders_for_a_superuser(client, superuser, make_complaint):
    make_complaint()  # a complaint with its clocks, audit trail and analysis: rows to open
    seen = _walk(client, superuser)
    lists = [code for url, code in seen if url.endswith("/") and url.count("/") == 4]
    assert lists and all(code == 200 for code in lists)  # every list opens for a superuser
    assert len(seen) >= 2 * len(admin.site._registry)


def test_every_admin_page_renders_or_refuses_for_the_admin_role(client, admin_role, make_complaint):
    make_complaint()
    seen = dict(_walk(client, admin_role))
    # What business people edit (SPEC §11) opens for the admin role: targets, escalated-complaint
    # rules, scripts, categories, customers served.
    for name in (
        "metrics_kpitarget",
        "metrics_customersserved",
        "complaints_escalatedcomplaintconfig",
        "complaints_category",
        "scripts_script",
    ):
        assert seen[reverse(f"admin:{name}_changelist")] == 200, name


def test_the_admin_role_edits_both_target_schemes_and_the_escalated_complaint_rules(client, admin_role):
    from decimal import Decimal

    from kesu.complaints.models import EscalatedComplaintConfig
    from kesu.metrics.models import KpiTarget

    client.force_login(admin_role)
    _chinese(client)
    page = client.get(reverse("admin:metrics_kpitarget_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert "指标标准" in html and "集团指标" in html and "投诉工单处理及时率" in html
    target = KpiTarget.objects.get(scheme="group", kpi="work_order_on_time", tier=None)
    response = client.post(
        reverse("admin:metrics_kpitarget_change", args=[target.pk]),
        {"scheme": "group", "kpi": "work_order_on_time", "tier": "", "value": "0.97", "near_margin": "0.02"},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    target.refresh_from_db()
    assert target.value == Decimal("0.97")
    response = client.post(
        reverse("admin:metrics_kpitarget_change", args=[target.pk]),
        {"scheme": "group", "kpi": "work_order_on_time", "tier": "", "value": "97", "near_margin": "0.02"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200 and "比率目标应在 0 到 1 之间" in response.content.decode()
    config = EscalatedComplaintConfig.objects.get()
    response = client.post(
        reverse("admin:complaints_escalatedcomplaintconfig_change", args=[config.pk]),
        {"walk_ins": "on", "receiving_units": ["provincial", "city"]},
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    config.refresh_from_db()
    assert config.receiving_units == ["provincial", "city"] and not config.letters


def test_every_admin_label_is_chinese():
    """The admin's headings, column titles and form labels come from the models: each in Chinese."""
    import re

    from django.apps import apps
    from django.utils import translation

    cjk = re.compile(r"[\u4e00-\u9fff]")
    untranslated = []
    with translation.override("zh-hans"):
        for model in admin.site._registry:
            app = apps.get_app_config(model._meta.app_label)
            labels = [app.verbose_name, model._meta.verbose_name, model._meta.verbose_name_plural]
            labels += [
                f.verbose_name
                for f in model._meta.get_fields()
                if getattr(f, "concrete", False) and not f.auto_created and f.name not in ("id", "mail_id")
            ]
            untranslated += [f"{model._meta.label}: {label}" for label in labels if not cjk.search(str(label))]
    assert untranslated == []
