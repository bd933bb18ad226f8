import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kesu.core.analysis import AnalysisError, analyze, analyze_trajectory, get_engine
from kesu.core.analysis.result import CATEGORIES, DEMAND_TYPES, EMOTIONS, VALUES

CLI_KEYS = {"category", "value_orientation", "emotion", "escalation", "bad_faith", "demands", "language"}


@pytest.mark.parametrize("bad", ["", "   ", "\n\t\u3000", None, 42, b"bytes", ["list"]])
def test_empty_or_non_text_is_a_clear_error(bad):
    with pytest.raises(AnalysisError) as info:
        analyze(bad)
    assert isinstance(info.value, ValueError)
    assert str(info.value)


def test_engine_is_a_singleton():
    assert get_engine() is get_engine()


def test_result_contract():
    result = analyze("手机用了一周就坏了，客服态度还很差，要求退款并赔偿500元")
    d = result.as_dict()
    assert CLI_KEYS <= set(d)
    json.dumps(d)
    assert set(d["category"]) == {"code", "sub", "confidence", "uncertain"}
    assert set(d["emotion"]) == {"label", "intensity"}
    assert set(d["escalation"]) == {"risk", "level", "triggers"}
    assert d["category"]["code"] in CATEGORIES
    assert d["emotion"]["label"] in EMOTIONS
    assert d["value_orientation"] in (*VALUES, None)
    assert all(x["type"] in DEMAND_TYPES for x in d["demands"])
    assert {x["type"]: x["amount"] for x in d["demands"]}["compensation"] == 500


@pytest.mark.parametrize(
    ("text", "code", "sub", "value"),
    [
        ("客服态度恶劣，爱答不理", "service_attitude", "cold_staff", "respect"),
        ("打了十次电话都没人回复", "service_attitude", "slow_response", "speed"),
        ("手续太繁琐了，来回跑了好几趟", "process", "complicated_procedure", "flexibility"),
        ("排队等了三个小时", "process", "long_wait", "speed"),
        ("活动规则变更没有告知我，信息不透明", "communication", "opaque_information", "respect"),
        ("客服解释不清，说法不一", "communication", "unclear_explanation", "respect"),
        ("每个月都乱扣费", "price_fee", "tariff", "money"),
        ("快递一个星期了还没到", "logistics_delay", "delivery_delay", "speed"),
        ("手机开不了机，屏幕黑屏", "product_quality", "functional_defect", "reliability"),
        ("宽带网速慢，达不到宣传的速度", None, None, None),
        ("销售虚假宣传，与宣传不符", "rights_dispute", "false_advertising", "fairness"),
        ("My package never arrived", "logistics_delay", "delivery_delay", "speed"),
        # a negated delivery word is still a delay: 没发货 is the complaint, not its absence
        ("下单一周了还没发货", "logistics_delay", "delivery_delay", "speed"),
        ("说好24小时上门维修,等了三天都没人来", "logistics_delay", "service_delay", "speed"),
        ("收到的衣服有破洞,质量太差了", "product_quality", "functional_defect", "reliability"),
        ("退货流程太复杂了,填了一堆表格还要等审核", "process", "complicated_procedure", "flexibility"),
        ("The staff was rude and hung up on me", "service_attitude", "cold_staff", "respect"),
    ],
)
def test_category_sub_and_value(text, code, sub, value):
    r = analyze(text)
    if code:
        assert (r.category.code, r.category.sub) == (code, sub)
        assert 0 <= r.category.confidence <= 1
    if value:
        assert r.value_orientation == value


def test_fairness_phrase_wins():
    assert analyze("新用户有优惠老用户没有，这是差别对待").value_orientation == "fairness"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("气死我了，你们这是什么破服务！！！", "anger"),
        ("太失望了，再也不会买你们的东西了", "disappointment"),
        ("钱还没到账，我好担心，急死了", "anxiety"),
        ("谢谢你们，问题解决了，很满意", "satisfied"),
        ("I am furious, this is unacceptable", "anger"),
        ("Thank you, I am very satisfied", "satisfied"),
        ("I'm so disappointed", "disappointment"),
        ("😡😡😡", "anger"),
    ],
)
def test_emotion_labels(text, label):
    emotion = analyze(text).emotion
    assert emotion.label == label
    assert 0 <= emotion.intensity <= 1


def test_not_satisfied_is_not_satisfied():
    assert analyze("我对处理结果很不满意").emotion.label != "satisfied"


def test_intensity_grows_with_exclamation_and_degree():
    assert analyze("气死我了！！！！").emotion.intensity >= analyze("有点生气").emotion.intensity


def test_languages():
    assert analyze("我要退款").language == "zh"
    assert analyze("我要退貨，這個產品質量太差").language == "zh-Hant"
    assert analyze("I want a refund").language == "en"
    assert analyze("😡😡").language == "unknown"


def test_traditional_text_is_kept_and_normalized():
    r = analyze("客服態度惡劣")
    assert r.text == "客服態度惡劣"
    assert r.normalized_text == "客服态度恶劣"
    assert r.category.code == "service_attitude"


def test_very_long_text_is_bounded():
    import time

    text = "我要投诉你们的服务态度，" * 20000
    t = time.perf_counter()
    r = analyze(text)
    assert time.perf_counter() - t < 3
    assert r.truncated
    assert "supervisor_request" not in {x.code for x in r.escalation.triggers}


def test_trajectory_rising_and_falling():
    rising = analyze_trajectory(
        ["请问我的快递到哪了？", "怎么还没到，都一周了", "气死我了！再不到我就去12315投诉！！！"]
    )
    assert rising.rising
    assert [p["label"] for p in rising.points][-1] == "anger"
    assert rising.points[-1].label == "anger"
    calming = analyze_trajectory(["气死我了！！！", "好吧，希望尽快处理", "谢谢，已经解决了，很满意"])
    assert not calming.rising
    d = calming.as_dict()
    assert set(d) >= {"points", "rising"} and len(d["points"]) == 3
    with pytest.raises(AnalysisError):
        analyze_trajectory([])


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_no_text_crashes_the_engine(text):
    try:
        d = analyze(text).as_dict()
    except AnalysisError:
        assert not text.strip()
        return
    json.dumps(d)
    assert 0 <= d["escalation"]["risk"] <= 1
    assert 0 <= d["emotion"]["intensity"] <= 1


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "repeat_count",
                "hours_waited",
                "sla_hours",
                "tier",
                "authority_limit",
                "compensation_standard",
                "previous_offers_refused",
                "other",
            ]
        ),
        st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=5), st.booleans()),
    )
)
def test_no_context_crashes_the_engine(context):
    analyze("要求赔偿五千元，否则去12315投诉", context).as_dict()


@pytest.mark.parametrize(
    "text",
    [
        "请问快递到哪了",
        "请问我的快递到哪了？",
        "您好，请问订单什么时候发货",
        "我的快递到哪了",
        "退款进度怎么样了",
        "我想查一下订单的物流状态",
        "请帮我把账单寄到新地址",
        "您好，我想咨询一下信用卡分期怎么办理",
    ],
)
def test_plain_information_questions_are_calm(text):
    assert analyze(text).emotion.label == "neutral"


@pytest.mark.parametrize(
    "text",
    [
        "请问你们还要不要脸！",
        "为什么还没发货，气死我了",
        "请问为什么还没退款，太失望了",
        "请帮我查一下为什么又乱扣费，太过分了",
    ],
)
def test_reproachful_questions_are_not_calm(text):
    assert analyze(text).emotion.label in ("anger", "disappointment")


@pytest.mark.parametrize(
    "text",
    [
        "希望你们尽快给我处理，谢谢",
        "期待你们能给个满意的答复",
        "Please resolve this as soon as possible, thanks",
    ],
)
def test_a_hope_for_a_fix_is_expectation(text):
    # the model has no expectation class and reads the thanks as happy
    assert analyze(text).emotion.label == "expectation"


@pytest.mark.parametrize(
    ("text", "label"),
    [("希望你健康快乐", "satisfied"), ("希望尽快处理，气死我了，都一个月了", "anger")],
)
def test_a_hope_in_general_or_beside_anger_is_not_expectation(text, label):
    assert analyze(text).emotion.label == label


def test_a_word_inside_a_longer_phrase_does_not_count():
    # 怎么办理 (how to apply) is no 怎么办 (what shall I do): a plain question, not anxiety
    assert analyze("您好，我想咨询一下信用卡分期怎么办理").emotion.label == "neutral"
    assert analyze("卡被冻结了怎么办啊，急死了").emotion.label != "neutral"


def test_the_same_words_read_again_with_more_context_follow_the_new_context():
    # Intake reads a text again once it knows the taker's authority; what the text alone decided is
    # reused, what the context decides is not.
    engine = get_engine()
    text = "要求赔偿五千元，否则去12315投诉"
    plain = engine.analyze(text, tier="fast")
    limited = engine.analyze(text, {"authority_limit": 500, "compensation_standard": 100}, tier="fast")
    again = engine.analyze(text, tier="fast")
    codes = lambda a: {t.code for t in a.escalation.triggers}  # noqa: E731
    assert "authority" not in codes(plain) and "authority" in codes(limited)
    assert "excessive_compensation" in {s.code for s in limited.bad_faith.signals}
    assert codes(again) == codes(plain) and again.emotion == plain.emotion
