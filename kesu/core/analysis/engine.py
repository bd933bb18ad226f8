"""The one entry point: text (+ context) -> Analysis. Built once, lazily (``get_engine()``)."""

from __future__ import annotations

import re
import threading

from .bad_faith import BadFaithAnalyzer
from .category import CategoryAnalyzer, ValueAnalyzer
from .demands import DemandAnalyzer, max_amount
from .emotion import EmotionAnalyzer
from .errors import AnalysisError
from .escalation import EscalationAnalyzer
from .lexicon import Lexicon, LexiconBank, Negation, read_tsv
from .linear import FeatureSpace, LinearTextModel
from .normalize import normalize
from .result import Analysis, Emotion, Trajectory
from .trajectory import heat, is_rising

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


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
        analyzers = (self.emotion, self.category, self.values, self.escalation, self.demands, self.bad_faith)
        self.lexicons = LexiconBank(
            value for a in analyzers for value in vars(a).values() if isinstance(value, Lexicon)
        )

    def analyze(self, text: str, context: dict | None = None) -> Analysis:
        if context is not None and not isinstance(context, dict):
            raise AnalysisError("context must be a JSON object (dict) or omitted", code="bad_context")
        context = context or {}
        norm = normalize(text)
        t = norm.text
        has_han = bool(_HAN.search(t))
        counts = self.features.lookup(t) if has_han else None
        emotion = self.emotion.analyze(t, counts, text, has_han)
        category = self.category.analyze(t, counts, has_han)
        value, value_evidence = self.values.analyze(t, category)
        demands = self.demands.analyze(t)
        demanded = max_amount(demands)
        found = self.escalation.text_triggers(t)
        escalation = self.escalation.analyze(t, emotion, context, demanded, found)
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
        )

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


def analyze(text: str, context: dict | None = None) -> Analysis:
    """Analyse one complaint or customer message. Raises AnalysisError for non-str or blank text."""
    return get_engine().analyze(text, context)


def analyze_trajectory(texts: list[str], context: dict | None = None) -> Trajectory:
    """Emotion trajectory of a sequence of customer messages (oldest first)."""
    return get_engine().analyze_trajectory(texts, context)
