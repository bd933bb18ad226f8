"""Scorecards as data (totals, critical items, validation), reproducible sampling, calibration."""

from __future__ import annotations

import pytest

from kesu.core.qa import (
    Candidate,
    ItemSpec,
    Pair,
    Scorecard,
    ScorecardError,
    agreement,
    cohen_kappa,
    default_scorecard,
    draw_sample,
    total,
)


def card(*items: ItemSpec) -> Scorecard:
    return Scorecard("t", items)


A = ItemSpec("a", "automatic", "communication", 3, check="empathy_apology")
B = ItemSpec("b", "automatic", "solution", 1, check="solution_time_limit")
F = ItemSpec("f", "automatic", "compliance", 1, check="no_forbidden", critical=True)
M = ItemSpec("m", "manual", "solution", 2)


def test_total_is_the_weighted_mean_of_the_items_scored():
    result = total(card(A, B, M), {"a": 1.0, "b": 0.0, "m": None})
    assert result.score == 75.0 and result.raw == 75.0 and not result.failed
    assert result.groups["communication"] == 100.0 and result.groups["solution"] == 0.0
    assert result.groups["timeliness"] is None


def test_a_failing_critical_item_fails_the_whole_inspection():
    result = total(card(A, F), {"a": 1.0, "f": 0.0})
    assert result.failed and result.failed_items == ("f",)
    assert result.score == 0.0 and result.raw == 75.0


def test_nothing_scored_has_no_total():
    assert total(card(A), {}).score is None


@pytest.mark.parametrize(
    "items",
    [
        (A, A),
        (ItemSpec("x", "sometimes", "method", 1, check="next_time"),),
        (ItemSpec("x", "automatic", "nowhere", 1, check="next_time"),),
        (ItemSpec("x", "automatic", "method", -1, check="next_time"),),
        (ItemSpec("x", "automatic", "method", 1, check="no_such_check"),),
        (ItemSpec("x", "manual", "method", 1, check="next_time"),),
    ],
)
def test_invalid_scorecards_are_refused(items):
    with pytest.raises(ScorecardError):
        card(*items)


def test_the_default_scorecard_holds_every_item_of_the_method():
    scorecard = default_scorecard()
    codes = {item.code for item in scorecard.items}
    assert {
        "last_order", "empathy_apology", "open_question_first", "restating", "solution_time_limit",
        "firm_promise", "thanks_at_end", "positive_expression", "i_over_we", "polite_you", "no_forbidden",
        "no_over_promise", "ask_name", "next_time", "listening_ratio", "interruptions", "response_time",
        "first_reply_solution", "solution_fit", "voice_presence", "compliance",
    } == codes  # fmt: skip
    kinds = {item.kind for item in scorecard.items}
    assert kinds == {"automatic", "assisted", "manual"}
    assert {item.code for item in scorecard.items if item.critical} == {
        "no_forbidden",
        "no_over_promise",
        "compliance",
    }
    assert all(item.label and item.label_en for item in scorecard.items)


def test_with_weights_changes_only_the_weights():
    tuned = default_scorecard().with_weights({"next_time": 0})
    assert tuned.item("next_time").weight == 0 and tuned.item("last_order").weight == 10


def candidates(agent: int, n: int, start: int = 1, flags=frozenset()):
    return [Candidate(start + i, agent, flags) for i in range(n)]


def test_sampling_draws_x_percent_per_agent_reproducibly():
    pool = candidates(1, 40) + candidates(2, 7, start=100)
    first = draw_sample(pool, rate=0.1, seed="2026-11")
    assert first == draw_sample(list(reversed(pool)), rate=0.1, seed="2026-11")  # order does not matter
    by_agent = {agent: [p for p in first if p.agent == agent] for agent in (1, 2)}
    assert len(by_agent[1]) == 4 and len(by_agent[2]) == 1  # ceil(10 % of 40), ceil(10 % of 7)
    assert {p.reason for p in first} == {"random"}
    assert draw_sample(pool, rate=0.1, seed="another") != first


def test_always_included_complaints_come_on_top_of_the_random_share():
    pool = [
        *candidates(1, 20),
        Candidate(500, 1, frozenset({"regulator", "escalated"})),
        Candidate(501, 1, frozenset({"bad_faith"})),
    ]
    picks = draw_sample(pool, rate=0.05, seed="s")
    reasons = {p.id: p.reason for p in picks}
    assert reasons[500] == "escalated" and reasons[501] == "bad_faith"  # named by the first flag in order
    assert sum(r == "random" for r in reasons.values()) == 2  # ceil(5 % of 22)
    off = draw_sample(pool, rate=0.05, seed="s", always=[])
    assert 500 not in {p.id for p in off if p.reason != "random"}


def test_sampling_rate_is_checked():
    with pytest.raises(ValueError):
        draw_sample([], rate=1.5, seed="s")


def test_calibration_agreement_and_kappa():
    pairs = [
        Pair({"a": 1.0, "b": 0.5, "c": None}, {"a": 1.0, "b": 0.0, "c": 1.0}, 80.0, 70.0),
        Pair({"a": 0.0, "b": 1.0}, {"a": 0.25, "b": 1.0}, 60.0, 64.0),
    ]
    result = agreement(pairs)
    assert result.items_compared == 4 and result.items_agreeing == 3 and result.share == 0.75
    assert result.by_item == {"a": (2, 2), "b": (1, 2)}
    assert result.mean_total_difference == 7.0
    # verdicts (pass at 0.5): a (T,T) (F,F); b (T,F) (T,T) → observed 0.75, expected 0.5
    assert result.kappa == 0.5


def test_kappa_is_undefined_when_both_always_agree_on_one_verdict():
    assert cohen_kappa([(True, True), (True, True)]) is None
    assert cohen_kappa([]) is None
