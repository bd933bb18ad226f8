"""Loaders for the development data sets in ../shared/data (override with KESU_DATA_DIR).

Used by the training script and by the accuracy benchmark, so both see the same rows and the same
held-out splits. The data sets carry no licence for redistribution: they are read from disk, never
copied into the package.
"""

from __future__ import annotations

import csv
import json
import os
import random
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# SMP2020-EWECT labels -> Kesu emotion labels (see ../shared/data/README.md).
SMP_TO_KESU = {
    "angry": "anger",
    "sad": "disappointment",
    "fear": "anxiety",
    "surprise": "confusion",
    "neutral": "neutral",
    "happy": "satisfied",
}
CLUE_TO_SMP = {
    "sadness": "sad",
    "happiness": "happy",
    "like": "happy",
    "anger": "angry",
    "disgust": "angry",
    "surprise": "surprise",
    "fear": "fear",
}
# When a car complaint has codes of several categories, the first in this order is its primary
# category: a title that names a service, fee or promise problem is about that, not the car part.
CATEGORY_PRIORITY = [
    "service_attitude",
    "price_fee",
    "logistics_delay",
    "communication",
    "rights_dispute",
    "process",
    "product_quality",
    "other",
]
_CAR_CATEGORY_ALIASES = {"fees_price": "price_fee", "logistics_delivery": "logistics_delay"}
CATEGORY_SEED = 20240603
CATEGORY_TEST_SHARE = 0.25


def data_dir() -> Path:
    env = os.environ.get("KESU_DATA_DIR")
    return Path(env) if env else (REPO_ROOT / ".." / "shared" / "data").resolve()


def _smp_csv(name: str) -> list[tuple[str, str]]:
    with open(data_dir() / "smp2020_ewect" / name, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    return [(r[1], r[2]) for r in rows if len(r) >= 3 and r[1].strip()]


def smp_usual_train() -> list[tuple[str, str]]:
    return _smp_csv("usual_train.csv")


def smp_usual_eval() -> list[tuple[str, str]]:
    return _smp_csv("usual_eval_labeled.csv")


def smp_virus_train() -> list[tuple[str, str]]:
    with open(data_dir() / "smp2020_ewect" / "virus_train.json", encoding="utf-8") as fh:
        return [(r["content"], r["label"]) for r in json.load(fh) if r["content"].strip()]


def clue_valid() -> list[tuple[str, str]]:
    rows = []
    with open(data_dir() / "clue_emotion2020" / "valid.txt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            rows.append((r["content"], CLUE_TO_SMP[r["label"]]))
    return rows


def waimai_reviews() -> list[tuple[str, str]]:
    """(review, "positive" | "negative") of the waimai_10k food-delivery reviews; never trained on."""
    with open(data_dir() / "waimai_10k" / "waimai_10k.csv", encoding="utf-8", newline="") as fh:
        return [
            (r["review"], "positive" if r["label"] == "1" else "negative")
            for r in csv.DictReader(fh)
            if r["review"].strip()
        ]


def emotion_training_rows() -> list[tuple[str, str]]:
    """usual_train + virus_train, minus every text that also appears in usual_eval (129 do)."""
    held_out = {t for t, _ in smp_usual_eval()}
    rows = [r for r in smp_usual_train() + smp_virus_train() if r[0] not in held_out]
    return rows


def car_code_map() -> dict[str, str]:
    path = data_dir() / "chezhiwang_car_complaints" / "code_map_inferred.csv"
    with open(path, encoding="utf-8") as fh:
        return {
            r["code_or_letter"]: _CAR_CATEGORY_ALIASES.get(
                r["suggested_system_category"], r["suggested_system_category"]
            )
            for r in csv.DictReader(fh)
        }


def car_complaints() -> list[tuple[str, str, list[str]]]:
    """(title, primary category, all categories) for every title with at least one mapped code."""
    code_map = car_code_map()
    out = []
    with open(data_dir() / "chezhiwang_car_complaints" / "car_complaints_dev.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            cats = []
            for code in filter(None, (c.strip() for c in r["problem"].split(","))):
                cat = code_map.get(code) or code_map.get(code[:1])
                if cat and cat not in cats:
                    cats.append(cat)
            if cats and r["title"].strip():
                primary = min(cats, key=CATEGORY_PRIORITY.index)
                out.append((r["title"].strip(), primary, cats))
    return out


def car_split() -> tuple[list[tuple[str, str, list[str]]], list[tuple[str, str, list[str]]]]:
    """A fixed stratified split: 75 % train, 25 % held out for the benchmark (seed CATEGORY_SEED)."""
    by_label: dict[str, list] = defaultdict(list)
    for row in car_complaints():
        by_label[row[1]].append(row)
    rng = random.Random(CATEGORY_SEED)
    train, test = [], []
    for label in sorted(by_label):
        rows = by_label[label]
        rng.shuffle(rows)
        k = round(len(rows) * CATEGORY_TEST_SHARE) if len(rows) >= 4 else (1 if len(rows) >= 2 else 0)
        test += rows[:k]
        train += rows[k:]
    return train, test


EMOTION_LABELS = ["anger", "disappointment", "anxiety", "confusion", "neutral", "satisfied"]
DEV_SEED = 20261202
DEV_SHARE = 0.10


def emotion_splits() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(train, dev): virus_train and 90 % of usual_train; the seeded other 10 % of usual_train is dev."""
    held_out = {t for t, _ in smp_usual_eval()}
    usual = [r for r in smp_usual_train() if r[0] not in held_out]
    rng = random.Random(DEV_SEED)
    idx = list(range(len(usual)))
    rng.shuffle(idx)
    k = round(len(usual) * DEV_SHARE)
    dev = [usual[i] for i in sorted(idx[:k])]
    train = [usual[i] for i in sorted(idx[k:])]
    train += [r for r in smp_virus_train() if r[0] not in held_out]
    to_kesu = SMP_TO_KESU
    return [(t, to_kesu[y]) for t, y in train], [(t, to_kesu[y]) for t, y in dev]
