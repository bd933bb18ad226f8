"""The loop's pages under /reviews/. Views parse the request, call one service or selector, and
render; who may do what is decided by :mod:`kesu.reviews.permissions`, asked again by the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kesu.accounts.models import Team, User
from kesu.complaints import permissions as complaint_permissions
from kesu.complaints import selectors as complaint_selectors
from kesu.complaints.errors import ComplaintError
from kesu.complaints.models import Category
from kesu.core import privacy
from kesu.metrics.periods import parse_period
from kesu.reviews import display, forms, permissions, selectors, services
from kesu.reviews.models import ActionStatus, ImprovementAction, Opportunity, RootCause, Touchpoint

PAGE_SIZE = 25


def _refuse(message: str | None = None) -> HttpResponse:
    return HttpResponseForbidden(message or _("You do not have permission to do this."))


def _errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _period(request: HttpRequest) -> tuple[selectors.Period, Any]:
    """The period of ``?month=`` or ``?from=&to=`` (the dashboard's), and the team: one's own team
    unless one reads every team's reviews."""
    period = parse_period(request.GET)
    team = request.GET.get("team", "")
    team_id = int(team) if team.isdigit() else None
    if not permissions.sees_all(request.user):
        team_id = request.user.team_id
    return selectors.Period(period.start, period.end, team_id), period


# --- home: what is due, what waits for approval -----------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can_use_reviews(user):
        return _refuse()
    due = [
        {"complaint": c, "reasons": [display.reason_label(r) for r in reasons]}
        for c, reasons in selectors.reviews_due(user=user, limit=20)
    ]
    context = {
        "due": due,
        "to_approve": list(selectors.reviews_to_approve(user=user)[:20])
        if user.has_perm("reviews.approve_review")
        else None,
        "recent": list(selectors.review_list(user=user)[:20]),
        "can_manage": permissions.can_manage_actions(user),
    }
    return render(request, "reviews/home.html", context)


@login_required
@require_POST
def start(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = complaint_selectors.complaint_get(user=request.user, reference=reference)
    if complaint is None:
        raise Http404
    existing = selectors.review_of(complaint)
    if existing is not None and permissions.can_view(request.user, existing):
        return redirect("reviews:review", existing.pk)
    try:
        review = services.review_start(complaint=complaint, actor=request.user)
    except ComplaintError as error:
        messages.error(request, error.message)
        return redirect("web:complaint", reference)
    return redirect("reviews:review", review.pk)


# --- one review ------------------------------------------------------------------------------------


def _review_form(review, data=None) -> forms.ReviewForm:
    causes = [c for _branch, leaves in selectors.root_cause_tree() for c in [_branch, *leaves]]
    marks = selectors.complaint_touchpoints(review.complaint)
    initial = {
        **{name: getattr(review, name) for name in services.STAR_L},
        "staff_member": review.staff_member_id,
        "staff_role": review.staff_role,
        "root_causes": [c.code for c in review.root_causes.all()],
        "touchpoints": [m.touchpoint.code for m in marks],
    }
    return forms.ReviewForm(
        data,
        initial=initial,
        staff=selectors.users_of(review.team_id),
        causes=causes,
        touchpoints=selectors.touchpoints(),
    )


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(user=request.user, pk=pk)
    if review is None:
        raise Http404
    user = request.user
    pii = complaint_permissions.can_see_pii(user, review.complaint)
    chain = review.chain or {}
    if not pii:
        # what quotes the customer is masked for who does not see the complaint's personal data, as in
        # the API (reviews/api.py) and everywhere derived text is shown
        chain = privacy.mask_derived(chain)
    star = {
        f: getattr(review, f) if pii else privacy.mask_text(getattr(review, f))
        for f in ("situation", "task", "action", "result", "lesson")
    }
    name = review.complaint.customer.name
    marks = selectors.complaint_touchpoints(review.complaint)
    context = {
        "review": review,
        "star": star,
        "customer_name": name if pii else privacy.mask_name(name),
        "complaint": review.complaint,
        "reasons": [display.reason_label(r) for r in review.reasons],
        "arc": [display.arc_label(step) for step in chain.get("emotion_arc", [])],
        "chain": chain,
        "marks": marks,
        "tree": selectors.root_cause_tree(),
        "form": _review_form(review),
        "can_edit": permissions.can_edit(user, review),
        "can_approve": permissions.can_approve(user, review),
        "decision_form": forms.DecisionForm(),
        "can_manage": permissions.can_manage_actions(user),
        "actions": list(review.actions.all()),
        "action_form": _action_form(initial={"review": review.pk, "root_cause": _first_cause(review)}),
        "opportunities": list(selectors.opportunities_of(review.complaint)),
        "opportunity_form": forms.OpportunityForm(),
        "can_record": permissions.can_record_opportunity(user, review.complaint),
        "events": list(review.events.select_related("actor")),
    }
    return render(request, "reviews/review.html", context)


def _first_cause(review) -> str:
    cause = review.root_causes.first()
    return cause.code if cause else ""


@login_required
@require_POST
def review_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    review = selectors.review_get(user=request.user, pk=pk)
    if review is None:
        raise Http404
    try:
        if action == "save" or action == "submit":
            form = _review_form(review, request.POST)
            if not form.is_valid():
                _errors(request, form)
                return redirect("reviews:review", pk)
            data = form.cleaned_data
            staff = User.objects.filter(pk=data["staff_member"]).first() if data["staff_member"] else None
            services.review_save(
                review=review,
                actor=request.user,
                fields={name: data[name] for name in services.STAR_L},
                root_causes=data["root_causes"],
                touchpoints=data["touchpoints"],
                staff_member=staff,
                staff_role=data["staff_role"],
            )
            if action == "submit":
                services.review_submit(review=review, actor=request.user)
                messages.success(request, _("Submitted for approval."))
            else:
                messages.success(request, _("Saved."))
        elif action == "decide":
            form = forms.DecisionForm(request.POST)
            if not form.is_valid():
                _errors(request, form)
                return redirect("reviews:review", pk)
            approve = form.cleaned_data["decision"] == "approve"
            services.review_decide(
                review=review, actor=request.user, approve=approve, note=form.cleaned_data["note"]
            )
            messages.success(request, _("Approved.") if approve else _("Returned to the owner."))
        else:
            raise Http404
    except ComplaintError as error:
        messages.error(request, error.message)
    return redirect("reviews:review", pk)


# --- the journey map and the root causes ------------------------------------------------------------


@login_required
def journey(request: HttpRequest) -> HttpResponse:
    if not permissions.can_use_reviews(request.user):
        return _refuse()
    try:
        period, shown = _period(request)
    except ComplaintError as error:
        return HttpResponseBadRequest(error.message)
    rows = selectors.journey(period)
    peak = max((r["volume"] for r in rows), default=0) or 1
    for row in rows:
        row["name"] = display.name_of(row["touchpoint"])
        row["width"] = round(100 * row["volume"] / peak)
    context = {
        "handling": [r for r in rows if r["touchpoint"].phase == "handling"],
        "arising": [r for r in rows if r["touchpoint"].phase == "arising"],
        "period": shown,
        "teams": Team.objects.order_by("name"),
        "current": request.GET,
        "query": request.GET.urlencode(),
    }
    return render(request, "reviews/journey.html", context)


@login_required
def touchpoint_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The drill-down of one touchpoint (an HTMX fragment in the journey page, a page on its own)."""
    if not permissions.can_use_reviews(request.user):
        return _refuse()
    touchpoint = Touchpoint.objects.filter(code=code).first()
    if touchpoint is None:
        raise Http404
    period, shown = _period(request)
    page = Paginator(
        selectors.touchpoint_complaints(user=request.user, touchpoint=touchpoint, period=period), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    template = "reviews/_touchpoint.html" if request.htmx else "reviews/touchpoint.html"
    return render(
        request,
        template,
        {"touchpoint": touchpoint, "name": display.name_of(touchpoint), "page": page, "period": shown},
    )


@login_required
def causes(request: HttpRequest) -> HttpResponse:
    if not permissions.can_use_reviews(request.user):
        return _refuse()
    period, shown = _period(request)
    return render(
        request,
        "reviews/causes.html",
        {
            "pareto": selectors.root_cause_pareto(period),
            "tree": selectors.root_cause_tree(),
            "period": shown,
            "teams": Team.objects.order_by("name"),
            "current": request.GET,
        },
    )


# --- improvement actions ---------------------------------------------------------------------------


def _action_form(data=None, initial=None) -> forms.ActionForm:
    causes = list(RootCause.objects.filter(active=True))
    return forms.ActionForm(
        data,
        initial=initial,
        users=selectors.users_of(None),
        causes=causes,
        touchpoints=selectors.touchpoints(),
        categories=Category.objects.all(),
        teams=Team.objects.order_by("name"),
    )


@login_required
def actions(request: HttpRequest) -> HttpResponse:
    if not permissions.can_use_reviews(request.user):
        return _refuse()
    board = list(selectors.action_board())
    columns = [
        {"status": value, "label": label, "rows": [a for a in board if a.status == value]}
        for value, label in ActionStatus.choices
    ]
    done = [a for a in board if a.status == ActionStatus.DONE]
    effects = {a.pk: selectors.action_effect(a) for a in done}
    for column in columns:
        for row in column["rows"]:
            row.measured = effects.get(row.pk)
    return render(
        request,
        "reviews/actions.html",
        {
            "columns": columns,
            "can_manage": permissions.can_manage_actions(request.user),
            "form": _action_form(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def action_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_actions(request.user):
        return _refuse()
    form = _action_form(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect(request.POST.get("next") or "reviews:actions")
    data = form.cleaned_data
    review = selectors.review_get(user=request.user, pk=data["review"]) if data.get("review") else None
    try:
        action = services.action_create(
            actor=request.user,
            title=data["title"],
            description=data["description"],
            owner=User.objects.get(pk=data["owner"]),
            department=data["department"],
            due_date=data["due_date"],
            root_cause=RootCause.objects.filter(code=data["root_cause"]).first(),
            reviews=[review] if review else [],
            measure_rate=data["measure_rate"],
            measure_category=Category.objects.filter(pk=data["measure_category"]).first(),
            measure_root_cause=RootCause.objects.filter(code=data["measure_root_cause"]).first(),
            measure_touchpoint=Touchpoint.objects.filter(code=data["measure_touchpoint"]).first(),
            measure_product=data["measure_product"],
            measure_team=Team.objects.filter(pk=data["measure_team"]).first(),
        )
    except ComplaintError as error:
        messages.error(request, error.message)
        return redirect("reviews:actions")
    messages.success(request, _("Improvement action created."))
    return redirect("reviews:action", action.pk)


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not permissions.can_use_reviews(request.user):
        return _refuse()
    action = selectors.action_get(pk)
    if action is None:
        raise Http404
    measured = selectors.action_effect(action)
    return render(
        request,
        "reviews/action.html",
        {
            "action": action,
            "measured": measured,
            "statuses": ActionStatus.choices,
            "can_change": permissions.can_manage_actions(request.user) or action.owner_id == request.user.pk,
            "window": selectors.policy().effect_window_days,
            "min_count": selectors.policy().min_effect_count,
        },
    )


@login_required
@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    action = ImprovementAction.objects.filter(pk=pk).first()
    if action is None:
        raise Http404
    try:
        services.action_set_status(action=action, actor=request.user, status=request.POST.get("status", ""))
    except ComplaintError as error:
        messages.error(request, error.message)
    return redirect("reviews:action", pk)


# --- team figures and opportunities ---------------------------------------------------------------


@login_required
def teams(request: HttpRequest) -> HttpResponse:
    if not permissions.can_use_reviews(request.user):
        return _refuse()
    month = timezone.localdate().replace(day=1)
    return render(
        request, "reviews/teams.html", {"rows": selectors.team_figures(month=month), "month": month}
    )


@login_required
def opportunities(request: HttpRequest) -> HttpResponse:
    if not permissions.can_use_reviews(request.user):
        return _refuse()
    page = Paginator(selectors.opportunity_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "reviews/opportunities.html", {"page": page, "outcome_form": forms.OutcomeForm()})


@login_required
@require_POST
def opportunity_add(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = complaint_selectors.complaint_get(user=request.user, reference=reference)
    if complaint is None:
        raise Http404
    form = forms.OpportunityForm(request.POST)
    back = request.POST.get("next") or reverse("reviews:opportunities")
    if not form.is_valid():
        _errors(request, form)
        return redirect(back)
    try:
        services.opportunity_record(complaint=complaint, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Opportunity recorded."))
    except ComplaintError as error:
        messages.error(request, error.message)
    return redirect(back)


@login_required
@require_POST
def opportunity_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = Opportunity.objects.filter(pk=pk).first()
    if opportunity is None:
        raise Http404
    form = forms.OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.opportunity_close(opportunity=opportunity, actor=request.user, **form.cleaned_data)
        except ComplaintError as error:
            messages.error(request, error.message)
    else:
        _errors(request, form)
    return redirect("reviews:opportunities")


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """The monthly report's section (loaded by HTMX): the reviews of the month's complaints."""
    if not (
        permissions.can_use_reviews(request.user) or request.user.has_perm("complaints.transfer_complaint")
    ):
        return _refuse()
    try:
        period, shown = _period(request)
    except ComplaintError as error:
        return HttpResponseBadRequest(error.message)
    rows = selectors.review_list(user=request.user).filter(period.reviews())
    return render(
        request,
        "reviews/_report.html",
        {"rows": list(rows[:50]), "pareto": selectors.root_cause_pareto(period)[:5], "period": shown},
    )


# --- the dashboard's panel ------------------------------------------------------------------------


@login_required
def panel(request: HttpRequest) -> HttpResponse:
    """The KPI dashboard's loop panel (loaded by HTMX): the root-cause Pareto, the journey strip,
    the actions and their effect, for the dashboard's period."""
    if not (
        permissions.can_use_reviews(request.user) or request.user.has_perm("complaints.transfer_complaint")
    ):
        return _refuse()
    try:
        period, shown = _period(request)
    except ComplaintError as error:
        return HttpResponseBadRequest(error.message)
    strip = [r for r in selectors.journey(period) if r["volume"]]
    for row in strip:
        row["name"] = display.name_of(row["touchpoint"])
    done = list(selectors.action_board(status=ActionStatus.DONE)[:5])
    for action in done:
        action.measured = selectors.action_effect(action)
    return render(
        request,
        "reviews/_panel.html",
        {
            "pareto": selectors.root_cause_pareto(period)[:8],
            "strip": strip,
            "open_actions": selectors.action_board()
            .exclude(status__in=[ActionStatus.DONE, ActionStatus.CANCELLED])
            .count(),
            "overdue": selectors.action_board()
            .filter(
                status__in=[ActionStatus.PLANNED, ActionStatus.IN_PROGRESS], due_date__lt=timezone.localdate()
            )
            .count(),
            "done": done,
            "period": shown,
            "query": request.GET.urlencode(),
            "reviews_of_period": selectors.review_list(user=request.user).filter(period.reviews()).count(),
        },
    )
