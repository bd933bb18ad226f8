"""Scores of an analysis function on labelled items: per-trigger precision/recall, category macro-F1,
polarity — shared by the tuning scripts (dev split) and ``benchmarks/analysis_accuracy.py`` (test split)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from training.devset import TRIGGERS, Item

CATEGORIES = (
    "product_quality",
    "service_attitude",
    "process",
    "communication",
    "price_fee",
    "logistics_delay",
    "rights_dispute",
    "other",
)
# Polarity of an emotion label, as the labellers used it: in complaint text a puzzled "why …?" and a hope
# for a fix are mostly dissatisfied (dev split: confusion 24 negative / 31 neutral, expectation 57 / 28).
NEGATIVE_EMOTIONS = frozenset({"anger", "disappointment", "anxiety", "confusion", "expectation"})


@dataclass
class Prediction:
    triggers: set[str]
    category: str
    emotion: str
    evidence: dict[str, str] = field(default_factory=dict)


def predict_all(items: Iterable[Item], fn: Callable[[str], dict]) -> list[Prediction]:
    out = []
    for item in items:
        d = fn(item.text)
        trig = {t["code"]: t["evidence"] for t in d["escalation"]["triggers"] if t["code"] in TRIGGERS}
        out.append(Prediction(set(trig), d["category"]["code"], d["emotion"]["label"], trig))
    return out


def prf(gold: list[bool], pred: list[bool]) -> tuple[float, float, float, int, int]:
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp + fn, tp + fp


def trigger_scores(items: list[Item], preds: list[Prediction]) -> dict[str, tuple]:
    out = {}
    for code in TRIGGERS:
        out[code] = prf([code in i.triggers for i in items], [code in p.triggers for p in preds])
    gold = [(i.id, c) for i in items for c in i.triggers]
    pred = [(i.id, c) for i, p in zip(items, preds, strict=True) for c in p.triggers]
    tp = len(set(gold) & set(pred))
    mp = tp / len(pred) if pred else 0.0
    mr = tp / len(gold) if gold else 0.0
    out["micro"] = (mp, mr, 2 * mp * mr / (mp + mr) if mp + mr else 0.0, len(gold), len(pred))
    return out


def macro_f1(gold: list[str], pred: list[str], labels: Iterable[str]) -> float:
    f1s = []
    for c in labels:
        _, _, f, support, predicted = prf([g == c for g in gold], [p == c for p in pred])
        if support or predicted:
            f1s.append(f)
    return sum(f1s) / len(f1s) if f1s else 0.0


def polarity_of(emotion: str) -> str:
    if emotion in NEGATIVE_EMOTIONS:
        return "negative"
    return "positive" if emotion == "satisfied" else "neutral"


def report(items: list[Item], preds: list[Prediction]) -> dict:
    trig = trigger_scores(items, preds)
    cat = macro_f1([i.category for i in items], [p.category for p in preds], CATEGORIES)
    acc = sum(i.category == p.category for i, p in zip(items, preds, strict=True)) / len(items)
    en = [(i, p) for i, p in zip(items, preds, strict=True) if i.english]
    pol = macro_f1([i.polarity for i, _ in en], [polarity_of(p.emotion) for _, p in en], ("negative", "neutral", "positive"))
    return {"triggers": trig, "category_macro_f1": cat, "category_accuracy": acc, "english_polarity_macro_f1": pol}


def format_report(name: str, r: dict) -> str:
    lines = [f"{name}: category macro-F1 {r['category_macro_f1']:.3f} (accuracy {r['category_accuracy']:.3f}),"
             f" English polarity macro-F1 {r['english_polarity_macro_f1']:.3f}"]
    for code, (p, rec, f, n_gold, n_pred) in r["triggers"].items():
        lines.append(f"  {code:<20} P {p:.2f}  R {rec:.2f}  F1 {f:.2f}  (gold {n_gold}, fired {n_pred})")
    return "\n".join(lines)
