"""Server-rendered pages. Views parse the form, call one act (:mod:`kesu.handling` for the acts
that span capabilities, a capability's services for the rest) or selector, and render; every
rule (permissions, workflow guards) is enforced by the acts, not here. What a page shows is put
together by :mod:`kesu.web.presenters`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST, require_safe

from kesu.accounts import selectors as accounts
from kesu.accounts import services as account_services
from kesu.accounts.models import User
from kesu.complaints import permissions, selectors, services
from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.complaints.filters import parse_filters
from kesu.complaints.models import Complaint
from kesu.complaints.services.attachments import Upload, attachment_open
from kesu.core.replies import LIVE_MAX_CHARS
from kesu.escalation import selectors as escalation_selectors
from kesu.escalation import services as escalation_services
from kesu.escalation.models import Escalation
from kesu.escalation.selectors import escalations_waiting_for, own_open_escalation
from kesu.followup import services as followup_services
from kesu.followup.selectors import complaint_work_order
from kesu.handling import conversation, follow_up, intake, solution, stages
from kesu.handling.importer import import_limits, start_import
from kesu.handling.solution import decide_approval
from kesu.imports import selectors as import_selectors
from kesu.imports.models import JobKind, RowOutcome
from kesu.notifications import staff
from kesu.sla import services as sla_services
from kesu.web import forms, presenters, workbench

PAGE_SIZE = 25
HOME_ROWS = 10


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
    late = Q(sla__first_reply_status__in=["at_risk", "breached"]) | Q(
        sla__effective_status__in=["at_risk", "breached"]
    )
    # Each section: its first rows, its true total and the queue that shows them all.
    sections = {
        name: {
            "rows": presenters.queue_rows(queryset[:HOME_ROWS]),
            "total": queryset.count(),
            "all": f"{reverse('web:queue')}?{query}",
        }
        for name, queryset, query in (
            ("mine", base.filter(owner=user), "owner=me&open=true"),
            ("unaccepted", base.filter(owner__isnull=True), "owner=none&open=true"),
            ("at_risk", base.filter(late), "sla=late&open=true"),
        )
    }
    waiting = escalations_waiting_for(user)
    return render(
        request,
        "web/home.html",
        {
            "sections": sections,
            "escalations": list(waiting[:20]),
            "escalations_total": waiting.count(),
            "approvals_total": escalation_selectors.approvals_waiting_for(user).count()
            if user.has_perm("complaints.transfer_complaint")
            else 0,
            "supervisor": user.has_perm("complaints.transfer_complaint"),
            "sees_all": permissions.sees_all(user),
        },
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The complaint queue the user may see, most urgent first (nearest deadline, highest
    escalation risk, most important customer) or newest first; filtered, with the active filters
    as removable chips, the user's saved views, and (for team leads) bulk assignment. The page
    refreshes its list by itself."""
    params = request.GET.copy()
    filters = parse_filters({k: v for k, v in params.items() if v and k not in {"page", "sort"}})
    if filters is None:
        messages.error(request, _("Some filters were not valid and were ignored."))
        filters = selectors.ComplaintFilters()
    order = "received" if params.get("sort") == "received" else "urgency"
    page = Paginator(
        selectors.complaint_list(user=request.user, filters=filters, order=order), PAGE_SIZE
    ).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    options = presenters.queue_options(request.user)
    return render(
        request,
        "web/queue.html",
        {
            "page": page,
            "rows": presenters.queue_rows(page.object_list),
            "query": query.urlencode(),
            "options": options,
            "filters": [(key, label, options.get(key, [])) for key, label in presenters.QUEUE_FILTERS.items()],
            "chips": presenters.queue_chips(params, options),
            "current": params,
            "can_create": request.user.has_perm("complaints.add_complaint"),
            "can_bulk": request.user.has_perm("complaints.transfer_complaint"),
            "people": [(value, label) for value, label in options["owner"] if value.isdigit()],
            "views": accounts.saved_views(request.user),
            "order": order,
        },
    )


@login_required
def customer_profile(request: HttpRequest, pk: int) -> HttpResponse:
    """A customer's profile: seen only through a complaint of theirs the user may see."""
    complaints = list(selectors.customer_complaints(user=request.user, customer_id=pk)[:100])
    if not complaints:
        raise Http404
    customer = complaints[0].customer
    return render(request, "web/customer.html", presenters.customer_page(request.user, customer, complaints))


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """站内通知: the user's notifications, the unread first marked; "mark all read" clears the bell."""
    if request.method == "POST":
        staff.notifications_mark_read(user=request.user)
        return redirect("web:notifications")
    rows = [
        {"n": n, "text": staff.notification_text(n.kind, n.complaint.reference if n.complaint else "", n.note)}
        for n in staff.notifications_for(request.user)
    ]
    return render(request, "web/notifications.html", {"rows": rows})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notification: it is read, and the complaint it is about is shown."""
    staff.notifications_mark_read(user=request.user, pk=pk)
    note = staff.notification_get(user=request.user, pk=pk)
    if note is None or note.complaint is None:
        return redirect("web:notifications")
    return redirect("web:complaint", reference=note.complaint.reference)


@login_required
def my_settings(request: HttpRequest) -> HttpResponse:
    """我的设置: notifications by e-mail too, and the pages' language."""
    form = forms.PreferencesForm(
        request.POST or None,
        initial={"notify_by_email": request.user.notify_by_email, "language": request.user.language},
    )
    if request.method == "POST" and form.is_valid():
        account_services.user_set_preferences(user=request.user, **form.cleaned_data)
        translation.activate(request.user.language or settings.LANGUAGE_CODE)
        messages.success(request, _("Saved."))
        response = redirect("web:settings")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, request.user.language or settings.LANGUAGE_CODE)
        return response
    return render(request, "web/settings.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language menu: Django's own switch, and for a signed-in user the choice is kept."""
    response = i18n_views.set_language(request)
    if request.user.is_authenticated:
        account_services.user_set_preferences(user=request.user, language=request.POST.get("language", ""))
    return response


@login_required
@require_POST
def save_view(request: HttpRequest) -> HttpResponse:
    params = {k: v for k, v in request.POST.items() if k not in {"csrfmiddlewaretoken", "name"}}
    try:
        view = account_services.saved_view_save(user=request.user, name=request.POST.get("name", ""), params=params)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('web:queue')}?{urlencode(params)}")
    messages.success(request, _("View saved."))
    return redirect(f"{reverse('web:queue')}?{view.query}")


@login_required
@require_POST
def delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    account_services.saved_view_delete(user=request.user, pk=pk)
    return redirect("web:queue")


@login_required
@require_POST
def bulk_transfer(request: HttpRequest) -> HttpResponse:
    """A team lead assigns or transfers several complaints at once: one audited transfer each,
    every one checked on its own (a refused one is named, the others go through)."""
    if not request.user.has_perm("complaints.transfer_complaint"):
        return forbidden(request)
    back = request.POST.get("next") or reverse("web:queue")
    if not back.startswith("/"):
        back = reverse("web:queue")
    to_user = accounts.handler_by_pk(request.POST.get("to_user", ""))
    reason = request.POST.get("reason", "").strip()
    references = request.POST.getlist("complaints")
    if to_user is None or not references or not reason:
        messages.error(request, _("Choose the complaints, the new owner and a reason."))
        return redirect(back)
    done, refused = 0, []
    for reference in references[:PAGE_SIZE]:
        complaint = selectors.complaint_get(user=request.user, reference=reference)
        if complaint is None:
            refused.append(reference)
            continue
        try:
            services.complaint_transfer(complaint=complaint, actor=request.user, to_user=to_user, reason=reason)
        except ComplaintError as error:
            refused.append(f"{reference}（{error.message}）")
        else:
            done += 1
    if done:
        messages.success(
            request, _("%(n)s complaints assigned to %(who)s.") % {"n": done, "who": to_user}
        )
    if refused:
        messages.error(request, _("Not assigned: %(refs)s") % {"refs": "、".join(refused)})
    return redirect(back)


def forbidden(request: HttpRequest, message: str = "") -> HttpResponse:
    """The branded refusal page (403), with why when the act said so."""
    return render(request, "403.html", {"message": message}, status=403)


def _complaint_or_404(request: HttpRequest, reference: str) -> Complaint:
    complaint = selectors.complaint_get(user=request.user, reference=reference)
    if complaint is None:
        raise Http404
    return complaint


@login_required
def complaint_detail(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _complaint_or_404(request, reference)
    context = presenters.complaint_page(request.user, complaint)
    # The follow-up link just sent: its token exists only in the SMS and on this one page view.
    issued = request.session.pop(f"issued-link:{complaint.reference}", None)
    if issued:
        context["issued_link"] = {**issued, "expires_at": datetime.fromisoformat(issued["expires_at"])}
    return render(request, "web/complaint_detail.html", context)


def _transfer(actor: User, complaint: Complaint, data: dict[str, Any]) -> Complaint:
    to_user = accounts.handler_by_pk(data["to_user"])
    if to_user is None:
        raise ComplaintError(ErrorCode.UNKNOWN_USER, _("Unknown user: %(user)s.") % {"user": data["to_user"]})
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
    escalation = own_open_escalation(complaint=complaint, user=actor, pk=data["escalation"])
    if escalation is None:
        raise PermissionRefused()
    if data["decision"] == "resolve":
        return escalation_services.escalation_resolve(
            escalation=escalation, actor=actor, outcome=data["note"]
        )
    return escalation_services.escalation_de_escalate(escalation=escalation, actor=actor, note=data["note"])


def _complete_work_order(actor: User, complaint: Complaint, data: dict[str, Any]) -> Any:
    order = complaint_work_order(complaint=complaint, pk=data["work_order"])
    if order is None:
        raise Http404
    return followup_services.work_order_complete(work_order=order, actor=actor, result=data["result"])


def _solution(u: User, c: Complaint, d: dict[str, Any]) -> Complaint:
    return solution.record_solution(
        complaint=c,
        actor=u,
        solution_type=d["solution_type"],
        text=d["text"],
        amount=d["amount"],
        refund_method=d["refund_method"],
        cash_reason=d["cash_reason"],
    )


def _approval(u: User, c: Complaint, d: dict[str, Any]) -> Any:
    return escalation_services.approval_request(
        complaint=c,
        actor=u,
        solution_type=d["solution_type"],
        text=d["text"],
        amount=d["amount"],
        refund_method=d["refund_method"],
        cash_reason=d["cash_reason"],
        reason=d["reason"],
    )


def _correct(u: User, c: Complaint, d: dict[str, Any]) -> Complaint:
    contact = {key: d[key] for key in ("phone", "email") if key in d}
    return services.complaint_update_details(
        complaint=c,
        actor=u,
        category=d["category"],
        subcategory=d["subcategory"],
        priority=d["priority"],
        product=d["product"],
        **contact,
    )


# action name → (form, act)
ACTIONS: dict[str, tuple[type[forms.forms.Form] | None, Callable[[User, Complaint, dict[str, Any]], Any]]] = {
    "accept": (None, lambda u, c, d: services.complaint_accept(complaint=c, actor=u)),
    "message": (
        forms.MessageForm,
        lambda u, c, d: conversation.add_message(
            complaint=c,
            actor=u,
            body=d["body"],
            kind=d["kind"],
            deliver=d["deliver"] if d["kind"] == "agent" else "",
            attachments=[Upload(filename=f.name, content=f) for f in d["files"]],
        ),
    ),
    "checklist": (
        forms.ChecklistForm,
        lambda u, c, d: services.complaint_check_item(complaint=c, actor=u, item=d["item"], done=d["done"]),
    ),
    "solution": (forms.SolutionForm, _solution),
    "approval": (forms.ApprovalForm, _approval),
    "agreement": (
        forms.AgreementForm,
        lambda u, c, d: services.complaint_record_agreement(complaint=c, actor=u, note=d["note"]),
    ),
    "follow_up": (
        forms.FollowUpForm,
        lambda u, c, d: follow_up.record_follow_up(
            complaint=c, actor=u, result=d["result"], comment=d["note"]
        ),
    ),
    "close_reason": (
        forms.ReasonForm,
        lambda u, c, d: services.complaint_set_close_reason(complaint=c, actor=u, reason=d["reason"]),
    ),
    "transition": (
        forms.TransitionForm,
        lambda u, c, d: stages.move(complaint=c, actor=u, to=d["to"], reason=d["reason"]),
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
    "work_order": (
        forms.WorkOrderForm,
        lambda u, c, d: followup_services.work_order_open(
            complaint=c, actor=u, department=d["department"], description=d["description"], due_at=d["due_at"]
        ),
    ),
    "work_order_done": (forms.WorkOrderDoneForm, _complete_work_order),
    "details": (forms.CorrectionForm, _correct),
}

#: Where a refusal's message goes: beside the field it is about, when the form has that field.
FIELD_OF_REFUSAL = {
    ErrorCode.ABOVE_AUTHORITY: "amount",
    ErrorCode.INVALID_AMOUNT: "amount",
    ErrorCode.WITHIN_AUTHORITY: "amount",
    ErrorCode.CASH_REASON_REQUIRED: "cash_reason",
    ErrorCode.REFUND_METHOD_REQUIRED: "refund_method",
    ErrorCode.SOLUTION_TEXT_REQUIRED: "text",
    ErrorCode.INVALID_SOLUTION: "solution_type",
    ErrorCode.REPLY_BLOCKED: "body",
    ErrorCode.BODY_REQUIRED: "body",
    ErrorCode.AGREEMENT_NOTE_REQUIRED: "note",
    ErrorCode.REASON_REQUIRED: "reason",
    ErrorCode.DUE_IN_PAST: "due_at",
    ErrorCode.RESULT_REQUIRED: "result",
    ErrorCode.UNKNOWN_USER: "to_user",
    ErrorCode.UNKNOWN_CATEGORY: "subcategory",
    ErrorCode.INVALID_PRIORITY: "priority",
}


def _refused(request: HttpRequest, complaint: Complaint, action: str, form: Any) -> HttpResponse:
    """The complaint page again, with the refused form as it was typed and its errors beside the
    fields: nothing typed is lost. A button's hidden form (a move, a tick) has nothing typed to
    keep: its refusal is a message on the page."""
    if action not in presenters.PAGE_FORMS:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect("web:complaint", reference=complaint.reference)
    context = presenters.complaint_page(request.user, complaint, bound={action: form})
    return render(request, "web/complaint_detail.html", context, status=400)


@login_required
@require_POST
def complaint_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    complaint = _complaint_or_404(request, reference)
    form_class, call = ACTIONS[action]
    form = (
        presenters.page_form(
            action, form_class, request.POST, request.FILES, user=request.user, complaint=complaint
        )
        if form_class is not None
        else None
    )
    if form is not None and not form.is_valid():
        return _refused(request, complaint, action, form)
    in_place = action == "checklist" and request.headers.get("HX-Request") == "true"
    try:
        result = call(request.user, complaint, form.cleaned_data if form is not None else {})
    except ComplaintError as error:
        if error.status == 403:
            return forbidden(request, error.message)
        if in_place:
            return _checklist(request, complaint, error=error.message)
        if form is None:
            messages.error(request, error.message)
            return redirect("web:complaint", reference=reference)
        if action == "solution" and error.code == ErrorCode.ABOVE_AUTHORITY:
            # Over the agent's authority: the same values, offered for approval (提交审批).
            form = presenters.page_form("approval", forms.ApprovalForm, request.POST, user=request.user)
            form.is_valid()
            form.errors.pop("reason", None)
        field = FIELD_OF_REFUSAL.get(error.code)
        form.add_error(field if field in form.fields else None, error.message)
        return _refused(request, complaint, action, form)
    if in_place:  # a tick happens in place: only the checklist is swapped, no reload
        return _checklist(request, result)
    messages.success(request, _("Request sent for approval.") if action == "approval" else _("Saved."))
    return redirect("web:complaint", reference=reference)


def _checklist(request: HttpRequest, complaint: Complaint, error: str = "") -> HttpResponse:
    context = {"complaint": complaint, "can_act": True, "error": error, **presenters.checklist_panel(complaint)}
    return render(request, "web/_checklist.html", context)


@login_required
@require_POST
def follow_up_link(request: HttpRequest, reference: str) -> HttpResponse:
    """发送回访链接: one click at 回访 texts the customer a single-use link; the page then shows the
    link and its expiry once (the token is kept nowhere else)."""
    complaint = _complaint_or_404(request, reference)
    try:
        issued = followup_services.follow_up_link_issue(
            complaint=complaint, actor=request.user, send_sms_to_base_url=request.build_absolute_uri("/")
        )
    except ComplaintError as error:
        if error.status == 403:
            return forbidden(request, error.message)
        messages.error(request, error.message)
    else:
        request.session[f"issued-link:{complaint.reference}"] = {
            "url": request.build_absolute_uri(issued.path),
            "expires_at": issued.link.expires_at.isoformat(),
            "sms": bool(complaint.customer.phone),
        }
        messages.success(request, _("Follow-up link sent."))
    return redirect("web:complaint", reference=reference)


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    """审批: the requests waiting for the user's decision (those sent to them, and those on
    complaints they supervise), with the ones they decided lately."""
    user = request.user
    if not user.has_perm("complaints.transfer_complaint") and not escalation_selectors.approvals_waiting_for(
        user
    ).exists():
        return forbidden(request)
    return render(request, "web/approvals.html", presenters.approvals_page(user))


@login_required
@require_POST
def approval_decide(request: HttpRequest, pk: int) -> HttpResponse:
    approval = escalation_selectors.approval_get(user=request.user, pk=pk)
    if approval is None:
        raise Http404
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or reject."))
        return redirect("web:approvals")
    try:
        decide_approval(
            approval=approval,
            actor=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        )
    except ComplaintError as error:
        if error.status == 403:
            return forbidden(request, error.message)
        return render(
            request,
            "web/approvals.html",
            presenters.approvals_page(request.user, refused={approval.pk: (error.message, form)}),
            status=400,
        )
    messages.success(request, _("Decision recorded."))
    return redirect("web:approvals")


@login_required
def attachment_download(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """An attachment, to those who may see the complaint; an ID document only to those who may
    see the customer's personal data unmasked (others see it listed as withheld)."""
    complaint = _complaint_or_404(request, reference)
    attachment = selectors.complaint_attachment(complaint=complaint, pk=pk)
    if attachment is None:
        raise Http404
    if not permissions.can_open_attachment(request.user, attachment):
        return forbidden(request, _("This document holds personal data your role does not see."))
    response = FileResponse(
        attachment_open(attachment), as_attachment=True, filename=attachment.filename, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def similar_view(request: HttpRequest, reference: str) -> HttpResponse:
    """The 相似投诉 panel, loaded by the complaint page after it is shown (HTMX), so that the
    page's own queries and time do not grow with the search."""
    complaint = _complaint_or_404(request, reference)
    return render(
        request, "web/_similar.html", {"complaint": complaint, **presenters.similar_panel(request.user, complaint)}
    )


@login_required
@require_POST
def check_reply_view(request: HttpRequest, reference: str) -> HttpResponse:
    """The reply checker as the agent types (HTMX, debounced) — the same rules refuse a
    blocked reply when it is sent."""
    complaint = _complaint_or_404(request, reference)
    if not permissions.can_act(request.user, complaint):
        return forbidden(request)
    text = request.POST.get("body", "")
    if len(text) > LIVE_MAX_CHARS:
        return render(request, "web/_reply_check.html", {"too_long": LIVE_MAX_CHARS})
    result = workbench.check_draft(
        text,
        authority_limit=float(request.user.effective_authority_limit()),
        messages=list(selectors.complaint_messages(complaint=complaint, include_notes=False)),
    )
    return render(request, "web/_reply_check.html", {"check": result, "empty": not text.strip()})


@login_required
def intake_page(request: HttpRequest) -> HttpResponse:
    """The agent's intake form (受理), checked by the same schema as the API and the importer."""
    if not request.user.has_perm("complaints.add_complaint"):
        return forbidden(request)
    form = forms.IntakeForm(request.POST or None, request.FILES or None, initial={"team": request.user.team_id})
    if request.method == "POST" and form.is_valid():
        try:
            complaint = intake.take_in(actor=request.user, **form.create_kwargs())
        except ComplaintError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Complaint %(ref)s recorded.") % {"ref": complaint.reference})
            return redirect("web:complaint", reference=complaint.reference)
    return render(request, "web/intake.html", {"form": form})


@login_required
def bulk_import(request: HttpRequest) -> HttpResponse:
    """Upload a file: it is stored, its job created, and the page moves to the job's progress."""
    if not request.user.has_perm("complaints.import_complaints"):
        return forbidden(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = start_import(actor=request.user, name=upload.name, stream=upload, size=upload.size)
        except ComplaintError as error:
            form.add_error("file", error.message)
        else:
            return redirect("web:import-job", pk=job.pk)
    limits = import_limits()
    context = {
        "form": form,
        "jobs": import_selectors.recent_jobs(user=request.user, kind=JobKind.COMPLAINTS),
        "limits": {
            "mib": round(limits.max_bytes / 1_048_576, 1),
            "unpacked_mib": round(limits.max_unpacked_bytes / 1_048_576, 1),
            "max_rows": limits.max_rows,
            "max_columns": limits.max_columns,
            "max_cell_chars": limits.max_cell_chars,
        },
    }
    return render(request, "web/import.html", context)


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """One import's progress (polled by HTMX while it runs) and, at the end, its per-row report: of
    complaints, or of call and chat transcripts (quality inspection's import)."""
    job = import_selectors.job_get(user=request.user, pk=pk)
    if job is None:
        if not any(import_selectors.may_import(request.user, kind) for kind in JobKind.values):
            return forbidden(request)
        raise Http404
    if not import_selectors.may_import(request.user, job.kind):
        return forbidden(request)
    outcome = request.GET.get("outcome", "")
    if outcome not in RowOutcome.values:
        outcome = ""
    page = Paginator(import_selectors.job_rows(job=job, outcome=outcome), 100).get_page(request.GET.get("page"))
    visible = (
        import_selectors.references_visible(user=request.user, rows=page.object_list)
        if job.kind == JobKind.COMPLAINTS
        else set()
    )
    context = {"job": job, "page": page, "outcome": outcome, "visible": visible}
    if request.headers.get("HX-Request") == "true":
        return render(request, "web/_import_job.html", context)
    return render(request, "web/import_job.html", context)
