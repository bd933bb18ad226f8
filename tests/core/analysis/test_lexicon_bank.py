"""The engine's lexicons share one automaton (LexiconBank): it must find exactly what each lexicon's own
automaton finds, for every text, and never hand one text's hits to another."""

import re
import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from kesu.core.analysis import amounts, get_engine
from kesu.core.analysis.lexicon import Entry, Lexicon, LexiconBank
from kesu.core.analysis.normalize import normalize

PHRASES = ["曝光", "被曝光", "律师", "起诉", "sue", "issue", "manager", "气死", "气死我了", "退款", "不退款"]


def as_tuples(hits):
    return [(h.entry, h.start, h.end) for h in hits]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*PHRASES, "我", "要", " ", ",", "a", "s", "ue"]), max_size=25).map("".join))
def test_a_bank_finds_what_each_lexicon_finds_alone(text):
    groups = [
        [Entry("legal", "strong", "律师"), Entry("legal", "strong", "起诉"), Entry("legal", "en", "sue")],
        [Entry("exposure", "strong", "曝光"), Entry("exposure", "block", "被曝光")],
        [Entry("anger", "emotion", "气死"), Entry("anger", "emotion", "气死我了", 0.9)],
        [Entry("refund", "demand", "退款"), Entry("x", "y", "issue"), Entry("boss", "z", "manager")],
        [Entry("legal", "strong", "律师", 2.0)],  # the same phrase in two lexicons
        [],
    ]
    alone = [Lexicon(g) for g in groups]
    banked = [Lexicon(g) for g in groups]
    LexiconBank(banked)
    for a, b in zip(alone, banked, strict=True):
        assert as_tuples(b.find(text)) == as_tuples(a.find(text))


def test_the_engine_finds_the_same_hits_as_separate_automata():
    engine = get_engine()
    lexicons = [
        engine.emotion.lexicon,
        engine.emotion.intensifiers,
        engine.category.lexicon,
        engine.values.phrases,
        engine.escalation.lexicon,
        engine.escalation.urgency,
        engine.demands.lexicon,
        engine.bad_faith.lexicon,
    ]
    assert all(lex._bank is engine.lexicons for lex in lexicons)
    texts = [
        "气死我了!再不退款我就去12315投诉,还要找媒体曝光你们,律师函已经准备好了",
        "I will sue you and post this on social media unless my manager calls back. This is not an issue.",
        "客服态度太差了,我要求赔偿五千元并且道歉",
    ]
    for text in texts:
        t = normalize(text).text
        for lex in lexicons:
            solo = Lexicon(e for _key, (_length, group) in lex._automaton.items() for e in group)
            assert as_tuples(lex.find(t)) == as_tuples(solo.find(t)), lex


def test_hits_of_one_text_never_leak_into_another():
    lex = Lexicon([Entry("legal", "strong", "起诉")])
    LexiconBank([lex])
    first = "我要起诉"
    assert [h.phrase for h in lex.find(first)] == ["起诉"]
    assert lex.find("我不投诉了") == []
    assert [h.start for h in lex.find("".join(["要", "起诉"]))] == [1]  # an equal text, another object


def test_each_thread_scans_its_own_text():
    lex = Lexicon([Entry("legal", "strong", "起诉"), Entry("refund", "demand", "退款")])
    LexiconBank([lex])
    errors: list[str] = []

    def work(text: str, phrase: str) -> None:
        for _ in range(2000):
            found = [h.phrase for h in lex.find(text)]
            if found != [phrase]:
                errors.append(f"{text}: {found}")
                return

    threads = [
        threading.Thread(target=work, args=("我要起诉你", "起诉")),
        threading.Thread(target=work, args=("快点退款", "退款")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_a_caller_changing_its_hits_does_not_change_the_next_callers():
    lex = Lexicon([Entry("legal", "strong", "起诉")])
    LexiconBank([lex])
    text = "我要起诉"
    lex.find(text).clear()
    assert len(lex.find(text)) == 1


def test_model_evidence_is_readable_ngrams():
    engine = get_engine()
    result = engine.analyze("等了两个小时才送到,饭菜全凉了,服务态度极差,打了六次电话都说送出了,真的无语")
    model_evidence = [e[len("model:") :] for e in result.emotion.evidence if e.startswith("model:")]
    assert len(model_evidence) == 3  # emotion shows three model features when the text has them
    assert all(len(f) >= 2 and not f.startswith("S:") for f in model_evidence)
    assert len(set(model_evidence)) == 3


_NO_LOOKAHEAD = re.compile(amounts._AMOUNT_BODY, re.IGNORECASE)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("0123456789,.一二两三五十百千万亿元块钱rmbRMB¥$ 个公里我要赔w k"),
        max_size=30,
    )
)
def test_the_amount_lookahead_finds_the_same_matches(text):
    def spans(pattern):
        return [(m.start(), m.end(), m.groupdict()) for m in pattern.finditer(text)]

    assert spans(amounts._AMOUNT) == spans(_NO_LOOKAHEAD)


def test_an_emoticon_is_shown_once_as_written():
    result = get_engine().analyze("气死了[怒][怒]")
    model_evidence = [e for e in result.emotion.evidence if e.startswith("model:")]
    assert "model:E:[怒]" not in model_evidence
    assert model_evidence.count("model:[怒]") <= 1
    assert "model:怒]" not in model_evidence  # a piece of an n-gram already shown


def test_category_other_shows_no_model_features():
    result = get_engine().analyze("叫你们经理来！要求赔偿五千元，不然我就去12315投诉")
    assert result.category.code == "other"
    assert result.category.evidence == []
