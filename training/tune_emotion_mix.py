"""Choose how much the emotion lexicon adds to the model, by cross-validation on training rows only.

    python -m training.tune_emotion_mix        # about a minute on one core

4-fold out-of-fold decision values of the emotion model on usual_train (virus_train always in the
training folds; usual_eval never read), turned into probabilities with the shipped temperature and bias,
plus weight x the lexicon score per label (emotion.EmotionAnalyzer.lexicon_scores); prints out-of-fold
macro-F1 for each weight. The chosen weight is emotion.LEXICON_WEIGHT_WITH_MODEL.
"""

from __future__ import annotations

import gzip
import json

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from kesu.core.analysis import get_engine
from kesu.core.analysis.emotion import SMP_TO_KESU
from kesu.core.analysis.features import analyzer
from kesu.core.analysis.result import EMOTIONS

from . import datasets
from .train_models import EMOTION, MODELS_DIR, _norm


def main() -> None:
    held_out = {t for t, _ in datasets.smp_usual_eval()}
    usual = [r for r in datasets.smp_usual_train() if r[0] not in held_out]
    virus = [r for r in datasets.smp_virus_train() if r[0] not in held_out]
    texts_u = [_norm(t) for t, _ in usual]
    texts_v = [_norm(t) for t, _ in virus]
    y_u = np.array([label for _, label in usual])
    y_v = [label for _, label in virus]
    payload = json.loads(gzip.decompress((MODELS_DIR / "emotion.json.gz").read_bytes()))
    classes, temperature, bias = payload["classes"], payload["temperature"], np.array(payload["bias"])
    oof = np.zeros((len(usual), len(classes)))
    for train, test in StratifiedKFold(4, shuffle=True, random_state=0).split(texts_u, y_u):
        vec = TfidfVectorizer(
            analyzer=analyzer, sublinear_tf=True, min_df=EMOTION["min_df"], dtype=np.float32
        )
        X = vec.fit_transform([texts_u[i] for i in train] + texts_v)
        clf = LinearSVC(C=EMOTION["C"], class_weight="balanced", random_state=0)
        clf.fit(X, list(y_u[train]) + y_v)
        oof[test] = clf.decision_function(vec.transform([texts_u[i] for i in test]))
    emotion = get_engine().emotion
    lexicon = np.zeros((len(usual), len(EMOTIONS)))
    for i, text in enumerate(texts_u):
        for label, value in emotion.lexicon_scores(text)[0].items():
            lexicon[i, EMOTIONS.index(label)] = value
    labels = [SMP_TO_KESU[c] for c in classes]
    gold = [SMP_TO_KESU[c] for c in y_u]
    s = (oof + bias) * temperature
    p = np.exp(s - s.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    for weight in (0.0, 0.1, 0.2, 0.3, 0.4, 0.6):
        score = np.zeros((len(usual), len(EMOTIONS)))
        score[:, [EMOTIONS.index(x) for x in labels]] = p
        w = np.full(len(EMOTIONS), weight)
        w[EMOTIONS.index("expectation")] *= 0.8
        score += lexicon * w
        pred = np.array(EMOTIONS)[score.argmax(1)]
        print(
            f"lexicon weight {weight:.1f}: out-of-fold macro-F1 {f1_score(gold, pred, labels=labels, average='macro'):.4f}"
        )


if __name__ == "__main__":
    main()
