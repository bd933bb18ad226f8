"""Reads of escalations and approvals, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kesu.accounts.models import User
from kesu.complaints import selectors as complaint_selectors
from kesu.complaints.models import Complaint
from kesu.complaints.permissions import visibility_filter
from kesu.escalation.models import ApprovalRequest, Escalation, EscalationLevel, Status


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
