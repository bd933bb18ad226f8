"""The handling method as a transition table: these read like SPEC §4."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kesu.core.workflow import (
    DEFAULT_CHECKLISTS,
    Facts,
    Stage,
    TransitionRefused,
    allowed_targets,
    check_transition,
    next_stage,
    transition,
)

REQUIRED = {s: frozenset(i.code for i in DEFAULT_CHECKLISTS[s] if i.required) for s in Stage}


def ready(stage: Stage, **overrides) -> Facts:
    """Facts for a complaint whose owner did everything the stage asks."""
    fields = dict(
        stage=stage,
        has_owner=True,
        solution_recorded=True,
        customer_agreed=True,
        follow_up_recorded=True,
        checked_items=REQUIRED[stage],
        required_items=REQUIRED[stage],
    )
    fields.update(overrides)
    return Facts(**fields)


def codes(refusals):
    return [r.code for r in refusals]


def test_the_method_runs_in_order_from_accept_to_close():
    stage = Stage.ACCEPT
    path = [stage]
    while (following := next_stage(stage)) is not None:
        stage = transition(ready(stage), following)
        path.append(stage)
    assert path == [
        Stage.ACCEPT,
        Stage.LISTEN,
        Stage.CONFIRM,
        Stage.PROPOSE,
        Stage.AGREE,
        Stage.ACT,
        Stage.FOLLOW_UP,
        Stage.CLOSED,
    ]


def test_no_stage_can_be_skipped():
    assert codes(check_transition(ready(Stage.LISTEN), Stage.PROPOSE)) == ["not_allowed"]
    assert codes(check_transition(ready(Stage.ACCEPT), Stage.CLOSED)) == ["not_allowed"]


def test_leaving_accept_needs_an_owner():
    assert "owner_required" in codes(check_transition(ready(Stage.ACCEPT, has_owner=False), Stage.LISTEN))


def test_required_checklist_items_gate_the_next_stage():
    refusals = check_transition(
        ready(Stage.CONFIRM, checked_items=frozenset({"open_question"})), Stage.PROPOSE
    )
    assert codes(refusals) == ["checklist_incomplete"]
    assert refusals[0].params["items"] == "flaw_named, restated"


def test_close_needs_a_solution_and_a_follow_up_or_a_reason():
    facts = ready(Stage.FOLLOW_UP, solution_recorded=False, follow_up_recorded=False)
    assert codes(check_transition(facts, Stage.CLOSED)) == [
        "solution_required",
        "follow_up_or_reason_required",
    ]
    with_reason = ready(Stage.FOLLOW_UP, follow_up_recorded=False, close_reason="客户拒绝回访")
    assert check_transition(with_reason, Stage.CLOSED) == []


def test_agreeing_needs_a_solution_and_acting_needs_the_customers_agreement():
    assert codes(check_transition(ready(Stage.PROPOSE, solution_recorded=False), Stage.AGREE)) == [
        "solution_required"
    ]
    assert codes(check_transition(ready(Stage.AGREE, customer_agreed=False), Stage.ACT)) == [
        "agreement_required"
    ]


def test_a_declined_proposal_goes_back_with_a_reason():
    assert codes(check_transition(ready(Stage.AGREE), Stage.PROPOSE)) == ["reason_required"]
    assert check_transition(ready(Stage.AGREE, reason="客户不接受维修"), Stage.PROPOSE) == []


def test_review_is_optional_after_closure_and_reopen_needs_a_reason():
    assert Stage.REVIEW in allowed_targets(Stage.CLOSED)
    assert check_transition(ready(Stage.CLOSED), Stage.REVIEW) == []
    assert codes(check_transition(ready(Stage.CLOSED), Stage.LISTEN)) == ["reason_required"]
    assert check_transition(ready(Stage.CLOSED, reason="客户反映问题复发"), Stage.LISTEN) == []
    assert check_transition(ready(Stage.REVIEW, reason="复盘发现未解决"), Stage.LISTEN) == []


def test_a_refused_transition_raises_with_every_reason():
    try:
        transition(ready(Stage.FOLLOW_UP, solution_recorded=False, follow_up_recorded=False), Stage.CLOSED)
    except TransitionRefused as refused:
        assert len(refused.refusals) == 2
    else:
        raise AssertionError("closing without a solution must be refused")


@given(
    source=st.sampled_from(list(Stage)),
    target=st.sampled_from(list(Stage)),
    owner=st.booleans(),
    reason=st.text(max_size=5),
)
def test_no_move_outside_the_table_is_ever_allowed(source, target, owner, reason):
    facts = ready(source, has_owner=owner, reason=reason)
    if target not in allowed_targets(source):
        assert check_transition(facts, target) != []


@given(source=st.sampled_from(list(Stage)))
def test_every_refusal_has_a_code_and_a_message(source):
    for target in Stage:
        for refusal in check_transition(Facts(stage=source), target):
            assert refusal.code and refusal.message
