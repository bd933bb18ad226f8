"""The simulated customer: what each kind of reply does, that it never gets stuck, and that its
tolerance holds — for the four scenarios of the material."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kesu.core.practice import (
    ACCEPTED,
    ESCALATED,
    SOLUTION_KINDS,
    Reading,
    default_scenarios,
    get_backend,
    read_reply,
    start,
    step,
)
from kesu.core.practice.simulator import CALMING, NEGOTIATING, VENTING

SCENARIOS = {s.code: s for s in default_scenarios()}
PRODUCT = SCENARIOS["product_not_as_expected"].persona
BEYOND = SCENARIOS["compensation_beyond_standard"].persona


def play(persona, *replies, authority_limit=None):
    customer = get_backend()
    reaction = customer.open(persona)
    for reply in replies:
        reaction = customer.respond(persona, reaction.state, reply, authority_limit=authority_limit)
    return reaction


def test_the_four_scenarios_of_the_material_ship():
    assert {s.title for s in default_scenarios()} == {
        "产品功能不符合预期",
        "服务流程复杂难懂",
        "多次投诉未得到解决",
        "要求赔偿超出标准",
    }


def test_the_customer_opens_with_the_personas_words_and_emotion():
    first = get_backend().open(PRODUCT)
    assert first.line == PRODUCT.opening
    assert first.emotion == "anger" and first.state.phase == VENTING


def test_blaming_raises_the_emotion_and_counts_a_refusal():
    reaction = play(PRODUCT, "规定就是这样，这不是我们的问题。")
    assert reaction.event == "blamed"
    assert reaction.state.refusals == 1
    assert reaction.state.intensity > PRODUCT.intensity
    assert "规定就是这样" in reaction.because


def test_acknowledgement_calms_the_customer():
    reaction = play(PRODUCT, "非常抱歉给您添麻烦了，我理解您的心情。")
    assert reaction.event == "acknowledged"
    assert reaction.state.phase == CALMING
    assert reaction.state.intensity < PRODUCT.intensity


def test_an_open_question_reveals_the_next_hidden_fact_and_a_cue_reveals_its_own():
    opened = play(PRODUCT, "能告诉我具体是什么情况吗？")
    assert opened.event == "reveal" and "1299元" in opened.line
    cued = play(PRODUCT, "您之前联系过客服吗？")
    assert cued.state.revealed == ("called",) and "回电" in cued.line


def test_a_solution_before_the_key_facts_is_not_accepted():
    reaction = play(PRODUCT, "非常抱歉给您添麻烦了。我今天下午5点前为您办理退货退款。")
    assert reaction.event == "not_understood" and reaction.state.phase == NEGOTIATING


def test_a_solution_without_a_time_limit_gets_asked_for_one():
    reaction = play(PRODUCT, "非常抱歉，能告诉我具体情况吗？", "我为您办理退货退款。")
    assert reaction.event == "no_time_limit"
    assert "多久" in reaction.line or "哪天" in reaction.line


def test_a_feasible_solution_with_a_time_limit_is_accepted_and_thanks_are_answered():
    reaction = play(
        PRODUCT,
        "非常抱歉给您添麻烦了，我理解您的心情。能告诉我具体是什么情况吗？",
        "我今天下午5点前为您办理退货，全额退款。",
    )
    assert reaction.event == "accepted" and reaction.state.phase == ACCEPTED
    assert reaction.emotion == "satisfied"
    assert (
        play(
            PRODUCT,
            *[
                "非常抱歉给您添麻烦了。能告诉我具体是什么情况吗？",
                "我今天下午5点前为您办理退货，全额退款。",
                "谢谢您的耐心！",
            ],
        ).event
        == "thanked"
    )


def test_a_solution_the_customer_cannot_use_counts_as_a_refusal():
    persona = SCENARIOS["complicated_procedure"].persona
    reaction = play(persona, "非常抱歉。能告诉我缺了什么材料吗？", "我给您补偿20元话费，今天到账。")
    assert reaction.event == "wrong_solution" and reaction.state.refusals == 1


def test_the_tolerance_limit_fires_the_escalation_line():
    persona = SCENARIOS["repeated_unresolved"].persona  # tolerance 2
    reaction = play(persona, "这个没办法。", "规定就是这样。")
    assert reaction.state.phase == ESCALATED and reaction.event == "escalated"
    assert reaction.line == persona.escalation_line and "12315" in reaction.line
    after = get_backend().respond(persona, reaction.state, "非常抱歉，我马上处理。", authority_limit=None)
    assert after.state.phase == ESCALATED and "12315" in after.line


def test_a_refusal_with_an_alternative_is_a_solution_not_a_refusal():
    reaction = play(
        BEYOND, "3000元的赔偿我没办法答应，但我可以为您全额退款并补发一套新茶具，明天中午前发出。"
    )
    assert reaction.state.refusals == 0 and reaction.event != "refused"


def test_the_same_replies_give_the_same_conversation():
    replies = ["你好", "非常抱歉，能告诉我具体情况吗？", "没办法"]
    assert play(PRODUCT, *replies) == play(PRODUCT, *replies)


# --- properties over any sequence of replies ---------------------------------------------------

readings = st.builds(
    Reading,
    text=st.just("…"),
    blamed=st.sampled_from([(), ("规定就是这样",)]),
    negative=st.sampled_from([(), ("很抱歉让您久等了",)]),
    acknowledged=st.sampled_from([(), ("我理解",)]),
    open_questions=st.sampled_from([(), ("能告诉我具体情况吗？",)]),
    closed_questions=st.sampled_from([(), ("请问是上周买的吗？",), ("您之前联系过客服吗？",)]),
    solutions=st.lists(st.sampled_from(SOLUTION_KINDS), max_size=2, unique=True).map(tuple),
    amount=st.sampled_from([None, 50.0, 320.0, 3000.0]),
    time_limit=st.sampled_from(["", "今天下午5点前"]),
    refused=st.sampled_from([(), ("没办法",)]),
    thanked=st.booleans(),
)
personas = st.sampled_from([s.persona for s in default_scenarios()])


def good_path(persona, state):
    """Acknowledge until calm, ask until every key fact is told, then offer an acceptable solution."""
    for _ in range(40):
        if state.final:
            return state
        if state.intensity > persona.accept_below:
            reading = Reading(text="…", acknowledged=("我理解",))
        elif not persona.key_facts <= set(state.revealed):
            reading = Reading(text="…", open_questions=("能告诉我具体情况吗？",))
        else:
            reading = Reading(text="…", solutions=(persona.acceptable[0],), time_limit="今天下午5点前")
        state = step(persona, state, reading).state
    return state


@settings(max_examples=150, deadline=None)
@given(persona=personas, replies=st.lists(readings, max_size=12))
def test_no_dead_state_and_the_tolerance_is_respected(persona, replies):
    state = start(persona)
    for reading in replies:
        before = state
        reaction = step(persona, state, reading)
        state = reaction.state
        assert reaction.line.strip()
        assert 0.0 <= state.intensity <= 1.0
        assert state.refusals <= persona.tolerance
        assert (state.phase == ESCALATED) == (state.refusals >= persona.tolerance) or state.phase == ACCEPTED
        if before.final:  # final states absorb
            assert state.phase == before.phase and state.refusals == before.refusals
    # From wherever the replies left the customer, a resolution is still reachable (or it already ended).
    assert good_path(persona, state).phase in (ACCEPTED, ESCALATED)
    if not state.final:
        assert good_path(persona, state).phase == ACCEPTED
        blamed = state
        for _ in range(persona.tolerance):
            blamed = step(persona, blamed, Reading(text="…", blamed=("规定就是这样",))).state
        assert blamed.phase == ESCALATED


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_scenario_can_be_won_by_the_method(scenario):
    persona = SCENARIOS[scenario].persona
    assert good_path(persona, start(persona)).phase == ACCEPTED


def test_a_reply_is_read_for_solutions_amounts_and_time_limits():
    reading = read_reply(
        "我为您赔偿茶具300元和运费20元，今天下午5点前退回到您的支付账户。", authority_limit=350
    )
    assert "compensation" in reading.solutions and reading.amount == 300
    assert reading.time_limit == "今天下午5点前" and not reading.over_authority


def test_restating_the_demand_is_no_offer():
    reading = read_reply("我理解，您要求赔偿3000元。能告诉我茶具是多少钱买的吗？")
    assert reading.solutions == () and reading.amount is None
    assert play(BEYOND, "我理解，您要求赔偿3000元。能告诉我茶具是多少钱买的吗？").event == "reveal"
