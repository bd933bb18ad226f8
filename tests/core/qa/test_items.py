"""Every automatic item on real-looking transcripts, in Chinese and in English: what scores well,
what does not, and the evidence (turn and span in the words as written) behind each score."""

from __future__ import annotations

import pytest

from kesu.core.qa import Facts, Transcript, Turn, score_transcript

C, A = "customer", "agent"

#: A broadband outage handled by the method (LAST, open question, restating, solution with a time limit).
GOOD_ZH = [
    (A, "您好，这里是客服中心，我是王小雨，请问有什么可以帮您？"),
    (
        C,
        "我家宽带从前天晚上就断了，光猫一直闪红灯，打了两次电话都说会处理，到现在也没人来，我在家上班急死了！",
    ),
    (A, "非常抱歉给您添麻烦了，我理解您着急的心情。请问我该怎么称呼您？"),
    (C, "我姓陈。"),
    (A, "陈女士，能跟我说说断网前后具体是什么情况吗？"),
    (
        C,
        "前天晚上十点多突然就断了，我重启过光猫也没用，报修单号是BX20261116008，说好24小时内上门，结果没人来。",
    ),
    (A, "我确认一下：前天晚上十点断网，重启光猫无效，报修单BX20261116008一直没有师傅上门，对吗？"),
    (C, "对，就是这样。"),
    (
        A,
        "我马上为您把报修单升级为加急，安排师傅今天下午3点前上门维修，修好后我会给您回电确认。以后如果再遇到断网，您可以直接拨打我的专线。",
    ),
    (C, "好的，那我等师傅。"),
    (A, "感谢您的耐心和理解，祝您工作顺利！"),
]

#: A credit-card fee call handled badly: ordering the customer about, hiding behind the system,
#: 我们, hedged promises, 你, no apology, no thanks.
POOR_ZH = [
    (C, "我信用卡上个月被扣了两笔年费，问了三次都让我等，你们到底怎么回事？"),
    (A, "你先别着急，年费是系统自动扣的，你是不是没看合同？"),
    (C, "办卡的时候说好首年免年费的！"),
    (A, "这个我也没办法，我们会帮你反馈一下，应该会退吧。"),
    (C, "什么叫应该会退？"),
    (A, "我们尽量处理，你再等等。"),
]

GOOD_EN = [
    (C, "@AcmeHelp I was charged twice for order 88231 and nobody answers my emails!! This is ridiculous"),
    (
        A,
        "Hi, I'm sorry for the trouble, and I understand how frustrating a double charge is. Could you tell me more about what happened?",
    ),
    (C, "I ordered on Monday, paid with my Visa, and got two charges of $49.99 on my statement."),
    (
        A,
        "So you're saying order 88231 was charged twice on your Visa. I'll refund the duplicate charge within 24 hours and email you a confirmation.",
    ),
    (C, "OK."),
    (A, "If this happens again, you can always DM us with the order number. Thanks for your patience!"),
]

POOR_EN = [
    (C, "My package is a week late. Where is it?"),
    (A, "Did you check the tracking page? We will look at it."),
    (C, "Yes, it says nothing."),
    (A, "Calm down. It will probably arrive soon, we guarantee it 100 percent."),
]


def score(turns, channel="chat", **facts):
    return score_transcript(Transcript.of(turns, channel=channel), facts=Facts(**facts) if facts else None)


@pytest.fixture(scope="module")
def good_zh():
    return score(GOOD_ZH, "phone")


@pytest.fixture(scope="module")
def poor_zh():
    return score(POOR_ZH, "phone")


@pytest.fixture(scope="module")
def good_en():
    return score(GOOD_EN, "social")


@pytest.fixture(scope="module")
def poor_en():
    return score(POOR_EN, "chat")


def evidence_texts(scoring, code):
    return [e.text for e in scoring.item(code).evidence]


def test_evidence_points_at_the_turn_and_the_words_as_written(good_zh):
    for item in good_zh.items:
        for e in item.evidence:
            assert GOOD_ZH[e.turn][1][e.start : e.end] == e.text, (item.code, e)


def test_last_steps_present_and_in_order(good_zh, poor_zh, good_en):
    assert good_zh.item("last_order").score == 1.0
    assert [e.note for e in good_zh.item("last_order").evidence] == ["listen", "apologize", "solve", "thank"]
    assert poor_zh.item("last_order").score == 0.0
    assert good_en.item("last_order").score == 1.0


def test_last_steps_out_of_order_lose_a_quarter_per_pair():
    thanked_first = [
        (C, "快递丢了。"),
        (A, "谢谢您的反馈。"),
        (C, "怎么办？"),
        (A, "非常抱歉，我为您申请补发。"),
    ]
    result = score(thanked_first).item("last_order")
    # apologize, solve, thank present (¾); thanks came before the apology and the solution: one pair.
    assert result.score == pytest.approx(0.5)
    assert "顺序不对" in result.reason_zh


def test_empathy_and_apology(good_zh, poor_zh, good_en, poor_en):
    assert good_zh.item("empathy_apology").score == 1.0
    assert evidence_texts(good_zh, "empathy_apology") == ["抱歉", "给您添麻烦"]
    assert poor_zh.item("empathy_apology").score == 0.0
    assert good_en.item("empathy_apology").score == 1.0
    assert poor_en.item("empathy_apology").score == 0.0
    only_sorry = score([(C, "The app crashes."), (A, "Sorry about that, please reinstall it.")])
    assert only_sorry.item("empathy_apology").score == pytest.approx(0.6)


def test_an_open_question_before_closed_ones(good_zh, poor_zh, good_en, poor_en):
    assert good_zh.item("open_question_first").score == 1.0
    assert good_zh.item("open_question_first").evidence[0].note == "open"
    assert poor_zh.item("open_question_first").score == 0.25  # 你是不是没看合同？ only
    assert good_en.item("open_question_first").score == 1.0
    assert poor_en.item("open_question_first").score == 0.25  # "Did you check the tracking page?"
    closed_then_open = [(C, "网速很慢。"), (A, "您是不是用的无线？能跟我说说具体情况吗？")]
    assert score(closed_then_open).item("open_question_first").score == 0.5
    no_question = [(C, "网速很慢。"), (A, "好的，已为您提交工单。")]
    assert score(no_question).item("open_question_first").score == 0.0


def test_asking_the_name_is_not_counted_as_a_question(good_zh):
    asked = [e.text for e in good_zh.item("open_question_first").evidence]
    assert not any("称呼" in text for text in asked)


def test_restating_the_key_points(good_zh, poor_zh, good_en):
    assert good_zh.item("restating").score == 1.0
    notes = [e.note for e in good_zh.item("restating").evidence]
    assert notes == ["restate", "customer_words"]
    assert poor_zh.item("restating").score == 0.0
    assert good_en.item("restating").score == 1.0
    assert "88231" in good_en.item("restating").reason_en


def test_a_concrete_solution_with_a_time_limit(good_zh, poor_zh, good_en):
    assert good_zh.item("solution_time_limit").score == 1.0
    assert "今天下午3点前" in evidence_texts(good_zh, "solution_time_limit")
    assert poor_zh.item("solution_time_limit").score == 0.0
    assert good_en.item("solution_time_limit").score == 1.0
    no_limit = [(C, "手机屏幕坏了。"), (A, "我会为您办理换货。")]
    assert score(no_limit).item("solution_time_limit").score == 0.5


def test_steps_the_customer_can_follow_need_no_time_limit():
    steps = [(C, "输入法快捷键和PS冲突了。"), (A, "您可以在设置--按键--快捷按键里把这个组合键替换掉。")]
    result = score(steps).item("solution_time_limit")
    assert result.score == 1.0 and result.evidence[0].note == "steps"


def test_firm_promises(good_zh, poor_zh, poor_en):
    assert good_zh.item("firm_promise").score == 1.0
    result = poor_zh.item("firm_promise")
    # 我们会帮你反馈一下 is firm; 应该会退吧 and 我们尽量处理 are hedged.
    assert result.score == pytest.approx(1 / 3, abs=1e-3)
    assert [e.note for e in result.evidence] == ["hedged", "hedged", "firm"]
    assert {"应该会", "尽量"} <= set(result.reason_zh.replace("（", "、").replace("）", "、").split("、"))
    assert poor_en.item("firm_promise").score < 1.0  # "will probably arrive"
    no_promise = score([(C, "你好"), (A, "您好，请问有什么可以帮您？")])
    assert no_promise.item("firm_promise").score is None and not no_promise.item("firm_promise").applicable


def test_thanks_at_the_end(good_zh, poor_zh, good_en):
    assert good_zh.item("thanks_at_end").score == 1.0
    assert poor_zh.item("thanks_at_end").score == 0.0
    assert good_en.item("thanks_at_end").score == 1.0
    early = [(C, "退款还没到。"), (A, "谢谢您的反馈，我查一下。"), (C, "好。"), (A, "已为您催办退款。")]
    assert score(early).item("thanks_at_end").score == 0.5


def test_positive_expression(good_zh, poor_zh):
    assert good_zh.item("positive_expression").score == 1.0
    result = poor_zh.item("positive_expression")
    assert result.score == 0.5
    assert result.evidence[0].text == "别着急" and result.evidence[0].note == "我理解您很着急"
    waiting = score([(C, "Still waiting."), (A, "Sorry to keep you waiting, I checked your order.")])
    assert waiting.item("positive_expression").score == 0.5


def test_i_over_we_when_committing(good_zh, poor_zh, good_en):
    assert good_zh.item("i_over_we").score == 1.0
    assert poor_zh.item("i_over_we").score == 0.0
    assert evidence_texts(poor_zh, "i_over_we") == ["我们会"]
    assert good_en.item("i_over_we").score == 1.0
    company_apology = score([(C, "服务太差了。"), (A, "我们代表公司向您道歉，我会跟进整改结果。")])
    assert company_apology.item("i_over_we").score == 1.0


def test_polite_you(good_zh, poor_zh, good_en):
    assert good_zh.item("polite_you").score == 1.0
    result = poor_zh.item("polite_you")
    assert result.score == 0.0 and all(e.text == "你" for e in result.evidence)
    assert good_en.item("polite_you").score is None  # Chinese only
    plural = score([(C, "你们怎么回事"), (A, "您好，我们马上查一下你们小区的线路。")])
    assert plural.item("polite_you").score == 1.0  # 你们 is plural, not an informal "you"


def test_no_forbidden_phrases_is_critical(good_zh, poor_zh, poor_en):
    assert good_zh.item("no_forbidden").score == 1.0
    assert poor_zh.item("no_forbidden").score == 0.0
    assert "我也没办法" in evidence_texts(poor_zh, "no_forbidden")
    assert poor_zh.total.failed and "no_forbidden" in poor_zh.total.failed_items
    assert poor_zh.total.score == 0.0 and poor_zh.total.raw > 0
    assert poor_en.item("no_forbidden").score == 0.0  # "Calm down"


def test_no_over_promising_nor_beyond_authority(good_zh, poor_en):
    assert good_zh.item("no_over_promise").score == 1.0
    assert poor_en.item("no_over_promise").score == 0.0
    big = [(C, "我要求赔偿五千元。"), (A, "好的，我给您赔偿五千元。")]
    assert score(big, authority_limit=500).item("no_over_promise").score == 0.0
    assert score(big, authority_limit=10000).item("no_over_promise").score == 1.0


def test_asking_how_to_address_the_customer(good_zh, poor_zh, good_en):
    assert good_zh.item("ask_name").score == 1.0
    assert evidence_texts(good_zh, "ask_name") == ["怎么称呼您"]
    assert poor_zh.item("ask_name").score == 0.0
    by_title = score([(C, "Hello"), (A, "Good morning Ms Taylor, how can I help?")])
    assert by_title.item("ask_name").score == 1.0
    assert score([(C, "你好"), (A, "张先生您好")]).item("ask_name").evidence[0].text == "张先生"


def test_telling_the_customer_what_to_do_next_time(good_zh, poor_zh, good_en):
    assert good_zh.item("next_time").score == 1.0
    assert poor_zh.item("next_time").score == 0.0
    assert good_en.item("next_time").evidence[0].text == "If this happens again"


def test_listening_ratio_by_characters(good_zh, poor_en):
    result = good_zh.item("listening_ratio")
    assert result.figures["by"] == "chars"
    talker = [
        (C, "网速慢。"),
        (
            A,
            "您好，网速慢可能有很多原因，比如路由器老化、线路问题、同时在线的设备太多等等，我给您一一说明一下。",
        ),
        (C, "嗯。"),
        (A, "另外晚上高峰时段网络拥堵也会影响速度，我为您提交工单。"),
    ]
    low = score(talker).item("listening_ratio")
    assert low.score == 0.0 and low.figures["customer_share"] < 0.3
    assert low.evidence[0].note == "longest_agent_turn"


def test_listening_ratio_and_interruptions_by_talk_time():
    call = Transcript(
        (
            Turn(C, "我的信用卡被扣了两笔年费。", 0.0, 20.0),
            Turn(A, "您先别着急。", 15.5, 18.0),  # starts 4.5 s before the customer stops
            Turn(C, "说好首年免年费的。", 18.5, 30.0),
            Turn(A, "我理解，我为您申请退还年费，今天17点前回复您。", 30.5, 38.0),
        ),
        "phone",
    )
    scoring = score_transcript(call)
    ratio = scoring.item("listening_ratio")
    assert ratio.figures["by"] == "time"
    assert ratio.figures["customer_share"] == pytest.approx(31.5 / 34.0, abs=1e-3)
    interrupted = scoring.item("interruptions")
    assert interrupted.score == 0.5 and interrupted.evidence[0].turn == 1
    assert "4.5" in interrupted.reason_zh


def test_interruptions_need_start_and_end_times(good_zh):
    assert good_zh.item("interruptions").score is None
    assert not good_zh.item("interruptions").applicable


def test_response_times_against_the_complaints_service_levels(good_zh):
    met = score(GOOD_ZH, sla={"first_reply": "met", "effective": "met_late"}).item("response_time")
    assert met.score == 0.5 and "按时" in met.reason_zh and "超时完成" in met.reason_zh
    running = score(GOOD_ZH, sla={"first_reply": "on_track", "effective": "on_track"}).item("response_time")
    assert running.score is None  # nothing decided yet, and no times
    assert good_zh.item("response_time").score is None


def test_response_times_in_a_chat_from_the_first_unanswered_message():
    chat = Transcript(
        (
            Turn(C, "在吗", 0.0),
            Turn(C, "我的订单怎么还没发货", 30.0),
            Turn(A, "您好，我来为您查询。", 50.0),  # waited 50 s
            Turn(C, "好", 60.0),
            Turn(A, "已为您催促仓库，今天18点前发出。", 300.0),  # waited 240 s
        ),
        "chat",
    )
    result = score_transcript(chat).item("response_time")
    assert result.score == 0.5  # one of two within 60 s
    assert result.evidence[0].turn == 4 and result.figures["longest_wait"] == 240.0


def test_first_reply_states_the_solution_or_progress(good_en, poor_en):
    assert good_en.item("first_reply_solution").score == 0.0  # the first reply only asks
    assert poor_en.item("first_reply_solution").score == 0.0
    progress = score([(C, "退款还没到账"), (A, "您好，已为您查询到退款已提交银行，预计1-3个工作日到账。")])
    assert progress.item("first_reply_solution").score == 1.0
    assert score(GOOD_ZH, "phone").item("first_reply_solution").applicable is False  # not for calls


def test_manual_items_wait_for_the_inspector(good_zh, good_en):
    assert good_zh.item("solution_fit").score is None and good_zh.item("solution_fit").applicable
    assert good_zh.item("voice_presence").applicable  # a call
    assert not good_en.item("voice_presence").applicable  # social media: no voice


def test_traditional_chinese_scores_like_simplified():
    traditional = [
        (C, "寬帶斷了三天了！"),
        (A, "非常抱歉給您添麻煩了，我理解您的心情。能告訴我具體是什麼情況嗎？"),
        (C, "光貓一直閃紅燈。"),
        (A, "我馬上為您提交維修工單，明天中午12點前上門。感謝您的耐心！"),
    ]
    scoring = score(traditional)
    assert scoring.item("empathy_apology").score == 1.0
    assert scoring.item("solution_time_limit").score == 1.0
    assert scoring.item("thanks_at_end").score == 1.0
    assert scoring.item("empathy_apology").evidence[0].text == "抱歉"


def test_the_good_call_scores_well_above_the_poor_one(good_zh, poor_zh, good_en, poor_en):
    assert good_zh.total.score >= 90 and not good_zh.total.failed
    assert good_en.total.score >= 80
    assert poor_zh.total.raw < 40 and poor_en.total.failed
    assert good_zh.language == "zh" and good_en.language == "en"


def test_a_transcript_without_agent_turns_scores_nothing():
    scoring = score([(C, "有人吗？")])
    assert all(item.score is None for item in scoring.items)
    assert scoring.total.score is None
