"""Closing the loop in the core: when a review is due and what closing waits for, the effect
arithmetic (worked by hand below), the business-offer guard, touchpoint suggestions, the arc."""

from __future__ import annotations

import math
from datetime import date

import pytest

from kesu.core.errors import ErrorCode
from kesu.core.reviews import (
    DueFacts,
    OfferFacts,
    ReviewRules,
    close_refusals,
    compare_proportions,
    compare_rates,
    emotion_arc,
    offer_refusals,
    prorated_exposure,
    review_reasons,
)
from kesu.core.reviews.causes import DEFAULT_ROOT_CAUSES, walk
from kesu.core.reviews.due import Reason, ReviewStatus
from kesu.core.reviews.journey import DEFAULT_TOUCHPOINTS, Phase, Signal, suggest_touchpoints

# --- when a review is due -------------------------------------------------------------------------


def test_an_ordinary_complaint_may_be_reviewed_by_choice_only():
    assert review_reasons(DueFacts()) == []
    assert review_reasons(DueFacts(escalation_level=1, triggers=frozenset({"supervisor_request"}))) == []


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (DueFacts(escalated_complaint=True), Reason.ESCALATED_COMPLAINT),
        (DueFacts(escalation_level=2), Reason.ESCALATION_LEVEL),
        (DueFacts(escalation_level=3), Reason.ESCALATION_LEVEL),
        (DueFacts(triggers=frozenset({"regulator"})), Reason.TRIGGER),
        (DueFacts(triggers=frozenset({"legal"})), Reason.TRIGGER),
        (DueFacts(triggers=frozenset({"public_exposure"})), Reason.TRIGGER),
        (DueFacts(reopen_count=1), Reason.REOPENED),
        (DueFacts(dissatisfied_follow_ups=1), Reason.DISSATISFIED),
        (DueFacts(bad_faith=True), Reason.BAD_FAITH),
    ],
)
def test_serious_cases_need_a_review(facts, reason):
    assert review_reasons(facts) == [reason]


def test_the_rules_are_configuration():
    rules = ReviewRules(
        escalated_complaint=False, min_escalation_level=1, triggers=frozenset(), reopened=False
    )
    facts = DueFacts(
        escalated_complaint=True, escalation_level=1, triggers=frozenset({"regulator"}), reopen_count=2
    )
    assert review_reasons(facts, rules) == [Reason.ESCALATION_LEVEL]
    assert review_reasons(DueFacts(escalation_level=5), ReviewRules(min_escalation_level=None)) == []


@pytest.mark.parametrize("status", [ReviewStatus.NONE, ReviewStatus.DRAFT])
def test_a_due_review_not_yet_submitted_blocks_closing(status):
    [refusal] = close_refusals([Reason.ESCALATED_COMPLAINT, Reason.REOPENED], status)
    assert refusal.code == ErrorCode.REVIEW_REQUIRED
    assert refusal.params == {"reasons": "escalated_complaint, reopened"}


@pytest.mark.parametrize("status", [ReviewStatus.SUBMITTED, ReviewStatus.APPROVED])
def test_a_submitted_review_lets_the_complaint_close_before_approval(status):
    assert close_refusals([Reason.ESCALATED_COMPLAINT], status) == []


def test_a_review_by_choice_never_blocks_closing():
    assert close_refusals([], ReviewStatus.DRAFT) == []


# --- the effect arithmetic ------------------------------------------------------------------------


def test_poisson_rate_ratio_worked_by_hand():
    # 40 complaints over 2,000,000 customers before (20 per million), 20 over 1,000,000 after (20 per
    # million): the same rate. RR = (20/1e6)/(40/2e6) = 1; SE = sqrt(1/40 + 1/20) = sqrt(0.075)
    # = 0.273861; 95 % CI = exp(±1.959964 × 0.273861) = exp(±0.536757) = [0.5846, 1.7105].
    effect = compare_rates(40, 2_000_000, 20, 1_000_000, scale=1e6)
    assert effect.before == pytest.approx(20.0)
    assert effect.after == pytest.approx(20.0)
    assert effect.ratio == pytest.approx(1.0)
    assert effect.low == pytest.approx(0.5846, abs=1e-4)
    assert effect.high == pytest.approx(1.7105, abs=1e-4)
    assert effect.enough and not effect.significant


def test_a_fall_to_a_third_is_significant():
    # 60 → 20 over the same exposure: RR = 1/3; SE = sqrt(1/60 + 1/20) = 0.258199;
    # CI = exp(ln(1/3) ± 0.506061) = exp(−1.604673, −0.592551) = [0.2010, 0.5529]: the whole interval is below 1.
    effect = compare_rates(60, 90, 20, 90, scale=30)
    assert effect.before == pytest.approx(20.0)  # per 30 days
    assert effect.ratio == pytest.approx(1 / 3)
    assert effect.low == pytest.approx(0.2010, abs=1e-4)
    assert effect.high == pytest.approx(0.5529, abs=1e-4)
    assert effect.change == pytest.approx(-2 / 3)
    assert effect.significant


def test_below_the_minimum_count_there_is_not_enough_data_yet():
    effect = compare_rates(5, 100, 3, 100, min_count=10)
    assert (effect.before, effect.after) == (0.05, 0.03)
    assert not effect.enough and effect.ratio is None and effect.low is None


def test_a_zero_count_is_corrected_by_a_half():
    # 12 → 0: (0.5/100)/(12.5/100) = 0.04, SE = sqrt(1/12.5 + 1/0.5) = sqrt(2.08) = 1.442221.
    effect = compare_rates(12, 100, 0, 100)
    assert effect.corrected and effect.ratio == pytest.approx(0.04)
    assert effect.high == pytest.approx(math.exp(math.log(0.04) + 1.959964 * 1.442221), rel=1e-5)


def test_proportion_ratio_worked_by_hand():
    # Escalation rate 30/100 before, 15/100 after: RR = 0.5; SE = sqrt(1/30 − 1/100 + 1/15 − 1/100)
    # = sqrt(0.08) = 0.282843; CI = exp(ln 0.5 ± 0.554362) = [0.2872, 0.8705].
    effect = compare_proportions(30, 100, 15, 100)
    assert (effect.before, effect.after) == (0.3, 0.15)
    assert effect.ratio == pytest.approx(0.5)
    assert effect.low == pytest.approx(0.2872, abs=1e-4)
    assert effect.high == pytest.approx(0.8705, abs=1e-4)


def test_a_proportion_needs_enough_complaints_on_both_sides():
    assert not compare_proportions(3, 9, 1, 40).enough
    with pytest.raises(ValueError):
        compare_proportions(11, 10, 0, 10)


def test_customers_served_are_prorated_by_the_days_of_each_month():
    monthly = {date(2026, 1, 1): 310_000, date(2026, 2, 1): 280_000}
    # 16–31 January (16 of 31 days) and 1–14 February (14 of 28): 160,000 + 140,000.
    assert prorated_exposure(monthly, date(2026, 1, 16), date(2026, 2, 15)) == pytest.approx(300_000)
    # March has no figure: it adds nothing.
    assert prorated_exposure(monthly, date(2026, 2, 1), date(2026, 4, 1)) == pytest.approx(280_000)


# --- business offers: never overdone 服务不过度 ------------------------------------------------------


def test_a_business_offer_needs_a_calm_consenting_customer():
    assert offer_refusals("business_value", OfferFacts(last_emotion="satisfied", consent=True)) == []
    codes = [
        r.code
        for r in offer_refusals(
            "business_value",
            OfferFacts(last_emotion="anger", dissatisfied_follow_up=True, bad_faith=True, consent=False),
        )
    ]
    assert codes == [
        ErrorCode.OFFER_NEGATIVE_EMOTION,
        ErrorCode.OFFER_AFTER_DISSATISFIED,
        ErrorCode.OFFER_BAD_FAITH,
        ErrorCode.OFFER_NO_CONSENT,
    ]


def test_improvements_and_relationship_care_are_never_refused():
    for kind in ("product_improvement", "touchpoint_fix", "relationship"):
        assert offer_refusals(kind, OfferFacts(last_emotion="anger", bad_faith=True)) == []


# --- the journey map and the root-cause tree -------------------------------------------------------


def test_the_default_map_has_seven_handling_touchpoints_and_a_list_where_complaints_arise():
    handling = [t for t in DEFAULT_TOUCHPOINTS if t.phase == Phase.HANDLING]
    assert [t.name_zh for t in handling] == [
        "投诉接入",
        "首次响应/受理",
        "倾听安抚",
        "核实确认",
        "方案协商",
        "执行与进度同步",
        "结果确认与回访",
    ]
    assert {"宣传", "计费", "变更/退订"} <= {
        t.name_zh for t in DEFAULT_TOUCHPOINTS if t.phase == Phase.ARISING
    }


def test_touchpoints_are_suggested_from_the_words_and_the_handling_history():
    text = "手机买了一周就黑屏了，客服态度差，一直推脱。"
    assert suggest_touchpoints(text, []) == ["first_response", "listen_soothe", "usage"]
    assert suggest_touchpoints("", [Signal.DISSATISFIED, "work_order_late"]) == [
        "execute_update",
        "confirm_follow_up",
    ]


def test_the_root_cause_tree_includes_the_organisational_causes():
    names = {node.name_zh for node, _parent in walk(DEFAULT_ROOT_CAUSES)}
    assert {"培训不足", "管理/考核缺陷", "授权不足", "服务文化"} <= names
    assert {"产品原因", "流程原因", "系统原因", "沟通原因", "第三方原因"} <= names


def test_the_emotion_arc_collapses_repeats_and_ends_in_the_crisis():
    points = [("confusion", []), ("confusion", []), ("anger", []), ("anger", ["public_exposure"])]
    assert emotion_arc(points) == ["confusion", "anger", "public_exposure"]


def test_training_coverage_is_one_rule_for_the_loop_and_for_training():
    from decimal import Decimal

    from kesu.core.reviews.coverage import Coverage

    assert Coverage(trained=13, agents=20).rate == Decimal("65.0")  # the material's case
    assert Coverage(trained=13, agents=20).below() and not Coverage(trained=9, agents=10).below()
    assert Coverage(trained=1, agents=3).rate == Decimal("33.3")
    assert Coverage(trained=0, agents=0).rate is None and not Coverage(trained=0, agents=0).below()
    assert not Coverage(trained=13, agents=20).below(Decimal("60"))


def test_the_review_stages_ticks_come_from_the_case_review():
    from kesu.core.reviews import review_stage_ticks
    from kesu.core.workflow import counted_items

    assert review_stage_ticks("none", 0) == frozenset()
    assert review_stage_ticks("draft", 2) == {"root_cause"}
    assert review_stage_ticks("submitted", 1) == {"star_l", "root_cause"}
    assert review_stage_ticks("approved", 1) == {"star_l", "root_cause"}
    # A hand's tick of the review's items does not count; the other items' ticks do.
    assert counted_items(["star_l", "apologized"]) == {"apologized"}
    assert counted_items(["apologized"], recorded={"star_l"}) == {"apologized", "star_l"}
