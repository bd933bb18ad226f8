"""Demo quality inspection, after the demo complaints exist: a sampling plan drawn over the last
months, most inspections completed by the demo inspector (manual items scored, a few automatic
scores overridden with a reason), appeals waiting for and decided by team leads, three imported
call/chat transcripts (``demo_calls.json``), and a calibration round of two inspectors. Everything
goes through :mod:`kesu.qa.services`, so the trail is what production would write."""

from __future__ import annotations

import random
from pathlib import Path

from django.contrib.auth.models import Group

from kesu.accounts.models import User
from kesu.accounts.roles import QA_INSPECTOR
from kesu.complaints.errors import ComplaintError
from kesu.qa import selectors, services
from kesu.qa.models import (
    AppealStatus,
    Calibration,
    Inspection,
    InspectionStatus,
    ItemKind,
    SamplingPlan,
    Transcript,
)

CALLS = Path(__file__).with_name("demo_calls.json")
MONTHS = 4


def _second_inspector(password: str) -> User:
    user, created = User.objects.get_or_create(username="qa2", defaults={"display_name": "孙质检"})
    if created:
        user.set_password(password)
        user.save()
    user.groups.add(Group.objects.get(name=QA_INSPECTOR))
    return user


def _score_manual(inspection: Inspection, inspector: User, rng: random.Random) -> None:
    for result in inspection.results.filter(kind=ItemKind.MANUAL, applicable=True, score__isnull=True):
        if result.code == "voice_presence" and rng.random() < 0.5:
            services.inspection_score_item(
                inspection=inspection,
                actor=inspector,
                code=result.code,
                score=None,
                not_applicable=True,
                reason="文字记录，无法评估声音",
            )
            continue
        score = 1.0 if result.critical else rng.choice([1.0, 0.75, 0.75, 0.5])
        services.inspection_score_item(inspection=inspection, actor=inspector, code=result.code, score=score)


def _complete(inspection: Inspection, inspector: User, rng: random.Random) -> None:
    _score_manual(inspection, inspector, rng)
    if rng.random() < 0.2:  # the inspector reads the conversation differently from the engine
        result = inspection.results.filter(kind=ItemKind.ASSISTED, applicable=True).first()
        if result is not None and result.auto_score is not None:
            services.inspection_score_item(
                inspection=inspection,
                actor=inspector,
                code=result.code,
                score=0.5 if result.auto_score >= 0.75 else 1.0,
                reason="复述只覆盖了部分要点" if result.auto_score >= 0.75 else "坐席已完整复述客户诉求",
            )
    services.inspection_complete(inspection=inspection, actor=inspector)


def seed_qa(*, password: str, seed: int = 16) -> int:
    """Seed quality inspection once (a no-op when inspections exist); returns inspections made."""
    if Inspection.objects.exists():
        return 0
    rng = random.Random(seed)
    qa = User.objects.get(username="qa")
    qa2 = _second_inspector(password)
    plan, _created = SamplingPlan.objects.get_or_create(
        name="每月抽检（每名坐席 10%）", defaults={"rate": 10, "seed": "kesu-demo"}
    )
    this_month = selectors.parse_month(None)
    for back in range(MONTHS - 1, -1, -1):
        services.sample_draw(plan=plan, month=selectors.add_months(this_month, -back), actor=qa)
    report = services.transcripts_import(actor=qa, name=CALLS.name, content=CALLS.read_bytes())
    queued = list(
        Inspection.objects.filter(status=InspectionStatus.QUEUED, calibration__isnull=True).order_by("pk")
    )
    for inspection in queued[: max(1, int(len(queued) * 0.75))]:
        _complete(inspection, qa, rng)
    _appeals(rng)
    transcripts = Transcript.objects.filter(pk__in=[t.pk for t in report.created])
    if transcripts and not Calibration.objects.exists():
        calibration = services.calibration_create(
            actor=qa, name="11月校准", transcripts=transcripts, first=qa, second=qa2
        )
        for inspection in calibration.inspections.select_related("inspector"):
            _complete(inspection, inspection.inspector, rng)
    return Inspection.objects.count()


def _appeals(rng: random.Random) -> None:
    """Two agents appeal a result each: one decided by the team lead, one still waiting."""
    done = list(
        Inspection.objects.filter(
            status=InspectionStatus.COMPLETED, calibration__isnull=True, agent__isnull=False
        )
        .select_related("agent")
        .order_by("score", "pk")[:6]
    )
    decided = False
    for inspection in done:
        weakest = inspection.results.filter(applicable=True, score__lt=1).order_by("score").first()
        if weakest is None:
            continue
        try:
            appeal = services.appeal_raise(
                inspection=inspection,
                actor=inspection.agent,
                reason="通话中我已向客户说明了处理时限，请复核该项评分。",
                items=[weakest.code],
            )
        except ComplaintError:
            continue
        lead = User.objects.filter(team_id=inspection.team_id, groups__name="team_lead").first()
        if not decided and lead is not None:
            services.appeal_decide(
                appeal=appeal,
                actor=lead,
                upheld=True,
                note="复核录音，坐席确有说明，改判该项。",
                scores={weakest.code: min(1.0, (weakest.score or 0) + 0.5)},
            )
            decided = True
        elif appeal.status == AppealStatus.PENDING:
            return
