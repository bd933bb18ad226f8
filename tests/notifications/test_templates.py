"""The texts customers read that no agent types follow the project's own reply rules, and an
admin edits them: the 48-hour SMS says what the admin wrote, and a text against the rules is
refused before it is saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kesu.handling.sweep import sweep
from kesu.notifications.admin import MessageTemplateForm
from kesu.notifications.models import MessageTemplate, OutboxMessage
from kesu.notifications.templates import DEFAULTS, forget_template, render, template_findings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", sorted(DEFAULTS))
def test_every_default_text_follows_the_reply_rules(code):
    default = DEFAULTS[code]
    assert template_findings(default.body) == []
    assert template_findings(default.subject) == []
    assert MessageTemplate.objects.get(code=code).body == default.body  # seeded for the admin


def test_the_old_48_hour_text_would_be_refused():
    old = "【客诉】您反映的问题(编号 {ref})我们正在加紧处理,负责人会尽快与您联系,给您带来不便深表歉意。"
    findings = " ".join(template_findings(old))
    assert "我们正在" in findings and "尽快与您联系" in findings


def test_the_48_hour_sms_says_what_the_admin_wrote(make_complaint):
    row = MessageTemplate.objects.get(code="sla-first-reply-sms")
    row.body = "【客诉】您的投诉 {ref} 由我负责，我会在今天18点前给您回电。感谢您的耐心等候。"
    row.save()
    forget_template(row.code)
    late = make_complaint(received_at=timezone.now() - timedelta(hours=49))
    sweep()
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.body == f"【客诉】您的投诉 {late.reference} 由我负责，我会在今天18点前给您回电。感谢您的耐心等候。"


@pytest.mark.parametrize(
    "body, error",
    [
        ("【客诉】您的投诉 {ref} 我们会尽快处理。", "承诺"),
        ("【客诉】您的投诉 {ref} 规定就是这样。", "规定就是这样"),
        ("【客诉】您的投诉 {reference} 已受理。", "reference"),
        ("【客诉】您的投诉 {ref 已受理。", "{ }"),
    ],
)
def test_an_edited_text_against_the_rules_is_refused(body, error):
    row = MessageTemplate.objects.get(code="sla-first-reply-sms")
    form = MessageTemplateForm(data={"name": row.name, "subject": "", "body": body}, instance=row)
    assert not form.is_valid()
    assert error in " ".join(form.errors["body"])


def test_a_missing_row_falls_back_to_the_default():
    MessageTemplate.objects.filter(code="reply-sms").delete()
    forget_template("reply-sms")
    assert render("reply-sms", body="您好", ref="KS1") == ("", "【客诉】您好（投诉编号 KS1）")
