"""Train the emotion and category classifiers and write the small artefacts shipped in the package.

    python -m training.train_models              # writes kesu/core/analysis/models/*.json.gz
    python -m training.train_models --dev        # also prints macro-F1 on a 20 % split of the train data

Reproducible: fixed seeds, data read from ../shared/data (or KESU_DATA_DIR). Only the training parts are
used: usual_eval and the held-out 25 % of the car complaints are never seen here (the benchmark reads them).
Tuning (C, the per-class bias, the softmax temperature) uses cross-validation on training rows only.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.svm import LinearSVC

from kesu.core.analysis.features import analyzer
from kesu.core.analysis.normalize import normalize

from . import datasets

MODELS_DIR = datasets.REPO_ROOT / "kesu" / "core" / "analysis" / "models"


def _norm(text: str) -> str:
    return normalize(text).text


def _encode(array: np.ndarray, dtype: str) -> dict:
    a = np.ascontiguousarray(array.astype(dtype))
    return {"dtype": dtype, "shape": list(a.shape), "data": base64.b64encode(a.tobytes()).decode("ascii")}


def _fit(texts, labels, *, C, min_df, max_features, vocabulary=None):
    vec = TfidfVectorizer(
        analyzer=analyzer, sublinear_tf=True, min_df=min_df, vocabulary=vocabulary, dtype=np.float32
    )
    X = vec.fit_transform(texts)
    clf = LinearSVC(C=C, class_weight="balanced", random_state=0).fit(X, labels)
    if vocabulary is None and max_features and X.shape[1] > max_features:
        # Keep the features the model leans on most, then refit on them alone: a small artefact.
        strength = np.abs(clf.coef_).max(axis=0)
        keep = np.sort(np.argsort(-strength)[:max_features])
        names = vec.get_feature_names_out()[keep]
        return _fit(texts, labels, C=C, min_df=min_df, max_features=0, vocabulary=list(names))
    return vec, clf, X


def _tune_bias_and_temperature(X, labels, classes, C) -> tuple[np.ndarray, float]:
    """Per-class offsets that maximise out-of-fold macro-F1, and a softmax temperature (out-of-fold log loss)."""
    y = np.asarray(labels)
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    oof = cross_val_predict(
        LinearSVC(C=C, class_weight="balanced", random_state=0), X, y, cv=cv, method="decision_function"
    )
    if oof.ndim == 1:
        oof = np.stack([-oof, oof], axis=1)
    classes = np.asarray(classes)
    bias = np.zeros(len(classes))
    for _ in range(2):
        for k in range(len(classes)):
            best_f, best_d = -1.0, 0.0
            for d in np.linspace(-0.4, 0.4, 17):
                trial = bias.copy()
                trial[k] = d
                f = f1_score(y, classes[(oof + trial).argmax(1)], average="macro")
                if f > best_f + 1e-9:
                    best_f, best_d = f, d
            bias[k] = best_d
    index = {c: i for i, c in enumerate(classes)}
    truth = np.array([index[v] for v in y])
    best_t, best_loss = 1.0, np.inf
    for t in np.linspace(0.5, 8, 31):
        s = (oof + bias) * t
        s = s - s.max(1, keepdims=True)
        logp = s - np.log(np.exp(s).sum(1, keepdims=True))
        loss = -logp[np.arange(len(truth)), truth].mean()
        if loss < best_loss:
            best_t, best_loss = t, loss
    return bias, float(best_t)


def _export(name, vec, clf, bias, temperature, meta) -> Path:
    vocab = [None] * len(vec.vocabulary_)
    for f, i in vec.vocabulary_.items():
        vocab[i] = f
    coef = clf.coef_ if clf.coef_.shape[0] > 1 else np.vstack([-clf.coef_, clf.coef_])
    intercept = (
        clf.intercept_ if clf.coef_.shape[0] > 1 else np.array([-clf.intercept_[0], clf.intercept_[0]])
    )
    payload = {
        "name": name,
        "classes": [str(c) for c in clf.classes_],
        "vocabulary": vocab,
        "idf": _encode(vec.idf_, "float32"),
        "coef": _encode(coef.T, "float16"),
        "intercept": [round(float(v), 6) for v in intercept],
        "bias": [round(float(v), 4) for v in bias],
        "temperature": round(temperature, 4),
        "meta": meta,
    }
    path = MODELS_DIR / f"{name}.json.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(json.dumps(payload, ensure_ascii=False).encode("utf-8"), 9, mtime=0))
    return path


EMOTION = {"C": 0.3, "min_df": 2, "max_features": 120_000}
CATEGORY = {"C": 0.5, "min_df": 1, "max_features": 40_000}
OTHER_ROWS = 1500


def train_emotion(dev: bool) -> None:
    rows = datasets.emotion_training_rows()
    texts = [_norm(t) for t, _ in rows]
    labels = [label for _, label in rows]
    if dev:
        a, b, ya, yb = train_test_split(texts, labels, test_size=0.2, random_state=0, stratify=labels)
        vec, clf, _ = _fit(a, ya, **EMOTION)
        pred = clf.predict(vec.transform(b))
        print(f"emotion dev macro-F1 (20% of train rows): {f1_score(yb, pred, average='macro'):.4f}")
    t = time.time()
    vec, clf, X = _fit(texts, labels, **EMOTION)
    bias, temperature = _tune_bias_and_temperature(X, labels, clf.classes_, EMOTION["C"])
    meta = {"data": "smp2020 usual_train + virus_train minus usual_eval texts", "rows": len(rows), **EMOTION}
    path = _export("emotion", vec, clf, bias, temperature, meta)
    print(
        f"emotion: {len(rows)} rows, {X.shape[1]} features, bias {bias.round(3).tolist()}, "
        f"T={temperature:.2f}, {time.time() - t:.0f}s -> {path} ({path.stat().st_size // 1024} KiB)"
    )


def category_rows(exclude: set[str] | None = None) -> tuple[list[str], list[str]]:
    """The car titles' training 75 %, the dev split of Kesu's labelled real texts (all industries, Chinese
    and English; ``exclude``: ids held out by a cross-validation fold) and neutral Weibo sentences."""
    from training import devset

    train, _held_out = datasets.car_split()
    texts = [_norm(t) for t, _, _ in train]
    labels = [label for _, label, _ in train]
    for item in devset.for_category(devset.load("dev")):
        if not exclude or item.id not in exclude:
            texts.append(_norm(item.text))
            labels.append(item.category)
    # Everyday non-complaint sentences as "other", so wording the car titles never saw (我要去12315投诉你们)
    # is not pulled into product_quality by the prior of a car-heavy training set.
    neutral = [_norm(t) for t, label in datasets.smp_usual_train() if label == "neutral"]
    texts += neutral[:OTHER_ROWS]
    labels += ["other"] * len(neutral[:OTHER_ROWS])
    return texts, labels


def train_category(dev: bool) -> None:
    texts, labels = category_rows()
    keep = [i for i, label in enumerate(labels) if labels.count(label) >= 4]
    texts = [texts[i] for i in keep]
    labels = [labels[i] for i in keep]
    t = time.time()
    vec, clf, X = _fit(texts, labels, **CATEGORY)
    bias, temperature = _tune_bias_and_temperature(X, labels, clf.classes_, CATEGORY["C"])
    meta = {
        "data": "car complaint titles (training 75 %), Kesu's labelled dev split (training/devset), "
        "+ 1500 neutral Weibo sentences as other",
        "rows": len(texts),
        **CATEGORY,
    }
    path = _export("category", vec, clf, bias, temperature, meta)
    print(
        f"category: {len(texts)} rows, {X.shape[1]} features, T={temperature:.2f}, "
        f"{time.time() - t:.0f}s -> {path} ({path.stat().st_size // 1024} KiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--dev", action="store_true", help="also report macro-F1 on a split of the train rows"
    )
    parser.add_argument("--only", choices=["emotion", "category"])
    parser.add_argument("--emotion-max-features", type=int, default=EMOTION["max_features"])
    args = parser.parse_args()
    EMOTION["max_features"] = args.emotion_max_features
    if args.only in (None, "category"):
        train_category(args.dev)
    if args.only in (None, "emotion"):
        train_emotion(args.dev)


if __name__ == "__main__":
    main()
