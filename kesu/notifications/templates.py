"""The texts customers read that no agent types (messages, and the greeting of the follow-up page), as admin-editable :class:`MessageTemplate` rows.

Each default here follows the project's own reply rules (SPEC §5, :mod:`kesu.core.replies`): a
promise names its time (no 尽快 alone), the person in charge speaks as 我, the wording is positive
(感谢您的耐心等候 rather than 抱歉让您久等). The admin checks an edited text against the same rules
before it is saved; a row deleted by mistake falls back to the default here.
"""

from __future__ import annotations

from dataclasses import dataclass

from kesu import memo
from kesu.core.replies import check_reply
from kesu.notifications.models import MessageTemplate


@dataclass(frozen=True)
class Default:
    name: str
    body: str
    subject: str = ""
    placeholders: tuple[str, ...] = ()


DEFAULTS: dict[str, Default] = {
    "sla-first-reply-sms": Default(
        name="首次回复超时自动短信（48小时）",
        body="【客诉】您好，您反映的问题（编号 {ref}）已由专人负责，我会在24小时内与您联系。感谢您的耐心等候。",
        placeholders=("ref",),
    ),
    "follow-up-link-sms": Default(
        name="回访评价链接短信",
        body="【客诉】您好，您的投诉 {ref} 已处理完毕，请点击链接告诉我您的满意程度：{url} 感谢您的宝贵意见。",
        placeholders=("ref", "url"),
    ),
    "follow-up-page": Default(
        name="回访评价页面的问候",
        body="{name}您好，您的投诉 {ref} 已处理完毕。请告诉我您对处理结果的满意程度，感谢您的宝贵意见。",
        placeholders=("name", "ref"),
    ),
    "reply-email": Default(
        name="邮件回复的格式",
        subject="您的投诉 {ref} 的回复",
        body="{name}您好：\n\n{body}\n\n直接回复这封邮件即可继续与我沟通，请保留主题中的编号 [{ref}]。\n{agent}\n",
        placeholders=("name", "body", "ref", "agent"),
    ),
    "reply-sms": Default(
        name="短信回复的格式",
        body="【客诉】{body}（投诉编号 {ref}）",
        placeholders=("body", "ref"),
    ),
}

#: Findings a template may not have: what the checker blocks, and the rules these texts follow.
RULES_FOR_TEMPLATES = frozenset(
    {"forbidden_phrase", "negative_expression", "prefer_i_over_we", "promise_without_time_limit", "over_promise"}
)


class Placeholders(dict):
    """Placeholder values; one a template names but the sender does not know is left blank."""

    def __missing__(self, key: str) -> str:
        return ""


def template_findings(text: str) -> list[str]:
    """What the reply rules say against a template's text (placeholders left out), in Chinese."""
    plain = text.format_map(Placeholders())
    return [
        f"{finding.message_zh}（{finding.evidence}）"
        for finding in check_reply(plain).findings
        if finding.code in RULES_FOR_TEMPLATES
    ]


def _cache_key(code: str) -> str:
    return f"kesu:message-template:{code}:v1"


def template_text(code: str) -> tuple[str, str]:
    """``(subject, body)`` of template ``code``: the admin's row, else the default (remembered
    for 60 s per process; saving in the admin forgets it at once in that process)."""

    def load() -> tuple[str, str]:
        row = MessageTemplate.objects.filter(code=code).values_list("subject", "body").first()
        if row is not None:
            return row[0], row[1]
        default = DEFAULTS[code]
        return default.subject, default.body

    return memo.remember(_cache_key(code), load, 60)


def render(code: str, **values: object) -> tuple[str, str]:
    """``(subject, body)`` of template ``code`` with its placeholders filled (unknown ones blank)."""
    subject, body = template_text(code)
    filled = Placeholders({k: "" if v is None else str(v) for k, v in values.items()})
    return subject.format_map(filled).strip(), body.format_map(filled).strip()


def forget_template(code: str) -> None:
    memo.forget(_cache_key(code))
