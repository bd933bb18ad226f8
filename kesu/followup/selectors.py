"""Reads of a complaint's follow-ups and work orders."""

from __future__ import annotations

from django.db.models import QuerySet

from kesu.accounts.models import User
from kesu.complaints import selectors as complaint_selectors
from kesu.complaints.models import Complaint
from kesu.followup.models import FollowUp, WorkOrder


def complaint_follow_ups(*, complaint: Complaint) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(complaint=complaint).select_related("recorded_by")


def complaint_work_orders(*, complaint: Complaint) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(complaint=complaint).select_related("complaint", "created_by", "completed_by")


def work_order_get(*, user: User, pk: int) -> WorkOrder | None:
    """A work order on a complaint the user may see."""
    order = WorkOrder.objects.select_related("complaint").filter(pk=pk).first()
    if (
        order is None
        or complaint_selectors.complaint_get(user=user, reference=order.complaint.reference) is None
    ):
        return None
    return order


def complaint_work_order(*, complaint: Complaint, pk: int) -> WorkOrder | None:
    """One of this complaint's work orders (the page completes only those)."""
    return WorkOrder.objects.filter(complaint=complaint, pk=pk).first()
