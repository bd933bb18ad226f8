"""A regulator's referral (an escalated complaint 升级投诉, which needs a review) walked to the
follow-up stage, and a complete STAR-L draft."""

from __future__ import annotations

import pytest

from kesu.complaints import services as complaint_services
from kesu.reviews import services
from tests.followup.conftest import walk_to

REGULATOR_TEXT = "工信部转来：客户反映宽带断网一周，多次拨打客服无人处理，营业厅员工态度冷淡，拒绝解释。"
STAR_L = {
    "situation": "客户宽带断网一周，经工信部转办。",
    "task": "48小时内恢复网络并安抚客户。",
    "action": "加急派单维修，主管致电道歉。",
    "result": "当天修复，客户表示基本满意。",
    "lesson": "一线未主动询问需求；加强沟通培训，断网超24小时自动升级。",
}


@pytest.fixture
def referral(make_complaint):
    return make_complaint(text=REGULATOR_TEXT, channel="referral", source="regulator_miit")


@pytest.fixture
def at_follow_up_referral(referral, agent):
    complaint = walk_to(referral, agent, "follow_up")
    return complaint_services.complaint_set_close_reason(
        complaint=complaint, actor=agent, reason="客户已确认修复"
    )


def complete(review, actor, causes=("training_gap",)):
    return services.review_save(review=review, actor=actor, fields=STAR_L, root_causes=causes)
