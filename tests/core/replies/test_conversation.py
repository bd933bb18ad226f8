"""LAST coverage, acknowledgement early on, and the listening ratio (SPEC §4, §5, §10)."""

import pytest

from kesu.core.replies import check_reply, last_steps_covered, listening_ratio, listening_tip

from .conftest import codes

CUSTOMER = "我上周买的手机用了一个星期就坏了，屏幕完全不亮，打了三次电话都没人处理，我非常生气！"


def test_last_steps_from_earlier_agent_turns_and_the_draft():
    conversation = [
        ("customer", CUSTOMER),
        ("agent", "非常抱歉给您添麻烦了，能告诉我事情的经过吗？"),
        ("customer", "就是突然黑屏了。"),
    ]
    check = check_reply("我可以为您更换一台新手机，24小时内为您寄出。", conversation=conversation)
    assert check.last_steps == {"listen": True, "apologize": True, "solve": True, "thank": False}
    assert check.missing_last_steps == ["thank"]


def test_customer_turns_do_not_cover_last_steps():
    check = check_reply("好的。", conversation=[("customer", "谢谢，对不起，能告诉我吗")])
    assert check.missing_last_steps == ["listen", "apologize", "solve", "thank"]


def test_last_steps_in_english_and_traditional():
    assert last_steps_covered(["Thank you for telling me. I'm sorry. I can offer a refund."]) == {
        "listen": True,
        "apologize": True,
        "solve": True,
        "thank": True,
    }
    assert last_steps_covered(["非常感謝您"])["thank"]


def test_missing_acknowledgement_is_a_tip_early_on():
    finding = next(f for f in check_reply("请提供订单号。").findings if f.code == "missing_acknowledgement")
    assert finding.severity == "tip"
    assert finding.span == (0, 0)
    assert finding.suggestion == "谢谢您告诉我，我理解您的心情。"
    assert check_reply("Order number please.").findings[-1].suggestion.startswith("Thank you")


@pytest.mark.parametrize(
    "text", ["是啊，请提供订单号。", "我理解，请提供订单号。", "谢谢您告诉我，请提供订单号。"]
)
def test_acknowledgement_satisfies_the_tip(text):
    assert "missing_acknowledgement" not in codes(text)


def test_acknowledgement_in_an_earlier_turn_counts():
    conversation = [("customer", CUSTOMER), ("agent", "我理解您的心情。")]
    assert "missing_acknowledgement" not in codes("请提供订单号。", conversation=conversation)


def test_no_acknowledgement_tip_later_in_the_conversation():
    conversation = [("customer", "a"), ("agent", "请稍等。"), ("customer", "b"), ("agent", "好的。")]
    assert "missing_acknowledgement" not in codes("请提供订单号。", conversation=conversation)


def test_blank_draft_has_no_findings_but_keeps_last_steps():
    check = check_reply("   ", conversation=[("agent", "谢谢您")])
    assert check.findings == []
    assert check.last_steps["thank"]


def test_listening_ratio_counts_speaking_characters():
    assert listening_ratio([("customer", "一二三四五六七"), ("agent", "一二三")]) == pytest.approx(
        7 / 3, abs=1e-3
    )
    assert listening_ratio([("customer", "你好！！  ")]) is None  # the agent has not spoken
    assert listening_ratio([("agent", "您好")]) == 0.0
    assert listening_ratio([]) is None


def test_listening_tip_when_the_agent_talks_more():
    conversation = [("customer", "手机坏了" * 5), ("agent", "我来为您详细说明一下处理流程" * 5)]
    tip = listening_tip(conversation)
    assert tip is not None
    assert (tip.code, tip.severity) == ("listening_ratio_low", "tip")
    assert "7:3" in tip.message_zh


def test_no_listening_tip_when_the_customer_talks_more_or_too_little_was_said():
    assert listening_tip([("customer", CUSTOMER * 2), ("agent", "我理解您的心情。")]) is None
    assert listening_tip([("customer", "坏了"), ("agent", "我理解您的心情，请问是什么型号？")]) is None


def test_check_reply_reports_the_ratio_and_the_tip_with_the_draft_counted():
    conversation = [("customer", "手机坏了，怎么办？")]
    check = check_reply(
        "我理解您的心情。" + "请您先按住电源键十秒钟重新启动，然后打开设置检查系统更新。" * 3,
        conversation=conversation,
    )
    assert check.listening_ratio < 1
    assert "listening_ratio_low" in {f.code for f in check.findings}
    assert check_reply("我理解。").listening_ratio is None  # no conversation given


@pytest.mark.parametrize(
    "conversation",
    [[("boss", "hi")], [("agent",)], "customer: hi", [("agent", 3)]],
)
def test_malformed_conversation_is_refused(conversation):
    with pytest.raises((TypeError, ValueError)):
        check_reply("好的", conversation=conversation)
