"""Staff notifications 站内通知: what a person is told in the app (the bell in the header), and by
e-mail too when they want it (``User.notify_by_email``). Written inside the event's transaction,
once per event key like every outbox row; a repeated sweep or retried request adds nothing.

Who is told what: an escalation or a transfer to them, an approval waiting for them, a complaint
of theirs at risk or breached, a customer's reply on a complaint they own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kesu.accounts.models import User
from kesu.notifications.models import StaffNotification, StaffNotificationKind
from kesu.notifications.services import EmailRow, enqueue_many_email


class StaffRow(NamedTuple):
    event_key: str
    user_id: int
    kind: str
    complaint_id: int | None = None
    reference: str = ""
    note: str = ""


def notification_text(kind: str, reference: str, note: str = "") -> str:
    """The sentence a notification reads as, in the active language."""
    texts = {
        StaffNotificationKind.ESCALATION: _("Complaint %(ref)s was escalated to you"),
        StaffNotificationKind.TRANSFER: _("Complaint %(ref)s was assigned to you"),
        StaffNotificationKind.APPROVAL: _("An approval on complaint %(ref)s is waiting for you"),
        StaffNotificationKind.AT_RISK: _("Complaint %(ref)s is close to its deadline"),
        StaffNotificationKind.BREACHED: _("Complaint %(ref)s is past its deadline"),
        StaffNotificationKind.CUSTOMER_REPLIED: _("The customer replied on complaint %(ref)s"),
    }
    text = texts.get(kind, "%(ref)s") % {"ref": reference}
    return f"{text}：{note}" if note else text


def notify_staff(rows: Iterable[StaffRow]) -> int:
    """Write the notifications (skipping keys already written and rows without a user) and
    e-mail those who asked for it; returns how many were new."""
    rows = [row for row in rows if row.user_id]
    if not rows:
        return 0
    keys = [row.event_key for row in rows]
    seen = set(StaffNotification.objects.filter(event_key__in=keys).values_list("event_key", flat=True))
    fresh = [row for row in rows if row.event_key not in seen]
    StaffNotification.objects.bulk_create(
        [
            StaffNotification(
                user_id=row.user_id,
                kind=row.kind,
                complaint_id=row.complaint_id,
                note=row.note[:300],
                event_key=row.event_key,
            )
            for row in fresh
        ],
        ignore_conflicts=True,
    )
    wanting = dict(
        User.objects.filter(pk__in={row.user_id for row in fresh}, notify_by_email=True, is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
    )
    if wanting:
        with override(settings.LANGUAGE_CODE):
            enqueue_many_email(
                EmailRow(
                    event_key=f"staff:{row.event_key}",
                    to=wanting[row.user_id],
                    subject=notification_text(row.kind, row.reference),
                    body=notification_text(row.kind, row.reference, row.note),
                    complaint_id=row.complaint_id,
                )
                for row in fresh
                if row.user_id in wanting
            )
    return len(fresh)


def unread_count(user: User) -> int:
    return StaffNotification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(user: User, *, limit: int = 50) -> QuerySet[StaffNotification]:
    return StaffNotification.objects.filter(user=user).select_related("complaint")[:limit]


def notification_get(*, user: User, pk: int) -> StaffNotification | None:
    return StaffNotification.objects.filter(user=user, pk=pk).select_related("complaint").first()


def notifications_mark_read(*, user: User, pk: int | None = None) -> int:
    """Mark one of the user's notifications read, or all of them."""
    queryset = StaffNotification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        queryset = queryset.filter(pk=pk)
    return queryset.update(read_at=timezone.now())
