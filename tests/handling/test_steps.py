"""The acts run each capability's steps at their point of the method, inside the act's
transaction: a new capability hooks in by adding a step, and a step that fails undoes the act."""

from __future__ import annotations

import pytest

from kesu.complaints import services
from kesu.complaints.models import Complaint
from kesu.handling import steps
from kesu.handling.stages import move
from tests.followup.conftest import walk_to

pytestmark = pytest.mark.django_db


def test_a_step_added_on_close_runs_with_the_move(monkeypatch, make_complaint, agent):
    seen = []
    monkeypatch.setattr(steps, "ON_CLOSE", (*steps.ON_CLOSE, seen.append))
    complaint = walk_to(make_complaint(), agent, "follow_up")
    services.complaint_set_close_reason(complaint=complaint, actor=agent, reason="客户不需要回访")
    complaint = move(complaint=complaint, actor=agent, to="closed")
    assert complaint.stage == "closed"
    [moved] = seen
    assert (moved.source, moved.target, moved.closed, moved.actor) == ("follow_up", "closed", True, agent)
    assert complaint.sla.first_reply_status in ("met", "met_late")  # the clocks' own step ran too


def test_a_failing_step_undoes_the_whole_act(monkeypatch, make_complaint, agent):
    def refuse(_moved):
        raise RuntimeError("a capability refused")

    complaint = walk_to(make_complaint(), agent, "follow_up")
    monkeypatch.setattr(steps, "ON_CLOSE", (refuse,))
    services.complaint_set_close_reason(complaint=complaint, actor=agent, reason="客户不需要回访")
    with pytest.raises(RuntimeError):
        move(complaint=complaint, actor=agent, to="closed")
    assert Complaint.objects.get(pk=complaint.pk).stage == "follow_up"
    assert not complaint.audit_events.filter(action="stage_changed", changes__stage__1="closed").exists()
