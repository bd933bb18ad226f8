"""A linear text classifier loaded from a small gzip JSON artefact (vocabulary, idf, coefficients).

The artefact is produced by ``training/train_models.py`` from scikit-learn's TfidfVectorizer and a linear
model; inference re-implements the TF-IDF weighting (sublinear tf, idf, l2 norm) with numpy so loading
costs no scikit-learn import and no pickle.
"""

from __future__ import annotations

import base64
import gzip
import json
import math
from collections import Counter
from importlib import resources

import numpy as np


def _decode(blob: dict) -> np.ndarray:
    raw = base64.b64decode(blob["data"])
    return np.frombuffer(raw, dtype=blob["dtype"]).reshape(blob["shape"]).astype(np.float32)


class LinearTextModel:
    def __init__(self, payload: dict) -> None:
        self.name: str = payload["name"]
        self.classes: list[str] = payload["classes"]
        self.vocab: dict[str, int] = {f: i for i, f in enumerate(payload["vocabulary"])}
        self.idf = _decode(payload["idf"])
        self.coef = _decode(payload["coef"])  # (n_features, n_classes)
        self.intercept = np.asarray(payload["intercept"], dtype=np.float32)
        self.temperature = float(payload.get("temperature", 1.0))
        self.bias = np.asarray(payload.get("bias", [0.0] * len(self.classes)), dtype=np.float32)
        self.meta: dict = payload.get("meta", {})

    @classmethod
    def load(cls, filename: str) -> LinearTextModel:
        data = resources.files(__package__).joinpath("models", filename).read_bytes()
        return cls(json.loads(gzip.decompress(data)))

    def _vector(self, counts: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
        vocab = self.vocab
        idx: list[int] = []
        tf: list[float] = []
        for feature, count in counts.items():
            j = vocab.get(feature)
            if j is not None:
                idx.append(j)
                tf.append(1.0 + math.log(count))
        if not idx:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        ids = np.fromiter(idx, dtype=np.int64, count=len(idx))
        weights = np.fromiter(tf, dtype=np.float32, count=len(tf)) * self.idf[ids]
        weights /= float(np.sqrt(np.dot(weights, weights))) or 1.0
        return ids, weights

    def scores(self, counts: Counter[str]) -> np.ndarray:
        """Decision values (with the per-class bias tuned by cross-validation)."""
        ids, weights = self._vector(counts)
        if ids.size == 0:
            return self.intercept + self.bias
        return weights @ self.coef[ids] + self.intercept + self.bias

    def proba(self, counts: Counter[str]) -> np.ndarray:
        s = self.scores(counts) * self.temperature
        s = np.exp(s - s.max())
        return s / s.sum()

    def explain(self, counts: Counter[str], class_index: int, k: int = 3) -> list[str]:
        """The k features that pushed hardest towards a class: the evidence for a model conclusion."""
        ids, weights = self._vector(counts)
        if ids.size == 0:
            return []
        contrib = weights * self.coef[ids, class_index]
        order = np.argsort(-contrib)
        inverse = self._inverse()
        out: list[str] = []
        for j in order:
            if contrib[j] <= 0 or len(out) >= k:
                break
            feature = inverse[int(ids[j])].strip("^$")
            if len(feature) >= 2 and not feature.startswith("S:") and feature not in out:
                out.append(feature)
        return out

    def _inverse(self) -> list[str]:
        if not hasattr(self, "_inv"):
            inv = [""] * len(self.vocab)
            for f, i in self.vocab.items():
                inv[i] = f
            self._inv = inv
        return self._inv
