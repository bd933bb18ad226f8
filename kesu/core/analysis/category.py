"""Category 问题分类 and value orientation 价值取向.

Lexicon phrases (data/categories.tsv) name the category and sub-category with their evidence; a character
n-gram model trained on real complaint titles breaks ties and covers wording the lexicon lacks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .lexicon import Entry, Lexicon, Negation, read_tsv
from .linear import LinearTextModel, Lookup
from .result import CATEGORIES, Category

MODEL_WEIGHT = 1.0  # model probability is added to the lexicon score (one phrase ~ 1.0)
MIN_SCORE = 0.55  # below this nothing is convincing: category "other"
# A negated phrase of these categories is still the complaint: 还没发货, 一直没送到 (a delay) like 没有质量问题
# is rare beside 不能用. For the others a negation takes the phrase back: 不是态度问题, 没有乱收费.
NEGATION_KEEPS = frozenset({"product_quality", "logistics_delay"})


@dataclass
class CategoryEvidence:
    """What the lexicon and the n-gram model say, before a decision."""

    lexical: dict[str, float]  # phrase weights per category, capped at LEXICAL_CAP
    model: dict[str, float] | None  # n-gram model probability per category (Chinese text only)
    subs: dict[str, Counter[str]]
    evidence: dict[str, list[str]]
    vector: Lookup | None = None  # the model's feature vector, for its evidence

    def features(self) -> list[float]:
        """The semantic head's inputs beside the embedding: the lexical score per category."""
        return [self.lexical[c] / LEXICAL_CAP for c in CATEGORIES]

    def fuse(self, semantic: dict[str, float], ngram_share: float) -> dict[str, float]:
        """The head's probabilities with the n-gram model's (trained on the same in-domain texts), mixed."""
        if not self.model or ngram_share <= 0:
            return semantic
        return {c: (1 - ngram_share) * semantic.get(c, 0.0) + ngram_share * self.model.get(c, 0.0) for c in semantic}


LEXICAL_CAP = 2.5
UNCERTAIN_BELOW = 0.5  # a decision this unsure is shown as uncertain (待确认)


class CategoryAnalyzer:
    def __init__(self, model: LinearTextModel, negation: Negation) -> None:
        self.model = model
        self.negation = negation
        self.lexicon = Lexicon(
            Entry(
                code=r[0], kind="category", phrase=r[3], weight=float(r[2]), sub="" if r[1] == "-" else r[1]
            )
            for r in read_tsv("categories.tsv")
        )

    def gather(self, text: str, counts: Lookup | None, has_han: bool) -> CategoryEvidence:
        score = dict.fromkeys(CATEGORIES, 0.0)
        subs: dict[str, Counter[str]] = {c: Counter() for c in CATEGORIES}
        evidence: dict[str, list[str]] = {c: [] for c in CATEGORIES}
        for hit in self.lexicon.find(text):
            e = hit.entry
            if e.code not in NEGATION_KEEPS and self.negation.is_negated(text, hit.start):
                continue
            score[e.code] += e.weight
            if e.sub:
                subs[e.code][e.sub] += e.weight  # type: ignore[assignment]  # a Counter adds floats too
            evidence[e.code].append(hit.phrase)
        lexical = {c: min(v, LEXICAL_CAP) for c, v in score.items()}
        vector = self.model.vectorize(counts) if counts is not None else None
        model = None
        if vector is not None:
            model = {c: float(p) for c, p in zip(self.model.classes, self.model.proba(vector), strict=True)}
        return CategoryEvidence(lexical, model, subs, evidence, vector)

    def analyze(self, text: str, counts: Lookup | None, has_han: bool) -> Category:
        return self.decide(self.gather(text, counts, has_han))

    def decide(self, ev: CategoryEvidence, semantic: dict[str, float] | None = None,
               semantic_sub: dict[str, str] | None = None) -> Category:
        """The fast tier: lexicon + n-gram model; with ``semantic`` (the head's probabilities), the head."""
        if semantic is not None:
            best = max(semantic, key=semantic.__getitem__)
            confidence = round(semantic[best], 3)
            if best == "other":
                return Category(code="other", sub=None, confidence=confidence, evidence=[],
                                uncertain=confidence < UNCERTAIN_BELOW)
            sub = ev.subs[best].most_common(1)[0][0] if ev.subs[best] else (semantic_sub or {}).get(best)
            return Category(code=best, sub=sub, confidence=confidence, evidence=self._evidence(ev, best),
                            uncertain=confidence < UNCERTAIN_BELOW)
        score = dict(ev.lexical)
        if ev.model is not None:
            for c, p in ev.model.items():
                score[c] = ev.lexical[c] + MODEL_WEIGHT * p
        best = max(score, key=score.__getitem__)
        total = sum(score.values())
        if score[best] < MIN_SCORE or total == 0:
            return Category(code="other", sub=None, confidence=round(1 - score[best], 3), evidence=[],
                            uncertain=score[best] > 0)
        confidence = round(score[best] / total, 3)
        sub = ev.subs[best].most_common(1)[0][0] if ev.subs[best] else None
        return Category(code=best, sub=sub, confidence=confidence, evidence=self._evidence(ev, best),
                        uncertain=confidence < UNCERTAIN_BELOW)

    def _evidence(self, ev: CategoryEvidence, best: str) -> list[str]:
        out = list(dict.fromkeys(ev.evidence[best]))[:5]
        # "other" means nothing named a category: the model's features for it explain nothing.
        if ev.vector is not None and best in self.model.classes and best != "other":
            out += [f"model:{f}" for f in self.model.explain(ev.vector, self.model.classes.index(best), k=2)]
        return out


class ValueAnalyzer:
    """What the customer values, from the SPEC §3 table: a phrase first, else the sub-category/category."""

    def __init__(self) -> None:
        rows = read_tsv("values.tsv")
        self.by_sub = {r[1]: r[2] for r in rows if r[0] == "sub"}
        self.by_category = {r[1]: r[2] for r in rows if r[0] == "category"}
        self.phrases = Lexicon(Entry(code=r[2], kind="value", phrase=r[1]) for r in rows if r[0] == "phrase")

    def analyze(self, text: str, category: Category) -> tuple[str | None, list[str]]:
        hits = self.phrases.find(text)
        fairness = [h.phrase for h in hits if h.entry.code == "fairness"]
        if fairness:  # 差别对待 says fairness whatever the category
            return "fairness", fairness[:3]
        if category.sub and category.sub in self.by_sub:
            return self.by_sub[category.sub], [f"sub-category {category.sub}"]
        if category.code in self.by_category:
            return self.by_category[category.code], [f"category {category.code}"]
        counts = Counter(h.entry.code for h in hits)
        if counts:
            value = counts.most_common(1)[0][0]
            return value, [h.phrase for h in hits if h.entry.code == value][:3]
        return None, []
