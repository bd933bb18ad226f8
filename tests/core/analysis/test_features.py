from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kesu.core.analysis import get_engine
from kesu.core.analysis.features import feature_hash, hash_names, ngram_features, text_hashes
from kesu.core.analysis.normalize import normalize


def hashed(text: str) -> Counter[int]:
    return Counter({feature_hash(f): c for f, c in ngram_features(text).items()})


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("我要投诉你们快递[怒]]!?ab 😡^$S:E"), max_size=40) | st.text(max_size=40)
)
def test_vectorised_hashes_equal_the_string_features(text):
    text = normalize(text).text if text.strip() else text.lower()
    assert Counter(text_hashes(text).tolist()) == hashed(text)


def test_real_sentences_and_lookup():
    engine = get_engine()
    for text in ["请问快递到哪了？", "气死我了[怒][怒]，再不退款就去12315", "a", "ab", "我"]:
        t = normalize(text).text
        assert Counter(text_hashes(t).tolist()) == hashed(t)
        rows, log_tf = engine.features.lookup(t)
        expected = {
            engine.features.index[f]: 1 + np.log(c)
            for f, c in ngram_features(t).items()
            if f in engine.features.index
        }
        assert dict(zip(rows.tolist(), log_tf.tolist(), strict=True)) == {
            k: np.float32(v) for k, v in expected.items()
        }


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("^$S:E[怒]我要投诉ab😡 "), min_size=1, max_size=10)
        | st.text(min_size=1, max_size=6),
        max_size=30,
    )
)
def test_vectorised_name_hashes_equal_feature_hash(names):
    assert hash_names(names).tolist() == [feature_hash(n) for n in names]


def test_the_vocabulary_hashes_equal_feature_hash():
    names = get_engine().features.index
    sample = list(names)[::97]
    assert hash_names(sample).tolist() == [feature_hash(n) for n in sample]
