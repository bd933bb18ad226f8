"""Accuracy of the analysis engine on held-out real data, beside baselines.

    python benchmarks/analysis_accuracy.py            # everything (about two minutes)
    python benchmarks/analysis_accuracy.py --no-baselines

- Emotion: macro-F1 on SMP2020-EWECT usual_eval (never trained on; the 129 texts that also occur in
  usual_train are removed from training), 6 classes mapped per ../shared/data/README.md; also on the
  de-duplicated eval rows and on CLUE emotion valid (not trained on), and, on the waimai_10k
  food-delivery reviews (labelled by polarity only), the share of negative reviews read as a negative
  emotion (anger, disappointment, anxiety, confusion) and of positive ones read as satisfied.
  Baselines: TF-IDF char 1-3-gram LinearSVC trained on usual_train, snownlp and cnsenti (snownlp and the
  TF-IDF baseline on the reviews too).
- Category: macro-F1 on the fixed 25 % held-out slice of the car complaints (training/datasets.py).
- Escalation triggers: precision/recall per text trigger on benchmarks/data/escalation_triggers.tsv.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sklearn.metrics import f1_score  # noqa: E402

from kesu.core.analysis import analyze, get_engine  # noqa: E402
from kesu.core.analysis.escalation import TEXT_TRIGGERS  # noqa: E402
from training import datasets  # noqa: E402

LABELS6 = ["anger", "disappointment", "anxiety", "confusion", "neutral", "satisfied"]
NEGATIVE_EMOTIONS = {"anger", "disappointment", "anxiety", "confusion"}


def macro(gold: list[str], pred: list[str], labels: list[str] | None = None) -> float:
    return f1_score(gold, pred, labels=labels or sorted(set(gold)), average="macro", zero_division=0)


def kesu_emotions(texts: list[str]) -> list[str]:
    return [analyze(t).emotion.label for t in texts]


def baseline_tfidf(train: list[tuple[str, str]], texts: list[str]) -> list[str]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    clf = LinearSVC().fit(
        vec.fit_transform([t for t, _ in train]), [datasets.SMP_TO_KESU[y] for _, y in train]
    )
    return list(clf.predict(vec.transform(texts)))


def baseline_snownlp(texts: list[str]) -> list[str]:
    from snownlp import SnowNLP

    out = []
    for t in texts:
        s = SnowNLP(t).sentiments
        out.append("satisfied" if s >= 0.6 else "neutral" if s >= 0.4 else "anger")
    return out


def baseline_cnsenti(texts: list[str]) -> list[str]:
    import io
    from contextlib import redirect_stderr, redirect_stdout

    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        from cnsenti import Emotion

        emotion = Emotion()
    mapping = {
        "好": "satisfied",
        "乐": "satisfied",
        "怒": "anger",
        "恶": "anger",
        "哀": "disappointment",
        "惧": "anxiety",
        "惊": "confusion",
    }
    out = []
    for t in texts:
        counts = emotion.emotion_count(t)
        best = max(mapping, key=lambda k: counts.get(k, 0))
        out.append(mapping[best] if counts.get(best, 0) > 0 else "neutral")
    return out


def emotion_section(with_baselines: bool) -> list[tuple[str, str, str]]:
    rows = []
    eval_rows = datasets.smp_usual_eval()
    texts = [t for t, _ in eval_rows]
    gold = [datasets.SMP_TO_KESU[y] for _, y in eval_rows]
    train_texts = {t for t, _ in datasets.smp_usual_train()}
    dedup = [i for i, t in enumerate(texts) if t not in train_texts]
    pred = kesu_emotions(texts)
    rows.append(("emotion macro-F1, usual_eval (2000)", "Kesu engine", f"{macro(gold, pred, LABELS6):.4f}"))
    rows.append(
        (
            f"emotion macro-F1, usual_eval de-duplicated ({len(dedup)})",
            "Kesu engine",
            f"{macro([gold[i] for i in dedup], [pred[i] for i in dedup], LABELS6):.4f}",
        )
    )
    rows.append(
        (
            "emotion accuracy, usual_eval",
            "Kesu engine",
            f"{sum(a == b for a, b in zip(gold, pred, strict=True)) / len(gold):.4f}",
        )
    )
    if with_baselines:
        base = baseline_tfidf(datasets.smp_usual_train(), texts)
        rows.append(
            (
                "emotion macro-F1, usual_eval (2000)",
                "TF-IDF char1-3 LinearSVC (usual_train)",
                f"{macro(gold, base, LABELS6):.4f}",
            )
        )
        rows.append(
            (
                f"emotion macro-F1, usual_eval de-duplicated ({len(dedup)})",
                "TF-IDF char1-3 LinearSVC (usual_train)",
                f"{macro([gold[i] for i in dedup], [base[i] for i in dedup], LABELS6):.4f}",
            )
        )
        rows.append(
            (
                "emotion macro-F1, usual_eval (2000)",
                "snownlp 0.12.3 (polarity mapped)",
                f"{macro(gold, baseline_snownlp(texts), LABELS6):.4f}",
            )
        )
        rows.append(
            (
                "emotion macro-F1, usual_eval (2000)",
                "cnsenti 0.0.7 (DUTIR emotions mapped)",
                f"{macro(gold, baseline_cnsenti(texts), LABELS6):.4f}",
            )
        )
    clue = datasets.clue_valid()
    clue_gold = [datasets.SMP_TO_KESU[y] for _, y in clue]
    clue_pred = kesu_emotions([t for t, _ in clue])
    labels5 = [x for x in LABELS6 if x != "neutral"]
    rows.append(
        (
            "emotion macro-F1, CLUE valid (3966, 5 classes, unseen)",
            "Kesu engine",
            f"{macro(clue_gold, clue_pred, labels5):.4f}",
        )
    )
    # Customer reviews (a polarity, not an emotion, per review): does the emotion point the right way?
    reviews = datasets.waimai_reviews()
    review_texts = [t for t, _ in reviews]
    systems = [("Kesu engine", kesu_emotions(review_texts))]
    if with_baselines:
        systems.append(
            (
                "TF-IDF char1-3 LinearSVC (usual_train)",
                baseline_tfidf(datasets.smp_usual_train(), review_texts),
            )
        )
        systems.append(("snownlp 0.12.3 (polarity mapped)", baseline_snownlp(review_texts)))
    for polarity, wanted, name in (
        ("negative", NEGATIVE_EMOTIONS, "a negative emotion"),
        ("positive", {"satisfied"}, "satisfied"),
    ):
        for system, labels in systems:
            picked = [lab for lab, (_, pol) in zip(labels, reviews, strict=True) if pol == polarity]
            share = sum(lab in wanted for lab in picked) / len(picked)
            rows.append(
                (
                    f"waimai_10k {polarity} reviews ({len(picked)}, unseen) read as {name}",
                    system,
                    f"{share:.3f}",
                )
            )
    return rows


def category_section() -> list[tuple[str, str, str]]:
    _, held_out = datasets.car_split()
    gold = [label for _, label, _ in held_out]
    pred = [analyze(t).category.code for t, _, _ in held_out]
    any_ok = sum(p in cats for p, (_, _, cats) in zip(pred, held_out, strict=True)) / len(pred)
    labels = sorted(set(gold))
    rows = [
        (
            f"category macro-F1, car held-out ({len(gold)}, {len(labels)} classes)",
            "Kesu engine",
            f"{macro(gold, pred, labels):.4f}",
        ),
        (
            "category accuracy (primary label)",
            "Kesu engine",
            f"{sum(a == b for a, b in zip(gold, pred, strict=True)) / len(gold):.4f}",
        ),
        ("category accuracy (any of the title's labels)", "Kesu engine", f"{any_ok:.4f}"),
        (
            f"category macro-F1, car held-out ({len(gold)})",
            "majority class (product_quality)",
            f"{macro(gold, ['product_quality'] * len(gold), labels):.4f}",
        ),
    ]
    per = Counter(zip(gold, pred, strict=True))
    for label in labels:
        support = gold.count(label)
        rows.append(
            (f"  recall {label} (n={support})", "Kesu engine", f"{per[(label, label)] / support:.2f}")
        )
    return rows


def escalation_section() -> list[tuple[str, str, str]]:
    path = ROOT / "benchmarks" / "data" / "escalation_triggers.tsv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    engine = get_engine()
    tp, fp, fn = Counter(), Counter(), Counter()
    for r in rows:
        gold = set(filter(None, r["triggers"].split(",")))
        pred = {t.code for t in engine.analyze(r["text"]).escalation.triggers} & set(TEXT_TRIGGERS)
        for code in TEXT_TRIGGERS:
            tp[code] += code in gold and code in pred
            fp[code] += code not in gold and code in pred
            fn[code] += code in gold and code not in pred
    out = []
    for code in (*TEXT_TRIGGERS, "ALL (micro)"):
        if code.startswith("ALL"):
            t, f, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
        else:
            t, f, n = tp[code], fp[code], fn[code]
        p = t / (t + f) if t + f else float("nan")
        rc = t / (t + n) if t + n else float("nan")
        out.append((f"escalation {code} (gold {t + n}) P / R", "Kesu engine", f"{p:.2f} / {rc:.2f}"))
    out.insert(0, (f"escalation set: {len(rows)} real sentences", "", ""))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-baselines", action="store_true")
    args = parser.parse_args()
    t0 = time.time()
    get_engine()
    table = emotion_section(not args.no_baselines) + category_section() + escalation_section()
    w1 = max(len(r[0]) for r in table)
    w2 = max(len(r[1]) for r in table)
    print(f"{'measure':<{w1}}  {'system':<{w2}}  value")
    print("-" * (w1 + w2 + 10))
    for a, b, c in table:
        print(f"{a:<{w1}}  {b:<{w2}}  {c}")
    print(f"\n({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
