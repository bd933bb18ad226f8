"""Choose how much the encoder's emotion head weighs beside the n-gram model (``mix.zh``), on the SMP dev split.

    python -m training.tune_semantic_mix --run var/encoder-run/epoch2

The n-gram model is refitted here on the fine-tuning run's training rows only (the shipped one saw the dev
split), so both systems are scored on rows neither was trained on; the head's dev logits are the ones the run
wrote (the same forward pass as the engine, quantised weights included). usual_eval is not read.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from kesu.core.analysis import get_engine
from kesu.core.analysis.normalize import normalize
from training import datasets
from training.train_models import EMOTION, _fit, _tune_bias_and_temperature


def ngram_dev_proba(train, dev) -> tuple[list[str], np.ndarray]:
    texts = [normalize(t).text for t, _ in train]
    labels = [y for _, y in train]
    vec, clf, x = _fit(texts, labels, **EMOTION)
    bias, temperature = _tune_bias_and_temperature(x, labels, clf.classes_, EMOTION["C"])
    s = (clf.decision_function(vec.transform([normalize(t).text for t, _ in dev])) + bias) * temperature
    s = s - s.max(1, keepdims=True)
    p = np.exp(s)
    return [str(c) for c in clf.classes_], p / p.sum(1, keepdims=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", type=Path, required=True)
    args = ap.parse_args()
    train, dev = datasets.emotion_splits()
    classes, p_ngram = ngram_dev_proba(train, dev)
    logits = np.load(args.run / "dev_logits.npy")
    e = np.exp(logits - logits.max(1, keepdims=True))
    p_head = e / e.sum(1, keepdims=True)  # columns in datasets.EMOTION_LABELS order
    order = [datasets.EMOTION_LABELS.index(c) for c in classes]
    p_head = p_head[:, order]
    gold = [y for _, y in dev]
    engine = get_engine()
    lex = []
    for t, _ in dev:
        scores, _words = engine.emotion.lexicon_scores(normalize(t).text)
        lex.append([scores.get(c, 0.0) for c in classes])
    lex = np.asarray(lex)
    print(f"n-gram alone {f1_score(gold, np.asarray(classes)[p_ngram.argmax(1)], average='macro'):.4f}, "
          f"head alone {f1_score(gold, np.asarray(classes)[p_head.argmax(1)], average='macro'):.4f}")
    best = (0.0, 0.5, 0.0)
    for share in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0):
        for w in (0.0, 0.1, 0.2):
            s = (1 - share) * p_ngram + share * p_head + w * lex
            f = f1_score(gold, np.asarray(classes)[s.argmax(1)], average="macro")
            print(f"share {share:.1f} lexicon {w:.1f}: dev macro-F1 {f:.4f}")
            if f > best[0]:
                best = (f, share, w)
    # Per-label offsets on the mixed score (macro-F1 rewards the rare labels: fear, surprise), chosen by
    # coordinate ascent on half the dev split and kept only if the other half agrees.
    _, share, w = best
    mixed = (1 - share) * p_ngram + share * p_head + w * lex
    gold_a = np.asarray(gold)
    half = np.arange(len(gold)) % 2 == 0
    bias = np.zeros(len(classes))
    for _ in range(2):
        for k in range(len(classes)):
            scores = []
            for d in np.linspace(-0.15, 0.15, 13):
                trial = bias.copy()
                trial[k] = d
                pred = np.asarray(classes)[(mixed + trial).argmax(1)]
                scores.append((f1_score(gold_a[half], pred[half], average="macro"), d))
            bias[k] = max(scores)[1]
    def f1_with(b, mask):
        pred = np.asarray(classes)[(mixed + b).argmax(1)]
        return f1_score(gold_a[mask], pred[mask], average="macro")
    print(f"best share {share} lexicon {w}: dev {best[0]:.4f}; offsets {dict(zip(classes, bias.round(3), strict=True))}")
    print(f"  offsets on the other half: {f1_with(np.zeros_like(bias), ~half):.4f} -> {f1_with(bias, ~half):.4f}")


if __name__ == "__main__":
    main()
