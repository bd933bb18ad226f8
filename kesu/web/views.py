"""Server-rendered pages. Views parse the form, call one service or selector, and render; every
rule (permissions, workflow guards) is enforced by the services, not here."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from kesu.accounts.models import Team, User
from kesu.api.serializers import ComplaintFiltersIn
from kesu.complaints import permissions, selectors, services
from kesu.complaints.errors import ComplaintError, PermissionRefused
from kesu.complaints.importer import import_file
from kesu.complaints.models import Channel, Complaint, Priority, StageChoices
from kesu.complaints.services import CustomerData
from kesu.complaints.workflow_config import checklist_for, stage_labels
from kesu.core import privacy, workflow
from kesu.core.workflow import Stage
from kesu.escalation import services as escalation_services
from kesu.escalation.models import Escalation, EscalationLevel
from kesu.followup.services import follow_up_record
from kesu.sla import services as sla_services
from kesu.sla.services import sla_view
from kesu.web import forms, workbench

PAGE_SIZE = 25
AUDIT_ACTIONS = {
    "created": _lazy("Recorded"),
    "accepted": _lazy("Accepted"),
    "stage_changed": _lazy("Stage changed"),
    "reopened": _lazy("Reopened"),
    "checklist": _lazy("Checklist"),
    "message_customer": _lazy("Customer message"),
    "message_agent": _lazy("Reply sent"),
    "message_note": _lazy("Internal note"),
    "solution_recorded": _lazy("Solution recorded"),
    "agreement_recorded": _lazy("Agreement recorded"),
    "follow_up_recorded": _lazy("Follow-up recorded"),
    "close_reason_recorded": _lazy("Reason for closing recorded"),
    "transferred": _lazy("Transferred"),
    "details_changed": _lazy("Details changed"),
    "reanalysed": _lazy("Analysed again"),
    "escalated": _lazy("Escalated"),
    "escalation_resolved": _lazy("Escalation resolved"),
    "de_escalated": _lazy("De-escalated"),
    "bad_faith_marked": _lazy("Marked as bad-faith"),
    "sla_paused": _lazy("Clocks paused"),
    "sla_resumed": _lazy("Clocks resumed"),
    "sla_at_risk": _lazy("At risk"),
    "sla_breached": _lazy("Breached"),
    "linked_repeat": _lazy("Linked as a repeat"),
    "approval_requested": _lazy("Approval requested"),
    "approval_decided": _lazy("Approval decided"),
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A start page per role: the agent's own work, the team lead's team (escalations waiting,
    complaints at risk), the manager's whole floor."""
    user = request.user
    if not user.has_perm("complaints.handle_complaint"):
        return redirect("web:queue")
    base = selectors.complaint_list(
        user=user, filters=selectors.ComplaintFilters(is_open=True), order="urgency"
    )
    waiting = (
        Escalation.objects.filter(status="open")
        .filter(Q(assigned_to=user) | Q(level__in=_levels_of(user)))
        .filter(complaint__in=selectors.complaints_visible_to(user).values("pk"))
        .select_related("complaint", "complaint__customer", "assigned_to")
        .order_by("created_at")[:20]
    )
    sections = {
        "mine": _rows(base.filter(owner=user)[:15]),
        "unaccepted": _rows(base.filter(owner__isnull=True)[:15]),
        "at_risk": _rows(
            base.filter(
                Q(sla__first_reply_status__in=["at_risk", "breached"])
                | Q(sla__effective_status__in=["at_risk", "breached"])
            )[:15]
        ),
    }
    return render(
        request,
        "web/home.html",
        {
            "sections": sections,
            "escalations": list(waiting),
            "supervisor": user.has_perm("complaints.transfer_complaint"),
            "sees_all": permissions.sees_all(user),
        },
    )


def _levels_of(user: User) -> list[int]:
    roles = list(user.groups.values_list("name", flat=True))
    return list(
        EscalationLevel.objects.filter(role__in=roles, position__gt=0).values_list("position", flat=True)
    )


def _rows(complaints) -> list[dict[str, Any]]:
    return [
        {
            "complaint": c,
            "customer": c.customer.masked()["name"],
            "excerpt": privacy.mask_text(c.text[:60]),
            "sla": _queue_sla(c),
        }
        for c in complaints
    ]


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The complaint queue the user may see, most urgent first (nearest deadline, highest
    escalation risk, most important customer), filtered and paginated."""
    params = ComplaintFiltersIn(
        data={k: v for k, v in request.GET.items() if v and k not in {"page", "sort"}}
    )
    filters = selectors.ComplaintFilters()
    if params.is_valid():
        data = dict(params.validated_data)
        data["is_open"] = data.pop("open", None)
        filters = selectors.ComplaintFilters(**data)
    else:
        messages.error(request, _("Some filters were not valid and were ignored."))
    order = "received" if request.GET.get("sort") == "received" else "urgency"
    page = Paginator(
        selectors.complaint_list(user=request.user, filters=filters, order=order), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = _rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/queue.html",
        {
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "stages": StageChoices.choices,
            "channels": Channel.choices,
            "priorities": Priority.choices,
            "current": request.GET,
            "can_create": request.user.has_perm("complaints.add_complaint"),
            "teams": Team.objects.all() if permissions.sees_all(request.user) else [],
            "order": order,
        },
    )


def _queue_sla(complaint: Complaint) -> dict[str, Any] | None:
    """The clock that matters most in a list: the worst running one, from the swept state."""
    row = getattr(complaint, "sla", None)
    if row is None:
        return None
    worst = {"breached": 3, "at_risk": 2, "on_track": 1}
    running = [
        (worst[status], due)
        for status, due in (
            (row.first_reply_status, row.first_reply_due_at),
            (row.effective_status, row.effective_due_at),
        )
        if status in worst
    ]
    if not running:
        return None
    rank, due = max(running, key=lambda item: (item[0], -item[1].timestamp()))
    status = {3: "breached", 2: "at_risk", 1: "on_track"}[rank]
    return {"status": status, "label": SLA_STATUS_LABELS[status], "due": due}


def _complaint_or_404(request: HttpRequest, reference: str) -> Complaint:
    complaint = selectors.complaint_get(user=request.user, reference=reference)
    if complaint is None:
        raise Http404
    return complaint


@login_required
def complaint_detail(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _complaint_or_404(request, reference)
    return render(request, "web/complaint_detail.html", _detail_context(request, complaint))


def _detail_context(request: HttpRequest, complaint: Complaint) -> dict[str, Any]:
    user = request.user
    pii = permissions.can_see_pii(user, complaint)
    customer = complaint.customer
    done = set(complaint.checklist_done)
    labels = stage_labels()
    stage = complaint.stage_enum
    customer_name = customer.name if pii else privacy.mask_name(customer.name)
    messages_list = list(selectors.complaint_messages(complaint=complaint))
    sees_bad_faith = user.has_perm("complaints.view_bad_faith_signals")
    panel = workbench.analysis_panel(complaint, show_bad_faith=sees_bad_faith)
    track = workbench.trajectory(messages_list)
    latest_emotion = track["last"][0] if track else (panel or {}).get("emotion_code")
    shown_text = complaint.text if pii else privacy.mask_text(complaint.text)
    conversation = [
        {
            "message": m,
            "body": m.body if pii else privacy.mask_text(m.body),
            "who": customer_name if m.kind == "customer" else str(m.author or ""),
        }
        for m in messages_list
    ]
    clocks = sla_view(complaint)
    return {
        "complaint": complaint,
        "clocks": [
            {
                "label": CLOCK_LABELS[name],
                "status": view.status,
                "status_label": SLA_STATUS_LABELS.get(view.status, view.status),
                "deadline": view.deadline,
                "remaining": _duration(view.remaining_seconds),
                "overdue": view.remaining_seconds < 0,
                "paused": view.paused,
            }
            for name, view in clocks.items()
        ],
        "escalations": _escalations(complaint, user),
        "text": workbench.highlight(shown_text, workbench.evidence_phrases(complaint.analysis or {})),
        "panel": panel,
        "trajectory": track,
        "stop": workbench.stop_panel(track) if permissions.can_act(user, complaint) else None,
        "scripts": workbench.suggested_scripts(complaint, latest_emotion) if complaint.is_open else [],
        "catalogue": solution_catalogue(complaint),
        "customer": {
            "name": customer_name,
            "phone": customer.phone if pii else privacy.mask_phone(customer.phone),
            "email": customer.email if pii else privacy.mask_email(customer.email),
            "tier": customer.tier,
            "external_id": customer.external_id,
        },
        "pii": pii,
        "conversation": conversation,
        "stage_bar": [
            {"code": s.value, "label": labels[s.value], "current": s == stage, "passed": _passed(s, stage)}
            for s in workflow.STAGE_ORDER
        ],
        "stage_label": labels[stage.value],
        "checklist": [
            {"code": i.code, "label": i.label, "required": i.required, "done": i.code in done}
            for i in checklist_for(stage)
        ],
        "left_before_next": [i.label for i in checklist_for(stage) if i.required and i.code not in done],
        # Leaving 受理 is the accept action itself (it makes the owner), not a plain move.
        "targets": []
        if stage == Stage.ACCEPT
        else [{"code": t.value, "label": labels[t.value]} for t in workflow.allowed_targets(stage)],
        "can_act": permissions.can_act(user, complaint),
        "can_accept": permissions.can_accept(user, complaint),
        "can_note": permissions.can_add_note(user, complaint),
        "can_transfer": permissions.can_transfer(user, complaint),
        "can_mark_bad_faith": user.has_perm("complaints.mark_bad_faith") and not complaint.bad_faith,
        "bad_faith_signals": (complaint.analysis or {}).get("bad_faith", {}).get("signals", [])
        if user.has_perm("complaints.view_bad_faith_signals")
        else [],
        "paused": bool(clocks) and any(view.paused for view in clocks.values()),
        "audit": [
            {"event": event, "action": AUDIT_ACTIONS.get(event.action, event.action)}
            for event in selectors.complaint_audit(complaint=complaint)
        ]
        if permissions.can_view_audit(user, complaint)
        else None,
        "message_form": forms.MessageForm(),
        "solution_form": forms.SolutionForm(),
        "agreement_form": forms.AgreementForm(),
        "follow_up_form": forms.FollowUpForm(),
        "reason_form": forms.ReasonForm(),
        "transfer_form": forms.TransferForm(),
        "show_follow_up": stage == Stage.FOLLOW_UP,
        "show_solution": stage in (Stage.PROPOSE, Stage.AGREE, Stage.CONFIRM),
        "show_agreement": stage == Stage.AGREE,
    }


def _escalations(complaint: Complaint, user: User) -> list[Escalation]:
    """The latest escalations; those open and assigned to the user can be closed from the page."""
    rows = list(complaint.escalations.select_related("assigned_to").order_by("-created_at")[:5])
    for escalation in rows:
        escalation.can_close = escalation.status == "open" and escalation.assigned_to_id == user.pk
    return rows


CLOCK_LABELS = {"first_reply": _lazy("First reply"), "effective": _lazy("Effective reply")}
SLA_STATUS_LABELS = {
    "on_track": _lazy("On track"),
    "at_risk": _lazy("At risk"),
    "breached": _lazy("Breached"),
    "met": _lazy("Met in time"),
    "met_late": _lazy("Met late"),
}


def _duration(seconds: float) -> str:
    """'3 h 20 min' style, for time left (or overdue, shown by the template)."""
    minutes = int(abs(seconds)) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}


def _passed(stage: Stage, current: Stage) -> bool:
    return workflow.STAGE_ORDER.index(stage) < workflow.STAGE_ORDER.index(current)


def _transfer(actor: User, complaint: Complaint, data: dict[str, Any]) -> Complaint:
    to_user = User.objects.filter(username=data["to_user"]).first()
    if to_user is None:
        raise ComplaintError("unknown_user", _("Unknown user: %(user)s.") % {"user": data["to_user"]})
    return services.complaint_transfer(
        complaint=complaint, actor=actor, to_user=to_user, reason=data["reason"]
    )


class EscalationCloseForm(django_forms.Form):
    escalation = django_forms.IntegerField(min_value=1)
    decision = django_forms.ChoiceField(choices=[("resolve", "resolve"), ("de_escalate", "de_escalate")])
    note = django_forms.CharField(label=_lazy("Outcome or reason"), max_length=1000)


def _close_escalation(actor: User, complaint: Complaint, data: dict[str, Any]) -> Escalation:
    """Resolve an escalation at its level, or hand the complaint back down a level: only one of
    the user's own escalations on this complaint (the service checks the permission again)."""
    escalation = complaint.escalations.filter(pk=data["escalation"], assigned_to=actor).first()
    if escalation is None:
        raise PermissionRefused()
    if data["decision"] == "resolve":
        return escalation_services.escalation_resolve(
            escalation=escalation, actor=actor, outcome=data["note"]
        )
    return escalation_services.escalation_de_escalate(escalation=escalation, actor=actor, note=data["note"])


# action name → (form, service call)
ACTIONS: dict[str, tuple[type[forms.forms.Form] | None, Callable[[User, Complaint, dict[str, Any]], Any]]] = {
    "accept": (None, lambda u, c, d: services.complaint_accept(complaint=c, actor=u)),
    "message": (
        forms.MessageForm,
        lambda u, c, d: services.message_add(complaint=c, actor=u, body=d["body"], kind=d["kind"]),
    ),
    "checklist": (
        forms.ChecklistForm,
        lambda u, c, d: services.complaint_check_item(complaint=c, actor=u, item=d["item"], done=d["done"]),
    ),
    "solution": (
        forms.SolutionForm,
        lambda u, c, d: services.complaint_record_solution(
            complaint=c,
            actor=u,
            solution_type=d["solution_type"],
            text=d["text"],
            amount=d["amount"],
            refund_method=d["refund_method"],
        ),
    ),
    "agreement": (
        forms.AgreementForm,
        lambda u, c, d: services.complaint_record_agreement(complaint=c, actor=u, note=d["note"]),
    ),
    "follow_up": (
        forms.FollowUpForm,
        lambda u, c, d: follow_up_record(complaint=c, actor=u, result=d["result"], comment=d["note"]),
    ),
    "close_reason": (
        forms.ReasonForm,
        lambda u, c, d: services.complaint_set_close_reason(complaint=c, actor=u, reason=d["reason"]),
    ),
    "transition": (
        forms.TransitionForm,
        lambda u, c, d: services.complaint_transition(complaint=c, actor=u, to=d["to"], reason=d["reason"]),
    ),
    "transfer": (forms.TransferForm, _transfer),
    "wait": (
        forms.ReasonForm,
        lambda u, c, d: sla_services.complaint_wait_for_customer(complaint=c, actor=u, note=d["reason"]),
    ),
    "resume": (None, lambda u, c, d: sla_services.complaint_resume_clocks(complaint=c, actor=u)),
    "escalate": (
        forms.ReasonForm,
        lambda u, c, d: escalation_services.escalate_complaint(
            complaint=c, actor=u, reason="manual", note=d["reason"]
        ),
    ),
    "escalation": (EscalationCloseForm, _close_escalation),
    "bad_faith": (
        forms.ReasonForm,
        lambda u, c, d: services.complaint_mark_bad_faith(complaint=c, actor=u, reason=d["reason"]),
    ),
}


@login_required
@require_POST
def complaint_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    complaint = _complaint_or_404(request, reference)
    form_class, call = ACTIONS[action]
    data: dict[str, Any] = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else error)
            return redirect("web:complaint", reference=reference)
        data = form.cleaned_data
    try:
        call(request.user, complaint, data)
    except ComplaintError as error:
        if error.status == 403:
            return HttpResponseForbidden(error.message)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("web:complaint", reference=reference)


def solution_catalogue(complaint: Complaint) -> list[dict[str, str]]:
    """Options to offer for this complaint's category (data: complaints/data/solutions.json)."""
    code = complaint.category.code if complaint.category_id else "other"
    catalogue = _load_catalogue()
    return catalogue.get(code) or catalogue.get("other", [])


@functools.cache
def _load_catalogue() -> dict[str, list[dict[str, str]]]:
    path = Path(__file__).resolve().parent.parent / "complaints" / "data" / "solutions.json"
    return {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if not k.startswith("_")}


@login_required
@require_POST
def check_reply_view(request: HttpRequest, reference: str) -> HttpResponse:
    """The reply checker as the agent types (HTMX, debounced) — the same rules refuse a
    blocked reply when it is sent."""
    complaint = _complaint_or_404(request, reference)
    if not permissions.can_act(request.user, complaint):
        return HttpResponseForbidden(_("You do not have permission to do this."))
    text = request.POST.get("body", "")[:20_000]
    result = workbench.check_draft(
        text,
        authority_limit=float(request.user.effective_authority_limit()),
        messages=list(selectors.complaint_messages(complaint=complaint, include_notes=False)),
    )
    return render(request, "web/_reply_check.html", {"check": result, "empty": not text.strip()})


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """The agent's intake form (受理)."""
    if not request.user.has_perm("complaints.add_complaint"):
        return HttpResponseForbidden(_("You do not have permission to do this."))
    form = forms.IntakeForm(request.POST or None, initial={"team": request.user.team})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            complaint = services.complaint_create(
                actor=request.user,
                customer=CustomerData(
                    name=d["customer_name"],
                    external_id=d["customer_id"],
                    phone=d["phone"],
                    email=d["email"],
                    tier=d["tier"].code if d["tier"] else "",
                ),
                text=d["text"],
                channel=d["channel"],
                source=d["source"],
                team=d["team"],
                product=d["product"],
                order_number=d["order_number"],
                demand_type=d["demand_type"],
                demand_amount=d["demand_amount"],
            )
        except ComplaintError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Complaint %(ref)s recorded.") % {"ref": complaint.reference})
            return redirect("web:complaint", reference=complaint.reference)
    return render(request, "web/intake.html", {"form": form})


@login_required
def bulk_import(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("complaints.import_complaints"):
        return HttpResponseForbidden(_("You do not have permission to do this."))
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_file(actor=request.user, name=upload.name, stream=upload, size=upload.size)
        except ComplaintError as error:
            form.add_error("file", error.message)
    return render(request, "web/import.html", {"form": form, "report": report})
