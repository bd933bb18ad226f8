"""我 over 我们, promises with time limits, authority and over-promising (SPEC §4 方案, §5)."""

import pytest

from kesu.core.replies import check_reply

from .conftest import codes


def test_we_commit_suggests_i():
    finding = next(f for f in check_reply("我理解，我们会在24小时内给您回复。").findings)
    assert (finding.code, finding.severity, finding.evidence, finding.suggestion) == (
        "prefer_i_over_we",
        "tip",
        "我们会",
        "我会",
    )
    assert codes("We will call you within 2 hours, I understand.")["prefer_i_over_we"] == ["We will"]


@pytest.mark.parametrize(
    "text",
    [
        "我代表公司向您道歉，我理解。",
        "我理解，我们会改进服务。",  # a company-wide improvement
        "非常抱歉，我们会认真反思，我理解您。",  # the company apologises as a whole
        "只要是我们的责任，我们决不逃避。",
        "我们会员可以享受优惠，我理解您的心情。",  # 会员 is "member"
        "我会在24小时内给您回复，我理解您。",
        "On behalf of the company, we will improve this, I understand.",
    ],
)
def test_we_is_right_for_the_company_and_other_words(text):
    assert "prefer_i_over_we" not in codes(text)


@pytest.mark.parametrize(
    "text",
    [
        "我马上为您处理。",
        "我保证给您退款。",
        "这个问题一定会解决的。",
        "我会给您回复。",
        "我会尽快联系您。",
        "I will get back to you as soon as possible.",
        "We'll refund you right away.",
    ],
)
def test_promise_without_a_time_limit_warns(text):
    finding = next(f for f in check_reply(text).findings if f.code == "promise_without_time_limit")
    assert finding.severity == "warn"
    assert finding.evidence


@pytest.mark.parametrize(
    "text",
    [
        "我会在24小时内给您回复。",
        "我马上为您处理，3个工作日内退款到账。",
        "我会在今天下午5点前给您回电。",
        "我明天中午前给您答复。",
        "我保证半小时之内联系您。",
        "我马上为您处理。24小时内给您回复。",  # the limit may follow in the next sentence
        "我承诺3月15日前为您更换。",
        "I will get back to you within 24 hours.",
        "I'll call you by 5 pm today.",
        "I will reply by tomorrow.",
    ],
)
def test_promise_with_a_concrete_time_limit_passes(text):
    assert "promise_without_time_limit" not in codes(text)


@pytest.mark.parametrize(
    "text",
    [
        "我帮您查一下订单。",
        "您一定很着急吧。",
        "我不会给您添麻烦的。",
        "我不能保证结果，但会如实告诉您。",
        "你们还会处理吗",
    ],
)
def test_no_promise_no_finding(text):
    assert "promise_without_time_limit" not in codes(text)


def test_vague_days_are_not_time_limits():
    assert "promise_without_time_limit" in codes("我会过几天给您回复。")
    assert "promise_without_time_limit" in codes("我明天会给您回复。")  # 明天 when? 明天中午前


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("我可以为您补偿五千元。", "五千元"),
        ("我赔偿您3000块。", "3000块"),
        ("给您补偿，金额1.5万。", "1.5万"),
        ("退您两千五百元。", "两千五百元"),
        ("I can refund you 3000 yuan.", "3000 yuan"),
    ],
)
def test_amount_above_authority_warns(text, evidence):
    finding = next(
        f for f in check_reply(text, authority_limit=2000).findings if f.code == "promise_beyond_authority"
    )
    assert finding.severity == "warn"
    assert finding.evidence == evidence
    assert "2000" in finding.message_zh


@pytest.mark.parametrize(
    "text",
    [
        "我可以为您补偿200元。",  # within the limit
        "您要求赔偿5000元，我理解。",  # restating the customer's demand
        "原价5000元的手机，我为您补偿200元。",  # the price is not the compensation
        "我会在24小时内为您补偿。",  # 24小时 is no money
        "我为您补偿200元。另外，这台手机原价8000元。",  # another sentence
    ],
)
def test_amount_within_authority_or_not_promised_passes(text):
    assert "promise_beyond_authority" not in codes(text, authority_limit=2000)


def test_authority_is_checked_only_with_a_limit():
    assert "promise_beyond_authority" not in codes("我可以为您补偿五千元。")
    assert "promise_beyond_authority" in codes("我可以为您补偿五千元。", authority_limit=0)
    assert "promise_beyond_authority" not in codes("我可以为您补偿五千元。", authority_limit=float("nan"))


def test_restating_then_offering_checks_the_offer():
    found = codes("您要求赔偿5000元，我可以为您申请补偿3000元。", authority_limit=2000)
    assert found["promise_beyond_authority"] == ["3000元"]


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("我保证不会再出现这种问题。", "保证不会再出现"),
        ("这个绝对没问题。", "绝对"),
        ("百分之百给您解决。", "百分之百"),
        ("我一定给您全额赔偿。", "一定给您全额赔偿"),
        ("I guarantee it will never happen again.", "guarantee it will never"),
    ],
)
def test_over_promise_warns(text, evidence):
    found = codes(text)
    assert evidence in found["over_promise"]


@pytest.mark.parametrize("text", ["我不能保证结果，但我会如实告诉您。", "I can't guarantee that, I'm sorry."])
def test_honest_limits_are_not_over_promises(text):
    assert "over_promise" not in codes(text)
