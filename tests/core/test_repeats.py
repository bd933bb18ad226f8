from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from kesu.core.repeats import Candidate, find_repeats, repeat_count, similarity

NOW = datetime(2026, 11, 23, 10, 0)
FIRST = "宽带断网三天了，打了五次电话都说在处理，再不修好我就去工信部投诉！"


def earlier(key, text, days_ago, **kw):
    return Candidate(key=key, text=text, received_at=NOW - timedelta(days=days_ago), **kw)


def test_a_restated_complaint_is_the_same_matter_and_an_unrelated_one_is_not():
    new = Candidate(0, "这是我第二次投诉了，宽带还是断网，上次说三天修好到现在也没修好", NOW)
    matches = find_repeats(new, [earlier(1, FIRST, 5), earlier(2, "信用卡年费没经过我同意就扣了300元", 3)])
    assert [m.key for m in matches] == [1] and matches[0].reason == "similar_text"


def test_the_same_order_number_links_whatever_the_words():
    new = Candidate(0, "东西到现在都没收到", NOW, order_number="2026031512345671")
    matches = find_repeats(new, [earlier(1, "商品质量太差", 10, order_number="2026031512345671")])
    assert matches[0].reason == "order_number"


def test_only_complaints_within_the_window_count():
    new = Candidate(0, FIRST, NOW)
    assert find_repeats(new, [earlier(1, FIRST, 31)]) == []
    assert find_repeats(new, [earlier(1, FIRST, 31)], window_days=45)[0].key == 1


def test_the_count_follows_the_chain_this_is_my_third_complaint():
    new = Candidate(0, FIRST, NOW)
    second = earlier(2, FIRST, 2, repeat_count=1)
    first = earlier(1, FIRST, 9, repeat_count=0)
    assert repeat_count(find_repeats(new, [first, second])) == 2
    assert repeat_count([]) == 0


def test_english_words_are_compared_too():
    assert (
        similarity(
            "I was charged twice for the same order", "Still no refund for the order you charged twice"
        )
        > 40
    )


@given(st.text(max_size=200), st.text(max_size=200))
def test_similarity_is_bounded_and_symmetric(a, b):
    assert 0 <= similarity(a, b) <= 100
    assert similarity(a, b) == similarity(b, a)
