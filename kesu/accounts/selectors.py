"""Reads of users and teams for pages and the API."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kesu.accounts.models import Team, User


def teams() -> QuerySet[Team]:
    return Team.objects.order_by("name")


def team_choices() -> list[tuple[int, str]]:
    return list(teams().values_list("pk", "name"))


def user_by_username(username: str, *, or_id: bool = False) -> User | None:
    """The user with this username (or, with ``or_id``, this numeric id)."""
    lookup = Q(username=username)
    if or_id and username.isdigit():
        lookup |= Q(pk=int(username))
    return User.objects.filter(lookup).first()
