"""Scoring recorded practice sessions on the four criteria, and the rotation of roles in a group."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kesu.core.practice import (
    AGENT,
    CUSTOMER,
    OBSERVER,
    Outcome,
    RotationError,
    default_scenarios,
    get_backend,
    roles_in_round,
    rounds_for,
    score_practice,
    split_into_groups,
    total,
)

BEYOND = next(s for s in default_scenarios() if s.code == "compensation_beyond_standard").persona


def record(persona, *replies, authority_limit=350):
    """A solo session as the product records it: the customer's lines and the trainee's replies."""
    customer = get_backend()
    reaction = customer.open(persona)
    turns = [("customer", reaction.line)]
    for reply in replies:
        reaction = customer.respond(persona, reaction.state, reply, authority_limit=authority_limit)
        turns += [("agent", reply), ("customer", reaction.line)]
    return turns, Outcome(start_intensity=persona.intensity, state=reaction.state)


GOOD = (
    "非常抱歉，茶具碎了给您添麻烦了，我理解您的心情。能告诉我茶具是多少钱买的吗？",
    "按照标准，我为您赔偿茶具300元和运费20元，共320元，今天下午5点前退回到您的支付账户。",
    "谢谢您的理解和耐心！",
)


def test_a_session_done_by_the_method_scores_full_marks_with_evidence():
    turns, outcome = record(BEYOND, *GOOD)
    scoring = score_practice(turns, BEYOND, authority_limit=350, outcome=outcome)
    assert scoring.total == 100
    last = scoring.criterion("last")
    assert [p.note for p in last.evidence] == ["listen", "apologize", "solve", "thank"]
    solution = scoring.criterion("solution")
    assert "今天下午5点前" in [p.text for p in solution.evidence]
    assert "在补偿标准之内" in solution.reason_zh
    assert "接受" in scoring.criterion("satisfaction").reason_zh


def test_giving_in_to_the_demand_beyond_the_standard_loses_the_solution_points():
    turns, outcome = record(
        BEYOND,
        "非常抱歉给您添麻烦了。能告诉我茶具是多少钱买的吗？",
        "好的，我保证赔偿您3000元，今天下午5点前到账。",
    )
    scoring = score_practice(turns, BEYOND, authority_limit=350, outcome=outcome)
    solution = scoring.criterion("solution")
    assert solution.score < 0.5
    assert "超出补偿标准" in solution.reason_zh and "超出自己的权限" in solution.reason_zh


def test_an_argued_session_that_escalated_scores_low():
    turns, outcome = record(BEYOND, "规定就是这样。", "这不是我们的问题。", "没办法。")
    scoring = score_practice(turns, BEYOND, authority_limit=350, outcome=outcome)
    assert outcome.state.phase == "escalated"
    assert scoring.criterion("satisfaction").score == 0
    assert scoring.criterion("solution").score == 0
    assert scoring.total < 20


def test_a_peer_customers_rating_scores_satisfaction_and_none_waits_for_it():
    turns = [("customer", BEYOND.opening), ("agent", GOOD[0])]
    waiting = score_practice(turns, BEYOND, outcome=Outcome())
    assert waiting.criterion("satisfaction").score is None
    rated = score_practice(turns, BEYOND, outcome=Outcome(peer_rating=4))
    assert rated.criterion("satisfaction").score == 0.75


def test_weights_change_the_total():
    scores = {"last": 1.0, "emotion": 0.0, "solution": 1.0, "satisfaction": None}
    assert total(scores) == pytest.approx(66.7)
    assert total(scores, {"last": 10, "emotion": 30, "solution": 10, "satisfaction": 50}) == 40


@given(size=st.integers(2, 3))
def test_each_member_plays_each_role_once_over_the_rounds(size):
    members = ["甲", "乙", "丙"][:size]
    rounds = [roles_in_round(members, n) for n in range(1, rounds_for(size) + 1)]
    assert sorted(r[AGENT] for r in rounds) == sorted(members)
    assert sorted(r[CUSTOMER] for r in rounds) == sorted(members)
    for cast in rounds:
        assert cast[AGENT] != cast[CUSTOMER]
        assert (cast[OBSERVER] is None) == (size == 2)


@given(count=st.integers(2, 40), size=st.sampled_from([2, 3]))
def test_trainees_split_into_groups_of_two_or_three(count, size):
    trainees = list(range(count))
    groups = split_into_groups(trainees, size=size)
    assert sorted(t for g in groups for t in g) == trainees
    assert all(2 <= len(g) <= 3 for g in groups)


def test_groups_of_one_or_four_do_not_practise():
    with pytest.raises(RotationError):
        rounds_for(4)
    with pytest.raises(RotationError):
        split_into_groups(["甲"])


REPLIES = [
    "非常抱歉给您添麻烦了，我理解您的心情。",
    "能告诉我具体是什么情况吗？",
    "规定就是这样。",
    "这个没办法。",
    "我为您赔偿300元，今天下午5点前到账。",
    "我保证赔偿您3000元。",
    "谢谢您的耐心！",
    "很抱歉让您久等了。",
]


@settings(max_examples=60, deadline=None)
@given(replies=st.lists(st.sampled_from(REPLIES), max_size=6), rating=st.one_of(st.none(), st.integers(1, 5)))
def test_every_score_stays_in_range_whatever_was_said(replies, rating):
    turns, outcome = record(BEYOND, *replies)
    if rating is not None:
        outcome = Outcome(peer_rating=rating)
    scoring = score_practice(turns, BEYOND, authority_limit=350, outcome=outcome)
    assert [c.code for c in scoring.criteria] == ["last", "emotion", "solution", "satisfaction"]
    assert all(c.score is None or 0 <= c.score <= 1 for c in scoring.criteria)
    assert scoring.total is None or 0 <= scoring.total <= 100
