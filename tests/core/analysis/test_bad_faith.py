def codes(result):
    return {s.code: s.evidence for s in result.bad_faith.signals}


def test_excessive_compensation_against_standard(engine):
    result = engine.analyze("必须赔偿我两万元", {"compensation_standard": 500})
    assert "excessive_compensation" in codes(result)
    assert "excessive_compensation" not in codes(
        engine.analyze("必须赔偿我一千元", {"compensation_standard": 500})
    )
    assert codes(engine.analyze("必须赔偿我两万元")) == {}  # no standard, no signal


def test_threat_to_spread(engine):
    assert "threat_to_spread" in codes(engine.analyze("不赔钱我就发到网上曝光你们"))
    assert "threat_to_spread" in codes(engine.analyze("我要找水军把你们搞臭"))
    assert "threat_to_spread" not in codes(
        engine.analyze("我要找媒体曝光")
    )  # a threat to go public, no coercion


def test_refuses_solutions(engine):
    assert "refuses_solutions" in codes(engine.analyze("维修换货我都不接受，只要赔钱"))
    assert "refuses_solutions" in codes(engine.analyze("还是不行", {"previous_offers_refused": 2}))


def test_repeated_unreasonable_needs_repeat_and_unreasonable(engine):
    context = {"repeat_count": 3, "compensation_standard": 100}
    assert "repeated_unreasonable" in codes(engine.analyze("赔我一万块", context))
    assert "repeated_unreasonable" not in codes(engine.analyze("赔我一百块", context))


def test_signals_carry_evidence_and_no_verdict(engine):
    d = engine.analyze("不赔钱我就曝光你们", {"compensation_standard": 1}).as_dict()
    assert set(d["bad_faith"]) == {"signals"}
    assert all(s["evidence"] for s in d["bad_faith"]["signals"])
