"""The checker runs on every keystroke and before every reply is sent, for any role that may open a
complaint: its cost must grow linearly with the text and stay small at the longest text it reads
(:data:`kesu.core.replies.text.MAX_CHARS`). A quadratic rule (the number in a time limit tried from
every digit of a long run) cost 20 s for 20,000 digits."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kesu.core.replies import check_reply
from kesu.core.replies.rules import get_rules
from kesu.core.replies.text import MAX_CHARS

# What the rules react to, as the pieces of a long text: digit and numeral runs, amounts, clock
# times, the rule files' own phrases (compensation verbs, promise markers, quotes), separators.
_RULE_PHRASES = sorted(
    {
        row.phrase
        for phrase_set in (
            get_rules().compensation_verb,
            get_rules().promise_marker,
            get_rules().promise_action,
            get_rules().forbidden,
            get_rules().restate,
        )
        for row in phrase_set.rows
    }
)
_PIECES = ["1", "9", "一", "万", "元", ".", " ", "，", "\n", '"', "「", "1.5万", "12点", "within 2 ", *_RULE_PHRASES]


def _seconds(text: str) -> float:
    """The best of two runs (the machine is shared), in CPU seconds."""
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        check_reply(text, authority_limit=500)
        best = min(best, time.process_time() - start)
    return best


def _repeated(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=3).map("".join))
@example("1")  # a run of digits
@example("一")  # a run of Chinese numerals
@example("1.")
def test_checking_time_grows_linearly_up_to_the_longest_text(unit: str) -> None:
    quarter, full = _seconds(_repeated(unit, MAX_CHARS // 4)), _seconds(_repeated(unit, MAX_CHARS))
    # Four times the text: about four times the time (quadratic would be sixteen), with room for noise.
    assert full <= 8 * quarter + 0.05, (unit, quarter, full)
    assert full < 3.0, (unit, full)


def test_the_time_limit_rule_reads_a_long_run_of_digits_at_once() -> None:
    pattern = get_rules().time_limit
    start = time.process_time()
    assert pattern.search("1" * MAX_CHARS) is None
    assert pattern.search("一" * MAX_CHARS) is None
    assert time.process_time() - start < 0.5
    # and the numbers it is for are still found: a run's first digit starts the number
    assert pattern.search("我会在" + "1" * 30 + "24小时内回复")
    assert pattern.search("三天内给您答复") and pattern.search("我1.5小时内回电")
