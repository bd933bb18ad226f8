"""The ladder 升级层级 (agent → team lead → manager → legal/PR, admin-editable), who holds each
level's role, and whom an escalation goes to. One rule for every escalation, by hand, at intake
or on a breach: someone of the level's role, in the complaint's team if there is one, the least
loaded first."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count

from kesu import memo
from kesu.accounts.models import User
from kesu.accounts.roles import role_authority_limits
from kesu.escalation.models import Escalation, EscalationLevel, Status

LADDER_CACHE_KEY = "kesu:escalation-ladder:v1"
ROLE_HOLDERS_CACHE_PREFIX = "kesu:role-holders:"


def levels() -> list[EscalationLevel]:
    """The ladder, cached (read at every intake that escalates); admin edits clear it."""
    return memo.remember(LADDER_CACHE_KEY, lambda: list(EscalationLevel.objects.order_by("position")), 60)


def level_at(position: int) -> EscalationLevel | None:
    return next((level for level in levels() if level.position == position), None)


def invalidate_ladder(**_: Any) -> None:
    memo.forget(LADDER_CACHE_KEY)


def role_holders(role: str) -> list[User]:
    """The active users holding a role, read at every escalation: remembered per process for
    30 s like permissions, and cleared with them when users or their groups change."""
    return memo.remember(
        f"{ROLE_HOLDERS_CACHE_PREFIX}{role}",
        lambda: list(User.objects.filter(is_active=True, groups__name=role).order_by("pk")),
        30,
    )


def forget_role_holders(**_: Any) -> None:
    memo.forget_prefix(ROLE_HOLDERS_CACHE_PREFIX)


def assignees(level: EscalationLevel, teams: Iterable[int | None]) -> list[User | None]:
    """Whom each of a run of escalations to ``level`` goes to, one per complaint team in
    ``teams``: a holder of the level's role, of the complaint's team first, then the one with the
    fewest open escalations (counting the ones assigned before it in this run), then the oldest
    account. ``None`` where nobody holds the role."""
    teams = list(teams)
    holders = role_holders(level.role)
    if not holders:
        return [None] * len(teams)
    load: dict[int, int] = dict(
        Escalation.objects.filter(status=Status.OPEN, assigned_to__in=[user.pk for user in holders])
        .values_list("assigned_to")
        .annotate(Count("id"))
        .order_by()
    )
    chosen: list[User | None] = []
    for team_id in teams:
        user = min(holders, key=lambda u: (u.team_id != team_id, load.get(u.pk, 0), u.pk))
        load[user.pk] = load.get(user.pk, 0) + 1
        chosen.append(user)
    return chosen


def level_with_authority(amount: Decimal) -> int | None:
    """The lowest escalation level whose role's default authority covers the amount."""
    limits = role_authority_limits()
    for level in levels():
        if limits.get(level.role, Decimal("0")) >= amount:
            return level.position
    return None
