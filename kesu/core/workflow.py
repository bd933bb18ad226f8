"""The handling method of SPEC §4 as a plain transition table.

Stages: 受理 → 倾听与同频 → 确认需求 → 方案 → 达成一致 → 执行 → 回访 → 关闭, with 复盘 optional
after closure and reopening from 关闭/复盘. The table, the checklists and the guards live here,
free of Django, so the rules are testable in milliseconds; the Django layer only snapshots a
complaint into :class:`Facts`, asks :func:`check_transition`, and writes the result.

Refusals carry a stable ``code`` and an English message marked with ``gettext_noop`` so that
Django's ``makemessages`` extracts it and the UI/API translate it into the user's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from kesu.core.errors import ErrorCode


def gettext_noop(message: str) -> str:
    """Mark a string for translation without translating it here (the core has no i18n)."""
    return message


class Stage(StrEnum):
    ACCEPT = "accept"  # 受理
    LISTEN = "listen"  # 倾听与同频
    CONFIRM = "confirm"  # 确认需求
    PROPOSE = "propose"  # 方案
    AGREE = "agree"  # 达成一致
    ACT = "act"  # 执行
    FOLLOW_UP = "follow_up"  # 回访
    CLOSED = "closed"  # 关闭
    REVIEW = "review"  # 复盘


#: Default names: Chinese first (the words users look for), English second. Admins may rename.
STAGE_NAMES: dict[Stage, tuple[str, str]] = {
    Stage.ACCEPT: ("受理", "Accept"),
    Stage.LISTEN: ("倾听与同频", "Listen & empathize"),
    Stage.CONFIRM: ("确认需求", "Confirm facts & needs"),
    Stage.PROPOSE: ("方案", "Propose a solution"),
    Stage.AGREE: ("达成一致", "Agree"),
    Stage.ACT: ("执行", "Act"),
    Stage.FOLLOW_UP: ("回访", "Follow up"),
    Stage.CLOSED: ("关闭", "Closed"),
    Stage.REVIEW: ("复盘", "Review"),
}

STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)
OPEN_STAGES: frozenset[Stage] = frozenset(STAGE_ORDER[: STAGE_ORDER.index(Stage.CLOSED)])


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label_zh: str
    label_en: str
    required: bool = False


#: Default checklists per stage (SPEC §4 "the agent must" column). Required items gate leaving
#: the stage; the others are reminders. Admins edit these (labels, required, new items) in the DB.
DEFAULT_CHECKLISTS: dict[Stage, tuple[ChecklistItem, ...]] = {
    Stage.ACCEPT: (
        ChecklistItem("acknowledged", "快速回应客户，告知已受理", "Acknowledge the customer quickly", True),
        ChecklistItem("recorded", "记录客户信息与诉求", "Record the customer and the demand", True),
        ChecklistItem("addressed", "询问如何称呼客户", "Ask how to address the customer"),
    ),
    Stage.LISTEN: (
        ChecklistItem(
            "let_finish", "让客户说完，不打断", "Let the customer finish without interrupting", True
        ),
        ChecklistItem("empathized", "认同客户感受", "Acknowledge the customer's feelings", True),
        ChecklistItem("apologized", "为给客户带来的不便致歉", "Apologize for the inconvenience"),
    ),
    Stage.CONFIRM: (
        ChecklistItem("open_question", "先问一个开放式问题", "Ask one open question first", True),
        ChecklistItem("closed_questions", "用封闭式问题确认细节", "Confirm details with closed questions"),
        ChecklistItem("restated", "复述要点并获客户确认", "Restate the key points", True),
        ChecklistItem("flaw_named", "明确关键缺陷（预期与实际的差距）", "Name the key flaw", True),
    ),
    Stage.PROPOSE: (
        ChecklistItem("options_offered", "提供可选方案（维修/更换/退款/补偿）", "Offer options", True),
        ChecklistItem("time_limit", "承诺步骤与时限", "Give the steps and a time limit", True),
        ChecklistItem("within_authority", "只承诺能兑现的内容", "Promise only what can be delivered"),
    ),
    Stage.AGREE: (
        ChecklistItem("next_steps_recorded", "记录双方确认的后续步骤", "Record the agreed next steps", True),
    ),
    Stage.ACT: (
        ChecklistItem("flaw_fixed", "处理缺陷本身", "Fix the flaw itself", True),
        ChecklistItem("impact_relieved", "消除对客户的影响", "Relieve the impact on the customer"),
        ChecklistItem("customer_updated", "主动向客户同步进展", "Update the customer before they ask"),
    ),
    Stage.FOLLOW_UP: (
        ChecklistItem("resolution_confirmed", "确认问题已解决", "Confirm the resolution"),
        ChecklistItem("thanked", "感谢客户", "Thank the customer"),
        ChecklistItem("satisfaction_asked", "询问满意度", "Ask for satisfaction"),
    ),
    Stage.CLOSED: (),
    Stage.REVIEW: (
        ChecklistItem("star_l", "完成 STAR-L 复盘", "Complete the STAR-L review", True),
        ChecklistItem("root_cause", "记录根本原因", "Record the root cause", True),
    ),
}
#: The 复盘 stage's items are the case review's own parts (SPEC §4, §8: STAR-L and the root cause):
#: the recorded review ticks them (``kesu.core.reviews.due.review_stage_ticks``), never a hand. (The
#: stage is where a closed complaint rests once reviewed; leaving it — back to 关闭, or reopening —
#: needs a reason, as any move back does, not the ticks.)
REVIEW_RECORD_ITEMS = frozenset({"star_l", "root_cause"})


def counted_items(ticked: Iterable[str], recorded: Iterable[str] = ()) -> frozenset[str]:
    """The checklist ticks that count: the agent's own, and for the 复盘 stage's items only what
    the case review recorded (a hand's tick there, from before they were tied, does not count)."""
    return (frozenset(ticked) - REVIEW_RECORD_ITEMS) | (frozenset(recorded) & REVIEW_RECORD_ITEMS)


@dataclass(frozen=True)
class Facts:
    """What the guards need to know about one complaint, snapshotted by the caller."""

    stage: Stage
    has_owner: bool = False
    solution_recorded: bool = False
    customer_agreed: bool = False
    follow_up_recorded: bool = False
    close_reason: str = ""
    checked_items: frozenset[str] = frozenset()
    #: Codes of the required checklist items of the *current* stage, as configured (DB).
    required_items: frozenset[str] = frozenset()
    reason: str = ""


@dataclass(frozen=True)
class Refusal:
    code: ErrorCode
    message: str
    params: dict[str, str] = field(default_factory=dict)


class TransitionRefused(Exception):
    """Raised by callers that want an exception; carries every reason, not only the first."""

    def __init__(self, refusals: list[Refusal]):
        super().__init__("; ".join(r.code for r in refusals))
        self.refusals = refusals


# Moves that are not "go to the next stage". Reopen needs a reason; review is optional.
_EXTRA_MOVES: dict[Stage, frozenset[Stage]] = {
    Stage.AGREE: frozenset({Stage.PROPOSE}),  # the customer declined: propose again
    Stage.ACT: frozenset({Stage.PROPOSE}),  # the agreed solution turned out impossible
    Stage.FOLLOW_UP: frozenset({Stage.ACT}),  # follow-up found it not fixed yet
    Stage.CLOSED: frozenset({Stage.REVIEW, Stage.LISTEN}),
    Stage.REVIEW: frozenset({Stage.CLOSED, Stage.LISTEN}),
}
REOPEN_TARGET = Stage.LISTEN


def next_stage(stage: Stage) -> Stage | None:
    """The forward stage of the method; ``None`` after closure (review is optional)."""
    if stage in (Stage.CLOSED, Stage.REVIEW):
        return None
    return STAGE_ORDER[STAGE_ORDER.index(stage) + 1]


def allowed_targets(stage: Stage) -> tuple[Stage, ...]:
    """Stages reachable from ``stage`` in one move, forward first."""
    targets: list[Stage] = []
    forward = next_stage(stage)
    if forward is not None:
        targets.append(forward)
    targets.extend(sorted(_EXTRA_MOVES.get(stage, frozenset()), key=STAGE_ORDER.index))
    return tuple(targets)


def is_reopen(source: Stage, target: Stage) -> bool:
    return source in (Stage.CLOSED, Stage.REVIEW) and target == REOPEN_TARGET


def check_transition(facts: Facts, target: Stage) -> list[Refusal]:
    """Every reason the move ``facts.stage → target`` is refused; an empty list means allowed."""
    source = facts.stage
    if target == source:
        return [Refusal(ErrorCode.SAME_STAGE, gettext_noop("The complaint is already at this stage."))]
    if target not in allowed_targets(source):
        return [
            Refusal(
                ErrorCode.NOT_ALLOWED,
                gettext_noop("Cannot move from %(source)s to %(target)s."),
                {"source": source.value, "target": target.value},
            )
        ]
    refusals: list[Refusal] = []
    if is_reopen(source, target):
        if not facts.reason.strip():
            refusals.append(Refusal(ErrorCode.REASON_REQUIRED, gettext_noop("Reopening needs a reason.")))
        return refusals
    backwards = STAGE_ORDER.index(target) < STAGE_ORDER.index(source)
    if backwards:
        if not facts.reason.strip():
            refusals.append(
                Refusal(ErrorCode.REASON_REQUIRED, gettext_noop("Going back a stage needs a reason."))
            )
        return refusals
    if source == Stage.CLOSED and target == Stage.REVIEW:
        return refusals
    if not facts.has_owner:
        refusals.append(
            Refusal(
                ErrorCode.OWNER_REQUIRED,
                gettext_noop("An agent must accept the complaint and become its owner."),
            )
        )
    missing = sorted(facts.required_items - facts.checked_items)
    if missing:
        refusals.append(
            Refusal(
                ErrorCode.CHECKLIST_INCOMPLETE,
                gettext_noop("Required checklist items are not done: %(items)s."),
                {"items": ", ".join(missing)},
            )
        )
    if target == Stage.AGREE and not facts.solution_recorded:
        refusals.append(
            Refusal(ErrorCode.SOLUTION_REQUIRED, gettext_noop("Record a proposed solution first."))
        )
    if target == Stage.ACT and not facts.customer_agreed:
        refusals.append(
            Refusal(
                ErrorCode.AGREEMENT_REQUIRED,
                gettext_noop("Record the customer's agreement to the solution first."),
            )
        )
    if target == Stage.CLOSED:
        if not facts.solution_recorded:
            refusals.append(
                Refusal(
                    ErrorCode.SOLUTION_REQUIRED,
                    gettext_noop("A complaint cannot be closed without a recorded solution."),
                )
            )
        if not facts.follow_up_recorded and not facts.close_reason.strip():
            refusals.append(
                Refusal(
                    ErrorCode.FOLLOW_UP_OR_REASON_REQUIRED,
                    gettext_noop("Record the follow-up result, or a reason for closing without one."),
                )
            )
    return refusals


def transition(facts: Facts, target: Stage) -> Stage:
    """Return ``target`` if the move is allowed, else raise :class:`TransitionRefused`."""
    refusals = check_transition(facts, target)
    if refusals:
        raise TransitionRefused(refusals)
    return target
