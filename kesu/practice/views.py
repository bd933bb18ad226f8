"""Training pages under /training/. Views parse the request, call one service or selector, and render;
who may do what is decided by :mod:`kesu.practice.permissions`, called by the services again. A group
session is shared by two or three browsers: each polls the conversation (HTMX, every two seconds)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kesu.accounts.models import User
from kesu.complaints import guidance
from kesu.complaints import selectors as complaint_selectors
from kesu.complaints.errors import ComplaintError, PermissionRefused
from kesu.core.practice import CRITERIA
from kesu.practice import display, forms, permissions, selectors, services
from kesu.practice.models import Case, CaseKind, PracticeSession

POLL_SECONDS = 2


def _refuse(message: str | None = None) -> HttpResponse:
    return HttpResponseForbidden(message or _("You do not have permission to do this."))


def _form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        name = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{name}: {error}" if name else error)


def _attempt(request: HttpRequest, act: Callable[[], object], done: str = "") -> bool:
    """Run a service; a refusal becomes an error message (a permission refusal a 403 upstream)."""
    try:
        act()
    except PermissionRefused:
        raise
    except ComplaintError as error:
        messages.error(request, error.message)
        return False
    if done:
        messages.success(request, done)
    return True


def _user_by_name(username: str) -> User | None:
    return selectors.active_user(username)


# --- home, scenarios ------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can_use_training(user):
        return _refuse()
    trainer = permissions.can_run(user)
    context = {
        "scenarios": list(selectors.scenarios_in_use()),
        "can_practise": permissions.can_practise(user),
        "trainer": trainer,
        "sessions": selectors.sessions_of(user),
        "groups": selectors.groups_of(user),
        "assignments": selectors.open_assignments(user),
        "today": timezone.localdate(),
        "to_check": selectors.cases_to_check(user),
    }
    if trainer:
        context.update(
            group_form=forms.GroupForm(),
            assignment_form=forms.AssignmentForm(
                initial={"due_on": timezone.localdate() + timedelta(days=7)}
            ),
            inactive=list(selectors.scenarios_inactive()),
            recent=selectors.recent_sessions(),
        )
    return render(request, "practice/home.html", context)


def _scenario_or_404(code: str):
    scenario = selectors.scenario_get(code)
    if scenario is None:
        raise Http404
    return scenario


@login_required
def scenario_detail(request: HttpRequest, code: str) -> HttpResponse:
    if not permissions.can_use_training(request.user):
        return _refuse()
    scenario = _scenario_or_404(code)
    return render(
        request,
        "practice/scenario.html",
        {
            "scenario": scenario,
            "trainer": permissions.can_run(request.user),
            "cases": selectors.published_cases_of(scenario),
        },
    )


@login_required
def scenario_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    if not permissions.can_run(request.user):
        return _refuse()
    scenario = _scenario_or_404(code) if code else None
    if request.method == "POST":
        form = forms.ScenarioForm(request.POST)
        if form.is_valid():
            saved: list = []
            if _attempt(
                request,
                lambda: saved.append(
                    services.scenario_save(actor=request.user, data=form.scenario_data(), scenario=scenario)
                ),
                _("Scenario saved."),
            ):
                return redirect("practice:scenario", code=saved[0].code)
        else:
            _form_errors(request, form)
    else:
        form = forms.ScenarioForm(
            initial=forms.ScenarioForm.initial_for(scenario)
            if scenario
            else {"active": True, "tolerance": 3, "intensity": 0.8}
        )
    return render(request, "practice/scenario_form.html", {"form": form, "scenario": scenario})


@login_required
def weights(request: HttpRequest) -> HttpResponse:
    if not permissions.can_run(request.user):
        return _refuse()
    if request.method == "POST":
        form = forms.WeightsForm(request.POST)
        if form.is_valid() and _attempt(
            request,
            lambda: services.weights_update(actor=request.user, values=form.cleaned_data),
            _("Weights saved."),
        ):
            return redirect("practice:weights")
        _form_errors(request, form)
    else:
        form = forms.WeightsForm(initial=services.weights())
    return render(request, "practice/weights.html", {"form": form})


# --- sessions -------------------------------------------------------------------------------------


@login_required
@require_POST
def session_start(request: HttpRequest) -> HttpResponse:
    scenario = _scenario_or_404(request.POST.get("scenario", ""))
    started: list[PracticeSession] = []
    if _attempt(
        request, lambda: started.append(services.session_start_solo(trainee=request.user, scenario=scenario))
    ):
        return redirect("practice:session", pk=started[0].pk)
    return redirect("practice:home")


def _session_or_404(request: HttpRequest, pk: int) -> PracticeSession:
    session = selectors.session_get(user=request.user, pk=pk)
    if session is None:
        raise Http404
    return session


def _conversation_context(request: HttpRequest, session: PracticeSession) -> dict:
    user = request.user
    turns = selectors.session_turns(session)
    role = permissions.role_in(user, session)
    context = {
        "session": session,
        "turns": turns,
        "role": role,
        "role_label": display.ROLE_LABELS.get(role or "", ""),
        "poll": session.active and not session.solo,
        "poll_seconds": POLL_SECONDS,
        "customer_state": display.customer_state(session)
        if (not session.active or role != "agent")
        else None,
        "can_reply": permissions.can_reply(user, session),
        "can_speak": permissions.can_speak_as_customer(user, session),
    }
    sheet = role == "observer" or (role == "customer" and session.observer_id is None)
    context["sheet"] = sheet
    if sheet and session.active:
        context["live"] = [
            {
                "name": display.criterion_name(c.code),
                "score": None if c.score is None else round(100 * c.score),
            }
            for c in selectors.live_scoring(session, turns).criteria
        ]
    if role == "agent" and session.active:
        track = display.trajectory(turns)
        panel = display.analysis_panel(turns)
        context.update(
            panel=panel,
            trajectory=track,
            stop=guidance.stop_panel(track),
            scripts=display.suggested_scripts(session, turns, panel["emotion_code"] if panel else None),
        )
    return context


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    user = request.user
    context = _conversation_context(request, session)
    role = context["role"]
    context.update(
        scenario=session.scenario,
        card=display.persona_card(session) if role == "customer" or permissions.can_run(user) else None,
        results=display.score_sheet(selectors.session_results(session)),
        can_finish=permissions.can_finish(user, session),
        can_rate=permissions.can_rate(user, session),
        can_override=permissions.can_override(user, session),
        reply_form=forms.ReplyForm(),
        rate_form=forms.RateForm(initial={"rating": session.peer_rating or 3}),
        override_form=forms.OverrideForm(),
        score_choices=forms.SCORE_CHOICES,
        group=session.group,
    )
    return render(request, "practice/session.html", context)


@login_required
def session_turns(request: HttpRequest, pk: int) -> HttpResponse:
    """The conversation panel, polled by every browser in a group session."""
    session = _session_or_404(request, pk)
    context = _conversation_context(request, session)
    # The agent's workbench follows the peer customer's words (an out-of-band swap in the same poll).
    context["oob"] = context["role"] == "agent" and session.active
    response = render(request, "practice/_conversation.html", context)
    if not session.active and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # the practice finished elsewhere: show the scores
    return response


@login_required
@require_POST
def check_reply(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(request, pk)
    if not permissions.can_reply(request.user, session):
        return _refuse()
    text = request.POST.get("text", "")[: services.MAX_TEXT]
    result = display.check_draft(text, session=session, turns=selectors.session_turns(session))
    return render(request, "web/_reply_check.html", {"check": result, "empty": not text.strip()})


@login_required
@require_POST
def session_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    session = _session_or_404(request, pk)
    user, data = request.user, request.POST
    acts: dict[str, Callable[[], object]] = {
        "reply": lambda: services.session_reply(session=session, actor=user, text=data.get("text", "")),
        "say": lambda: services.session_customer_says(session=session, actor=user, text=data.get("text", "")),
        "finish": lambda: services.session_finish(session=session, actor=user),
    }
    if action == "rate":
        form = forms.RateForm(data)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect("practice:session", pk=pk)
        acts["rate"] = lambda: services.session_rate(
            session=session, actor=user, rating=form.cleaned_data["rating"]
        )
    if action == "override":
        form = forms.OverrideForm(data)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect("practice:session", pk=pk)
        cleaned = form.cleaned_data
        acts["override"] = lambda: services.criterion_override(
            session=session,
            actor=user,
            code=cleaned["code"],
            score=cleaned["score"],
            reason=cleaned["reason"],
        )
    if action not in acts:
        raise Http404
    try:
        _attempt(request, acts[action])
    except PermissionRefused as refusal:
        return _refuse(refusal.message)
    if request.headers.get("HX-Request") and action in ("reply", "say"):
        session.refresh_from_db()
        return render(request, "practice/_conversation.html", _conversation_context(request, session))
    return redirect("practice:session", pk=pk)


# --- groups and assignments -----------------------------------------------------------------------


@login_required
@require_POST
def group_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_run(request.user):
        return _refuse()
    form = forms.GroupForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("practice:home")
    names = form.usernames()
    members = [_user_by_name(n) for n in names]
    if None in members:
        messages.error(
            request,
            _("Unknown user: %(names)s.")
            % {"names": ", ".join(n for n, m in zip(names, members, strict=True) if m is None)},
        )
        return redirect("practice:home")
    made: list = []
    if _attempt(
        request,
        lambda: made.append(
            services.group_create(
                trainer=request.user,
                scenario=form.cleaned_data["scenario"],
                members=members,
                name=form.cleaned_data["name"],
            )
        ),
    ):
        return redirect("practice:group", pk=made[0].pk)
    return redirect("practice:home")


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.group_get(user=request.user, pk=pk)
    if group is None:
        raise Http404
    members = [m.user for m in group.memberships.select_related("user")]
    sessions = selectors.group_sessions(group)
    current = next((s for s in sessions if s.round_no == group.current_round), None)
    return render(
        request,
        "practice/group.html",
        {
            "group": group,
            "members": members,
            "sessions": sessions,
            "current": current,
            "rounds": range(1, len(members) + 1),
            "can_move_on": (request.user.pk in [m.pk for m in members] or permissions.can_run(request.user))
            and not group.finished
            and current is not None
            and not current.active,
        },
    )


@login_required
@require_POST
def group_next(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.group_get(user=request.user, pk=pk)
    if group is None:
        raise Http404
    try:
        _attempt(request, lambda: services.group_next_round(group=group, actor=request.user))
    except PermissionRefused:
        return _refuse()
    group.refresh_from_db()
    current = group.sessions.filter(round_no=group.current_round).first()
    if current is not None and current.active and permissions.can_view_session(request.user, current):
        return redirect("practice:session", pk=current.pk)
    return redirect("practice:group", pk=pk)


@login_required
@require_POST
def assignment_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_run(request.user):
        return _refuse()
    form = forms.AssignmentForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("practice:home")
    trainee = _user_by_name(form.cleaned_data["trainee"])
    if trainee is None:
        messages.error(request, _("Unknown user: %(names)s.") % {"names": form.cleaned_data["trainee"]})
        return redirect("practice:home")
    _attempt(
        request,
        lambda: services.assignment_create(
            trainer=request.user,
            trainee=trainee,
            scenario=form.cleaned_data["scenario"],
            due_on=form.cleaned_data["due_on"],
            note=form.cleaned_data["note"],
        ),
        _("Practice assigned."),
    )
    return redirect("practice:home")


# --- the case library -----------------------------------------------------------------------------


@login_required
def cases(request: HttpRequest) -> HttpResponse:
    if not permissions.can_use_training(request.user):
        return _refuse()
    qs = selectors.cases_visible_to(request.user)
    category, kind = request.GET.get("category", ""), request.GET.get("kind", "")
    if category:
        qs = qs.filter(category=category)
    if kind:
        qs = qs.filter(kind=kind)
    return render(
        request,
        "practice/cases.html",
        {
            "cases": list(qs[:100]),
            "trainer": permissions.can_run(request.user),
            "propose_form": forms.ProposeCaseForm(),
            "categories": list(forms.CATEGORY_LABELS.items()),
            "kinds": CaseKind.choices,
            "current": request.GET,
        },
    )


@login_required
@require_POST
def case_propose(request: HttpRequest) -> HttpResponse:
    if not permissions.can_run(request.user):
        return _refuse()
    form = forms.ProposeCaseForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("practice:cases")
    complaint = complaint_selectors.complaint_get(
        user=request.user, reference=form.cleaned_data["reference"].strip()
    )
    if complaint is None:
        messages.error(request, _("Unknown complaint: %(ref)s.") % {"ref": form.cleaned_data["reference"]})
        return redirect("practice:cases")
    made: list[Case] = []
    if _attempt(
        request,
        lambda: made.append(
            services.case_propose(
                complaint=complaint,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
            )
        ),
    ):
        return redirect("practice:case", pk=made[0].pk)
    return redirect("practice:cases")


def _case_or_404(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_get(user=request.user, pk=pk)
    if case is None:
        raise Http404
    return case


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    user = request.user
    trainer = permissions.can_run(user)
    form = None
    if trainer:
        form = forms.CaseForm(
            initial={name: getattr(case, name) for name in services.CASE_FIELDS}
            | {"scenarios": list(case.scenarios.all())}
        )
    return render(
        request,
        "practice/case.html",
        {
            "case": case,
            "trainer": trainer,
            "form": form,
            "source": case.complaint if permissions.sees_case_source(user) else None,
            "can_check": permissions.can_check_case(user, case),
            "leaks": services.case_leaks(case) if (trainer or user.has_perm("practice.check_case")) else [],
            "made": list(case.made_scenarios.all()),
        },
    )


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = _case_or_404(request, pk)
    user, data = request.user, request.POST
    if action == "scenario":
        made: list = []
        try:
            done = _("Scenario made from the case: review it and put it in use.")
            if _attempt(request, lambda: made.append(services.case_to_scenario(case=case, actor=user)), done):
                return redirect("practice:scenario-edit", code=made[0].code)
        except PermissionRefused:
            return _refuse()
        return redirect("practice:case", pk=pk)
    acts: dict[str, tuple[Callable[[], object], str]] = {
        "check": (lambda: services.case_check(case=case, actor=user), _("Anonymisation checked.")),
        "publish": (lambda: services.case_publish(case=case, actor=user), _("Case published.")),
        "withdraw": (
            lambda: services.case_withdraw(case=case, actor=user, reason=data.get("reason", "")),
            _("Case withdrawn."),
        ),
    }
    if action == "update":
        form = forms.CaseForm(data)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect("practice:case", pk=pk)
        fields = {k: v for k, v in form.cleaned_data.items() if k != "scenarios"}
        acts["update"] = (
            lambda: services.case_update(
                case=case, actor=user, data=fields, scenarios=form.cleaned_data["scenarios"]
            ),
            _("Case saved; a second person checks it again."),
        )
    if action not in acts:
        raise Http404
    act, done = acts[action]
    try:
        _attempt(request, act, done)
    except PermissionRefused as refusal:
        return _refuse(refusal.message)
    return redirect("practice:case", pk=pk)


# --- progress -------------------------------------------------------------------------------------


@login_required
def progress(request: HttpRequest, user_id: int | None = None) -> HttpResponse:
    trainee = request.user if user_id is None else selectors.user_get(user_id)
    if trainee is None:
        raise Http404
    if not permissions.can_view_progress(request.user, trainee):
        return _refuse()
    data = selectors.trainee_progress(trainee=trainee)
    criteria = [(code, display.criterion_name(code)) for code in CRITERIA]
    return render(
        request,
        "practice/progress.html",
        {
            "progress": data,
            "criteria": criteria,
            "means": [(name, data.means.get(code), code in data.weak) for code, name in criteria],
            "months": [
                {
                    "month": m["month"],
                    "n": m["n"],
                    "total": m.get("total"),
                    "scores": [m.get(code) for code, _n in criteria],
                }
                for m in data.months
            ],
        },
    )


@login_required
def team(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (permissions.sees_all_progress(user) or permissions.sees_team_progress(user)):
        return _refuse()
    teams = selectors.teams_for(user)
    chosen = next((t for t in teams if str(t.pk) == request.GET.get("team")), teams[0] if teams else None)
    since = timezone.localdate().replace(day=1) - timedelta(days=90)
    rows = selectors.team_progress(team=chosen, since=since) if chosen else []
    months = selectors.team_months(team=chosen, since=since) if chosen else []
    coverage = selectors.training_coverage(since=since, team_ids=[chosen.pk] if chosen else None)
    criteria = [(code, display.criterion_name(code)) for code in CRITERIA]
    return render(
        request,
        "practice/team.html",
        {
            "teams": teams,
            "chosen": chosen,
            "since": since,
            "criteria": criteria,
            "rows": [
                {"member": r["member"], "sessions": r["sessions"], "scores": [r[c] for c, _n in criteria]}
                for r in rows
            ],
            "coverage": coverage,
            "months": [
                {"month": m["month"], "n": m["n"], "scores": [m.get(c) for c, _n in criteria]} for m in months
            ],
            "progress_url": reverse("practice:progress"),
        },
    )
