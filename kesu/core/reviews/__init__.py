"""Closing the loop 闭环 (SPEC §8, §11), framework-free: when a complaint needs a case review
(:mod:`.due`), the journey map's default touchpoints and their suggestion from the text and the
handling history (:mod:`.journey`), the default root-cause tree (:mod:`.causes`), the arithmetic
of an improvement action's effect (:mod:`.effect`), and the guard that keeps business offers from
being pushed on an unhappy customer (:mod:`.offers`, 服务不过度).

The Django app :mod:`kesu.reviews` snapshots rows into the plain values these functions take and
writes what they decide; nothing here reads a clock or a database.
"""

from .chain import emotion_arc
from .due import DueFacts, ReviewRules, close_refusals, review_reasons, review_stage_ticks
from .effect import Effect, compare_proportions, compare_rates, prorated_exposure
from .offers import OfferFacts, offer_refusals

__all__ = [
    "DueFacts",
    "Effect",
    "OfferFacts",
    "ReviewRules",
    "close_refusals",
    "compare_proportions",
    "compare_rates",
    "emotion_arc",
    "offer_refusals",
    "prorated_exposure",
    "review_reasons",
    "review_stage_ticks",
]
