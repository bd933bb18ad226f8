"""Reads of users and teams for pages and the API."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kesu.accounts.models import SavedView, Team, User


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


def saved_views(user: User) -> list[SavedView]:
    return list(SavedView.objects.filter(user=user))


def handlers(team_ids: list[int] | None = None) -> list[User]:
    """Active people who handle complaints, by display name (the transfer and owner pickers):
    of the given teams, or all when None."""
    queryset = User.objects.filter(is_active=True).filter(
        Q(groups__permissions__codename="handle_complaint") | Q(is_superuser=True)
    )
    if team_ids is not None:
        queryset = queryset.filter(team_id__in=team_ids)
    return sorted(queryset.distinct().select_related("team"), key=lambda u: (str(u.team or ""), str(u)))


def handler_by_pk(pk: str | int) -> User | None:
    """The active user with this id (a picker's value), if any."""
    if not str(pk).isdigit():
        return None
    return User.objects.filter(pk=int(pk), is_active=True).select_related("team").first()
