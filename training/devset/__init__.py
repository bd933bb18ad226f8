"""Kesu's hand-labelled development set of real texts: ``load()`` re-joins ids + labels with the texts.

The rule that drew the texts is ``draw.py``; how they were labelled is ``GUIDE.md``; ``labels.tsv`` holds
ids, labels and evidence offsets only (the data sets may not be redistributed). Tune on ``split="dev"``,
report ``split="test"``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LABELS_FILE = Path(__file__).resolve().parent / "labels.tsv"
TRIGGERS = ("supervisor_request", "legal", "public_exposure", "regulator", "extreme_emotion")
COLUMNS = (
    "id",
    "source",
    "stratum",
    "split",
    *TRIGGERS,
    "evidence",
    "category",
    "sub",
    "emotion",
    "polarity",
    "complaint",
)
ENGLISH_SOURCES = frozenset({"twcs", "uva", "ibm", "ibm2", "spotify", "cfpb"})


@dataclass(frozen=True)
class Item:
    id: str
    source: str
    stratum: str
    split: str
    text: str
    triggers: frozenset[str]
    evidence: tuple[tuple[str, str], ...]  # (code, words of the text)
    category: str
    sub: str | None
    emotion: str
    polarity: str
    complaint: bool

    @property
    def english(self) -> bool:
        return self.source in ENGLISH_SOURCES


@lru_cache(maxsize=1)
def _texts() -> dict[str, str]:
    from training.devset.draw import texts_by_id

    return texts_by_id()


def load(split: str | None = None) -> list[Item]:
    """Labelled items (all, or one split), each with its text from ../shared/data."""
    texts = _texts()
    items = []
    with open(LABELS_FILE, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            if split and r["split"] != split:
                continue
            text = texts[r["id"]]
            evidence = []
            for part in r["evidence"].split():
                code, _, span = part.partition("@")
                a, b = (int(x) for x in span.split("-"))
                evidence.append((code, text[a:b]))
            items.append(
                Item(
                    id=r["id"],
                    source=r["source"],
                    stratum=r["stratum"],
                    split=r["split"],
                    text=text,
                    triggers=frozenset(c for c in TRIGGERS if r[c] == "1"),
                    evidence=tuple(evidence),
                    category=r["category"],
                    sub=None if r["sub"] == "-" else r["sub"],
                    emotion=r["emotion"],
                    polarity=r["polarity"],
                    complaint=r["complaint"] == "1",
                )
            )
    return items


def for_category(items: list[Item]) -> list[Item]:
    """The items the category models learn from: all but rounds 4-5's trigger strata. Those were drawn by
    trigger words (经理, 投诉, 12315 …), so in them such words co-occur with whatever the complaint is about,
    and a category model learns them as category evidence (我要去12315投诉你们 read as service attitude);
    they train the trigger heads. Round 5's random ``r5-pool`` is kept, and so are rounds 6-7's ``r6-``/``r7-<category>``
    strata (drawn by category words for these models)."""
    return [i for i in items if not (i.stratum.startswith(("r4-", "r5-")) and i.stratum != "r5-pool")]
