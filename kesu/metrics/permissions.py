"""Who sees the KPI dashboard, and which part of it (SPEC §1): managers and admins every team, a
team lead their own team's figures only."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from kesu.accounts import roles
from kesu.accounts.models import User
from kesu.complaints.errors import PermissionRefused
from kesu.customers.models import Tier

DASHBOARD_ROLES = frozenset({roles.MANAGER, roles.ADMIN, roles.TEAM_LEAD})


@dataclass(frozen=True)
class Scope:
    team_id: int | None = None
    tier_code: str = ""
    tier_id: int | None = None

    def as_query(self) -> dict[str, str]:
        query = {}
        if self.team_id:
            query["team"] = str(self.team_id)
        if self.tier_code:
            query["tier"] = self.tier_code
        return query


def can_view_dashboard(user: User) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.has_perm("metrics.view_kpi_dashboard"):
        return True
    codes = user.role_codes
    if roles.TEAM_LEAD in codes and not ({roles.MANAGER, roles.ADMIN} & codes):
        return user.team_id is not None
    return bool(DASHBOARD_ROLES & codes)


def sees_every_team(user: User) -> bool:
    return (
        user.is_superuser
        or user.has_perm("metrics.view_kpi_dashboard")
        or bool({roles.MANAGER, roles.ADMIN} & user.role_codes)
    )


def dashboard_scope(*, user: User, team_id: int | None, tier_code: str = "") -> Scope:
    """The scope a user may see: managers and admins any team; a team lead only their own."""
    if not can_view_dashboard(user):
        raise PermissionRefused(_("Only managers and team leads see the KPI dashboard."))
    if not sees_every_team(user):
        if team_id not in (None, user.team_id):
            raise PermissionRefused(_("Team leads see their own team's figures only."))
        team_id = user.team_id
    tier_id = None
    if tier_code:
        tier_id = Tier.objects.filter(code=tier_code).values_list("pk", flat=True).first()
        if tier_id is None:
            tier_id = -1  # an unknown tier has no complaints
    return Scope(team_id=team_id, tier_code=tier_code, tier_id=tier_id)
