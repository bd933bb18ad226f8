"""Who may do what in the loop, checked on the server for every page and act.

- the owner of a complaint 首问责任人 drafts its review (a team lead or manager may draft it too);
- a team lead 班组长 approves or returns the team's submitted reviews — never one they drafted;
- managers 主管 read every review, approve any, and run the improvement actions with team leads;
- trainers and QA inspectors read every review (the case library, calibration);
- whoever handles a complaint records the opportunities it opens.
"""

from __future__ import annotations

from django.db.models import Q

from kesu.accounts.models import User
from kesu.complaints import permissions as complaint_permissions
from kesu.complaints.models import Complaint
from kesu.reviews.models import Review, ReviewStatusChoices


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def sees_all(user: User) -> bool:
    return _active(user) and (user.is_superuser or user.has_perm("reviews.view_all_reviews"))


def can_use_reviews(user: User) -> bool:
    return sees_all(user) or (_active(user) and user.has_perm("reviews.draft_review"))


def can_draft(user: User, complaint: Complaint) -> bool:
    if not (_active(user) and user.has_perm("reviews.draft_review")):
        return False
    if not complaint_permissions.can_view(user, complaint):
        return False
    return complaint.owner_id == user.pk or complaint_permissions.is_supervisor_of(user, complaint)


def can_edit(user: User, review: Review) -> bool:
    return review.status == ReviewStatusChoices.DRAFT and can_draft(user, review.complaint)


def can_approve(user: User, review: Review) -> bool:
    """A team lead of the review's team (or a manager) approves a submitted review they did not draft."""
    if not (_active(user) and user.has_perm("reviews.approve_review")):
        return False
    if review.status != ReviewStatusChoices.SUBMITTED or review.drafted_by_id == user.pk:
        return False
    return sees_all(user) or (user.team_id is not None and review.team_id == user.team_id)


def visibility_filter(user: User) -> Q | None:
    """Reviews ``user`` may read; ``None`` means all: the own team's for team members."""
    if sees_all(user):
        return None
    if _active(user) and user.has_perm("reviews.draft_review") and user.team_id is not None:
        return Q(team_id=user.team_id)
    return Q(pk__in=[])


def can_view(user: User, review: Review) -> bool:
    if sees_all(user):
        return True
    return _active(user) and user.has_perm("reviews.draft_review") and review.team_id == user.team_id


def can_manage_actions(user: User) -> bool:
    return _active(user) and (user.is_superuser or user.has_perm("reviews.manage_actions"))


def can_record_opportunity(user: User, complaint: Complaint) -> bool:
    return (
        _active(user)
        and user.has_perm("reviews.record_opportunity")
        and complaint_permissions.can_view(user, complaint)
    )
