"""What each capability does when the method reaches a point: the hooks of the acts in
:mod:`kesu.handling`, run in order inside the act's transaction, after the complaint's own part.

A new capability hooks in by adding its step to the tuple of the point it cares about (quality
inspection on ``ON_CLOSE``, reviews on ``ON_CLOSE`` and ``ON_REOPEN``, training on ``ON_CLOSE``
…). A step takes what the complaint's part returned; it may write (in the same transaction) but
never calls back into the act, and capabilities never call one another: only this module sees
them all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kesu.complaints.models import Complaint
from kesu.complaints.services.conversation import RecordedMessage
from kesu.complaints.services.solution import RecordedSolution
from kesu.complaints.services.stages import StageMove
from kesu.core import privacy
from kesu.escalation import automatic
from kesu.escalation import services as escalation_services
from kesu.followup import services as followup_services
from kesu.followup.models import LinkRetired
from kesu.handling import analysis
from kesu.notifications.models import StaffNotificationKind
from kesu.notifications.staff import StaffRow, notify_staff
from kesu.reviews import services as reviews
from kesu.sla import clocks
from kesu.sla.models import Clock

# --- the service-level clocks (kesu.sla) -------------------------------------------------------


def start_clocks(complaint: Complaint) -> None:
    """Both clocks start at receipt, with the targets of the customer's tier and the priority."""
    clocks.sla_start(complaint)


def stop_first_reply_clock(recorded: RecordedMessage) -> None:
    """The first reply (since intake or reopening) stops the first-reply clock 首次回复."""
    if recorded.first_reply:
        clocks.sla_stop(complaint=recorded.complaint, which=Clock.FIRST_REPLY, at=recorded.message.created_at)


def resume_clocks(recorded: RecordedMessage) -> None:
    """The customer answered: clocks paused while waiting for them run again."""
    clocks.sla_resume(complaint=recorded.complaint, actor=recorded.message.author)


def stop_effective_clock(recorded: RecordedSolution) -> None:
    """The effective solution stops the effective-reply clock 有效回复."""
    if recorded.effective:
        at = recorded.complaint.effective_solution_at
        assert at is not None
        clocks.sla_stop(complaint=recorded.complaint, which=Clock.EFFECTIVE, at=at)


def stop_both_clocks(move: StageMove) -> None:
    """Closure stops whatever clock still runs."""
    clocks.sla_stop(complaint=move.complaint, which="both", at=move.at)


def restart_clocks(move: StageMove) -> None:
    """A reopened complaint is handled again: both clocks run anew from the reopening."""
    clocks.sla_restart(complaint=move.complaint, actor=move.actor, at=move.at)


# --- escalation (kesu.escalation) ----------------------------------------------------------------


def escalate_if_serious(complaint: Complaint) -> None:
    """Important or urgent complaints, and a third on the same matter, escalate at once (SPEC §4)."""
    automatic.escalate_on_intake(complaint)


def refine_after_commit(complaint: Complaint) -> None:
    """The semantic tier refines the inline analysis after commit (kesu.handling.analysis)."""
    analysis.schedule_complaint(complaint)


def escalate_on_customer_words(recorded: RecordedMessage) -> None:
    """A later customer message that asks for a supervisor, threatens, or rages escalates too."""
    automatic.escalate_on_analysis(recorded.complaint, recorded.message.analysis)


def tell_the_owner(recorded: RecordedMessage) -> None:
    """The owner's bell: the customer replied (unless the owner recorded it themselves)."""
    complaint, message = recorded.complaint, recorded.message
    if complaint.owner_id and complaint.owner_id != message.author_id:
        notify_staff(
            [
                StaffRow(
                    event_key=f"customer_replied:{message.pk}",
                    user_id=complaint.owner_id,
                    kind=StaffNotificationKind.CUSTOMER_REPLIED,
                    complaint_id=complaint.pk,
                    reference=complaint.reference,
                    note=privacy.mask_text(message.body)[:80],
                )
            ]
        )


def refine_message_after_commit(recorded: RecordedMessage) -> None:
    analysis.schedule_message(recorded.message)


def resolve_escalations(move: StageMove) -> None:
    """A closed complaint leaves no escalation open: each is resolved with the closure."""
    escalation_services.escalations_close_with_complaint(complaint=move.complaint, actor=move.actor)


def escalate_breached(rows: list[dict], clock: Clock, now: datetime) -> int:
    """A breached clock escalates the complaint to the team lead (the sweep's rows, in bulk)."""
    return automatic.escalate_on_breach(rows, clock, now)


# --- follow-up (kesu.followup) ---------------------------------------------------------------------


def retire_follow_up_links(move: StageMove) -> None:
    """A reopen starts a new follow-up cycle: the links sent before it are no longer valid."""
    followup_services.follow_up_links_retire(
        complaint=move.complaint, actor=move.actor, reason=LinkRetired.REOPENED
    )


# --- closing the loop (kesu.reviews) ----------------------------------------------------------------


def review_before_close(move: StageMove) -> None:
    """Solve first, investigate after: a due case review never blocks a solution, only the
    closing — which waits until the review is submitted (a refusal with ``review_required``)."""
    reviews.close_guard(move)


def mark_touchpoints_from_text(complaint: Complaint) -> None:
    """The journey map: the touchpoints the customer's words point to (宣传, 计费, 使用 …)."""
    reviews.mark_touchpoints(complaint)


def mark_touchpoints_from_history(move: StageMove) -> None:
    """At closing, the handling history adds its touchpoints (first reply late, solution declined …)."""
    reviews.mark_touchpoints(move.complaint, history=True)


def reopen_review(move: StageMove) -> None:
    """A reopened complaint's submitted review goes back to draft for what happens next."""
    reviews.reopen_review(move)


# --- the points of the method ---------------------------------------------------------------------

#: A complaint was taken in (受理).
ON_INTAKE: tuple[Callable[[Complaint], None], ...] = (
    start_clocks,
    escalate_if_serious,
    refine_after_commit,
    mark_touchpoints_from_text,
)
#: An agent replied to the customer.
ON_REPLY: tuple[Callable[[RecordedMessage], None], ...] = (stop_first_reply_clock,)
#: The customer wrote.
ON_CUSTOMER_MESSAGE: tuple[Callable[[RecordedMessage], None], ...] = (
    resume_clocks,
    tell_the_owner,
    escalate_on_customer_words,
    refine_message_after_commit,
)
#: A solution was recorded (方案), by the owner or approved above their authority.
ON_SOLUTION: tuple[Callable[[RecordedSolution], None], ...] = (stop_effective_clock,)
#: The complaint is about to close: each guard may refuse (raising), which undoes the move.
CLOSE_GUARDS: tuple[Callable[[StageMove], None], ...] = (review_before_close,)
#: The complaint was closed (关闭).
ON_CLOSE: tuple[Callable[[StageMove], None], ...] = (
    stop_both_clocks,
    resolve_escalations,
    mark_touchpoints_from_history,
)
#: A closed complaint was reopened.
ON_REOPEN: tuple[Callable[[StageMove], None], ...] = (restart_clocks, reopen_review, retire_follow_up_links)
#: The sweep found clocks past their deadline; each step returns how many complaints it escalated.
ON_BREACH: tuple[Callable[[list[dict], Clock, datetime], int], ...] = (escalate_breached,)
