"""Every change in quality inspection happens here: one function per act, each checking permission,
writing the change and its :class:`~kesu.qa.models.InspectionEvent` in one transaction. Views, the
API, the demo and the tasks call these and nothing else.

Inspections read complaints (their conversation, owner, clocks and flags) and never change them, so
the complaint's own audit trail is untouched; the inspection trail records every change to a score.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints import clock
from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.complaints.models import Complaint
from kesu.core import qa as engine
from kesu.core.imports import decode_text
from kesu.imports.models import ImportJob, JobKind, RowOutcome
from kesu.imports.services import done_numbers, job_create, job_set_total, row_record, row_record_once
from kesu.qa import permissions, selectors
from kesu.qa.models import (
    Appeal,
    AppealStatus,
    Calibration,
    Inspection,
    InspectionEvent,
    InspectionReason,
    InspectionStatus,
    ItemKind,
    ItemMonth,
    ItemResult,
    SampleDraw,
    SamplingPlan,
    Scorecard,
    ScorecardItem,
    ScorecardStatus,
    Transcript,
    TranscriptSource,
)

MAX_TEXT = 2000
#: A file of transcripts holds at most this many; it is imported by a background job.
MAX_IMPORT_TRANSCRIPTS = 2000
#: Transcripts imported in the request itself (a CTI system posting calls as JSON): scoring costs about
#: 15 ms a call, so this keeps the request within a second or two.
MAX_SYNC_TRANSCRIPTS = 100
COMPLAINT_CHANNELS = {
    "phone": "phone",
    "chat": "chat",
    "social": "social",
    "email": "email",
    "walk_in": "walk_in",
}


class QaError(ComplaintError):
    """A refused act of quality inspection (stable ``code``; the API and pages show ``message``)."""


def month_of(moment: datetime | None) -> date:
    local = timezone.localtime(moment or clock.now())
    return local.date().replace(day=1)


def record(
    *, inspection: Inspection, actor: User | None, action: str, changes: dict | None = None, note: str = ""
) -> InspectionEvent:
    return InspectionEvent.objects.create(
        inspection=inspection,
        actor=actor if actor and actor.pk else None,
        action=action,
        changes=changes or {},
        note=note,
        created_at=clock.now(),
    )


def _text(value: str, label: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise QaError(ErrorCode.REASON_REQUIRED, _("%(what)s is required.") % {"what": label})
    if len(value) > MAX_TEXT:
        raise QaError(ErrorCode.TEXT_TOO_LONG, _("%(what)s is too long.") % {"what": label})
    return value


# --- scorecards -----------------------------------------------------------------------------------


def scorecard_in_use(code: str = "default") -> Scorecard:
    scorecard = Scorecard.objects.filter(code=code, status=ScorecardStatus.ACTIVE).first()
    if scorecard is None:
        raise QaError(ErrorCode.NO_SCORECARD, _("No scorecard %(code)s is in use.") % {"code": code})
    return scorecard


@transaction.atomic
def scorecard_new_version(*, scorecard: Scorecard) -> Scorecard:
    """A draft copy of ``scorecard`` as the next version of its code, to edit and then put in use."""
    latest = Scorecard.objects.filter(code=scorecard.code).order_by("-version").first()
    copy = Scorecard.objects.create(
        code=scorecard.code,
        version=(latest.version if latest else 0) + 1,
        name=scorecard.name,
        name_en=scorecard.name_en,
        pass_below=scorecard.pass_below,
        status=ScorecardStatus.DRAFT,
    )
    fields = [f.name for f in ScorecardItem._meta.concrete_fields if f.name not in ("id", "scorecard")]
    ScorecardItem.objects.bulk_create(
        ScorecardItem(scorecard=copy, **{name: getattr(item, name) for name in fields})
        for item in scorecard.items.all()
    )
    return copy


@transaction.atomic
def scorecard_activate(*, scorecard: Scorecard) -> Scorecard:
    """Put a version in use (new inspections are scored on it); the one in use before is retired."""
    try:
        scorecard.as_engine()
    except engine.ScorecardError as error:
        raise QaError(ErrorCode.INVALID_SCORECARD, str(error)) from None
    Scorecard.objects.filter(code=scorecard.code, status=ScorecardStatus.ACTIVE).exclude(
        pk=scorecard.pk
    ).update(status=ScorecardStatus.RETIRED)
    scorecard.status = ScorecardStatus.ACTIVE
    scorecard.save(update_fields=["status"])
    return scorecard


def scorecard_seed_default() -> Scorecard:
    """The default scorecard (``kesu/core/qa/data/scorecard.json``) as version 1, in use; once."""
    existing = Scorecard.objects.filter(code="default").order_by("version").first()
    if existing:
        return existing
    data = engine.default_scorecard_data()
    scorecard = Scorecard.objects.create(
        code=data["code"],
        name=data["name"],
        name_en=data.get("name_en", ""),
        pass_below=data.get("pass_below", 0.5),
        status=ScorecardStatus.ACTIVE,
    )
    ScorecardItem.objects.bulk_create(
        ScorecardItem(
            scorecard=scorecard,
            position=position,
            code=row["code"],
            kind=row["kind"],
            check_name=row.get("check", ""),
            group=row["group"],
            weight=row["weight"],
            critical=row.get("critical", False),
            label=row["label"],
            label_en=row.get("label_en", ""),
            description=row.get("description", ""),
            description_en=row.get("description_en", ""),
            channels=row.get("channels", []),
            params=row.get("params", {}),
        )
        for position, row in enumerate(data["items"])
    )
    return scorecard


# --- transcripts ----------------------------------------------------------------------------------


def transcript_from_complaint(*, complaint: Complaint, actor: User | None = None) -> Transcript:
    """A snapshot of the complaint's conversation (customer messages and replies; notes left out),
    each turn timed by when it was sent, for inspection."""
    messages = list(complaint.messages.exclude(kind="note").order_by("created_at", "id"))
    if not messages:
        raise QaError(ErrorCode.NO_CONVERSATION, _("This complaint has no conversation to inspect."))
    origin = messages[0].created_at
    turns = [
        {
            "speaker": "customer" if m.kind == "customer" else "agent",
            "text": m.body[: engine.transcript.MAX_TURN_CHARS],
            "start": round((m.created_at - origin).total_seconds(), 1),
            "end": None,
        }
        for m in messages
    ]
    return Transcript.objects.create(
        complaint=complaint,
        agent_id=complaint.owner_id,
        team_id=complaint.team_id,
        source=TranscriptSource.COMPLAINT,
        channel=COMPLAINT_CHANNELS.get(complaint.channel, "other"),
        started_at=origin,
        turns=turns,
        imported_by=actor,
        created_at=clock.now(),
    )


@dataclass
class ImportReport:
    created: list[Transcript] = field(default_factory=list)
    inspections: list[Inspection] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)  # {"ref", "code", "message"}

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": [t.pk for t in self.created],
            "inspections": [i.pk for i in self.inspections],
            "skipped": self.skipped,
        }


def parse_export(*, name: str, content: bytes, limit: int = MAX_IMPORT_TRANSCRIPTS) -> list[engine.ParsedTranscript]:
    """The transcripts of an export file: JSON (``.json``, or content starting with ``{``/``[``) or CSV."""
    text = decode_text(content)  # the encodings a complaint import reads, too
    if text is None:
        raise QaError(ErrorCode.BAD_ENCODING, _("The file is neither UTF-8 nor GB18030 text."))
    try:
        if name.lower().endswith(".json") or text.lstrip()[:1] in ("{", "["):
            parsed = engine.parse_json(text)
        else:
            parsed = engine.parse_csv(text)
    except engine.TranscriptError as error:
        raise QaError(error.code, str(error)) from None
    if len(parsed) > limit:
        raise QaError(ErrorCode.TOO_MANY_TRANSCRIPTS, _("At most %(n)d transcripts per file.") % {"n": limit})
    return parsed


@dataclass
class _Lookups:
    """The agents and complaints a file names, read once for the whole file."""

    users: dict[str, User]
    complaints: dict[str, Complaint]

    @classmethod
    def of(cls, parsed: list[engine.ParsedTranscript]) -> _Lookups:
        users = {u.username: u for u in User.objects.filter(username__in={p.agent for p in parsed if p.agent})}
        references = {p.complaint for p in parsed if p.complaint}
        return cls(users, {c.reference: c for c in Complaint.objects.filter(reference__in=references)})


def _place(
    item: engine.ParsedTranscript, lookups: _Lookups, complaint: Complaint | None
) -> tuple[User | None, Complaint | None, tuple[str, str] | None]:
    """The transcript's agent and complaint, or why it cannot be imported (code, message)."""
    agent = lookups.users.get(item.agent) if item.agent else None
    target = complaint or lookups.complaints.get(item.complaint)
    if item.agent and agent is None:
        return None, None, ("unknown_agent", _("Unknown agent: %(user)s.") % {"user": item.agent})
    if item.complaint and target is None and complaint is None:
        return None, None, ("unknown_complaint", _("Unknown complaint: %(ref)s.") % {"ref": item.complaint})
    if item.external_ref and Transcript.objects.filter(external_ref=item.external_ref).exists():
        return None, None, ("duplicate", _("Imported before."))
    return agent or (target.owner if target else None), target, None


def _store_transcript(
    item: engine.ParsedTranscript, *, actor: User, agent: User | None, target: Complaint | None, inspect: bool
) -> tuple[Transcript, Inspection | None]:
    transcript = Transcript.objects.create(
        complaint=target,
        agent=agent,
        team_id=(agent.team_id if agent else None) or (target.team_id if target else None),
        source=TranscriptSource.IMPORT,
        channel=item.transcript.channel,
        external_ref=item.external_ref,
        started_at=item.started_at,
        turns=item.transcript.as_list(),
        imported_by=actor,
        created_at=clock.now(),
    )
    inspection = (
        inspection_create(transcript=transcript, reason=InspectionReason.MANUAL, actor=actor) if inspect else None
    )
    return transcript, inspection


def transcripts_import(
    *,
    actor: User,
    name: str,
    content: bytes,
    complaint: Complaint | None = None,
    inspect: bool = True,
) -> ImportReport:
    """Import call or chat transcripts in the caller's request: what a CTI system posts as it goes (a
    few calls at a time, at most :data:`MAX_SYNC_TRANSCRIPTS`; a file of more is imported in the
    background, :func:`transcripts_import_start`). Each names its agent (username) and may name its
    complaint (reference); ``complaint`` attaches every transcript of the file to one complaint. With
    ``inspect`` each transcript is scored at once and queued for an inspector. A transcript whose
    external reference was imported before is skipped, so a retried import creates nothing twice."""
    if not permissions.can_import(actor):
        raise PermissionRefused()
    parsed = parse_export(name=name, content=content, limit=MAX_SYNC_TRANSCRIPTS)
    lookups = _Lookups.of(parsed)
    report = ImportReport()
    for item in parsed:
        agent, target, problem = _place(item, lookups, complaint)
        if problem:
            report.skipped.append({"ref": item.external_ref, "code": problem[0], "message": problem[1]})
            continue
        try:
            with transaction.atomic():
                transcript, inspection = _store_transcript(
                    item, actor=actor, agent=agent, target=target, inspect=inspect
                )
        except IntegrityError:  # the same reference imported at the same moment by someone else
            report.skipped.append({"ref": item.external_ref, "code": "duplicate", "message": _("Imported before.")})
            continue
        report.created.append(transcript)
        if inspection is not None:
            report.inspections.append(inspection)
    return report


def transcripts_import_start(
    *,
    actor: User,
    name: str,
    stream: IO[bytes],
    size: int,
    complaint: Complaint | None = None,
    inspect: bool = True,
    language: str | None = None,
) -> ImportJob:
    """A transcript file uploaded (the page, the API's multipart ``file``): read and checked whole in the
    request — a file that cannot be read, or holds more than :data:`MAX_IMPORT_TRANSCRIPTS`, is refused
    and nothing is stored — then imported by a background job (the same job as the complaints' bulk
    import: progress, a line of report per transcript, resumed without duplicates)."""
    if not permissions.can_import(actor):
        raise PermissionRefused()
    if size > settings.KESU_MAX_IMPORT_BYTES:
        raise QaError(ErrorCode.FILE_TOO_LARGE, _("The file is larger than the import limit."))
    content = stream.read(settings.KESU_MAX_IMPORT_BYTES + 1)
    parse_export(name=name, content=content)
    with transaction.atomic():
        return job_create(
            actor=actor,
            name=name,
            content=io.BytesIO(content),
            size=len(content),
            language=language or translation.get_language() or "zh-hans",
            kind=JobKind.TRANSCRIPTS,
            options={"complaint": complaint.pk if complaint else None, "inspect": inspect},
        )


def transcripts_import_run(job: ImportJob, *, deadline: float | None = None) -> bool:
    """Run (or resume) a transcript import job that the caller has claimed; True when it is finished,
    False when its time (``deadline``, a :func:`time.monotonic` value) ran out first. Each transcript is
    stored with its line of report in one transaction, so a resumed run carries on after the last."""
    with job.file.open("rb") as stream:
        parsed = parse_export(name=job.filename, content=stream.read())
    if job.rows_total is None:
        job_set_total(job, len(parsed))
    done = done_numbers(job)
    complaint = Complaint.objects.filter(pk=job.options.get("complaint")).first() if job.options.get("complaint") else None
    inspect = bool(job.options.get("inspect", True))
    lookups = _Lookups.of(parsed)
    for number, item in enumerate(parsed, start=1):
        if number in done:
            continue
        agent, target, problem = _place(item, lookups, complaint)
        ref = item.external_ref or ""
        if problem:
            outcome = RowOutcome.SKIPPED if problem[0] == "duplicate" else RowOutcome.REJECTED
            row_record_once(job, number=number, outcome=outcome, reference=ref, messages=[problem[1]])
        else:
            try:
                with transaction.atomic():
                    _transcript, inspection = _store_transcript(
                        item, actor=job.started_by, agent=agent, target=target, inspect=inspect
                    )
                    row_record(
                        job,
                        number=number,
                        outcome=RowOutcome.CREATED,
                        reference=ref,
                        messages=[f"QA-{inspection.pk}"] if inspection else [],
                    )
            except IntegrityError:
                row_record_once(job, number=number, outcome=RowOutcome.SKIPPED, reference=ref,
                                messages=[_("Imported before.")])
        if deadline is not None and time.monotonic() > deadline:
            return False
    return True


# --- inspections ----------------------------------------------------------------------------------


def _facts(transcript: Transcript) -> engine.Facts:
    authority = float(transcript.agent.effective_authority_limit()) if transcript.agent_id else None
    sla: dict[str, str] = {}
    complaint = transcript.complaint
    if complaint is not None and transcript.source == TranscriptSource.COMPLAINT:
        clocks = getattr(complaint, "sla", None)
        if clocks is not None:
            sla = {"first_reply": clocks.first_reply_status, "effective": clocks.effective_status}
    return engine.Facts(authority_limit=authority, sla=sla)


def _inspection_month(transcript: Transcript) -> date:
    complaint = transcript.complaint
    if complaint is not None and complaint.closed_at:
        return month_of(complaint.closed_at)
    return month_of(transcript.started_at or transcript.created_at)


def inspection_create(
    *,
    transcript: Transcript,
    reason: str,
    actor: User | None = None,
    scorecard: Scorecard | None = None,
    draw: SampleDraw | None = None,
    calibration: Calibration | None = None,
    inspector: User | None = None,
) -> Inspection:
    """Score ``transcript`` automatically and queue the inspection for an inspector."""
    scorecard = scorecard or scorecard_in_use()
    spec = scorecard.as_engine()
    scoring = engine.score_transcript(transcript.as_engine(), spec, facts=_facts(transcript))
    now = clock.now()
    with transaction.atomic():
        inspection = Inspection.objects.create(
            transcript=transcript,
            complaint_id=transcript.complaint_id,
            scorecard=scorecard,
            agent_id=transcript.agent_id,
            team_id=transcript.team_id,
            month=_inspection_month(transcript),
            reason=reason,
            draw=draw,
            calibration=calibration,
            inspector=inspector,
            auto_score=scoring.total.score,
            raw_score=scoring.total.raw,
            score=scoring.total.score,
            failed=scoring.total.failed,
            communication_score=scoring.total.groups.get(engine.COMMUNICATION),
            language=scoring.language,
            created_at=now,
        )
        ItemResult.objects.bulk_create(
            ItemResult(
                inspection=inspection,
                position=position,
                code=item.code,
                kind=spec_item.kind,
                group=spec_item.group,
                weight=spec_item.weight,
                critical=spec_item.critical,
                applicable=item.applicable,
                auto_score=item.score,
                score=item.score,
                reason_zh=item.reason_zh,
                reason_en=item.reason_en,
                evidence=[e.as_dict() for e in item.evidence],
                figures=dict(item.figures),
            )
            for position, (item, spec_item) in enumerate(zip(scoring.items, spec.items, strict=True))
        )
        record(
            inspection=inspection,
            actor=actor,
            action="scored",
            changes={"auto_score": [None, scoring.total.score], "failed": [None, scoring.total.failed]},
        )
    return inspection


def _locked(inspection: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().select_related("scorecard").get(pk=inspection.pk)


def _refresh_totals(inspection: Inspection) -> dict[str, list[Any]]:
    """Recompute the inspection's totals from its item scores; returns what changed."""
    scores = {r.code: r.score for r in inspection.results.all() if r.applicable}
    totals = engine.total(inspection.scorecard.as_engine(), scores)
    changes: dict[str, list[Any]] = {}
    for name, value in (
        ("score", totals.score),
        ("raw_score", totals.raw),
        ("failed", totals.failed),
        ("communication_score", totals.groups.get(engine.COMMUNICATION)),
    ):
        if getattr(inspection, name) != value:
            changes[name] = [getattr(inspection, name), value]
            setattr(inspection, name, value)
    if changes:
        inspection.save(update_fields=list(changes))
    return changes


def _score_value(score: float | None) -> float | None:
    if score is None:
        return None
    if (
        isinstance(score, bool)
        or not isinstance(score, int | float)
        or math.isnan(score)
        or not 0 <= score <= 1
    ):
        raise QaError(ErrorCode.INVALID_SCORE, _("A score is a number from 0 to 1."))
    return round(float(score), 4)


def inspection_score_item(
    *,
    inspection: Inspection,
    actor: User,
    code: str,
    score: float | None,
    reason: str = "",
    not_applicable: bool = False,
) -> ItemResult:
    """The inspector scores a manual item, confirms an assisted one, or overrides an automatic score —
    an override (a score other than the engine's) needs a reason. ``not_applicable`` leaves a manual
    item out of the total, with a reason."""
    score = None if not_applicable else _score_value(score)
    with transaction.atomic():
        inspection = _locked(inspection)
        if not permissions.can_score(actor, inspection):
            raise PermissionRefused(_("Only an inspector scores an inspection that is still open."))
        result = inspection.results.select_for_update().filter(code=code).first()
        if result is None:
            raise QaError(ErrorCode.UNKNOWN_ITEM, _("This scorecard has no item %(code)s.") % {"code": code})
        if not_applicable:
            if result.kind != ItemKind.MANUAL:
                raise QaError(ErrorCode.NOT_APPLICABLE_REFUSED, _("Only a manual item can be set not applicable."))
            reason = _text(reason, _("A reason"))
        elif score is None:
            raise QaError(ErrorCode.INVALID_SCORE, _("A score is a number from 0 to 1."))
        overriding = result.kind != ItemKind.MANUAL and score != result.auto_score
        if overriding:
            reason = _text(reason, _("A reason for the override"))
        else:
            reason = _text(reason, _("The note"), required=False)
        before = {"score": result.score, "applicable": result.applicable, "overridden": result.overridden}
        result.score = score
        result.applicable = not not_applicable
        result.overridden = overriding
        result.override_reason = reason
        result.scored_by = actor
        result.save(update_fields=["score", "applicable", "overridden", "override_reason", "scored_by"])
        if inspection.calibration_id is None and inspection.inspector_id is None:
            inspection.inspector = actor
            inspection.save(update_fields=["inspector"])
        totals = _refresh_totals(inspection)
        action = "item_overridden" if overriding else "item_scored"
        record(
            inspection=inspection,
            actor=actor,
            action=action,
            changes={
                f"{code}.score": [before["score"], score],
                **({f"{code}.applicable": [before["applicable"], False]} if not_applicable else {}),
                **totals,
            },
            note=reason,
        )
    return result


def inspection_complete(*, inspection: Inspection, actor: User, note: str = "") -> Inspection:
    """Finish the inspection: every manual item that applies must be scored first."""
    note = _text(note, _("The note"), required=False)
    with transaction.atomic():
        inspection = _locked(inspection)
        if not permissions.can_score(actor, inspection):
            raise PermissionRefused(_("Only an inspector completes an inspection that is still open."))
        pending = [r.code for r in inspection.results.all() if r.pending and r.kind == ItemKind.MANUAL]
        if pending:
            labels = dict(inspection.scorecard.items.values_list("code", "label"))
            raise QaError(ErrorCode.ITEMS_PENDING,
                _("Score these items first: %(items)s.")
                % {"items": "、".join(labels.get(c, c) for c in pending)},
                details=[{"item": c} for c in pending],
            )
        inspection.status = InspectionStatus.COMPLETED
        inspection.completed_at = clock.now()
        inspection.inspector = actor
        inspection.save(update_fields=["status", "completed_at", "inspector"])
        if inspection.official:
            count_items(
                inspection=inspection,
                deltas=[
                    (r.code, r.group, r.score, 1)
                    for r in inspection.results.all()
                    if r.applicable and r.score is not None
                ],
            )
        record(
            inspection=inspection,
            actor=actor,
            action="completed",
            changes={
                "status": [InspectionStatus.QUEUED, InspectionStatus.COMPLETED],
                "score": [None, inspection.score],
            },
            note=note,
        )
    return inspection


# --- the item roll-up -------------------------------------------------------------------------------


def count_items(*, inspection: Inspection, deltas: list[tuple[str, str, float, int]]) -> None:
    """Add (code, group, score change, count change) to the inspection's month, team and agent in
    :class:`ItemMonth`, in one statement that is safe against concurrent acts (an upsert adding to
    the row; PostgreSQL and SQLite both speak ``ON CONFLICT … DO UPDATE``)."""
    if not deltas:
        return
    table = ItemMonth._meta.db_table
    rows = [
        (inspection.month, inspection.team_id or 0, inspection.agent_id or 0, code, group, total, n)
        for code, group, total, n in deltas
    ]
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (month, team_key, agent_key, code, "group", total, n) VALUES {placeholders} '
            "ON CONFLICT (month, team_key, agent_key, code) DO UPDATE "
            f"SET total = {table}.total + excluded.total, n = {table}.n + excluded.n",
            [value for row in rows for value in row],
        )


@transaction.atomic
def rebuild_item_months(*, months: Iterable[date] | None = None) -> int:
    """Recompute :class:`ItemMonth` (all of it, or some months) from the item results; returns rows."""
    from django.db.models import Count, Sum

    results = ItemResult.objects.filter(
        inspection__status=InspectionStatus.COMPLETED,
        inspection__calibration__isnull=True,
        applicable=True,
        score__isnull=False,
    )
    stale = ItemMonth.objects.all()
    if months is not None:
        months = list(months)
        results = results.filter(inspection__month__in=months)
        stale = stale.filter(month__in=months)
    stale.delete()
    rows = [
        ItemMonth(
            month=row["inspection__month"],
            team_key=row["inspection__team_id"] or 0,
            agent_key=row["inspection__agent_id"] or 0,
            code=row["code"],
            group=row["group"],
            total=row["total"],
            n=row["n"],
        )
        for row in results.values(
            "inspection__month", "inspection__team_id", "inspection__agent_id", "code", "group"
        )
        .annotate(total=Sum("score"), n=Count("pk"))
        .order_by()
    ]
    ItemMonth.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


# --- appeals 申诉 -----------------------------------------------------------------------------------


def appeal_raise(*, inspection: Inspection, actor: User, reason: str, items: Iterable[str] = ()) -> Appeal:
    """The agent appeals their completed result, once, naming the items they dispute."""
    reason = _text(reason, _("A reason"))
    with transaction.atomic():
        inspection = _locked(inspection)
        if not permissions.can_appeal(actor, inspection):
            if Appeal.objects.filter(inspection=inspection).exists():
                raise QaError(ErrorCode.ALREADY_APPEALED, _("This result has been appealed already; one appeal per inspection.")
                )
            raise PermissionRefused(_("Only the agent inspected may appeal a completed result."))
        codes = set(inspection.results.values_list("code", flat=True))
        items = list(dict.fromkeys(items))
        unknown = [c for c in items if c not in codes]
        if unknown:
            raise QaError(ErrorCode.UNKNOWN_ITEM, _("This scorecard has no item %(code)s.") % {"code": unknown[0]})
        appeal = Appeal.objects.create(
            inspection=inspection,
            raised_by=actor,
            reason=reason,
            items=items,
            score_before=inspection.score,
            created_at=clock.now(),
        )
        record(
            inspection=inspection,
            actor=actor,
            action="appeal_raised",
            changes={"items": [None, items]},
            note=reason,
        )
    return appeal


def appeal_decide(
    *,
    appeal: Appeal,
    actor: User,
    upheld: bool,
    note: str,
    scores: Mapping[str, float] | None = None,
) -> Appeal:
    """The team lead decides: upheld (the disputed items get the scores given, and the total follows)
    or rejected (the result stands). Either way the decision and its reason are kept."""
    note = _text(note, _("The decision's reason"))
    scores = {code: _score_value(value) for code, value in (scores or {}).items()}
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().select_related("inspection").get(pk=appeal.pk)
        if not permissions.can_decide(actor, appeal):
            raise PermissionRefused(_("Only a team lead of the agent's team decides this appeal."))
        inspection = _locked(appeal.inspection)
        changes: dict[str, list[Any]] = {}
        if upheld:
            outside = [code for code in scores if code not in appeal.items]
            if outside:
                raise QaError(ErrorCode.ITEM_NOT_APPEALED, _("Only the items appealed can be changed."))
            deltas = []
            for result in inspection.results.select_for_update().filter(code__in=list(scores)):
                new = scores[result.code]
                if new is None or new == result.score:
                    continue
                changes[f"{result.code}.score"] = [result.score, new]
                if result.applicable:
                    deltas.append(
                        (
                            result.code,
                            result.group,
                            new - (result.score or 0.0),
                            0 if result.score is not None else 1,
                        )
                    )
                result.score = new
                result.overridden = True
                result.override_reason = _("Appeal upheld: %(note)s") % {"note": note}
                result.scored_by = actor
                result.save(update_fields=["score", "overridden", "override_reason", "scored_by"])
            if inspection.official:
                count_items(inspection=inspection, deltas=deltas)
            changes.update(_refresh_totals(inspection))
        appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
        appeal.decided_by = actor
        appeal.decision_note = note
        appeal.decided_at = clock.now()
        appeal.score_after = inspection.score
        appeal.save(update_fields=["status", "decided_by", "decision_note", "decided_at", "score_after"])
        record(
            inspection=inspection,
            actor=actor,
            action="appeal_decided",
            changes={"appeal": [AppealStatus.PENDING, appeal.status], **changes},
            note=note,
        )
    return appeal


# --- calibration 校准 -------------------------------------------------------------------------------


def calibration_create(
    *, actor: User, name: str, transcripts: Iterable[Transcript], first: User, second: User
) -> Calibration:
    """Two inspectors score the same transcripts, each on their own; the agreement is read later."""
    if not permissions.can_inspect(actor):
        raise PermissionRefused()
    name = _text(name, _("A name"))
    if first.pk == second.pk:
        raise QaError(ErrorCode.SAME_INSPECTOR, _("Calibration needs two different inspectors."))
    if not (permissions.can_inspect(first) and permissions.can_inspect(second)):
        raise QaError(ErrorCode.NOT_AN_INSPECTOR, _("Both must be QA inspectors."))
    transcripts = list(transcripts)
    if not transcripts:
        raise QaError(ErrorCode.NO_TRANSCRIPTS, _("Choose the transcripts to calibrate on."))
    scorecard = scorecard_in_use()
    with transaction.atomic():
        calibration = Calibration.objects.create(
            name=name,
            scorecard=scorecard,
            first_inspector=first,
            second_inspector=second,
            created_by=actor,
            created_at=clock.now(),
        )
        for transcript in transcripts:
            for inspector in (first, second):
                inspection_create(
                    transcript=transcript,
                    reason=InspectionReason.CALIBRATION,
                    actor=actor,
                    scorecard=scorecard,
                    calibration=calibration,
                    inspector=inspector,
                )
    return calibration


# --- sampling 抽检 ----------------------------------------------------------------------------------


def sample_draw(*, plan: SamplingPlan, month: date, actor: User | None = None) -> SampleDraw:
    """Draw ``plan`` for ``month`` (see :mod:`kesu.core.qa.sampling`): each pick not inspected yet is
    scored and queued. Drawing the same month again adds only what is new."""
    if actor is not None and not permissions.can_inspect(actor):
        raise PermissionRefused()
    month = month.replace(day=1)
    candidates = selectors.sample_candidates(month=month, team_id=plan.team_id)
    picks = engine.draw_sample(candidates, rate=float(plan.rate) / 100, seed=plan.seed, always=plan.always)
    scorecard = scorecard_in_use(plan.scorecard_code)
    with transaction.atomic():
        draw, _created = SampleDraw.objects.select_for_update().get_or_create(
            plan=plan, month=month, defaults={"drawn_by": actor, "drawn_at": clock.now()}
        )
        done = set(
            Inspection.objects.filter(
                complaint_id__in=[p.id for p in picks], calibration__isnull=True
            ).values_list("complaint_id", flat=True)
        )
        complaints = Complaint.objects.select_related("sla", "owner").in_bulk(
            [p.id for p in picks if p.id not in done]
        )
        for pick in picks:
            complaint = complaints.get(pick.id)
            if complaint is None:
                continue
            transcript = transcript_from_complaint(complaint=complaint, actor=actor)
            inspection_create(
                transcript=transcript, reason=pick.reason, actor=actor, scorecard=scorecard, draw=draw
            )
        draw.candidates = len(candidates)
        draw.picked = Inspection.objects.filter(draw=draw).count()
        draw.drawn_by = actor or draw.drawn_by
        draw.drawn_at = clock.now()
        draw.save(update_fields=["candidates", "picked", "drawn_by", "drawn_at"])
    return draw


def inspect_complaint(*, complaint: Complaint, actor: User) -> Inspection:
    """An inspector picks a complaint by hand: its conversation is scored and queued."""
    if not permissions.can_inspect(actor):
        raise PermissionRefused()
    existing = Inspection.objects.filter(complaint=complaint, calibration__isnull=True).first()
    if existing is not None:
        return existing
    transcript = transcript_from_complaint(complaint=complaint, actor=actor)
    return inspection_create(transcript=transcript, reason=InspectionReason.MANUAL, actor=actor)
