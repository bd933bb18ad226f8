"""A linear text classifier loaded from a small gzip JSON artefact (vocabulary, idf, coefficients).

The artefact is produced by ``training/train_models.py`` from scikit-learn's TfidfVectorizer and a linear
model; inference re-implements the TF-IDF weighting (sublinear tf, idf, l2 norm) with numpy so loading
costs no scikit-learn import and no pickle.
"""

from __future__ import annotations

import base64
import gzip
import json
from importlib import resources

import numpy as np

from .features import hash_names, text_hashes

#: A text's known features in a FeatureSpace: (row ids, 1 + log tf).
Lookup = tuple[np.ndarray, np.ndarray]


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

    def vectorize(self, lookup: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(row ids, tf-idf weights, l2-normalised) from a FeatureSpace lookup: sklearn's weighting.

        Features the model does not know have idf 0 in its rows; they are dropped, so the scores and the
        explanation gather only this model's rows.
        """
        rows, log_tf = lookup
        weights = log_tf * self.idf[rows]
        keep = weights > 0
        rows, weights = rows[keep], weights[keep]
        norm = float(np.sqrt(np.dot(weights, weights)))
        if norm:
            weights /= norm
        return rows, weights

    def remap(self, index: dict[str, int], size: int) -> None:
        """Re-index idf and coefficients on a shared feature index (see FeatureSpace)."""
        rows = np.fromiter((index[f] for f in self._inverse()), dtype=np.int64, count=len(self.vocab))
        idf = np.zeros(size, dtype=np.float32)
        idf[rows] = self.idf
        coef = np.zeros((size, self.coef.shape[1]), dtype=np.float32)
        coef[rows] = self.coef
        self.idf, self.coef = idf, coef
        self._inv_rows = rows

    def set_space(self, names: list[str], readable: np.ndarray) -> None:
        """The shared feature names, and which of them may be shown as evidence (see ``explain``)."""
        self.space_names = names
        # One class's coefficients as a contiguous row, zero where the feature is not readable.
        self._explain_coef = np.ascontiguousarray(self.coef.T) * readable

    def scores(self, vector: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Decision values (with the per-class bias tuned by cross-validation)."""
        ids, weights = vector
        if ids.size == 0:
            return self.intercept + self.bias
        scores = weights @ self.coef[ids]
        scores += self.intercept
        scores += self.bias
        return scores

    def proba(self, vector: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        s = self.scores(vector) * self.temperature
        s = np.exp(s - s.max())
        return s / s.sum()

    def explain(self, vector: tuple[np.ndarray, np.ndarray], class_index: int, k: int = 3) -> list[str]:
        """The k features that pushed hardest towards a class: the evidence for a model conclusion.

        Only features a person can read count: n-grams of two characters or more and emoticons, not
        single characters or skip-bigrams (their coefficients are zeroed in ``_explain_coef``).
        """
        ids, weights = vector
        if ids.size == 0:
            return []
        contrib = weights * self._explain_coef[class_index][ids]
        m = 3 * k + 1
        if contrib.size > m:
            top = np.argpartition(contrib, contrib.size - m)[contrib.size - m :]
        else:
            top = np.arange(contrib.size)
        order = top[np.argsort(-contrib[top], kind="stable")]
        inverse = self.space_names
        out: list[str] = []
        for j in order:
            if contrib[j] <= 0 or len(out) >= k:
                break
            name = inverse[int(ids[j])]
            feature = name[2:] if name.startswith("E:") else name.strip("^$")  # an emoticon shows as [怒]
            if not any(feature in shown for shown in out):  # 怒] adds nothing after [怒]
                out.append(feature)
        return out

    def _inverse(self) -> list[str]:
        if not hasattr(self, "_inv"):
            inv = [""] * len(self.vocab)
            for f, i in self.vocab.items():
                inv[i] = f
            self._inv = inv
        return self._inv


class FeatureSpace:
    """One feature index shared by several models: each text's features are looked up once, not per model.

    Lookup is vectorised: the text's feature hashes (features.text_hashes) are searched in the sorted
    hashes of the shared vocabulary, and repeats counted with numpy; no Python string per n-gram.
    """

    def __init__(self, models: list[LinearTextModel]) -> None:
        index: dict[str, int] = {}
        for model in models:
            for feature in model._inverse():
                index.setdefault(feature, len(index))
        names = list(index)
        # Evidence a person can read: two characters or more once the marks ^ $ are dropped, no skip-bigram.
        readable = np.array([len(f.strip("^$")) >= 2 and f[:2] != "S:" for f in names], dtype=np.float32)
        for model in models:
            model.remap(index, len(index))
            model.set_space(names, readable)
        self.index = index
        hashes = hash_names(names)
        order = np.argsort(hashes, kind="stable")
        self.keys = hashes[order]
        if self.keys.size > 1 and bool((self.keys[1:] == self.keys[:-1]).any()):
            raise ValueError("feature hash collision in the model vocabulary")
        self.rows = order.astype(np.int64)

    def lookup(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(row ids, 1 + log tf) of the known features of a normalised text."""
        hashes, tf = np.unique(text_hashes(text), return_counts=True)  # sorted: a faster binary search
        if not self.keys.size:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        pos = np.searchsorted(self.keys, hashes)
        np.minimum(pos, self.keys.size - 1, out=pos)
        known = self.keys[pos] == hashes
        return self.rows[pos[known]], 1.0 + np.log(tf[known].astype(np.float32))
