from __future__ import annotations

import pytest

from kesu.complaints import services
from kesu.complaints.workflow_config import checklist_for
from kesu.handling.solution import record_solution
from kesu.handling.stages import move as move_stage

ORDER = ["listen", "confirm", "propose", "agree", "act", "follow_up", "closed"]


def walk_to(complaint, actor, target):
    """Do what each stage asks, like an agent would, up to ``target`` (follow_up at most)."""
    if complaint.owner_id is None:
        complaint = services.complaint_accept(complaint=complaint, actor=actor)
    for stage in ORDER[ORDER.index(complaint.stage) + 1 : ORDER.index(target) + 1]:
        for item in checklist_for(complaint.stage_enum):
            if item.required and item.code not in complaint.checklist_done:
                complaint = services.complaint_check_item(complaint=complaint, actor=actor, item=item.code)
        if stage == "agree":
            complaint = record_solution(
                complaint=complaint, actor=actor, solution_type="replacement", text="48小时内更换新机"
            )
        if stage == "act":
            complaint = services.complaint_record_agreement(
                complaint=complaint, actor=actor, note="客户同意换机"
            )
        complaint = move_stage(complaint=complaint, actor=actor, to=stage)
    return complaint


@pytest.fixture
def at_follow_up(make_complaint, agent):
    def make(**overrides):
        return walk_to(make_complaint(**overrides), agent, "follow_up")

    return make
