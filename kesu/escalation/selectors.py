"""Reads of escalations and approvals, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kesu.accounts.models import User
from kesu.complaints import selectors as complaint_selectors
from kesu.complaints.models import Complaint
from kesu.complaints.permissions import sees_all, visibility_filter
from kesu.escalation.models import ApprovalRequest, ApprovalStatus, Escalation, EscalationLevel, Status


def escalations_visible_to(user: User) -> QuerySet[Escalation]:
    queryset = Escalation.objects.select_related("complaint", "assigned_to", "raised_by")
    if visibility_filter(user) is not None:
        queryset = queryset.filter(complaint__in=complaint_selectors.complaints_visible_to(user).values("pk"))
    return queryset


def levels_taken_by(user: User) -> list[int]:
    """The ladder positions above the agent whose role the user holds."""
    roles = list(user.groups.values_list("name", flat=True))
    return list(
        EscalationLevel.objects.filter(role__in=roles, position__gt=0).values_list("position", flat=True)
    )


def escalations_waiting_for(user: User) -> QuerySet[Escalation]:
    """Open escalations waiting for the user: assigned to them, or at a level their role takes,
    on complaints they may see; the oldest first. The team lead's home page and the API's
    ``?mine=true`` both ask this."""
    return (
        escalations_visible_to(user)
        .filter(Q(assigned_to=user) | Q(level__in=levels_taken_by(user)), status=Status.OPEN)
        .select_related("complaint__customer")
        .order_by("created_at", "id")
    )


def complaint_escalations(*, complaint: Complaint, limit: int | None = None) -> list[Escalation]:
    """A complaint's escalations, the latest first."""
    rows = complaint.escalations.select_related("assigned_to", "raised_by").order_by("-created_at", "-id")
    return list(rows[:limit] if limit else rows)


def own_open_escalation(*, complaint: Complaint, user: User, pk: int) -> Escalation | None:
    """One of the user's own escalations on this complaint (the page closes only those)."""
    return complaint.escalations.filter(pk=pk, assigned_to=user).first()


def approvals_visible_to(user: User) -> QuerySet[ApprovalRequest]:
    queryset = ApprovalRequest.objects.select_related("complaint", "requested_by", "decided_by")
    if visibility_filter(user) is not None:
        queryset = queryset.filter(complaint__in=complaint_selectors.complaints_visible_to(user).values("pk"))
    return queryset


def approvals_waiting_for(user: User) -> QuerySet[ApprovalRequest]:
    """Pending requests the user may decide: sent to them, or on complaints they supervise
    (their team's as team lead, all as manager); the oldest first."""
    queryset = approvals_visible_to(user).filter(status=ApprovalStatus.PENDING)
    if not user.has_perm("complaints.transfer_complaint"):
        queryset = queryset.filter(assigned_to=user)
    elif not sees_all(user):
        queryset = queryset.filter(Q(assigned_to=user) | Q(complaint__team_id=user.team_id))
    return queryset.select_related("assigned_to", "complaint__customer").order_by("created_at", "id")


def approvals_decided_by(user: User, *, limit: int = 20) -> list[ApprovalRequest]:
    return list(
        ApprovalRequest.objects.filter(decided_by=user)
        .select_related("complaint", "requested_by", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


def approval_get(*, user: User, pk: int) -> ApprovalRequest | None:
    return approvals_visible_to(user).filter(pk=pk).first()


def complaint_approvals(*, complaint: Complaint) -> list[ApprovalRequest]:
    """A complaint's approval requests, the latest first: who asked, who decided what, when."""
    return list(
        complaint.approvals.select_related("requested_by", "decided_by", "assigned_to").order_by(
            "-created_at", "-id"
        )
    )
