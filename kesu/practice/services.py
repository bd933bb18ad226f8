"""Every change in training happens here: one function per act, each checking permission, writing the
change and its :class:`~kesu.practice.models.TrainingEvent` in one transaction. Views and the demo call
these and nothing else.

The case library reads closed complaints (their text, conversation, customer and staff) and never
changes them; what it publishes is anonymised by :func:`kesu.core.practice.anonymise` and checked by a
second person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints import clock
from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.complaints.models import Complaint
from kesu.core import practice as engine
from kesu.core.analysis import analyze
from kesu.core.workflow import Stage
from kesu.practice import permissions
from kesu.practice.models import (
    Assignment,
    Case,
    CaseKind,
    CaseStatus,
    CriterionResult,
    CriterionWeight,
    GroupMember,
    Mode,
    PracticeGroup,
    PracticeSession,
    Scenario,
    SessionStatus,
    TrainingEvent,
    Turn,
)

MAX_TEXT = 2000
MAX_TURNS = 80  # a practice conversation longer than this is not practice any more
CLOSED_STAGES = (Stage.CLOSED.value, Stage.REVIEW.value)


class TrainingError(ComplaintError):
    """A refused act of training (stable ``code``; the pages show ``message``)."""


def record(
    *,
    actor: User | None,
    action: str,
    session: PracticeSession | None = None,
    case: Case | None = None,
    group: PracticeGroup | None = None,
    scenario: Scenario | None = None,
    changes: dict | None = None,
    note: str = "",
) -> TrainingEvent:
    return TrainingEvent.objects.create(
        actor=actor if actor and actor.pk else None,
        action=action,
        session=session,
        case=case,
        group=group,
        scenario=scenario,
        changes=changes or {},
        note=note,
        created_at=clock.now(),
    )


def _text(value: str, what: str, *, code: ErrorCode = ErrorCode.BODY_REQUIRED) -> str:
    value = (value or "").strip()
    if not value:
        raise TrainingError(code, _("%(what)s is required.") % {"what": what})
    if len(value) > MAX_TEXT:
        raise TrainingError(ErrorCode.TEXT_TOO_LONG, _("%(what)s is too long.") % {"what": what})
    return value


# --- scenarios and weights ------------------------------------------------------------------------


SCENARIO_FIELDS = (
    "title",
    "title_en",
    "brief",
    "brief_en",
    "category",
    "persona",
    "trains",
    "authority_limit",
    "active",
)


@transaction.atomic
def scenario_save(*, actor: User, data: Mapping[str, Any], scenario: Scenario | None = None) -> Scenario:
    """Create a scenario (``data["code"]``) or change one; the persona is validated by the core."""
    if not permissions.can_run(actor):
        raise PermissionRefused(_("Only trainers edit scenarios."))
    creating = scenario is None
    if scenario is None:
        code = (data.get("code") or "").strip()
        if not code or Scenario.objects.filter(code=code).exists():
            raise TrainingError(ErrorCode.INVALID_SCENARIO, _("A new scenario needs a code not used yet."))
        scenario = Scenario(code=code, created_by=actor)
    before = {name: getattr(scenario, name) for name in SCENARIO_FIELDS} if not creating else {}
    for name in SCENARIO_FIELDS:
        if name in data:
            setattr(scenario, name, data[name])
    try:
        scenario.as_engine()
    except engine.ScenarioError as error:
        raise TrainingError(ErrorCode.INVALID_SCENARIO, str(error)) from None
    scenario.updated_at = clock.now()
    scenario.full_clean()
    scenario.save()
    changed = {n: str(getattr(scenario, n)) for n in SCENARIO_FIELDS if before.get(n) != getattr(scenario, n)}
    record(
        actor=actor,
        action="scenario_created" if creating else "scenario_changed",
        scenario=scenario,
        changes=changed,
    )
    return scenario


def weights() -> dict[str, float]:
    """The criteria's weights (the defaults where no row says otherwise)."""
    stored = {w.code: float(w.weight) for w in CriterionWeight.objects.all()}
    return {code: stored.get(code, engine.DEFAULT_WEIGHTS[code]) for code in engine.CRITERIA}


@transaction.atomic
def weights_update(*, actor: User, values: Mapping[str, float]) -> dict[str, float]:
    """Change the weights of the four criteria (new totals only; a finished session keeps its own)."""
    if not permissions.can_run(actor):
        raise PermissionRefused(_("Only trainers change the weights."))
    if any(code not in engine.CRITERIA or value < 0 for code, value in values.items()) or not any(
        values.get(c, 0) > 0 for c in engine.CRITERIA
    ):
        raise TrainingError(
            ErrorCode.INVALID_SCORE, _("Weights are numbers of 0 or more, at least one above 0.")
        )
    before = weights()
    for code, value in values.items():
        CriterionWeight.objects.update_or_create(code=code, defaults={"weight": Decimal(str(value))})
    record(actor=actor, action="weights_changed", changes={"before": before, "after": weights()})
    return weights()


# --- sessions -------------------------------------------------------------------------------------


def _backend() -> engine.CustomerBackend:
    return engine.get_backend(getattr(settings, "KESU_PRACTICE_CUSTOMER", "rules"))


def _authority(scenario: Scenario, trainee: User) -> Decimal:
    return (
        scenario.authority_limit
        if scenario.authority_limit is not None
        else trainee.effective_authority_limit()
    )


def _customer_analysis(text: str, persona: engine.Persona) -> dict[str, Any]:
    """What the workbench shows of a customer line, as in live handling: the engine's analysis."""
    result = analyze(
        text, {"tier": persona.tier, "compensation_standard": persona.compensation_standard}, tier="fast"
    )
    return {
        "emotion": result.emotion.as_dict(),
        "category": result.category.as_dict(),
        "value_orientation": result.value_orientation,
        "escalation": result.escalation.as_dict(),
        "demands": [d.as_dict() for d in result.demands],
    }


def _add_turn(
    session: PracticeSession,
    *,
    speaker: str,
    text: str,
    author: User | None,
    event: str = "",
    analysis: dict | None = None,
) -> Turn:
    position = session.turns.count()
    if position >= MAX_TURNS:
        raise TrainingError(
            ErrorCode.TEXT_TOO_LONG, _("This practice is long enough: finish it to see the score.")
        )
    return Turn.objects.create(
        session=session,
        position=position,
        speaker=speaker,
        text=text,
        author=author,
        event=event,
        analysis=analysis or {},
        created_at=clock.now(),
    )


def _scenario_playable(scenario: Scenario) -> engine.Scenario:
    if not scenario.active:
        raise TrainingError(ErrorCode.SCENARIO_INACTIVE, _("This scenario is not in use."))
    try:
        return scenario.as_engine()
    except engine.ScenarioError as error:
        raise TrainingError(ErrorCode.INVALID_SCENARIO, str(error)) from None


def _open_assignment(trainee: User, scenario: Scenario) -> Assignment | None:
    return (
        Assignment.objects.filter(trainee=trainee, scenario=scenario, completed_by__isnull=True)
        .order_by("due_on")
        .first()
    )


@transaction.atomic
def session_start_solo(*, trainee: User, scenario: Scenario) -> PracticeSession:
    """A solo practice: the simulated customer opens with the persona's words."""
    if not permissions.can_practise(trainee):
        raise PermissionRefused(_("You do not practise role-play."))
    played = _scenario_playable(scenario)
    backend = _backend()
    first = backend.open(played.persona)
    session = PracticeSession.objects.create(
        scenario=scenario,
        mode=Mode.SOLO,
        trainee=trainee,
        team_id=trainee.team_id,
        assignment=_open_assignment(trainee, scenario),
        persona=scenario.persona,
        backend=backend.name,
        state=first.state.as_dict(),
        authority_limit=_authority(scenario, trainee),
        started_at=clock.now(),
    )
    _add_turn(
        session,
        speaker="customer",
        text=first.line,
        author=None,
        event=first.event,
        analysis=_customer_analysis(first.line, played.persona),
    )
    record(
        actor=trainee,
        action="session_started",
        session=session,
        changes={"scenario": scenario.code, "mode": "solo"},
    )
    return session


def _locked(session: PracticeSession) -> PracticeSession:
    return (
        PracticeSession.objects.select_related("scenario", "trainee")
        .select_for_update(of=("self",))
        .get(pk=session.pk)
    )


@transaction.atomic
def session_reply(*, session: PracticeSession, actor: User, text: str) -> Turn:
    """The trainee (the agent) replies; against the simulated customer, the customer answers at once.
    Returns the customer's answer (solo) or the reply itself (group)."""
    session = _locked(session)
    if not session.active:
        raise TrainingError(ErrorCode.SESSION_FINISHED, _("This practice has finished."))
    if not permissions.can_reply(actor, session):
        raise PermissionRefused(_("Only the trainee playing the agent replies."))
    text = _text(text, _("The reply"))
    authority = float(session.authority_limit) if session.authority_limit is not None else None
    reading = engine.read_reply(text, authority_limit=authority)
    reply = _add_turn(
        session, speaker="agent", text=text, author=actor, analysis={"reading": reading.as_dict()}
    )
    if not session.solo:
        return reply
    persona = session.as_persona()
    reaction = engine.get_backend(session.backend or "rules").respond(
        persona, engine.State.from_dict(session.state), text, authority_limit=authority
    )
    session.state = reaction.state.as_dict()
    session.save(update_fields=["state"])
    analysis = _customer_analysis(reaction.line, persona)
    analysis["simulated"] = {
        "emotion": reaction.emotion,
        "intensity": reaction.intensity,
        "because": list(reaction.because),
    }
    return _add_turn(
        session, speaker="customer", text=reaction.line, author=None, event=reaction.event, analysis=analysis
    )


@transaction.atomic
def session_customer_says(*, session: PracticeSession, actor: User, text: str) -> Turn:
    """In a group, the member playing the customer speaks (from the persona card)."""
    session = _locked(session)
    if not session.active:
        raise TrainingError(ErrorCode.SESSION_FINISHED, _("This practice has finished."))
    if not permissions.can_speak_as_customer(actor, session):
        raise PermissionRefused(_("Only the member playing the customer speaks for the customer."))
    text = _text(text, _("The customer's words"))
    persona = session.as_persona()
    return _add_turn(
        session, speaker="customer", text=text, author=actor, analysis=_customer_analysis(text, persona)
    )


def _score(session: PracticeSession) -> engine.Scoring:
    persona = session.as_persona()
    turns = [(t.speaker, t.text) for t in session.turns.all()]
    state = engine.State.from_dict(session.state) if session.solo and session.state else None
    outcome = engine.Outcome(
        start_intensity=persona.intensity if state else None, state=state, peer_rating=session.peer_rating
    )
    authority = float(session.authority_limit) if session.authority_limit is not None else None
    return engine.score_practice(
        turns, persona, authority_limit=authority, outcome=outcome, weights=weights()
    )


def _store_scores(session: PracticeSession, scoring: engine.Scoring) -> None:
    current = weights()
    existing = {r.code: r for r in session.results.all()}
    for criterion in scoring.criteria:
        row = existing.get(criterion.code) or CriterionResult(
            session=session, code=criterion.code, weight=current[criterion.code]
        )
        row.auto_score = criterion.score
        row.reason_zh, row.reason_en = criterion.reason_zh, criterion.reason_en
        row.evidence = [p.as_dict() for p in criterion.evidence]
        if not row.overridden:
            row.score = criterion.score
        row.save()
    session.auto_total = scoring.total
    session.total = _final_total(session)


def _final_total(session: PracticeSession) -> float | None:
    rows = list(session.results.all())
    return engine.total({r.code: r.score for r in rows}, {r.code: r.weight for r in rows})


@transaction.atomic
def session_finish(*, session: PracticeSession, actor: User) -> PracticeSession:
    """End the practice and score it on the four criteria; the trainee's open assignment of this
    scenario is done."""
    session = _locked(session)
    if not session.active:
        raise TrainingError(ErrorCode.SESSION_FINISHED, _("This practice has finished."))
    if not permissions.can_finish(actor, session):
        raise PermissionRefused()
    session.status = SessionStatus.FINISHED
    session.finished_at = clock.now()
    _store_scores(session, _score(session))
    session.save(update_fields=["status", "finished_at", "auto_total", "total"])
    if session.assignment_id:
        Assignment.objects.filter(pk=session.assignment_id, completed_by__isnull=True).update(
            completed_by=session
        )
    record(
        actor=actor,
        action="session_finished",
        session=session,
        changes={"total": session.total, "state": session.state},
    )
    return session


@transaction.atomic
def session_rate(*, session: PracticeSession, actor: User, rating: int) -> PracticeSession:
    """The member who played the customer rates how satisfied the customer ended (1–5); the
    satisfaction criterion follows unless someone overrode it."""
    session = _locked(session)
    if not permissions.can_rate(actor, session):
        raise PermissionRefused(
            _("Only the member who played the customer rates the customer's satisfaction.")
        )
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise TrainingError(ErrorCode.INVALID_RATING, _("A rating from 1 to 5."))
    before = session.peer_rating
    session.peer_rating = rating
    if not session.active:
        _store_scores(session, _score(session))
    session.save(update_fields=["peer_rating", "auto_total", "total"])
    record(actor=actor, action="session_rated", session=session, changes={"peer_rating": [before, rating]})
    return session


@transaction.atomic
def criterion_override(
    *, session: PracticeSession, actor: User, code: str, score: float, reason: str
) -> CriterionResult:
    """The observer or a trainer replaces an automatic score, with a reason; the total follows."""
    session = _locked(session)
    if not permissions.can_override(actor, session):
        raise PermissionRefused(_("Only the observer or a trainer overrides a score, after the practice."))
    row = CriterionResult.objects.filter(session=session, code=code).first()
    if row is None:
        raise TrainingError(ErrorCode.UNKNOWN_ITEM, _("Unknown criterion: %(code)s.") % {"code": code})
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        raise TrainingError(ErrorCode.INVALID_SCORE, _("A score from 0 to 1."))
    reason = _text(reason, _("A reason"), code=ErrorCode.REASON_REQUIRED)
    before = row.score
    row.score, row.overridden, row.override_reason, row.scored_by = float(score), True, reason, actor
    row.save(update_fields=["score", "overridden", "override_reason", "scored_by"])
    session.total = _final_total(session)
    session.save(update_fields=["total"])
    record(
        actor=actor,
        action="score_overridden",
        session=session,
        changes={"code": code, "score": [before, row.score]},
        note=reason,
    )
    return row


# --- groups ---------------------------------------------------------------------------------------


def _group_session(group: PracticeGroup, round_no: int) -> PracticeSession:
    members = [m.user for m in group.memberships.select_related("user")]
    cast = engine.roles_in_round(members, round_no)
    agent = cast[engine.AGENT]
    assert agent is not None
    session = PracticeSession.objects.create(
        scenario=group.scenario,
        mode=Mode.GROUP,
        trainee=agent,
        team_id=agent.team_id,
        customer_player=cast[engine.CUSTOMER],
        observer=cast[engine.OBSERVER],
        group=group,
        round_no=round_no,
        persona=group.scenario.persona,
        assignment=_open_assignment(agent, group.scenario),
        authority_limit=_authority(group.scenario, agent),
        started_at=clock.now(),
    )
    record(
        actor=group.trainer,
        action="session_started",
        session=session,
        group=group,
        changes={"round": round_no, "agent": agent.pk},
    )
    return session


@transaction.atomic
def group_create(
    *, trainer: User, scenario: Scenario, members: Sequence[User], name: str = ""
) -> PracticeGroup:
    """A group of 2–3 trainees on a scenario; round 1 starts (the first member is the agent)."""
    if not permissions.can_run(trainer):
        raise PermissionRefused(_("Only trainers form practice groups."))
    _scenario_playable(scenario)
    ids = [m.pk for m in members]
    if (
        len(set(ids)) != len(ids)
        or not 2 <= len(ids) <= 3
        or not all(permissions.can_practise(m) for m in members)
    ):
        raise TrainingError(
            ErrorCode.INVALID_GROUP, _("A practice group has two or three different trainees.")
        )
    group = PracticeGroup.objects.create(
        name=name.strip() or scenario.title, scenario=scenario, trainer=trainer, created_at=clock.now()
    )
    GroupMember.objects.bulk_create(
        GroupMember(group=group, user=m, position=i) for i, m in enumerate(members)
    )
    record(
        actor=trainer,
        action="group_created",
        group=group,
        changes={"members": ids, "scenario": scenario.code},
    )
    _group_session(group, 1)
    return group


@transaction.atomic
def group_next_round(*, group: PracticeGroup, actor: User) -> PracticeGroup:
    """Rotate the roles: the next member plays the agent. The round before must have finished."""
    group = PracticeGroup.objects.select_for_update().get(pk=group.pk)
    members = list(group.memberships.values_list("user_id", flat=True))
    if not (permissions.can_run(actor) or actor.pk in members):
        raise PermissionRefused()
    if group.finished:
        raise TrainingError(ErrorCode.GROUP_FINISHED, _("Every member has played the agent."))
    current = group.sessions.filter(round_no=group.current_round).first()
    if current is not None and current.active:
        raise TrainingError(ErrorCode.ROUND_NOT_FINISHED, _("Finish this round first."))
    if group.current_round >= engine.rounds_for(len(members)):
        group.finished = True
        group.save(update_fields=["finished"])
        record(actor=actor, action="group_finished", group=group)
        return group
    group.current_round += 1
    group.save(update_fields=["current_round"])
    _group_session(group, group.current_round)
    return group


# --- assignments ----------------------------------------------------------------------------------


@transaction.atomic
def assignment_create(
    *, trainer: User, trainee: User, scenario: Scenario, due_on: date, note: str = ""
) -> Assignment:
    if not permissions.can_run(trainer):
        raise PermissionRefused(_("Only trainers assign practice."))
    if not permissions.can_practise(trainee):
        raise TrainingError(
            ErrorCode.UNKNOWN_USER, _("%(user)s does not practise role-play.") % {"user": trainee}
        )
    if due_on < clock.now().date():
        raise TrainingError(ErrorCode.DUE_IN_PAST, _("The due date has passed."))
    assignment = Assignment.objects.create(
        trainer=trainer,
        trainee=trainee,
        scenario=scenario,
        due_on=due_on,
        note=note[:300],
        created_at=clock.now(),
    )
    record(
        actor=trainer,
        action="assignment_created",
        scenario=scenario,
        changes={"trainee": trainee.pk, "due_on": due_on.isoformat(), "assignment": assignment.pk},
    )
    return assignment


# --- the case library -----------------------------------------------------------------------------


def _known(complaint: Complaint) -> engine.Known:
    """What the records know about the people in ``complaint``."""
    customer = complaint.customer
    staff: set[str] = set()
    for user in [
        complaint.owner,
        complaint.created_by,
        *(m.author for m in complaint.messages.select_related("author")),
    ]:
        if user is not None:
            staff |= {
                v
                for v in (user.display_name, user.get_full_name(), user.last_name + user.first_name)
                if v and len(v) >= 2
            }
    numbers = [v for v in (customer.external_id, complaint.order_number, complaint.reference) if v]
    return engine.Known(
        names=(customer.name,) if customer.name else (),
        staff=tuple(sorted(staff)),
        numbers=tuple(numbers),
        phones=(customer.phone,) if customer.phone else (),
        id_cards=(customer.id_card,) if customer.id_card else (),
        emails=(customer.email,) if customer.email else (),
    )


def _conversation(complaint: Complaint, known: engine.Known) -> tuple[list[dict[str, str]], dict[str, int]]:
    turns, counts = [], {}
    for message in complaint.messages.exclude(kind="note").order_by("created_at", "id"):
        done = engine.anonymise(message.body, known)
        for kind, n in done.replaced.items():
            counts[kind] = counts.get(kind, 0) + n
        turns.append({"speaker": "customer" if message.kind == "customer" else "agent", "text": done.text})
    return turns, counts


@transaction.atomic
def case_propose(
    *, complaint: Complaint, actor: User, kind: str = CaseKind.EXEMPLARY, title: str = ""
) -> Case:
    """A trainer proposes a closed complaint for the library: its words and conversation anonymised
    at once, the STAR-L drafted from them, waiting for a second person's check."""
    if not permissions.can_run(actor):
        raise PermissionRefused(_("Only trainers propose cases."))
    if complaint.stage not in CLOSED_STAGES:
        raise TrainingError(ErrorCode.COMPLAINT_NOT_CLOSED, _("Only closed complaints become cases."))
    if kind not in CaseKind.values:
        raise TrainingError(ErrorCode.INVALID, _("A case is exemplary or cautionary."))
    known = _known(complaint)
    text = engine.anonymise(complaint.text, known)
    conversation, counts = _conversation(complaint, known)
    for k, n in text.replaced.items():
        counts[k] = counts.get(k, 0) + n
    category = complaint.category.code if complaint.category_id else "other"
    parent = complaint.category.parent if complaint.category_id else None
    if parent is not None:
        category = parent.code
    solution = engine.anonymise(complaint.solution_text or "", known).text
    try:
        case = Case.objects.create(
            complaint=complaint,
            title=(title.strip() or text.text[:40])[:200],
            kind=kind,
            category=category if category in dict(Case._meta.get_field("category").choices) else "other",
            text=text.text,
            conversation=conversation,
            replaced=counts,
            situation=text.text,
            action=solution,
            proposed_by=actor,
            edited_by=actor,
            proposed_at=clock.now(),
        )
    except IntegrityError:
        raise TrainingError(
            ErrorCode.CASE_EXISTS, _("This complaint is in the case library already.")
        ) from None
    record(actor=actor, action="case_proposed", case=case, changes={"replaced": counts})
    return case


CASE_FIELDS = ("title", "kind", "category", "text", "situation", "task", "action", "result", "lesson")


def case_leaks(case: Case) -> list[str]:
    """What personal data of the source complaint, or of any pattern, is still in the case."""
    known = _known(case.complaint)
    texts = [getattr(case, name) for name in CASE_FIELDS] + [t["text"] for t in case.conversation]
    return sorted({kind for text in texts for kind in engine.leaks(text, known)})


@transaction.atomic
def case_update(
    *, case: Case, actor: User, data: Mapping[str, Any], scenarios: Iterable[Scenario] | None = None
) -> Case:
    """A trainer edits the anonymised text and the STAR-L; a checked or published case goes back to
    be checked again."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not permissions.can_run(actor):
        raise PermissionRefused(_("Only trainers edit cases."))
    changed = {}
    for name in CASE_FIELDS:
        if name in data and data[name] is not None and data[name] != getattr(case, name):
            changed[name] = True
            setattr(case, name, data[name])
    if case.kind not in CaseKind.values:
        raise TrainingError(ErrorCode.INVALID, _("A case is exemplary or cautionary."))
    if changed:
        case.edited_by = actor
        case.status, case.checked_by, case.checked_at = CaseStatus.DRAFT, None, None
        case.published_by, case.published_at = None, None
    case.full_clean(exclude=["complaint"])
    case.save()
    if scenarios is not None:
        case.scenarios.set(scenarios)
    record(actor=actor, action="case_edited", case=case, changes={"fields": sorted(changed)})
    return case


@transaction.atomic
def case_check(*, case: Case, actor: User) -> Case:
    """A second person (neither the proposer nor the last editor) confirms that nothing personal is
    left; the check refuses while the records' data or a personal pattern is still found."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not (actor.has_perm("practice.check_case") and actor.is_active):
        raise PermissionRefused(_("Only trainers and QA inspectors check cases."))
    if case.status != CaseStatus.DRAFT:
        raise TrainingError(ErrorCode.NOT_ALLOWED, _("This case is not waiting for a check."))
    if not permissions.can_check_case(actor, case):
        raise TrainingError(
            ErrorCode.SECOND_PERSON_REQUIRED, _("A second person checks the anonymisation, not its author.")
        )
    leaks = case_leaks(case)
    if leaks:
        raise TrainingError(
            ErrorCode.CASE_LEAKS,
            _("Personal data is still in the case: %(kinds)s.") % {"kinds": ", ".join(leaks)},
            details=[{"kind": k} for k in leaks],
        )
    case.status, case.checked_by, case.checked_at = CaseStatus.CHECKED, actor, clock.now()
    case.save(update_fields=["status", "checked_by", "checked_at"])
    record(actor=actor, action="case_checked", case=case)
    return case


@transaction.atomic
def case_publish(*, case: Case, actor: User) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not permissions.can_run(actor):
        raise PermissionRefused(_("Only trainers publish cases."))
    if case.status != CaseStatus.CHECKED:
        raise TrainingError(
            ErrorCode.CASE_NOT_CHECKED, _("A second person checks a case before it is published.")
        )
    if case_leaks(case):  # the source may have changed since the check
        raise TrainingError(ErrorCode.CASE_LEAKS, _("Personal data is still in the case."))
    case.status, case.published_by, case.published_at = CaseStatus.PUBLISHED, actor, clock.now()
    case.save(update_fields=["status", "published_by", "published_at"])
    record(actor=actor, action="case_published", case=case)
    return case


@transaction.atomic
def case_withdraw(*, case: Case, actor: User, reason: str) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not permissions.can_run(actor):
        raise PermissionRefused()
    reason = _text(reason, _("A reason"), code=ErrorCode.REASON_REQUIRED)
    case.status = CaseStatus.WITHDRAWN
    case.save(update_fields=["status"])
    record(actor=actor, action="case_withdrawn", case=case, note=reason)
    return case


#: Solutions a customer of each category accepts, for scenarios made from cases (a trainer edits them).
CATEGORY_SOLUTIONS = {
    "product_quality": ["repair", "replacement", "refund", "compensation"],
    "service_attitude": ["dedicated_owner", "compensation", "credit"],
    "process": ["handle_for_you", "dedicated_owner", "explanation"],
    "communication": ["explanation", "dedicated_owner"],
    "price_fee": ["refund", "credit", "compensation"],
    "logistics_delay": ["dedicated_owner", "compensation", "replacement"],
    "rights_dispute": ["refund", "compensation", "explanation"],
    "other": ["dedicated_owner", "explanation", "compensation"],
}


@transaction.atomic
def case_to_scenario(*, case: Case, actor: User) -> Scenario:
    """One action: a published case becomes a scenario — its brief from the STAR-L, the customer's
    opening from the anonymised complaint, later customer messages as the facts to find out, the
    emotion from the engine, the standard from the category. Inactive until a trainer reviews it."""
    if not permissions.can_run(actor):
        raise PermissionRefused(_("Only trainers make scenarios."))
    if not case.published:
        raise TrainingError(ErrorCode.CASE_NOT_PUBLISHED, _("Only published cases become scenarios."))
    complaint = case.complaint
    first = analyze(case.text, tier="fast")
    later = [t["text"] for t in case.conversation if t["speaker"] == "customer" and t["text"] != case.text][
        :4
    ]
    standard = complaint.category.compensation_standard if complaint.category_id else None
    amounts = [d.amount for d in first.demands if d.amount]
    persona = {
        "tier": complaint.customer.tier.code if complaint.customer.tier.code in engine.TIERS else "standard",
        "opening": case.text[:500],
        "emotion": first.emotion.label,
        "intensity": max(0.5, round(first.emotion.intensity, 2)),
        "facts": [
            {"code": f"fact{i + 1}", "text": text[:300], "key": i == 0} for i, text in enumerate(later)
        ],
        "demand": engine.anonymise(complaint.demand_note or "").text or "我希望尽快解决。",
        "demand_amount": max(amounts) if amounts else None,
        "compensation_standard": float(standard or 0),
        "acceptable": CATEGORY_SOLUTIONS.get(case.category, CATEGORY_SOLUTIONS["other"]),
        "tolerance": 3,
        "escalation_line": "你们再这样，我就去12315投诉！",
    }
    brief = "\n".join(
        f"{label}：{value}" for label, value in (("情境", case.situation), ("任务", case.task)) if value
    )
    scenario = Scenario(
        code=f"case-{case.pk}",
        title=case.title[:120],
        brief=brief or case.text,
        category=case.category,
        persona=persona,
        active=False,
        source_case=case,
        created_by=actor,
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    try:
        scenario.as_engine()
    except engine.ScenarioError as error:
        raise TrainingError(ErrorCode.INVALID_SCENARIO, str(error)) from None
    if Scenario.objects.filter(code=scenario.code).exists():
        raise TrainingError(ErrorCode.INVALID_SCENARIO, _("This case is a scenario already."))
    scenario.save()
    case.scenarios.add(scenario)
    record(actor=actor, action="scenario_from_case", case=case, scenario=scenario)
    return scenario
