"""Script retrieval 话术检索 (rank_scripts): the rules decide which scripts fit, the complaint's
embedding decides which of them come first."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kesu.core.replies import (
    CATEGORIES,
    EMOTIONS,
    rank_scripts,
    script_documents,
    script_vector,
    suggest_scripts,
)


def unit(*values: float, width: int = 8) -> np.ndarray:
    vector = np.zeros(width, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def script(title: str, stage: str = "propose", category: str | None = None, emotion: str | None = None) -> dict:
    return {"stage": stage, "category": category, "emotion": emotion, "title": title}


def titles(ranked) -> list[str]:
    return [r.script["title"] for r in ranked]


LIBRARY = [
    script("通用方案"),
    script("物流方案", category="logistics_delay"),
    script("质量方案", category="product_quality"),
    script("倾听", stage="listen"),
]


def test_the_closest_fitting_script_comes_first_with_its_similarity():
    vectors = [unit(1, 1), unit(0, 1), unit(1, 0), unit(1, 0)]
    ranked = rank_scripts(LIBRARY, "propose", None, None, query=unit(1, 0.1), embeddings=vectors)
    assert titles(ranked) == ["质量方案", "通用方案", "物流方案"]  # not 倾听: another stage
    assert ranked[0].similarity == pytest.approx(float(unit(1, 0.1) @ unit(1, 0)))
    assert ranked[0].similarity > ranked[1].similarity > ranked[2].similarity


def test_the_rules_still_decide_what_fits():
    """A script of another category is never offered, however close it reads."""
    vectors = [unit(0, 1), unit(1, 0), unit(0, 1), unit(1, 0)]
    ranked = rank_scripts(LIBRARY, "propose", "product_quality", None, query=unit(1, 0), embeddings=vectors)
    assert titles(ranked) == ["质量方案", "通用方案"]


def test_without_the_complaints_embedding_the_rules_order_stands():
    vectors = [unit(0, 1), unit(1, 0), unit(1, 0), unit(1, 0)]
    ranked = rank_scripts(LIBRARY, "propose", "logistics_delay", None, query=None, embeddings=vectors)
    assert titles(ranked) == ["物流方案", "通用方案"]
    assert all(r.similarity is None for r in ranked)


def test_a_script_without_its_embedding_follows_the_compared_ones():
    vectors = [None, unit(0, 1), unit(1, 0), None]
    ranked = rank_scripts(LIBRARY, "propose", None, None, query=unit(0, 1), embeddings=vectors)
    assert titles(ranked) == ["物流方案", "质量方案", "通用方案"]
    assert ranked[-1].similarity is None


def test_a_vector_of_another_width_or_zero_is_not_compared():
    vectors = [unit(1, width=16), np.zeros(8), unit(1, 0), None]
    ranked = rank_scripts(LIBRARY, "propose", None, None, query=unit(1, 0), embeddings=vectors)
    assert [(r.script["title"], r.similarity is None) for r in ranked] == [
        ("质量方案", False),
        ("通用方案", True),
        ("物流方案", True),
    ]


def test_one_embedding_per_script():
    with pytest.raises(ValueError, match="4 scripts but 3 embeddings"):
        rank_scripts(LIBRARY, "propose", None, None, query=unit(1), embeddings=[None] * 3)


def test_what_is_embedded_has_no_placeholders_and_both_languages():
    assert script_documents("确认延误", "订单{订单号}已超时，{时限}答复您。", "Order {order} is late.") == [
        "确认延误。订单已超时，答复您。",
        "Order  is late.",
    ]
    assert script_documents("倾听", "我在听。") == ["倾听。我在听。"]
    joined = script_vector([unit(1, 0), unit(0, 1)])
    assert np.linalg.norm(joined) == pytest.approx(1) and joined[0] == pytest.approx(joined[1])


maybe = st.one_of(st.none(), st.sampled_from(CATEGORIES[:3]))
feelings = st.one_of(st.none(), st.sampled_from(EMOTIONS[:3]))
libraries = st.lists(
    st.tuples(st.sampled_from(["listen", "propose"]), maybe, feelings, st.none() | st.integers(0, 7)),
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(
    library=libraries,
    category=maybe,
    emotion=feelings,
    query=st.none() | st.integers(0, 7),
    limit=st.integers(0, 30),
)
def test_ranking_reorders_exactly_the_scripts_the_rules_suggest(library, category, emotion, query, limit):
    """The same fitting scripts as suggest_scripts (as many as it would give), ordered by
    similarity, the compared ones first; with no query, suggest_scripts' order itself."""
    rng = np.random.default_rng(len(library))
    basis = rng.normal(size=(8, 8)).astype(np.float32)
    scripts = [script(f"s{n}", stage, c, e) for n, (stage, c, e, _) in enumerate(library)]
    vectors = [None if v is None else basis[v] for *_, v in library]
    target = None if query is None else basis[query]
    ranked = rank_scripts(scripts, "propose", category, emotion, query=target, embeddings=vectors, limit=limit)
    every = suggest_scripts(scripts, "propose", category, emotion, limit=len(scripts))
    assert len(ranked) == min(limit, len(every))
    assert {r.script["title"] for r in ranked} <= {s["title"] for s in every}
    if target is None:
        assert titles(ranked) == [s["title"] for s in every][:limit]
        return
    scores = [r.similarity for r in ranked]
    compared = [s for s in scores if s is not None]
    assert scores[: len(compared)] == compared  # the compared ones first…
    assert compared == sorted(compared, reverse=True)  # …the closest first
    assert all(-1 <= s <= 1 for s in compared)
    if compared:  # and nothing left out is closer than what was kept
        kept = {r.script["title"] for r in ranked}
        left = [float(basis[v] @ target / np.linalg.norm(basis[v]) / np.linalg.norm(target))
                for (*_, v), s in zip(library, scripts, strict=True)
                if v is not None and s["title"] not in kept and s in every]
        assert all(x <= compared[-1] + 1e-6 for x in left)


def test_a_broken_vector_is_not_compared():
    broken = np.full(8, np.nan, dtype=np.float32)
    ranked = rank_scripts(LIBRARY, "propose", None, None, query=unit(1, 0), embeddings=[broken, unit(0, 1), unit(1, 0), None])
    assert [(r.script["title"], r.similarity is None) for r in ranked] == [
        ("质量方案", False),
        ("物流方案", False),
        ("通用方案", True),
    ]
