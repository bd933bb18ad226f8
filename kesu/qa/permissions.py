"""Who may see and do what in quality inspection, checked on the server for every page and API call.

- QA inspectors 质检员 score inspections, import transcripts, draw samples and run calibrations, and
  read every result;
- an agent 坐席 reads their own completed results and may appeal each one once;
- a team lead 班组长 reads the team's completed results and decides the team's appeals (never one
  about themselves);
- managers 主管 read everything; trainers 培训师 read everything, change nothing.
"""

from __future__ import annotations

from django.db.models import Q

from kesu.accounts.models import User
from kesu.qa.models import Appeal, AppealStatus, Inspection, InspectionStatus


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_inspect(user: User) -> bool:
    return _active(user) and user.has_perm("qa.inspect")


def can_import(user: User) -> bool:
    return _active(user) and user.has_perm("qa.import_transcripts")


def sees_all(user: User) -> bool:
    return _active(user) and (user.is_superuser or user.has_perm("qa.view_all_inspections"))


def sees_team(user: User) -> bool:
    return _active(user) and user.team_id is not None and user.has_perm("qa.view_team_inspections")


def sees_own(user: User) -> bool:
    return _active(user) and user.has_perm("qa.view_own_inspections")


def can_use_qa(user: User) -> bool:
    return sees_all(user) or sees_team(user) or sees_own(user) or can_inspect(user)


def visibility_filter(user: User) -> Q | None:
    """Inspections ``user`` may read; ``None`` means all. Others see completed results only."""
    if sees_all(user) or can_inspect(user):
        return None
    done = Q(status=InspectionStatus.COMPLETED, calibration__isnull=True)
    allowed = Q(pk__in=[])
    if sees_team(user):
        allowed |= Q(team_id=user.team_id)
    if sees_own(user):
        allowed |= Q(agent_id=user.pk)
    return done & allowed


def can_view(user: User, inspection: Inspection) -> bool:
    if sees_all(user) or can_inspect(user):
        return True
    if inspection.status != InspectionStatus.COMPLETED or not inspection.official:
        return False
    if sees_team(user) and inspection.team_id == user.team_id:
        return True
    return sees_own(user) and inspection.agent_id == user.pk


def can_score(user: User, inspection: Inspection) -> bool:
    """An inspector scores an inspection still to do; a calibration scoring only by its inspector."""
    if not can_inspect(user) or inspection.status != InspectionStatus.QUEUED:
        return False
    return inspection.calibration_id is None or inspection.inspector_id == user.pk


def can_appeal(user: User, inspection: Inspection) -> bool:
    return (
        _active(user)
        and user.has_perm("qa.appeal_inspection")
        and inspection.agent_id == user.pk
        and inspection.status == InspectionStatus.COMPLETED
        and inspection.official
        and not Appeal.objects.filter(inspection=inspection).exists()
    )


def can_decide(user: User, appeal: Appeal) -> bool:
    inspection = appeal.inspection
    if not (_active(user) and user.has_perm("qa.decide_appeal")) or appeal.status != AppealStatus.PENDING:
        return False
    if inspection.agent_id == user.pk:
        return False
    return user.is_superuser or (user.team_id is not None and inspection.team_id == user.team_id)
