"""Quality-inspection pages under /qa/. Views parse the request, call one service or selector, and
render; who may do what is decided by :mod:`kesu.qa.permissions`, called by the services again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from kesu.accounts.models import Team, User
from kesu.complaints import selectors as complaint_selectors
from kesu.complaints.errors import ComplaintError, PermissionRefused
from kesu.imports import selectors as import_selectors
from kesu.imports.models import JobKind
from kesu.metrics import exports
from kesu.qa import display, forms, permissions, selectors, services
from kesu.qa.models import (
    Appeal,
    AppealStatus,
    Calibration,
    Inspection,
    InspectionReason,
    InspectionStatus,
    ItemKind,
    SamplingPlan,
    Transcript,
)

PAGE_SIZE = 25
EVENT_LABELS = {
    "scored": _lazy("Scored automatically"),
    "item_scored": _lazy("Item scored"),
    "item_overridden": _lazy("Automatic score overridden"),
    "completed": _lazy("Completed"),
    "appeal_raised": _lazy("Appealed"),
    "appeal_decided": _lazy("Appeal decided"),
}


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _label(pair: tuple[str, str]) -> str:
    return (pair[1] or pair[0]) if _english() else pair[0]


def _refuse(request: HttpRequest, message: str | None = None) -> HttpResponse:
    return HttpResponseForbidden(message or _("You do not have permission to do this."))


def _errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- home and lists -------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The QA home: the queue for inspectors, appeals for team leads, own results for agents, and
    the latest results for those who read them."""
    user = request.user
    if not permissions.can_use_qa(user):
        return _refuse(request)
    inspector = permissions.can_inspect(user)
    filters = selectors.QueueFilters(
        team_id=_int(request.GET.get("team")), reason=request.GET.get("reason", "")
    )
    context: dict[str, Any] = {"inspector": inspector}
    if inspector:
        page = Paginator(selectors.inspection_queue(user=user, filters=filters), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context.update(
            queue=page,
            plans=SamplingPlan.objects.filter(active=True).select_related("team"),
            draws=_recent_draws(),
            teams=Team.objects.all(),
            reasons=InspectionReason.choices,
            current=request.GET,
            this_month=selectors.parse_month(None).strftime("%Y-%m"),
            last_month=selectors.add_months(selectors.parse_month(None), -1).strftime("%Y-%m"),
            draw_form=forms.DrawForm(),
            inspect_form=forms.InspectComplaintForm(),
        )
    if user.has_perm("qa.decide_appeal"):
        context["appeals"] = list(selectors.appeals_to_decide(user=user)[:20])
    if permissions.sees_own(user):
        context["mine"] = list(selectors.own_results(user=user)[:10])
    if permissions.sees_all(user) or permissions.sees_team(user):
        done = selectors.QueueFilters(status=InspectionStatus.COMPLETED)
        recent = selectors.inspection_queue(user=user, filters=done)
        if not (permissions.sees_all(user) or inspector):
            recent = recent.filter(team_id=user.team_id)
        context["recent"] = list(recent[:10])
    context["can_report"] = _can_report(user)
    return render(request, "qa/home.html", context)


def _recent_draws():
    from kesu.qa.models import SampleDraw

    return SampleDraw.objects.select_related("plan", "drawn_by").order_by("-drawn_at")[:5]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _can_report(user: User) -> bool:
    return permissions.sees_all(user) or permissions.can_inspect(user) or permissions.sees_team(user)


@login_required
def my_results(request: HttpRequest) -> HttpResponse:
    if not permissions.sees_own(request.user):
        return _refuse(request)
    page = Paginator(selectors.own_results(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "qa/mine.html", {"page": page})


@login_required
def appeals(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("qa.decide_appeal"):
        return _refuse(request)
    decided = (
        Appeal.objects.exclude(status=AppealStatus.PENDING)
        .filter(inspection__team_id=user.team_id)
        .select_related("inspection", "inspection__agent", "decided_by")
        .order_by("-decided_at")[:20]
    )
    return render(
        request,
        "qa/appeals.html",
        {"pending": list(selectors.appeals_to_decide(user=user)), "decided": list(decided)},
    )


# --- the inspection page --------------------------------------------------------------------------


def _inspection_or_404(request: HttpRequest, pk: int) -> Inspection:
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    if inspection is None:
        raise Http404
    return inspection


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = _inspection_or_404(request, pk)
    return render(request, "qa/inspection.html", _inspection_context(request, inspection))


def _inspection_context(request: HttpRequest, inspection: Inspection) -> dict[str, Any]:
    user = request.user
    items = {item.code: item for item in inspection.scorecard.items.all()}
    results = list(inspection.results.all())
    labels = {code: _label((item.label, item.label_en)) for code, item in items.items()}
    mask = not user.has_perm("complaints.view_customer_pii")
    turns = inspection.transcript.turns
    english = _english()
    rows = []
    for result in results:
        item = items.get(result.code)
        rows.append(
            {
                "result": result,
                "label": labels.get(result.code, result.code),
                "description": (item.description_en or item.description)
                if item and english
                else (item.description if item else ""),
                "reason": (result.reason_en or result.reason_zh) if english else result.reason_zh,
                "quotes": display.excerpt(result, mask=mask),
                "auto": None if result.auto_score is None else round(result.auto_score * 100),
                "final": None if result.score is None else round(result.score * 100),
                "manual": result.kind == ItemKind.MANUAL,
                "assisted": result.kind == ItemKind.ASSISTED,
            }
        )
    appeal = getattr(inspection, "appeal", None)  # a missing reverse one-to-one is an AttributeError
    can_decide = appeal is not None and permissions.can_decide(user, appeal)
    disputed = [(code, labels.get(code, code)) for code in (appeal.items if appeal else [])]
    return {
        "inspection": inspection,
        "rows": rows,
        "turns": display.transcript_rows(turns, results, mask=mask, labels=labels),
        "appeal": appeal,
        "can_score": permissions.can_score(user, inspection),
        "can_appeal": permissions.can_appeal(user, inspection),
        "can_decide": can_decide,
        "appeal_form": forms.AppealForm(
            item_choices=[(r.code, labels.get(r.code, r.code)) for r in results if r.applicable]
        ),
        "decision_form": forms.DecisionForm(items=disputed) if can_decide else None,
        "score_choices": forms.SCORE_CHOICES,
        "events": [
            {
                "event": e,
                "label": EVENT_LABELS.get(e.action, e.action),
                "changes": [(key, pair[0], pair[1]) for key, pair in (e.changes or {}).items()],
            }
            for e in selectors.inspection_events(inspection=inspection)
        ]
        if permissions.can_inspect(user) or permissions.sees_all(user) or can_decide
        else None,
        "pending": [labels.get(r.code, r.code) for r in results if r.pending and r.kind == ItemKind.MANUAL],
    }


def _score(user: User, inspection: Inspection, data: dict[str, Any]) -> Any:
    return services.inspection_score_item(
        inspection=inspection,
        actor=user,
        code=data["code"],
        score=data["score"],
        reason=data["reason"],
        not_applicable=data["not_applicable"],
    )


def _appeal(user: User, inspection: Inspection, data: dict[str, Any]) -> Any:
    return services.appeal_raise(
        inspection=inspection, actor=user, reason=data["reason"], items=data["items"]
    )


ACTIONS: dict[str, tuple[Any, Callable[[User, Inspection, dict[str, Any]], Any]]] = {
    "score": (forms.ItemScoreForm, _score),
    "complete": (
        forms.CompleteForm,
        lambda u, i, d: services.inspection_complete(inspection=i, actor=u, note=d["note"]),
    ),
    "appeal": (forms.AppealForm, _appeal),
}


@login_required
@require_POST
def inspection_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    inspection = _inspection_or_404(request, pk)
    back = redirect("qa:inspection", pk=pk)
    if action == "decide":
        return _decide(request, inspection)
    if action not in ACTIONS:
        raise Http404
    form_class, call = ACTIONS[action]
    if form_class is forms.AppealForm:
        codes = list(inspection.results.values_list("code", "code"))
        form = form_class(request.POST, item_choices=codes)
    else:
        form = form_class(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return back
    try:
        call(request.user, inspection, form.cleaned_data)
    except ComplaintError as error:
        if error.status == 403:
            return _refuse(request, error.message)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return back


def _decide(request: HttpRequest, inspection: Inspection) -> HttpResponse:
    appeal = Appeal.objects.filter(inspection=inspection).first()
    if appeal is None:
        raise Http404
    form = forms.DecisionForm(request.POST, items=[(code, code) for code in appeal.items])
    if not form.is_valid():
        _errors(request, form)
        return redirect("qa:inspection", pk=inspection.pk)
    try:
        services.appeal_decide(
            appeal=appeal,
            actor=request.user,
            upheld=form.cleaned_data["decision"] == "uphold",
            note=form.cleaned_data["note"],
            scores=form.scores(),
        )
    except ComplaintError as error:
        if error.status == 403:
            return _refuse(request, error.message)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Appeal decided."))
    return redirect("qa:inspection", pk=inspection.pk)


# --- inspectors' acts -----------------------------------------------------------------------------


@login_required
@require_POST
def draw(request: HttpRequest) -> HttpResponse:
    if not permissions.can_inspect(request.user):
        return _refuse(request)
    form = forms.DrawForm(request.POST)
    if form.is_valid():
        plan = SamplingPlan.objects.filter(pk=form.cleaned_data["plan"], active=True).first()
        if plan is None:
            raise Http404
        month = selectors.parse_month(form.cleaned_data["month"])
        try:
            drawn = services.sample_draw(plan=plan, month=month, actor=request.user)
        except ComplaintError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(plan)s, %(month)s: %(picked)d inspections from %(candidates)d closed complaints.")
                % {
                    "plan": plan.name,
                    "month": month.strftime("%Y-%m"),
                    "picked": drawn.picked,
                    "candidates": drawn.candidates,
                },
            )
    else:
        _errors(request, form)
    return redirect("qa:home")


@login_required
@require_POST
def inspect_complaint(request: HttpRequest) -> HttpResponse:
    if not permissions.can_inspect(request.user):
        return _refuse(request)
    form = forms.InspectComplaintForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("qa:home")
    complaint = complaint_selectors.complaint_get(
        user=request.user, reference=form.cleaned_data["reference"].strip()
    )
    if complaint is None:
        messages.error(request, _("Unknown complaint: %(ref)s.") % {"ref": form.cleaned_data["reference"]})
        return redirect("qa:home")
    try:
        inspection = services.inspect_complaint(complaint=complaint, actor=request.user)
    except ComplaintError as error:
        messages.error(request, error.message)
        return redirect("qa:home")
    return redirect("qa:inspection", pk=inspection.pk)


@login_required
def import_transcripts(request: HttpRequest) -> HttpResponse:
    """Upload a transcript file: checked whole here, then imported by a background job whose page
    shows its progress and, at the end, a line of report per transcript."""
    if not permissions.can_import(request.user):
        return _refuse(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        complaint = None
        reference = form.cleaned_data["complaint"].strip()
        if reference:
            complaint = complaint_selectors.complaint_get(user=request.user, reference=reference)
            if complaint is None:
                form.add_error("complaint", _("Unknown complaint: %(ref)s.") % {"ref": reference})
        if not form.errors:
            try:
                job = services.transcripts_import_start(
                    actor=request.user,
                    name=upload.name,
                    stream=upload,
                    size=upload.size,
                    complaint=complaint,
                    inspect=form.cleaned_data["inspect"],
                )
            except ComplaintError as error:
                form.add_error("file", error.message)
            else:
                return redirect("web:import-job", pk=job.pk)
    jobs = import_selectors.recent_jobs(user=request.user, kind=JobKind.TRANSCRIPTS)
    return render(request, "qa/import.html", {"form": form, "jobs": jobs})


# --- calibration ----------------------------------------------------------------------------------


@login_required
def calibrations(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (permissions.can_inspect(user) or permissions.sees_all(user)):
        return _refuse(request)
    recent = Transcript.objects.select_related("agent", "complaint").order_by("-created_at")[:30]
    choices = [
        (str(t.pk), f"#{t.pk} · {t.complaint or t.external_ref or '—'} · {t.agent or '—'}") for t in recent
    ]
    form = forms.CalibrationForm(
        request.POST or None, transcript_choices=choices, initial={"first": user.username}
    )
    if request.method == "POST":
        if not permissions.can_inspect(user):
            return _refuse(request)
        if form.is_valid():
            first = User.objects.filter(username=form.cleaned_data["first"]).first()
            second = User.objects.filter(username=form.cleaned_data["second"]).first()
            if first is None or second is None:
                form.add_error(None, _("Unknown inspector."))
            else:
                try:
                    calibration = services.calibration_create(
                        actor=user,
                        name=form.cleaned_data["name"],
                        transcripts=Transcript.objects.filter(pk__in=form.cleaned_data["transcripts"]),
                        first=first,
                        second=second,
                    )
                except ComplaintError as error:
                    form.add_error(None, error.message)
                else:
                    return redirect("qa:calibration", pk=calibration.pk)
    listing = Calibration.objects.select_related("first_inspector", "second_inspector").order_by(
        "-created_at"
    )[:30]
    return render(
        request,
        "qa/calibrations.html",
        {"calibrations": listing, "form": form, "can_create": permissions.can_inspect(user)},
    )


@login_required
def calibration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not (permissions.can_inspect(request.user) or permissions.sees_all(request.user)):
        return _refuse(request)
    calibration = (
        Calibration.objects.filter(pk=pk).select_related("first_inspector", "second_inspector").first()
    )
    if calibration is None:
        raise Http404
    view = selectors.calibration_view(calibration=calibration)
    labels = {code: _label(pair) for code, pair in selectors.item_labels(calibration.scorecard).items()}
    by_item = [
        {
            "label": labels.get(code, code),
            "agreeing": a,
            "compared": n,
            "share": round(100 * a / n) if n else None,
        }
        for code, (a, n) in view.agreement.by_item.items()
    ]
    return render(request, "qa/calibration.html", {"view": view, "by_item": by_item})


# --- the roll-up ----------------------------------------------------------------------------------


def _rollup(request: HttpRequest) -> selectors.Rollup:
    month = selectors.parse_month(request.GET.get("month"))
    team_id = selectors.rollup_team_scope(user=request.user, team_id=_int(request.GET.get("team")))
    with_kpis = request.user.has_perm("qa.view_team_inspections") or permissions.sees_all(request.user)
    return selectors.rollup(month=month, team_id=team_id, with_kpis=with_kpis)


@login_required
def report(request: HttpRequest) -> HttpResponse:
    try:
        rollup = _rollup(request)
    except PermissionRefused as error:
        return _refuse(request, error.message)
    codes = rollup.items
    labels = {code: _label(rollup.labels.get(code, (code, code))) for code in codes}
    agents = []
    for row in rollup.by_agent:
        cells = rollup.heatmap.get(row["agent_id"], {})
        agents.append(
            {
                **row,
                "name": row["agent__display_name"] or row["agent__username"] or "—",
                "cells": [{"code": c, "value": cells.get(c), "weak": _weak(cells.get(c))} for c in codes],
                "kpis": rollup.kpis.get(row["agent_id"]),
            }
        )
    query = request.GET.urlencode()
    return render(
        request,
        "qa/report.html",
        {
            "rollup": rollup,
            "month": rollup.month.strftime("%Y-%m"),
            "codes": [
                {
                    "code": c,
                    "label": labels[c],
                    "mean": rollup.item_means.get(c),
                    "weak": _weak(rollup.item_means.get(c)),
                }
                for c in codes
            ],
            "agents": agents,
            "teams": Team.objects.all()
            if permissions.sees_all(request.user) or permissions.can_inspect(request.user)
            else [],
            "show_kpis": bool(rollup.kpis) or request.user.has_perm("qa.view_team_inspections"),
            "csv_link": f"{reverse('qa:export', kwargs={'fmt': 'csv'})}?{query}",
            "xlsx_link": f"{reverse('qa:export', kwargs={'fmt': 'xlsx'})}?{query}",
            "trend_json": rollup.trend,
        },
    )


def _weak(value: float | None) -> bool:
    return value is not None and value < selectors.WEAK_BELOW * 100


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        rollup = _rollup(request)
    except PermissionRefused as error:
        return _refuse(request, error.message)
    codes = rollup.items
    labels = [_label(rollup.labels.get(c, (c, c))) for c in codes]
    agent_rows = [
        [
            row["agent__username"] or "",
            row["agent__display_name"] or "",
            row["team__name"] or "",
            row["inspections"],
            row["score"],
            row["communication"],
            row["failed"],
            *[rollup.heatmap.get(row["agent_id"], {}).get(c) for c in codes],
        ]
        for row in rollup.by_agent
    ]
    sheets: list[exports.Sheet] = [
        (
            _("By agent"),
            [
                _("Agent"),
                _("Name"),
                _("Team"),
                _("Inspections"),
                _("QA score"),
                _("Communication score"),
                _("Failed"),
                *labels,
            ],
            agent_rows,
        ),
        (
            _("By team"),
            [_("Team"), _("Inspections"), _("QA score"), _("Communication score"), _("Failed")],
            [
                [r["team__name"] or "", r["inspections"], r["score"], r["communication"], r["failed"]]
                for r in rollup.by_team
            ],
        ),
        (
            _("Trend"),
            [_("Month"), _("Inspections"), _("QA score"), _("Communication score")],
            [[t["month"], t["inspections"], t["score"], t["communication"]] for t in rollup.trend],
        ),
    ]
    name = f"qa-{rollup.month:%Y-%m}"
    if fmt == "xlsx":
        return exports.xlsx_response(name, sheets)
    return exports.csv_response(name, sheets)
