"""The KPI dashboard (SPEC §7), the complaints behind each figure, exports and the monthly
report. Views parse the request, ask :mod:`kesu.metrics.selectors` and render; the permission
is checked on the server by :func:`~kesu.metrics.permissions.dashboard_scope`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from kesu.complaints import vocabulary
from kesu.complaints.errors import ComplaintError, PermissionRefused
from kesu.complaints.vocabulary import EMOTION_LABELS
from kesu.core import kpi, privacy
from kesu.customers.selectors import tier_choices
from kesu.metrics import charts, export_jobs, exports, permissions, selectors
from kesu.metrics.models import KEEP_FILES, KPI_LABELS, SCHEME_LABELS, ExportJob
from kesu.metrics.periods import Period, parse_period
from kesu.metrics.permissions import Scope
from kesu.metrics.selectors import Dashboard

ASSESSMENT_LABELS = {"met": _lazy("Met"), "near": _lazy("Near the target"), "missed": _lazy("Missed")}


def _team(params: dict[str, str]) -> int | None:
    return export_jobs.team_param(params)


def request_scope(request: HttpRequest) -> tuple[Period, Scope]:
    params = request.GET.dict()
    period = parse_period(params)
    scope = permissions.dashboard_scope(
        user=request.user, team_id=_team(params), tier_code=params.get("tier", "")
    )
    return period, scope


def _refused(request: HttpRequest, error: ComplaintError) -> HttpResponse:
    return render(request, "metrics/refused.html", {"message": error.message}, status=error.status)


def _query(period: Period, scope: Scope, **extra: str) -> str:
    return urlencode({**period.as_query(), **scope.as_query(), **{k: v for k, v in extra.items() if v != ""}})


def figure_link(period: Period, scope: Scope, figure: str, part: str = "", value: str = "") -> str:
    return f"{reverse('metrics:complaints')}?{_query(period, scope, figure=figure, part=part, value=value)}"


def queue_link(period: Period, scope: Scope, **filters: str) -> str:
    """The complaint queue with the same period and scope (its filters: category, team, tier …)."""
    query = {
        "received_after": period.start.isoformat(),
        "received_before": period.end.isoformat(),
        **({"team": str(scope.team_id)} if scope.team_id else {}),
        **({"tier": scope.tier_code} if scope.tier_code else {}),
        **filters,
    }
    return f"{reverse('web:queue')}?{urlencode(query)}"


def dashboard_context(board: Dashboard) -> dict[str, Any]:
    """The dashboard as plain data for the template, the charts and the API, with links."""
    period, scope = board.period, board.scope

    def with_links(figure: selectors.Figure, value: str = "") -> dict[str, Any]:
        data = figure.as_dict()
        data["assessment_label"] = str(ASSESSMENT_LABELS.get(data["assessment"] or "", ""))
        for target in data["targets"]:
            target["label"] = str(SCHEME_LABELS[kpi.TargetScheme(target["scheme"])])
            target["assessment_label"] = str(ASSESSMENT_LABELS.get(target["assessment"] or "", ""))
        data["link"] = figure_link(period, scope, figure.key, "num", value)
        data["denominator_link"] = figure_link(period, scope, figure.key, "den", value)
        if figure.pending is not None:
            data["pending_link"] = figure_link(period, scope, figure.key, "pending", value)
        return data

    return {
        "period": {
            "label": period.label,
            "first_day": period.first_day.isoformat(),
            "last_day": period.last_day.isoformat(),
        },
        "scope": {"team": scope.team_id, "tier": scope.tier_code},
        "schemes": [{"scheme": k.value, "label": str(label)} for k, label in SCHEME_LABELS.items()],
        "kpis": [with_links(figure) for figure in board.kpis],
        "satisfaction_by_tier": [with_links(figure, figure.tier) for figure in board.satisfaction_by_tier],
        "follow_ups": board.follow_ups,
        "trend": board.trend,
        "trend_table": _trend_table(board),
        "labels": {
            "target": _("Target"),
            "complaints": _("Complaints"),
            "cumulative": _("Cumulative %"),
            "escalated": _("Escalated complaints"),
        },
        "pareto": [
            {
                **row,
                "link": queue_link(period, scope, category=row["code"])
                if row["code"]
                else figure_link(period, scope, "category"),
            }
            for row in board.pareto
        ],
        "emotions": [
            {**row, "link": figure_link(period, scope, "emotion", value=row["label"])}
            for row in board.emotions
        ],
        "funnel": [
            {
                **row,
                "name": str(row["name"]),
                "link": figure_link(period, scope, "funnel", value=str(row["level"])),
            }
            for row in board.funnel
        ],
        "escalated_by_source": [
            {**row, "link": figure_link(period, scope, "source", value=f"{row['source']}:{row['channel']}")}
            for row in board.escalated_by_source
        ],
        "root_causes": [
            {
                **row,
                "link": figure_link(period, scope, "cause", value=f"{row['category']}/{row['subcategory']}"),
            }
            for row in board.root_causes
        ],
    }


def _trend_table(board: Dashboard) -> list[list[str | int]]:
    trend, figures = board.trend, board.kpis
    rows: list[list[str | int]] = []
    for i, month in enumerate(trend["months"]):
        cells: list[str | int] = [month, trend["complaints"][i]]
        for figure in figures:
            value = trend["series"][figure.key][i]
            cells.append(figure.display(Decimal(str(value)) if value is not None else None))
        rows.append(cells)
    return rows


def _month_on_month(board: Dashboard) -> list[dict[str, str]]:
    """The report's comparison with the month before: each KPI's last two months of the trend."""
    trend = board.trend
    if len(trend["months"]) < 2:
        return []

    def row(label: str, before: Any, now: Any, show) -> dict[str, str]:
        arrow = (
            "—" if before is None or now is None else "↑" if now > before else "↓" if now < before else "→"
        )
        return {"label": label, "previous": show(before), "current": show(now), "direction": arrow}

    rows = [row(str(_("Complaints")), trend["complaints"][-2], trend["complaints"][-1], str)]
    for figure in board.kpis:
        series = trend["series"][figure.key]

        def show(value: Any, figure=figure) -> str:
            return figure.display(Decimal(str(value)) if value is not None else None)

        rows.append(row(figure.label, series[-2], series[-1], show))
    return rows


def _filters(request: HttpRequest, period: Period, scope: Scope) -> dict[str, Any]:
    return {
        "teams": selectors.team_choices(request.user),
        "tiers": tier_choices(),
        "current": request.GET,
        "query": _query(period, scope),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        period, scope = request_scope(request)
    except ComplaintError as error:
        return _refused(request, error)
    data = dashboard_context(selectors.dashboard(period=period, scope=scope))
    trend = charts.trend_charts(data, rate_axis=_("Rate (%)"), count_axis=_("Per million customers"))
    return render(
        request, "metrics/dashboard.html", {"data": data, "charts": trend, **_filters(request, period, scope)}
    )


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """The monthly report: the same figures as a printable page (print CSS)."""
    try:
        period, scope = request_scope(request)
    except ComplaintError as error:
        return _refused(request, error)
    board = selectors.dashboard(period=period, scope=scope)
    data = dashboard_context(board)
    team = dict(selectors.team_choices(request.user)).get(scope.team_id, "") if scope.team_id else ""
    months = board.trend["months"]
    return render(
        request,
        "metrics/report.html",
        {
            "data": data,
            "team": team,
            "tier": scope.tier_code,
            "month_on_month": _month_on_month(board),
            "months": months[-2:],
            "query": _query(period, scope),
        },
    )


PART_LABELS = {
    "num": _lazy("counted in the numerator"),
    "den": _lazy("counted in the denominator"),
    "pending": pgettext_lazy("kpi", "Pending"),
}
FIGURE_LABELS = {
    "complaints": _lazy("Complaints"),
    "category": _lazy("Category"),
    "cause": _lazy("Sub-category"),
    "emotion": _lazy("Emotion"),
    "funnel": _lazy("Escalation funnel"),
    "source": _lazy("Escalated complaints by source"),
}


def _figure_title(figure: str, part: str, value: str) -> str:
    """What a list of complaints behind a figure is, in words (never the codes)."""
    label = KPI_LABELS.get(figure) or FIGURE_LABELS.get(figure) or figure  # type: ignore[call-overload]
    words = [str(label)]
    if value:
        if figure == "satisfaction":
            value = dict(tier_choices()).get(value, value)
        elif figure == "category":
            value = selectors.category_name(value)
        elif figure == "emotion":
            value = vocabulary.label(EMOTION_LABELS, value)
        words.append(value)
    if figure in KPI_LABELS and part in PART_LABELS:
        words.append(str(PART_LABELS[part]))
    return " · ".join(words)


@login_required
def figure_complaints(request: HttpRequest) -> HttpResponse:
    """The complaints behind one figure, as a list or exported (``?format=csv|xlsx``)."""
    if request.GET.get("figure", "complaints") not in selectors.FIGURES:
        return HttpResponseBadRequest(_("Unknown figure."))
    try:
        period, scope, figure, queryset = export_jobs.figure_list(user=request.user, params=request.GET.dict())
    except ComplaintError as error:
        return _refused(request, error)
    part, value = request.GET.get("part", "den"), request.GET.get("value", "")
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _export(request, fmt, f"kesu-{figure}-{period.label}", queryset, ExportJob.Source.FIGURE)
    page = Paginator(
        queryset.select_related("customer", "customer__tier", "team", "owner", "category"), 50
    ).get_page(request.GET.get("page"))
    rows = [{"complaint": c, "customer": privacy.mask_name(c.customer.name)} for c in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "metrics/complaints.html",
        {
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "figure": figure,
            "figure_title": _figure_title(figure, part, value),
            "part": part,
            "value": value,
            "period": period,
            "dashboard_query": _query(period, scope),
        },
    )


@login_required
def export_dashboard(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        period, scope = request_scope(request)
    except ComplaintError as error:
        return _refused(request, error)
    data = dashboard_context(selectors.dashboard(period=period, scope=scope))
    return exports.respond(fmt, f"kesu-kpi-{period.label}", dashboard_sheets(data, dict(tier_choices())))


def dashboard_sheets(data: dict[str, Any], tiers: dict[str, str] | None = None) -> list[exports.Sheet]:
    """The dashboard as sheets a person reads: headers and labels in the user's language (names,
    not codes), rates as percent, per-million figures to two places, dates as dates."""
    tiers = tiers or {}
    every_tier = str(_("All tiers"))
    schemes = data["schemes"]
    period = data["period"]
    first_day = date.fromisoformat(period["first_day"])
    last_day = date.fromisoformat(period["last_day"])

    def shown(figure: dict[str, Any], value: float | None) -> Any:
        return exports.percent(value) if figure["is_rate"] else exports.decimal(value)

    def kpi_row(figure: dict[str, Any], label: str, tier: str) -> list[Any]:
        cells: list[Any] = [
            label,
            tier,
            first_day,
            last_day,
            shown(figure, figure["value"]),
            figure["numerator"],
            figure["denominator"],
            "" if figure["pending"] is None else figure["pending"],
            "" if figure["overdue"] is None else figure["overdue"],
        ]
        for target in figure["targets"]:
            if target["value"] is None:
                cells += ["", str(_("No target"))]
            else:
                assessment = target["assessment_label"] if target["assessment"] else str(_("No data"))
                cells += [shown(figure, target["value"]), assessment]
        return cells

    kpi_header = [
        _("KPI"),
        _("Tier"),
        _("From"),
        _("To"),
        _("Value"),
        _("Numerator"),
        _("Denominator"),
        pgettext("kpi", "Pending"),
        _("Overdue, still open"),
    ]
    for scheme in schemes:
        kpi_header += [scheme["label"], _("%(scheme)s: assessment") % {"scheme": scheme["label"]}]
    scope_tier = tiers.get(data["scope"]["tier"], data["scope"]["tier"]) or every_tier
    satisfaction_label = next((k["label"] for k in data["kpis"] if k["key"] == "satisfaction"), "")
    kpi_rows = [kpi_row(k, k["label"], scope_tier) for k in data["kpis"]] + [
        kpi_row(k, satisfaction_label, k["label"]) for k in data["satisfaction_by_tier"]
    ]

    trend = data["trend"]
    figures = data["kpis"]
    return [
        (_("KPIs"), [str(h) for h in kpi_header], kpi_rows),
        (
            _("Trend"),
            [str(_("Month")), str(_("Complaints")), *(k["label"] for k in figures)],
            [
                [month, trend["complaints"][i], *(shown(k, trend["series"][k["key"]][i]) for k in figures)]
                for i, month in enumerate(trend["months"])
            ],
        ),
        (
            _("Categories"),
            [str(_("Category")), str(_("Complaints")), str(_("Share")), str(_("Cumulative share"))],
            [
                [r["name"], r["count"], exports.percent(r["share"]), exports.percent(r["cumulative"])]
                for r in data["pareto"]
            ],
        ),
        (
            _("Sub-categories"),
            [str(_("Category")), str(_("Sub-category")), str(_("Complaints")), str(_("Share"))],
            [
                [r["category_name"], r["subcategory_name"], r["count"], exports.percent(r["share"])]
                for r in data["root_causes"]
            ],
        ),
        (
            _("Emotions"),
            [str(_("Emotion")), str(_("Complaints")), str(_("Share"))],
            [[r["name"], r["count"], exports.percent(r["share"])] for r in data["emotions"]],
        ),
        (
            _("Escalation funnel"),
            [str(_("Step")), str(_("Complaints"))],
            [[r["name"], r["count"]] for r in data["funnel"]],
        ),
        (
            _("Escalated by source"),
            [str(_("Source")), str(_("Complaints"))],
            [[r["name"], r["count"]] for r in data["escalated_by_source"]],
        ),
    ]


@login_required
def export_complaints(request: HttpRequest, fmt: str) -> HttpResponse:
    """Any complaint list of the queue, with the queue's own filters, as CSV or XLSX."""
    if not permissions.can_view_dashboard(request.user):
        return _refused(request, PermissionRefused(_("Only managers and team leads export lists.")))
    try:
        queryset = export_jobs.queue_list(user=request.user, params=request.GET.dict())
    except ComplaintError as error:
        return HttpResponseBadRequest(error.message)
    return _export(request, fmt, "kesu-complaints", queryset, ExportJob.Source.QUEUE)


def _export(request: HttpRequest, fmt: str, filename: str, queryset: Any, source: str) -> HttpResponse:
    """CSV streams however long the list; XLSX of a list too long to write in the request is written
    by a background job, whose page the person is sent to."""
    if fmt == "xlsx" and queryset[: exports.XLSX_IN_REQUEST_ROWS + 1].count() > exports.XLSX_IN_REQUEST_ROWS:
        params = {k: v for k, v in request.GET.items() if k not in ("page", "format")}
        job = export_jobs.export_start(actor=request.user, source=source, params=params, filename=filename)
        return redirect("metrics:export-job", pk=job.pk)
    return exports.respond(fmt, filename, [exports.complaint_sheet(queryset)])


@login_required
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    """An XLSX export being written (polled by HTMX), then its download link."""
    if not permissions.can_view_dashboard(request.user):
        return _refused(request, PermissionRefused(_("Only managers and team leads export lists.")))
    job = export_jobs.export_get(user=request.user, pk=pk)
    if job is None:
        raise Http404
    template = "metrics/_export_job.html" if request.headers.get("HX-Request") == "true" else "metrics/export_job.html"
    return render(request, template, {"job": job, "keep_days": KEEP_FILES.days})


def _expired(request: HttpRequest) -> HttpResponse:
    message = ngettext(
        "This export has expired: its file is kept for %(days)s day after it is written, then deleted. "
        "Export the list again for a new one.",
        "This export has expired: its file is kept for %(days)s days after it is written, then deleted. "
        "Export the list again for a new one.",
        KEEP_FILES.days,
    ) % {"days": KEEP_FILES.days}
    return render(request, "metrics/refused.html", {"message": message}, status=410)


@login_required
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The written workbook; 410 with a message once it has expired (or its file is gone)."""
    if not permissions.can_view_dashboard(request.user):
        return _refused(request, PermissionRefused(_("Only managers and team leads export lists.")))
    job = export_jobs.export_get(user=request.user, pk=pk)
    if job is None or job.status != "done":
        raise Http404
    if job.expired:
        return _expired(request)
    try:
        file = job.file.open("rb")
    except FileNotFoundError:  # deleted from the storage before its time (a bucket's own expiry)
        return _expired(request)
    return FileResponse(file, as_attachment=True, filename=job.filename, content_type=exports.XLSX_TYPE)
