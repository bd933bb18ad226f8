"""Roles as Django groups, and the permissions each one holds.

The role → permission table is configuration kept in code so every environment agrees;
``sync_role_groups`` runs after each migrate and makes the groups match it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

AGENT = "agent"
TEAM_LEAD = "team_lead"
MANAGER = "manager"
QA_INSPECTOR = "qa_inspector"
TRAINER = "trainer"
ADMIN = "admin"
LEGAL_PR = "legal_pr"
ROLES = (AGENT, TEAM_LEAD, MANAGER, QA_INSPECTOR, TRAINER, LEGAL_PR, ADMIN)

ROLE_LABELS = {
    AGENT: _("Agent"),
    TEAM_LEAD: _("Team lead"),
    MANAGER: _("Manager"),
    QA_INSPECTOR: _("QA inspector"),
    TRAINER: _("Trainer"),
    LEGAL_PR: _("Legal / PR"),
    ADMIN: _("Administrator"),
}

# Permissions are "app_label.codename".
_HANDLE = [
    "complaints.add_complaint",
    "complaints.handle_complaint",
    "complaints.add_message",
    "complaints.view_customer_pii",
]
# Quality inspection 质检 (kesu.qa): inspectors score; agents read and appeal their own results; team
# leads read their team's and decide its appeals; managers and trainers read all.
_QA_INSPECT = ["qa.inspect", "qa.import_transcripts", "qa.view_all_inspections"]
_QA_AGENT = ["qa.view_own_inspections", "qa.appeal_inspection"]
_QA_LEAD = ["qa.view_own_inspections", "qa.appeal_inspection", "qa.view_team_inspections", "qa.decide_appeal"]
# Closing the loop 闭环 (kesu.reviews): owners draft their complaints' reviews; team leads approve the
# team's; managers run the improvement actions; trainers and inspectors read reviews for the case
# library and calibration.
_REVIEW_AGENT = ["reviews.draft_review", "reviews.record_opportunity"]
_REVIEW_LEAD = [*_REVIEW_AGENT, "reviews.approve_review", "reviews.manage_actions"]
_REVIEW_MANAGER = [*_REVIEW_LEAD, "reviews.view_all_reviews"]
# Training 培训 (kesu.practice): everyone who handles complaints practises; trainers run training and
# build the case library; QA checks a case's anonymisation and sees its source; team leads follow
# their team's progress, managers everyone's.
_PRACTISE = ["practice.practise"]
_TRAIN = [
    "practice.practise",
    "practice.run_training",
    "practice.check_case",
    "practice.view_case_source",
    "practice.view_all_progress",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    AGENT: ["complaints.view_team_complaints", *_HANDLE, *_QA_AGENT, *_REVIEW_AGENT, *_PRACTISE],
    TEAM_LEAD: [
        "complaints.view_team_complaints",
        *_HANDLE,
        "complaints.mark_bad_faith",
        "complaints.view_bad_faith_signals",
        "complaints.transfer_complaint",
        "complaints.import_complaints",
        "complaints.view_audit",
        *_QA_LEAD,
        *_REVIEW_LEAD,
        *_PRACTISE,
        "practice.view_team_progress",
    ],
    MANAGER: [
        "complaints.view_all_complaints",
        *_HANDLE,
        "complaints.view_bad_faith_signals",
        "complaints.transfer_complaint",
        "complaints.import_complaints",
        "complaints.view_audit",
        "qa.view_all_inspections",
        *_REVIEW_MANAGER,
        *_PRACTISE,
        "practice.view_all_progress",
    ],
    QA_INSPECTOR: [
        "complaints.view_all_complaints",
        "complaints.view_audit",
        "complaints.view_bad_faith_signals",
        *_QA_INSPECT,
        "reviews.view_all_reviews",
        "practice.check_case",
        "practice.view_case_source",
    ],
    TRAINER: ["complaints.view_all_complaints", "qa.view_all_inspections", "reviews.view_all_reviews", *_TRAIN],
    LEGAL_PR: [
        "complaints.view_all_complaints",
        *_HANDLE,
        "complaints.view_audit",
        "complaints.view_bad_faith_signals",
        *_PRACTISE,
    ],
    ADMIN: [
        "complaints.view_all_complaints",
        *_HANDLE,
        "complaints.transfer_complaint",
        "complaints.import_complaints",
        "complaints.view_audit",
        "complaints.add_stageconfig",
        "complaints.change_stageconfig",
        "complaints.view_stageconfig",
        "complaints.add_checklistitemconfig",
        "complaints.change_checklistitemconfig",
        "complaints.delete_checklistitemconfig",
        "complaints.view_checklistitemconfig",
        "customers.add_customer",
        "customers.change_customer",
        "customers.view_customer",
        "customers.add_tier",
        "customers.change_tier",
        "customers.view_tier",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
        "accounts.add_team",
        "accounts.change_team",
        "accounts.view_team",
        "accounts.view_userrightsevent",
        "complaints.view_auditevent",
        "notifications.view_outboxmessage",
        "notifications.change_outboxmessage",
        "notifications.add_webhookendpoint",
        "notifications.change_webhookendpoint",
        "notifications.view_webhookendpoint",
        "sla.add_slapolicyconfig",
        "sla.change_slapolicyconfig",
        "sla.view_slapolicyconfig",
        "sla.add_businesscalendarconfig",
        "sla.change_businesscalendarconfig",
        "sla.view_businesscalendarconfig",
        "escalation.change_escalationlevel",
        "escalation.view_escalationlevel",
        "accounts.add_roleauthoritylimit",
        "accounts.change_roleauthoritylimit",
        "accounts.delete_roleauthoritylimit",
        "accounts.view_roleauthoritylimit",
        # what business people edit (SPEC §11): scripts, the taxonomy, KPI targets, customers served
        "scripts.add_script",
        "scripts.change_script",
        "scripts.delete_script",
        "scripts.view_script",
        "scripts.add_solutionoption",
        "scripts.change_solutionoption",
        "scripts.delete_solutionoption",
        "scripts.view_solutionoption",
        "complaints.add_category",
        "complaints.change_category",
        "complaints.view_category",
        "complaints.change_escalatedcomplaintconfig",
        "complaints.view_escalatedcomplaintconfig",
        "metrics.add_kpitarget",
        "metrics.change_kpitarget",
        "metrics.view_kpitarget",
        "metrics.add_customersserved",
        "metrics.change_customersserved",
        "metrics.view_customersserved",
        "qa.view_all_inspections",
        "qa.add_scorecard",
        "qa.change_scorecard",
        "qa.view_scorecard",
        "qa.add_scorecarditem",
        "qa.change_scorecarditem",
        "qa.delete_scorecarditem",
        "qa.view_scorecarditem",
        "qa.add_samplingplan",
        "qa.change_samplingplan",
        "qa.view_samplingplan",
        "qa.view_inspectionevent",
        "reviews.view_all_reviews",
        "reviews.change_reviewpolicy",
        "reviews.view_reviewpolicy",
        "reviews.add_rootcause",
        "reviews.change_rootcause",
        "reviews.view_rootcause",
        "reviews.add_touchpoint",
        "reviews.change_touchpoint",
        "reviews.view_touchpoint",
        "reviews.add_teampractice",
        "reviews.change_teampractice",
        "reviews.view_teampractice",
        "reviews.view_reviewevent",
        "practice.add_scenario",
        "practice.change_scenario",
        "practice.view_scenario",
        "practice.change_criterionweight",
        "practice.view_criterionweight",
        "practice.view_trainingevent",
    ],
}

#: Default compensation/refund authority per role, in yuan (a user's own limit overrides).
DEFAULT_AUTHORITY_LIMITS: dict[str, Decimal] = {
    AGENT: Decimal("500"),
    TEAM_LEAD: Decimal("5000"),
    MANAGER: Decimal("50000"),
    LEGAL_PR: Decimal("50000"),
    ADMIN: Decimal("0"),
}


ROLE_LIMITS_CACHE_KEY = "kesu:role-authority-limits:v1"


def role_authority_limits() -> dict[str, Decimal]:
    """Each role's default authority: the admin's rows over the defaults above (remembered 30 s;
    an admin edit forgets it at once)."""
    from kesu import memo
    from kesu.accounts.models import RoleAuthorityLimit

    def load() -> dict[str, Decimal]:
        return {**DEFAULT_AUTHORITY_LIMITS, **dict(RoleAuthorityLimit.objects.values_list("role", "limit"))}

    return memo.remember(ROLE_LIMITS_CACHE_KEY, load, 30)


def forget_role_authority_limits(**_: Any) -> None:
    """Forget the roles' authority now and again once the change commits (a request in between
    reads the limits last committed and would remember them)."""
    from django.db import transaction

    from kesu import memo

    def forget() -> None:
        memo.forget(ROLE_LIMITS_CACHE_KEY)

    forget()
    transaction.on_commit(forget)


def default_authority_limit(role_codes: frozenset[str]) -> Decimal:
    limits = role_authority_limits()
    return max((limits.get(code, Decimal("0")) for code in role_codes), default=Decimal("0"))


def sync_role_groups(sender: Any = None, **kwargs: Any) -> None:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    # post_migrate fires once per app; act after the last one, when every permission exists.
    with_models = [config.name for config in apps.get_app_configs() if config.models_module is not None]
    if sender is not None and sender.name != with_models[-1]:
        return
    using = kwargs.get("using", "default")
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_key = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.using(using).select_related("content_type")
        if f"{p.content_type.app_label}.{p.codename}" in wanted
    }
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([by_key[p] for p in perms if p in by_key])
