"""check_reply's contract: arguments, result shape, ordering, and that no string crashes it."""

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kesu.core.replies import Finding, ReplyCheck, check_reply
from kesu.core.replies.text import MAX_CHARS, fold


def test_clean_reply_has_no_findings():
    check = check_reply("谢谢您告诉我，我理解您的心情。我会在24小时内给您回复。")
    assert check.findings == []
    assert check.severity is None
    assert not check.blocked


def test_as_dict_shape():
    check = check_reply("规定就是这样", conversation=[("customer", "我要退款")], authority_limit=100)
    data = json.loads(json.dumps(check.as_dict(), ensure_ascii=False))
    assert set(data) == {
        "findings",
        "severity",
        "blocked",
        "last_steps",
        "missing_last_steps",
        "listening_ratio",
        "language",
    }
    assert data["severity"] == "block" and data["blocked"] is True
    assert set(data["findings"][0]) == {
        "code",
        "severity",
        "message_zh",
        "message_en",
        "span",
        "evidence",
        "suggestion",
    }
    assert data["findings"][0]["span"] == [0, 6]
    assert list(data["last_steps"]) == ["listen", "apologize", "solve", "thank"]
    assert data["language"] == "zh"


def test_findings_come_in_text_order_with_whole_reply_tips_last():
    check = check_reply("你必须提供订单，规定就是这样")
    assert [f.code for f in check.findings] == [
        "negative_expression",
        "forbidden_phrase",
        "missing_acknowledgement",
    ]


@pytest.mark.parametrize(
    ("text", "given", "language"),
    [
        ("我理解", "zh", "zh"),
        ("我理解", "en", "zh"),
        ("我們理解", "zh", "zh-Hant"),
        ("I understand", "zh", "en"),
        ("🙂", "en", "en"),
        ("", "zh-Hant", "zh-Hant"),
    ],
)
def test_language_from_the_text_first(text, given, language):
    assert check_reply(text, language=given).language == language


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"text": None}, TypeError),
        ({"text": b"bytes"}, TypeError),
        ({"text": "ok", "language": "fr"}, ValueError),
        ({"text": "ok", "authority_limit": "2000"}, TypeError),
        ({"text": "ok", "authority_limit": True}, TypeError),
    ],
)
def test_wrong_argument_types_are_refused(kwargs, error):
    text = kwargs.pop("text")
    with pytest.raises(error):
        check_reply(text, **kwargs)


def test_long_replies_are_cut_and_spans_stay_valid():
    text = "好" * MAX_CHARS + "规定就是这样"
    check = check_reply(text)
    assert "forbidden_phrase" not in {f.code for f in check.findings}
    assert check_reply("好" * 5000 + "规定就是这样").findings[0].span == (5000, 5006)


def test_folding_keeps_origins_through_width_and_expansion():
    folded = fold("①ﬁ　規定就是這樣")
    start = folded.text.index("规定就是这样")
    assert folded.excerpt(start, start + 6) == "規定就是這樣"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(),
    limit=st.one_of(st.none(), st.floats(allow_nan=True), st.integers()),
    turns=st.lists(st.tuples(st.sampled_from(["customer", "agent"]), st.text()), max_size=4),
)
def test_no_string_crashes_check_reply(text, limit, turns):
    check = check_reply(text, authority_limit=limit, conversation=turns)
    assert isinstance(check, ReplyCheck)
    for finding in check.findings:
        assert isinstance(finding, Finding)
        start, end = finding.span
        assert 0 <= start <= end <= len(text)
        assert text[start:end] == finding.evidence
    json.dumps(check.as_dict())


@settings(max_examples=200, deadline=None)
@given(prefix=st.text(max_size=30), suffix=st.text(max_size=30))
def test_a_forbidden_phrase_is_found_whatever_surrounds_it(prefix, suffix):
    text = f"{prefix}。规定就是这样。{suffix}"
    assert any(f.evidence == "规定就是这样" for f in check_reply(text).findings)


CODE = """
import sys
from kesu.core.replies import check_reply, stop_reminder, suggest_scripts
check_reply("规定就是这样", authority_limit=100, conversation=[("customer", "我要退款")])
stop_reminder("anger", 0.9)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {"django", "rest_framework", "celery"})
print(",".join(loaded))
"""


def test_the_reply_checker_loads_no_framework():
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
