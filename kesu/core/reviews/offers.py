"""Business-value opportunities (提升与挖掘) without overdoing the service (服务不过度).

A complaint may show a chance to offer more (an upgrade, a plan that fits better), but the offer is
never suggested while the customer's last emotion is negative, after a dissatisfied follow-up, for a
complaint marked bad-faith, or without the customer's consent to be contacted for offers. Product
improvements, touchpoint fixes and relationship care are always allowed: they do not sell.
"""

from __future__ import annotations

from dataclasses import dataclass

from kesu.core.errors import ErrorCode
from kesu.core.workflow import Refusal, gettext_noop

BUSINESS_VALUE = "business_value"
#: The emotions that stop an offer (the analysis' negative labels, SPEC §3).
NEGATIVE_EMOTIONS = frozenset({"anger", "disappointment", "anxiety"})


@dataclass(frozen=True)
class OfferFacts:
    last_emotion: str | None = None  # the label of the customer's latest message, or the complaint's
    dissatisfied_follow_up: bool = False
    bad_faith: bool = False
    consent: bool = False


def offer_refusals(kind: str, facts: OfferFacts) -> list[Refusal]:
    """Every reason an opportunity of ``kind`` may not be recorded as a suggestion to the customer."""
    if kind != BUSINESS_VALUE:
        return []
    refusals: list[Refusal] = []
    if facts.last_emotion in NEGATIVE_EMOTIONS:
        refusals.append(
            Refusal(
                ErrorCode.OFFER_NEGATIVE_EMOTION,
                gettext_noop("The customer's last emotion is negative: restore the relationship first."),
            )
        )
    if facts.dissatisfied_follow_up:
        refusals.append(
            Refusal(
                ErrorCode.OFFER_AFTER_DISSATISFIED,
                gettext_noop("The customer was dissatisfied at the follow-up: no offer now."),
            )
        )
    if facts.bad_faith:
        refusals.append(
            Refusal(ErrorCode.OFFER_BAD_FAITH, gettext_noop("No offers on a complaint marked bad-faith."))
        )
    if not facts.consent:
        refusals.append(
            Refusal(
                ErrorCode.OFFER_NO_CONSENT,
                gettext_noop("The customer has not agreed to hear about offers."),
            )
        )
    return refusals
