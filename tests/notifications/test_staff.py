"""Staff notifications: escalations, transfers, approvals, deadlines and customers' replies reach
the person concerned in the app, once per event, and by e-mail when they want it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kesu.complaints import services as complaints
from kesu.escalation import services as escalation
from kesu.handling.conversation import add_message
from kesu.handling.sweep import sweep
from kesu.notifications.models import OutboxMessage, StaffNotification
from kesu.notifications.staff import unread_count

pytestmark = pytest.mark.django_db

THREAT = "手机用一周就坏了，你们再推脱我就请律师起诉，还要去12315投诉！"


def kinds(user) -> list[str]:
    return sorted(StaffNotification.objects.filter(user=user).values_list("kind", flat=True))


def test_each_event_reaches_the_person_concerned_once(make_complaint, agent, agent2, lead):
    make_complaint(text=THREAT)  # escalated to the lead at intake
    assert kinds(lead) == ["escalation"]
    complaint = complaints.complaint_accept(complaint=make_complaint(), actor=agent)
    add_message(complaint=complaint, actor=lead, body="怎么还没处理？我电话13812345678", kind="customer")
    note = StaffNotification.objects.get(user=agent, kind="customer_replied")
    assert "138****5678" in note.note
    complaints.complaint_transfer(complaint=complaint, actor=agent, to_user=agent2, reason="换班")
    assert kinds(agent2) == ["transfer"]
    escalation.approval_request(
        complaint=complaints.complaint_accept(complaint=make_complaint(), actor=agent),
        actor=agent,
        solution_type="compensation",
        text="补偿1000元",
        amount=Decimal("1000"),
    )
    assert "approval" in kinds(lead)


def test_deadlines_tell_the_owner_once_and_email_only_who_asked(make_complaint, agent):
    complaints.complaint_accept(
        complaint=make_complaint(received_at=timezone.now() - timedelta(hours=50)), actor=agent
    )
    sweep()
    sweep()
    assert kinds(agent) == ["breached", "breached"]  # one per clock, not per sweep
    assert not OutboxMessage.objects.filter(event_key__startswith="staff:").exists()
    agent.notify_by_email, agent.email = True, "agent@example.com"
    agent.save()
    complaints.complaint_accept(
        complaint=make_complaint(received_at=timezone.now() - timedelta(hours=50)), actor=agent
    )
    sweep()
    assert OutboxMessage.objects.filter(recipient=agent.email, event_key__startswith="staff:").count() == 2


def test_the_bell_counts_unread_and_opening_one_reads_it(client, make_complaint, agent, agent2, lead):
    complaint = complaints.complaint_accept(complaint=make_complaint(), actor=agent)
    complaints.complaint_transfer(complaint=complaint, actor=agent, to_user=agent2, reason="换班")
    client.force_login(agent2)
    home = client.get(reverse("web:home")).content.decode()
    assert 'class="badge unread-count">1<' in home
    listing = client.get(reverse("web:notifications")).content.decode()
    assert f"投诉 {complaint.reference} 已分配给您：换班" in listing
    note = StaffNotification.objects.get(user=agent2)
    opened = client.get(reverse("web:notification", args=[note.pk]))
    assert opened["Location"].endswith(f"/complaints/{complaint.reference}/")
    assert unread_count(agent2) == 0
    client.force_login(lead)  # another's notification cannot be opened or read
    client.get(reverse("web:notification", args=[note.pk]))
    assert StaffNotification.objects.filter(user=lead).count() == 0


def test_the_language_and_email_preference_are_kept_per_user(client, agent):
    client.force_login(agent)
    client.post(reverse("web:settings"), {"notify_by_email": "on", "language": "en"})
    agent.refresh_from_db()
    assert agent.notify_by_email and agent.language == "en"
    client.cookies.clear()
    client.force_login(agent)  # another browser: the stored language still applies
    assert "My work" in client.get(reverse("web:home")).content.decode()
    client.post(reverse("web:set-language"), {"language": "zh-hans", "next": "/"})
    agent.refresh_from_db()
    assert agent.language == "zh-hans"
