"""Forbidden phrases 禁用语 and positive rewrites 正面表达法 (SPEC §5)."""

import pytest

from kesu.core.replies import check_reply

from .conftest import codes

FORBIDDEN = [
    "规定就是这样",
    "这不是我们的问题",
    "你自己看",
    "你听不懂吗",
    "我也没办法",
    "不可能",
    "你去找别人",
    "这不归我管",
    "系统就是这样",
    "你自己的问题",
    "早就跟你说过",
    "爱投诉就去投诉",
    "that's our policy",
    "not my problem",
    "calm down",
]


@pytest.mark.parametrize("phrase", FORBIDDEN)
def test_forbidden_phrase_blocks(phrase):
    check = check_reply(f"好的，{phrase}。")
    finding = next(f for f in check.findings if f.code == "forbidden_phrase")
    assert finding.severity == "block"
    assert check.blocked
    assert finding.evidence.lower() == phrase
    assert finding.suggestion


def test_polite_and_traditional_forms_match_the_same_row():
    assert codes("您自己看吧")["forbidden_phrase"] == ["您自己看"]
    assert codes("規定就是這樣")["forbidden_phrase"] == ["規定就是這樣"]
    assert codes("THAT'S OUR POLICY")["forbidden_phrase"] == ["THAT'S OUR POLICY"]
    assert codes("That\u2019s our policy")["forbidden_phrase"] == ["That\u2019s our policy"]


def test_span_points_into_the_original_text():
    text = "ＯＫ，這不是我們的問題！"
    finding = check_reply(text).findings[0]
    assert text[finding.span[0] : finding.span[1]] == "這不是我們的問題"


def test_traditional_reply_gets_traditional_suggestion():
    finding = check_reply("規定就是這樣").findings[0]
    assert "說明" in finding.suggestion


def test_reassuring_negations_are_allowed():
    assert "forbidden_phrase" not in codes("这不是您的问题，我理解您的心情。")
    assert "forbidden_phrase" not in codes("这不是不可能的，我来帮您申请。")
    assert "forbidden_phrase" not in codes("不用您去找别人，我来跟进。")
    assert "forbidden_phrase" not in codes("It's not your fault, I understand.")


def test_plain_negation_still_flags_the_phrase():
    # Saying the phrase at all puts it in front of the customer: flagged on purpose.
    assert codes("我不会说规定就是这样")["forbidden_phrase"] == ["规定就是这样"]


def test_quoted_forbidden_phrase_is_a_warning():
    check = check_reply("关于同事说的“这不是我们的问题”，我向您道歉。")
    finding = check.findings[0]
    assert (finding.code, finding.severity) == ("forbidden_phrase", "warn")
    assert not check.blocked
    assert check_reply("关于「规定就是这样」这句话，我向您道歉。").findings[0].severity == "warn"


def test_english_words_match_on_word_boundaries():
    assert "forbidden_phrase" not in codes("I understand, let me recalm downloads")
    assert "forbidden_phrase" not in codes("This is not my problematic example")


REWRITES = [
    ("很抱歉让您久等了", "非常感谢您的耐心等候"),
    ("您不要着急", "我理解您很着急"),
    ("你必须", "麻烦您"),
    ("我们不能", "我可以为您…"),
    ("不要担心", "请您放心"),
    ("你搞错了", "可能是我没有解释清楚，我再说明一下"),
    ("你明白吗", "我这样说明清楚吗？"),
    ("sorry to keep you waiting", "thank you for your patience"),
    ("you must", "could you please"),
]


@pytest.mark.parametrize(("negative", "positive"), REWRITES)
def test_negative_expression_gets_its_positive_rewrite(negative, positive):
    finding = next(f for f in check_reply(f"{negative}，谢谢").findings if f.code == "negative_expression")
    assert finding.severity == "warn"
    assert finding.evidence.lower() == negative
    assert finding.suggestion == positive
    assert positive in finding.message_zh


def test_longest_rewrite_wins():
    assert codes("很抱歉让您久等了")["negative_expression"] == ["很抱歉让您久等了"]


def test_rewrite_inside_a_forbidden_phrase_is_not_reported_twice():
    found = codes("Sorry, I can't help you.")
    assert found["forbidden_phrase"] == ["I can't help you"]
    assert "negative_expression" not in found


def test_positive_intent_is_not_a_negative_expression():
    assert "negative_expression" not in codes("我们不能让您白白等待，我理解您的心情。")
    assert "negative_expression" not in codes("非常感谢您的耐心等候，我理解您的心情。")
