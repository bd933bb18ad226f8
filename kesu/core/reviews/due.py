"""When a case review 复盘 is due (SPEC §8; issue 17 item 1).

Serious cases are reviewed: escalated complaints (升级投诉), escalations to the second level or
above, regulator, legal and public-exposure triggers, reopened complaints, dissatisfied follow-ups
and bad-faith marks. Which of these apply is configuration (:class:`ReviewRules`, admin-editable);
the rest may be reviewed by choice.

Solve first, investigate after (处理问题先于原因核实): a due review never blocks a solution, a
reply or a follow-up — only the closing of the complaint waits for the submitted review.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from kesu.core.errors import ErrorCode
from kesu.core.workflow import REVIEW_RECORD_ITEMS, Refusal, gettext_noop


class Reason(StrEnum):
    ESCALATED_COMPLAINT = "escalated_complaint"  # 升级投诉: referral from above, direct walk-in/letter
    ESCALATION_LEVEL = "escalation_level"  # escalated internally to the second level or above
    TRIGGER = "trigger"  # regulator / legal / public exposure in the customer's words
    REOPENED = "reopened"
    DISSATISFIED = "dissatisfied"  # a 不满意/很不满意 follow-up
    BAD_FAITH = "bad_faith"  # marked bad-faith by a team lead


REASON_NAMES: dict[Reason, tuple[str, str]] = {
    Reason.ESCALATED_COMPLAINT: ("升级投诉", "Escalated complaint"),
    Reason.ESCALATION_LEVEL: ("升级至二级及以上", "Escalated to the second level or above"),
    Reason.TRIGGER: ("监管/法律/曝光风险", "Regulator, legal or public-exposure trigger"),
    Reason.REOPENED: ("重新打开", "Reopened"),
    Reason.DISSATISFIED: ("回访不满意", "Dissatisfied follow-up"),
    Reason.BAD_FAITH: ("恶意投诉标记", "Marked bad-faith"),
}


class ReviewStatus(StrEnum):
    NONE = "none"  # no review started
    DRAFT = "draft"  # drafted (or returned) by the owner
    SUBMITTED = "submitted"  # waiting for the team lead's approval
    APPROVED = "approved"


#: Statuses that let a complaint close: submitted is enough; approval may come after closure.
SUBMITTED_STATUSES = frozenset({ReviewStatus.SUBMITTED, ReviewStatus.APPROVED})


@dataclass(frozen=True)
class ReviewRules:
    """Which serious cases need a review. The defaults are the issue's list."""

    escalated_complaint: bool = True
    #: Escalations to this level or above need a review (0 = agent, 1 = team lead, 2 = manager …);
    #: ``None`` switches the rule off.
    min_escalation_level: int | None = 2
    triggers: frozenset[str] = frozenset({"regulator", "legal", "public_exposure"})
    reopened: bool = True
    dissatisfied: bool = True
    bad_faith: bool = True


@dataclass(frozen=True)
class DueFacts:
    """What the rules need to know about one complaint, snapshotted by the caller."""

    escalated_complaint: bool = False
    escalation_level: int = 0
    triggers: frozenset[str] = frozenset()
    reopen_count: int = 0
    dissatisfied_follow_ups: int = 0
    bad_faith: bool = False


DEFAULT_RULES = ReviewRules()


def review_reasons(facts: DueFacts, rules: ReviewRules = DEFAULT_RULES) -> list[Reason]:
    """Every reason the complaint needs a review, in the order of :class:`Reason`; empty when it
    may be reviewed by choice only."""
    reasons: list[Reason] = []
    if rules.escalated_complaint and facts.escalated_complaint:
        reasons.append(Reason.ESCALATED_COMPLAINT)
    if rules.min_escalation_level is not None and facts.escalation_level >= rules.min_escalation_level:
        reasons.append(Reason.ESCALATION_LEVEL)
    if rules.triggers & facts.triggers:
        reasons.append(Reason.TRIGGER)
    if rules.reopened and facts.reopen_count > 0:
        reasons.append(Reason.REOPENED)
    if rules.dissatisfied and facts.dissatisfied_follow_ups > 0:
        reasons.append(Reason.DISSATISFIED)
    if rules.bad_faith and facts.bad_faith:
        reasons.append(Reason.BAD_FAITH)
    return reasons


def close_refusals(reasons: Iterable[Reason], status: ReviewStatus | str) -> list[Refusal]:
    """The closing guard: a complaint whose review is due closes only once the review is submitted."""
    reasons = list(reasons)
    if not reasons or ReviewStatus(status) in SUBMITTED_STATUSES:
        return []
    return [
        Refusal(
            ErrorCode.REVIEW_REQUIRED,
            gettext_noop("This complaint needs a case review (%(reasons)s): submit it before closing."),
            {"reasons": ", ".join(r.value for r in reasons)},
        )
    ]


def review_stage_ticks(status: ReviewStatus | str, root_causes: int) -> frozenset[str]:
    """The 复盘 stage's checklist as the recorded case review fills it: 完成 STAR-L 复盘 once the
    review is submitted (submitting needs every part of STAR-L, the same line as the closing guard),
    记录根本原因 once it names a root cause. Without a review, nothing is ticked."""
    ticks = set()
    if ReviewStatus(status) in SUBMITTED_STATUSES:
        ticks.add("star_l")
    if root_causes > 0:
        ticks.add("root_cause")
    return frozenset(ticks) & REVIEW_RECORD_ITEMS
