import pytest

from .conftest import triggers


@pytest.mark.parametrize(
    ("text", "code", "evidence"),
    [
        ("我要去12315投诉你们", "regulator", "12315"),
        ("再不处理我就去消协投诉", "regulator", "消协"),
        ("我要投诉到工信部", "regulator", "工信部"),
        ("我会向金融监管总局反映", "regulator", "金融监管总局"),
        ("我已经打了12345市长热线", "regulator", "12345"),
        ("I will report you to the CFPB", "regulator", None),
        ("I filed a complaint with the Better Business Bureau", "regulator", "better business bureau"),
        ("叫你们经理来！", "supervisor_request", "叫你们经理"),
        ("找你们领导出来说话", "supervisor_request", "找你们领导"),
        ("我要求见你们主管", "supervisor_request", None),
        ("I want to speak to your manager", "supervisor_request", "speak to your manager"),
        ("I asked for a supervisor twice", "supervisor_request", None),
        ("我已经委托律师，准备起诉你们", "legal", None),
        ("法庭上见", "legal", "法庭上见"),
        ("我会申请仲裁", "legal", "仲裁"),
        ("I will sue you", "legal", "will sue"),
        ("If this is not fixed I will take legal action", "legal", "legal action"),
        ("不给我退款我就发到网上曝光", "public_exposure", "发到网上"),
        ("我要找媒体曝光你们", "public_exposure", None),
        ("我要发微博让大家都知道", "public_exposure", None),
        ("I'm going to post this on Twitter", "public_exposure", "post this on"),
        ("气死我了，你们这群骗子！", "extreme_emotion", "气死我了"),
        ("你反馈上去吧，让你们领导处理", "supervisor_request", None),
        ("大家一起抵制京东", "public_exposure", "抵制"),
        ("I will make sure everyone knows how bad you are", "public_exposure", "make sure everyone knows"),
        ("I am sick and tired of this", "extreme_emotion", "sick and tired"),
    ],
)
def test_text_triggers_fire_with_evidence(engine, text, code, evidence):
    fired = triggers(engine.analyze(text))
    assert code in fired, fired
    if evidence:
        assert fired[code] == evidence


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("我不会去曝光的", "public_exposure"),
        ("我不想找你们领导，只想解决问题", "supervisor_request"),
        ("我没有去12315投诉", "regulator"),
        ("I will not sue you, I just want a refund", "legal"),
        ("I don't want to speak to your manager", "supervisor_request"),
        ("这款手机的新品谍照曝光了", "public_exposure"),  # news, not a threat
        ("相机的曝光补偿怎么调", "public_exposure"),
        ("我在微博上看到你们的活动", "public_exposure"),
        ("请问老板，我的酸萝卜在哪里", "supervisor_request"),
        ("My account manager said the fee would be waived", "supervisor_request"),
        ("There is an issue with my bill", "legal"),  # "sue" inside "issue"
        ("网上营业厅办理不了业务", "public_exposure"),
        ("我实在抵制不住诱惑买了你们的会员，结果一直扣费", "public_exposure"),  # resisting temptation, not a boycott
        ("我已经把问题反馈上去了，客服说会处理", "supervisor_request"),  # their own earlier report
        ("有点气愤，快递三天没到", "extreme_emotion"),  # mild, not rage
        ("Everyone knows the delivery is slow", "public_exposure"),
    ],
)
def test_negated_or_innocent_mentions_do_not_fire(engine, text, code):
    assert code not in triggers(engine.analyze(text))


def test_threats_that_look_negated_still_fire(engine):
    assert "public_exposure" in triggers(engine.analyze("不解决我就去曝光"))
    assert "legal" in triggers(engine.analyze("我不排除起诉你们"))
    assert "public_exposure" in triggers(engine.analyze("别逼我去媒体曝光"))
    assert "legal" in triggers(engine.analyze("Don't make me sue you"))


def test_traditional_chinese_fires_after_conversion(engine):
    result = engine.analyze("我要去消費者協會投訴，還要找記者曝光你們")
    fired = triggers(result)
    assert fired["regulator"] == "消费者协会"
    assert "public_exposure" in fired
    assert result.language == "zh-Hant"


def test_context_triggers(engine):
    text = "我的网络三天都没修好"
    assert triggers(engine.analyze(text)) == {}
    fired = triggers(engine.analyze(text, {"repeat_count": 2, "hours_waited": 50, "sla_hours": 48}))
    assert set(fired) == {"repeat", "overdue"}
    assert "overdue" not in triggers(engine.analyze(text, {"hours_waited": 10, "sla_hours": 48}))
    assert "repeat" not in triggers(engine.analyze(text, {"repeat_count": 1}))


def test_authority_fires_when_demand_exceeds_limit(engine):
    fired = triggers(engine.analyze("要求赔偿五千元", {"authority_limit": 2000}))
    assert "authority" in fired and "5000" in fired["authority"]
    assert "authority" not in triggers(engine.analyze("要求赔偿五千元", {"authority_limit": 10000}))
    assert "authority" not in triggers(engine.analyze("要求赔偿", {"authority_limit": 10}))


def test_vip_urgent(engine):
    text = "宽带断了，急用，今天必须修好"
    assert "vip_urgent" in triggers(engine.analyze(text, {"tier": "vip"}))
    assert "vip_urgent" not in triggers(engine.analyze(text, {"tier": "standard"}))
    assert "vip_urgent" in triggers(engine.analyze("整个小区大面积断网", {"tier": "standard"}))
    assert "vip_urgent" in triggers(engine.analyze("充电器起火了，孩子受伤", {}))


def test_risk_and_level(engine):
    calm = engine.analyze("请问我的账单什么时候出")
    hot = engine.analyze("叫你们经理来，不给说法我就去12315投诉，还要找律师起诉你们！")
    assert calm.escalation.level == "low"
    assert hot.escalation.level == "high"
    assert 0 <= calm.escalation.risk < hot.escalation.risk <= 1


def test_bad_context_values_are_ignored(engine):
    result = engine.analyze(
        "我要退款", {"repeat_count": "many", "hours_waited": None, "authority_limit": float("nan")}
    )
    assert result.escalation.triggers == []
