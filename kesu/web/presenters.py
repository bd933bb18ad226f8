"""What the pages show, as plain data for the templates: a complaint's page (the record, the
analysis with its evidence, the clocks, the escalations, the stage and its checklist, what the
user may do) and the rows of a queue. Reads come from the selectors; nothing here writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kesu.accounts import selectors as accounts
from kesu.accounts.models import User
from kesu.complaints import clock, guidance, permissions, selectors
from kesu.complaints.analysis import StoredAnalysis
from kesu.complaints.audit import action_label
from kesu.complaints.models import Attachment, Channel, Complaint, Priority, SolutionType, StageChoices
from kesu.complaints.services.replies import default_delivery
from kesu.complaints.vocabulary import BAD_FAITH_LABELS, label
from kesu.complaints.workflow_config import checklist_for, stage_labels
from kesu.core import privacy, workflow
from kesu.core.workflow import Stage
from kesu.customers.selectors import tier_choices
from kesu.escalation.models import Escalation, Status
from kesu.escalation.selectors import (
    approvals_decided_by,
    approvals_waiting_for,
    complaint_approvals,
    complaint_escalations,
)
from kesu.followup.models import LinkRetired
from kesu.followup.selectors import complaint_work_orders
from kesu.notifications.models import Channel as OutboxChannel
from kesu.notifications.models import OutboxMessage
from kesu.notifications.models import Status as OutboxStatus
from kesu.reviews import display as review_display
from kesu.reviews import selectors as review_selectors
from kesu.scripts.selectors import solution_options
from kesu.sla.models import Clock, ClockStatus
from kesu.sla.selectors import sla_view
from kesu.web import forms, workbench

#: A list shows the clock that matters most: the worst running one, from the swept state.
WORST_FIRST = {ClockStatus.BREACHED: 3, ClockStatus.AT_RISK: 2, ClockStatus.ON_TRACK: 1}


def queue_sla(complaint: Complaint, now: datetime | None = None) -> dict[str, Any] | None:
    row = getattr(complaint, "sla", None)
    if row is None:
        return None
    running = [
        (WORST_FIRST[ClockStatus(status)], due)
        for status, due in (
            (row.first_reply_status, row.first_reply_due_at),
            (row.effective_status, row.effective_due_at),
        )
        if status in WORST_FIRST
    ]
    if not running:
        return None
    rank, due = max(running, key=lambda item: (item[0], -item[1].timestamp()))
    status = next(s for s, r in WORST_FIRST.items() if r == rank)
    left = (due - (now or clock.now())).total_seconds()
    return {
        "status": status.value,
        "label": status.label,
        "due": due,
        "remaining": duration(left),
        "overdue": left < 0,
        "paused": row.paused_since is not None,
    }


def queue_rows(complaints: Any) -> list[dict[str, Any]]:
    now = clock.now()
    return [
        {
            "complaint": c,
            "customer": c.customer.masked()["name"],
            "excerpt": privacy.mask_text(c.text)[:60],
            "sla": queue_sla(c, now),
        }
        for c in complaints
    ]


#: The queue's filters in the order the page shows them: parameter → its label.
QUEUE_FILTERS = {
    "q": _lazy("Search"),
    "stage": _lazy("Stage"),
    "escalation": _lazy("Escalation"),
    "priority": _lazy("Priority"),
    "tier": _lazy("Tier"),
    "category": _lazy("Category"),
    "sla": _lazy("Service level"),
    "owner": _lazy("Owner"),
    "channel": _lazy("Channel"),
    "team": _lazy("Team"),
    "open": _lazy("Open or closed"),
    "escalated": _lazy("Escalated complaint"),
}


def queue_options(user: User) -> dict[str, list[tuple[str, str]]]:
    """The choices of each filter, as (value, label)."""
    sees_all = permissions.sees_all(user)
    people = accounts.handlers(None if sees_all else [user.team_id] if user.team_id else [])
    return {
        "stage": [(str(k), str(v)) for k, v in StageChoices.choices],
        "escalation": [("1", _("Escalated")), ("2", _("To the manager or above"))],
        "priority": [(str(k), str(v)) for k, v in Priority.choices],
        "tier": tier_choices(),
        "category": selectors.category_choices(),
        "sla": [
            ("late", _("At risk or breached")),
            ("at_risk", _("At risk")),
            ("breached", _("Breached")),
            ("paused", _("Waiting for the customer")),
        ],
        "owner": [("me", _("Mine")), ("none", _("Not accepted yet"))]
        + [(str(u.pk), str(u)) for u in people if u.pk != user.pk],
        "channel": [(str(k), str(v)) for k, v in Channel.choices],
        "team": [(str(t.pk), t.name) for t in accounts.teams()] if sees_all else [],
        "open": [("true", _("Open")), ("false", _("Closed"))],
        "escalated": [("true", _("Escalated complaints only"))],
    }


def queue_chips(params: Any, options: dict[str, list[tuple[str, str]]]) -> list[dict[str, str]]:
    """The active filters as chips, each with the query that removes it."""
    chips = []
    for key, name in QUEUE_FILTERS.items():
        value = params.get(key)
        if not value:
            continue
        shown = dict(options.get(key, [])).get(value, f"“{value}”" if key == "q" else value)
        rest = params.copy()
        rest.pop(key, None)
        rest.pop("page", None)
        chips.append({"label": str(name), "value": str(shown), "remove": rest.urlencode()})
    return chips


def duration(seconds: float) -> str:
    """'3 h 20 min' style, for time left (or overdue, shown by the template)."""
    minutes = int(abs(seconds)) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}


def _review(complaint: Complaint) -> dict[str, Any]:
    """Whether the complaint needs a case review 复盘 (closing waits for it), and the one it has."""
    review = review_selectors.review_of(complaint)
    return {
        "reasons": [review_display.reason_label(r) for r in review_selectors.review_reasons(complaint)],
        "review": review,
    }


def _passed(stage: Stage, current: Stage) -> bool:
    return workflow.STAGE_ORDER.index(stage) < workflow.STAGE_ORDER.index(current)


def _escalations(complaint: Complaint, user: User) -> list[Escalation]:
    """The latest escalations; those open and assigned to the user can be closed from the page."""
    rows = complaint_escalations(complaint=complaint, limit=5)
    for escalation in rows:
        escalation.can_close = escalation.status == Status.OPEN and escalation.assigned_to_id == user.pk
    return rows


def _clocks(complaint: Complaint, now: datetime | None = None) -> list[dict[str, Any]]:
    return [
        {
            "label": Clock(name).label,
            "status": view.status,
            "status_label": ClockStatus(view.status).label,
            "deadline": view.deadline,
            "remaining": duration(view.remaining_seconds),
            "overdue": view.remaining_seconds < 0,
            "paused": view.paused,
        }
        for name, view in sla_view(complaint, now=now).items()
    ]


#: The page's forms, by the action each posts to; a refused one comes back bound (``bound``).
PAGE_FORMS: dict[str, tuple[str, type]] = {
    "message": ("message_form", forms.MessageForm),
    "solution": ("solution_form", forms.SolutionForm),
    "approval": ("solution_form", forms.ApprovalForm),
    "agreement": ("agreement_form", forms.AgreementForm),
    "follow_up": ("follow_up_form", forms.FollowUpForm),
    "close_reason": ("close_reason_form", forms.ReasonForm),
    "wait": ("wait_form", forms.ReasonForm),
    "escalate": ("escalate_form", forms.ReasonForm),
    "bad_faith": ("bad_faith_form", forms.ReasonForm),
    "transfer": ("transfer_form", forms.TransferForm),
    "work_order": ("work_order_form", forms.WorkOrderForm),
    "work_order_done": ("work_order_done_form", forms.WorkOrderDoneForm),
    "details": ("details_form", forms.CorrectionForm),
}


def page_form(
    action: str,
    form_class: type,
    data: Any = None,
    files: Any = None,
    *,
    user: User,
    complaint: Complaint | None = None,
) -> Any:
    """A form of the complaint page, its ids prefixed by its action (many forms share field
    names); the reply box keeps the plain ids the reply checker's markup uses. The corrections
    form starts from the complaint as it is, with the contact only for who sees it."""
    if action == "message" and complaint is not None:
        return form_class(data, files, initial={"deliver": default_delivery(complaint)})
    if action not in PAGE_FORMS:
        return form_class(data, files)
    kwargs: dict[str, Any] = {"auto_id": f"id_{PAGE_FORMS[action][0].removesuffix('_form')}_%s"}
    if action == "transfer" and complaint is not None:
        kwargs["people"] = transfer_people(user, complaint)
    if action == "details" and complaint is not None:
        pii = permissions.can_see_pii(user, complaint)
        kwargs["contact"] = pii
        kwargs["initial"] = {
            "category": complaint.category_id,
            "subcategory": complaint.subcategory_id,
            "priority": complaint.priority,
            "product": complaint.product,
            **({"phone": complaint.customer.phone, "email": complaint.customer.email} if pii else {}),
        }
    return form_class(data, files, **kwargs)


def transfer_people(user: User, complaint: Complaint) -> list[tuple[str, str]]:
    """Whom the complaint can go to, by display name: the people of its team (anyone for those
    who see every team), the owner left out."""
    teams = None if permissions.sees_all(user) else [complaint.team_id]
    return [
        (str(person.pk), f"{person}（{person.team}）" if teams is None and person.team else str(person))
        for person in accounts.handlers(teams)
        if person.pk != complaint.owner_id
    ]


def page_forms(user: User, complaint: Complaint, bound: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for action, (key, form_class) in PAGE_FORMS.items():
        if key in out or (action == "details" and not permissions.can_correct(user, complaint)):
            continue
        if action == "transfer" and not permissions.can_transfer(user, complaint):
            continue
        out[key] = page_form(action, form_class, user=user, complaint=complaint)
    for action, form in (bound or {}).items():
        if action in PAGE_FORMS:
            out[PAGE_FORMS[action][0]] = form
            out["refused_action"] = action
    return out


def work_orders(complaint: Complaint) -> list[dict[str, Any]]:
    now = clock.now()
    return [
        {
            "order": order,
            "on_time": order.on_time,
            "overdue": order.completed_at is None and order.due_at < now,
            "remaining": duration((order.due_at - now).total_seconds()),
        }
        for order in complaint_work_orders(complaint=complaint)
    ]


def approvals_page(user: User, refused: dict[int, tuple[str, Any]] | None = None) -> dict[str, Any]:
    """The approvals inbox: each request waiting, whether the user's authority covers it, and the
    ones they decided lately."""
    limit = user.effective_authority_limit()
    waiting = []
    for approval in approvals_waiting_for(user):
        error, form = (refused or {}).get(approval.pk, (None, None))
        waiting.append(
            {
                "approval": approval,
                "customer": privacy.mask_name(approval.complaint.customer.name),
                "within": user.is_superuser or approval.amount <= limit,
                "error": error,
                "note": form["note"].value() if form is not None else "",
            }
        )
    return {"waiting": waiting, "decided": approvals_decided_by(user), "limit": limit}


def checklist_panel(complaint: Complaint) -> dict[str, Any]:
    """The current stage's checklist, and what is left before the next stage (the partial a tick
    swaps in place). At 复盘 the items are the case review's (``by_review``): ticked by the review
    itself, shown with a link to it, never by hand."""
    at_review = complaint.stage_enum == Stage.REVIEW
    recorded = review_selectors.review_stage_ticks(complaint) if at_review else frozenset()
    done = workflow.counted_items(complaint.checklist_done, recorded)
    checklist = checklist_for(complaint.stage_enum)
    return {
        "checklist": [
            {
                "code": i.code,
                "label": i.label,
                "required": i.required,
                "done": i.code in done,
                "by_review": i.code in workflow.REVIEW_RECORD_ITEMS,
            }
            for i in checklist
        ],
        "left_before_next": [i.label for i in checklist if i.required and i.code not in done],
        "checklist_review": review_selectors.review_of(complaint) if at_review else None,
    }


def customer_history(user: User, complaint: Complaint) -> dict[str, Any]:
    """The customer's other complaints the user may see (the latest five), and whether this one
    repeats an earlier matter (重复投诉)."""
    others = selectors.customer_complaints(user=user, customer_id=complaint.customer_id).exclude(
        pk=complaint.pk
    )
    return {
        "earlier": list(others.select_related(None).only("reference", "received_at", "repeat_of_id")[:5]),
        "total": others.count(),
        "repeat": complaint.repeat_count or (1 if complaint.repeat_of_id else 0),
    }


def customer_page(user: User, customer: Any, complaints: list[Complaint]) -> dict[str, Any]:
    """A customer's profile: tier, contact (masked unless the user's role needs it), complaints."""
    pii = user.has_perm("complaints.view_customer_pii")
    return {
        "customer": customer,
        "name": customer.name if pii else privacy.mask_name(customer.name),
        "phone": customer.phone if pii else privacy.mask_phone(customer.phone),
        "email": customer.email if pii else privacy.mask_email(customer.email),
        "pii": pii,
        "rows": queue_rows(complaints),
        "open": sum(1 for c in complaints if c.is_open),
        "repeats": sum(1 for c in complaints if c.repeat_of_id),
    }


def script_values(user: User, complaint: Complaint, clocks: list[dict[str, Any]]) -> dict[str, str]:
    """What a script's placeholders say for this complaint: the customer addressed by surname
    (称呼), the agent's name (坐席), the order, the product, the nearest running deadline (时限)."""
    surname = privacy.surname(complaint.customer.name)
    running = [c["deadline"] for c in clocks if c["status"] in ("on_track", "at_risk") and not c["paused"]]
    deadline = min(running) if running else None
    return {
        "salutation": _("Mr/Ms %(surname)s") % {"surname": surname} if surname else "",
        "agent": str(user),
        "order": complaint.order_number,
        "product": complaint.product,
        "deadline": _("by %(when)s") % {"when": date_format(timezone.localtime(deadline), _("H:i, j M"))}
        if deadline
        else "",
    }


def _checklist_labels() -> dict[str, str]:
    return {item.code: item.label for stage in workflow.STAGE_ORDER for item in checklist_for(stage)}


def audit_sentence(event: Any, labels: dict[str, str], checklist: dict[str, str]) -> str:
    """What an audit event did, as a sentence a person reads (勾选了「认同客户感受」); an action
    without a sentence of its own reads as its name."""
    changes, action = event.changes or {}, event.action
    if action == "checklist" and "checklist_done" in changes:
        before, after = (set(v or []) for v in changes["checklist_done"])
        parts = [_("ticked 「%(item)s」") % {"item": checklist.get(c, c)} for c in sorted(after - before)]
        parts += [_("unticked 「%(item)s」") % {"item": checklist.get(c, c)} for c in sorted(before - after)]
        if parts:
            return "，".join(parts)
    if action in ("stage_changed", "reopened", "accepted") and "stage" in changes:
        source, target = (labels.get(v, v) for v in changes["stage"])
        if action == "accepted":
            return _("accepted the complaint and became its owner")
        return _("moved the complaint from 「%(a)s」 to 「%(b)s」") % {"a": source, "b": target}
    if action == "transferred" and "owner" in changes:
        return _("transferred the complaint to %(who)s") % {"who": changes["owner"][1]}
    if action == "solution_recorded" and "solution_type" in changes:
        return _("recorded the solution: %(what)s") % {
            "what": dict(SolutionType.choices).get(changes["solution_type"][1], changes["solution_type"][1])
        }
    if action == "follow_up_link_retired" and "retired" in changes:
        why = dict(LinkRetired.choices).get(changes["retired"][1], changes["retired"][1])
        return _("retired a follow-up link (%(why)s)") % {"why": why}
    sentences = {
        "created": _("recorded the complaint"),
        "message_agent": _("replied to the customer"),
        "message_customer": _("recorded the customer's message"),
        "message_note": _("added an internal note"),
        "agreement_recorded": _("recorded what the customer agreed to"),
        "follow_up_recorded": _("recorded the follow-up result"),
        "details_changed": _("corrected the details"),
        "escalated": _("escalated the complaint"),
        "escalation_resolved": _("resolved the escalation"),
        "approval_requested": _("asked for approval"),
        "approval_decided": _("decided the approval"),
        "work_order_opened": _("opened a work order"),
        "work_order_completed": _("completed a work order"),
        "follow_up_link_sent": _("sent the follow-up link"),
        "follow_up_link_answered": _("answered through the follow-up link"),
    }
    return str(sentences.get(action) or action_label(action))


def audit_rows(events: Any, *, pii: bool = True) -> list[dict[str, Any]]:
    """The audit trail as sentences, the raw changes kept beside them for who wants the detail;
    without ``pii`` everything derived from what people typed is masked (sentence, changes, note)."""
    labels, checklist = stage_labels(), _checklist_labels()
    rows = []
    for event in events:
        sentence = audit_sentence(event, labels, checklist)
        rows.append({
            "event": event,
            "action": action_label(event.action),
            "sentence": sentence if pii else privacy.mask_text(str(sentence)),
            "changes": event.changes if pii else privacy.mask_derived(event.changes),
            "note": event.note if pii else privacy.mask_text(event.note or ""),
        })
    return rows


def complaint_page(user: User, complaint: Complaint, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the complaint page shows, for this user (personal data masked unless their role
    needs it; bad-faith signals for team leads only). ``bound`` holds a refused form by its
    action, shown as it was typed with its errors."""
    pii = permissions.can_see_pii(user, complaint)
    can_act = permissions.can_act(user, complaint)
    customer = complaint.customer
    analysis = StoredAnalysis(complaint.analysis)
    labels = stage_labels()
    stage = complaint.stage_enum
    hidden = permissions.customer_fields_masked(user, complaint)
    customer_name = privacy.mask_name(customer.name) if "name" in hidden else customer.name
    messages_list = list(selectors.complaint_messages(complaint=complaint))
    sees_bad_faith = user.has_perm("complaints.view_bad_faith_signals")
    panel = workbench.analysis_panel(complaint, show_bad_faith=sees_bad_faith)
    if panel is not None and not pii:  # its evidence quotes the customer
        panel = privacy.mask_derived(panel)

    def shown(text: str) -> str:
        return text if pii else privacy.mask_text(text)

    track = workbench.trajectory(messages_list)
    latest_emotion = track["last"][0] if track else (panel or {}).get("emotion_code")
    shown_text = complaint.text if pii else privacy.mask_text(complaint.text)
    clocks = _clocks(complaint)
    return {
        "complaint": complaint,
        "clocks": clocks,
        "paused": any(c["paused"] for c in clocks),
        "escalations": _escalations(complaint, user),
        "text": workbench.highlight(shown_text, workbench.evidence_phrases(analysis)),
        "panel": panel,
        "trajectory": track,
        "stop": guidance.stop_panel(track) if can_act else None,
        "scripts": workbench.suggested_scripts(complaint, latest_emotion, script_values(user, complaint, clocks))
        if complaint.is_open
        else [],
        "catalogue": solution_catalogue(complaint),
        "customer": {
            "name": customer_name,
            "phone": privacy.mask_phone(customer.phone) if "phone" in hidden else customer.phone,
            "email": privacy.mask_email(customer.email) if "email" in hidden else customer.email,
            "tier": customer.tier,
            "external_id": customer.external_id,
        },
        "pii": pii,
        # What agents wrote about the case may quote the customer: masked like the words.
        "notes": {
            "solution_text": shown(complaint.solution_text),
            "agreement_note": shown(complaint.agreement_note),
            "follow_up_note": shown(complaint.follow_up_note),
        },
        "conversation": [
            {
                "message": m,
                "body": m.body if pii else privacy.mask_text(m.body),
                "quoted": m.quoted if pii else privacy.mask_text(m.quoted),
                "who": customer_name if m.kind == "customer" else str(m.author or "") or _("E-mail"),
                "delivery": delivery_state(m.delivery) if m.delivery_id else None,
                "attachments": [attachment_item(a, complaint, pii) for a in m.attachments.all()],
            }
            for m in messages_list
        ],
        "stage_bar": [
            {"code": s.value, "label": labels[s.value], "current": s == stage, "passed": _passed(s, stage)}
            for s in workflow.STAGE_ORDER
        ],
        "stage_label": labels[stage.value],
        **checklist_panel(complaint),
        "review": _review(complaint),
        # Leaving 受理 is the accept action itself (it makes the owner), not a plain move.
        "targets": []
        if stage == Stage.ACCEPT
        else [{"code": t.value, "label": labels[t.value]} for t in workflow.allowed_targets(stage)],
        "can_act": can_act,
        "can_accept": permissions.can_accept(user, complaint),
        "can_note": permissions.can_add_note(user, complaint),
        "can_transfer": permissions.can_transfer(user, complaint),
        "can_mark_bad_faith": user.has_perm("complaints.mark_bad_faith") and not complaint.bad_faith,
        "bad_faith_signals": [
            {"code": label(BAD_FAITH_LABELS, s.code), "evidence": shown(s.evidence)} for s in analysis.bad_faith_signals
        ]
        if sees_bad_faith
        else [],
        "audit": audit_rows(selectors.complaint_audit(complaint=complaint), pii=pii)
        if permissions.can_view_audit(user, complaint)
        else None,
        **page_forms(user, complaint, bound),
        "category_uncertain": complaint.category_by_analysis and analysis.category_uncertain,
        "approvals": complaint_approvals(complaint=complaint),
        "history": customer_history(user, complaint),
        "work_orders": work_orders(complaint),
        "show_follow_up": stage == Stage.FOLLOW_UP,
        "show_solution": stage in (Stage.PROPOSE, Stage.AGREE, Stage.CONFIRM),
        "show_agreement": stage == Stage.AGREE,
    }


def similar_panel(user: User, complaint: Complaint) -> dict[str, Any]:
    """相似投诉: earlier complaints the user may see that read like this one (the semantic tier's
    embedding), with where each stands and the solution that closed it — what helps the agent.
    A list like the queue: the customers' words and the solutions are masked. ``pending`` while
    this complaint has no embedding yet (the semantic tier refines after intake)."""
    if not complaint.embedding:
        return {"pending": True, "rows": []}
    labels = stage_labels()
    rows = []
    for other, score in selectors.similar_complaints(user=user, complaint=complaint):
        rows.append(
            {
                "reference": other.reference,
                "category": " / ".join(str(c) for c in (other.category, other.subcategory) if c is not None),
                "stage": other.stage,
                "stage_label": labels.get(other.stage, other.stage),
                "closed": not other.is_open,
                "outcome": other.get_follow_up_result_display() if other.follow_up_result else "",
                "received_at": other.received_at,
                "excerpt": privacy.mask_text(other.text)[:60],
                "solution": other.get_solution_type_display() if other.solution_type else "",
                "solution_amount": other.solution_amount,
                "solution_text": privacy.mask_text(other.solution_text)[:200],
                "similarity": round(100 * score),
            }
        )
    return {"pending": False, "rows": rows}


def delivery_state(outbox: OutboxMessage) -> dict[str, str]:
    """待发送 / 已发送 / 失败 beside a reply, with the reason of a failure."""
    channel = str(OutboxChannel(outbox.channel).label)
    if outbox.status == OutboxStatus.SENT:
        return {"state": "sent", "label": _("Sent"), "channel": channel, "reason": ""}
    if outbox.status == OutboxStatus.DEAD:
        return {"state": "failed", "label": _("Failed"), "channel": channel, "reason": outbox.last_error}
    if outbox.status == OutboxStatus.FAILED:
        return {
            "state": "retrying",
            "label": _("Waiting to be sent (the last attempt failed; it will be retried)"),
            "channel": channel,
            "reason": outbox.last_error,
        }
    return {"state": "pending", "label": _("Waiting to be sent"), "channel": channel, "reason": ""}


def attachment_item(attachment: Attachment, complaint: Complaint, pii: bool) -> dict[str, Any]:
    """An attachment as listed: an ID document is withheld (named, not linked) without the right
    to see personal data."""
    withheld = attachment.personal and not pii
    return {
        "name": _("ID document (withheld)") if withheld else attachment.filename,
        "kind": attachment.get_kind_display(),
        "size": attachment.size,
        "withheld": withheld,
        "url": "" if withheld else reverse("web:attachment", args=[complaint.reference, attachment.pk]),
    }


def solution_catalogue(complaint: Complaint) -> list[dict[str, str]]:
    """Options to offer for this complaint's category (the admin-edited catalogue)."""
    return solution_options(complaint.category.code if complaint.category_id else None)
