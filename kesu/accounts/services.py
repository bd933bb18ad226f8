"""Writes about people: who a user is allowed to be (Django admin's user page: superuser and staff
rights, roles, permissions and the compensation authority limit), and a person's own settings (saved
queue views, language and notifications).

Only a superuser makes superusers or staff, hands out permissions one by one, or touches a
superuser's account; nobody else changes their own roles, nor sets an authority limit above their
own (an admin cannot give itself, or a friend, more than it holds). Every change of these rights,
by anyone, is recorded (:class:`~kesu.accounts.models.UserRightsEvent`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kesu.accounts.models import SavedView, User, UserRightsEvent
from kesu.core.errors import ErrorCode

#: The fields that say what a user may do; a change to any of them is recorded.
RIGHTS_FIELDS = ("is_superuser", "is_staff", "is_active", "authority_limit", "groups", "user_permissions")


def user_rights(user: User) -> dict[str, Any]:
    """The user's rights as recorded (roles and permissions by name, the limit as text)."""
    if user.pk is None:
        return {"is_superuser": False, "is_staff": False, "is_active": True, "authority_limit": None,
                "groups": [], "user_permissions": []}  # fmt: skip
    return {
        "is_superuser": user.is_superuser,
        "is_staff": user.is_staff,
        "is_active": user.is_active,
        "authority_limit": None if user.authority_limit is None else f"{user.authority_limit:.2f}",
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_permissions": sorted(
            f"{app}.{code}"
            for app, code in user.user_permissions.values_list("content_type__app_label", "codename")
        ),
    }


def may_edit_rights_of(actor: User, user: User) -> bool:
    """A superuser's account (its password too) is for superusers to change."""
    return actor.is_superuser or not user.is_superuser


def user_rights_check(*, actor: User, user: User, authority_limit: Decimal | None) -> None:
    """Refuse an authority limit above the actor's own (superusers have no ceiling). Raises
    :class:`ValidationError` with the registry's code, for the form's field."""
    if actor.is_superuser or authority_limit is None:
        return
    if authority_limit != user.authority_limit and authority_limit > actor.effective_authority_limit():
        raise ValidationError(
            _("Only a superuser sets an authority limit above your own (%(limit)s yuan).")
            % {"limit": actor.effective_authority_limit()},
            code=ErrorCode.AUTHORITY_ABOVE_OWN,
        )


def rights_fields_read_only(actor: User, user: User | None) -> tuple[str, ...]:
    """What the actor's form shows but does not take: superuser, staff and single permissions
    for everyone but superusers; one's own roles for oneself."""
    if actor.is_superuser:
        return ()
    own = ("groups",) if user is not None and user.pk == actor.pk else ()
    return ("is_superuser", "is_staff", "user_permissions", *own)


def user_rights_record(*, actor: User, user: User, before: dict[str, Any]) -> UserRightsEvent | None:
    """Record what changed in the user's rights since ``before`` (:func:`user_rights`), if anything."""
    after = user_rights(user)
    changes = {
        field: [before[field], after[field]] for field in RIGHTS_FIELDS if before[field] != after[field]
    }
    if not changes:
        return None
    return UserRightsEvent.objects.create(actor=actor, user=user, changes=changes)


#: Queue parameters a view keeps (the page number is not a filter).
NOT_KEPT = frozenset({"page", "csrfmiddlewaretoken", "name"})
MAX_VIEWS = 20


def saved_view_save(*, user: User, name: str, params: dict[str, str]) -> SavedView:
    """Keep the queue's current filters under a name (the same name is replaced); refused with a
    :class:`ValidationError` without a name or past :data:`MAX_VIEWS`."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the view a name."))
    query = urlencode(sorted((k, v) for k, v in params.items() if v and k not in NOT_KEPT))[:500]
    if not SavedView.objects.filter(user=user, name=name[:60]).exists() and (
        SavedView.objects.filter(user=user).count() >= MAX_VIEWS
    ):
        raise ValidationError(_("At most %(n)s views; delete one first.") % {"n": MAX_VIEWS})
    view, _created = SavedView.objects.update_or_create(
        user=user, name=name[:60], defaults={"query": query}
    )
    return view


def saved_view_delete(*, user: User, pk: int) -> None:
    """Delete one of the user's own views (another's is not found)."""
    SavedView.objects.filter(user=user, pk=pk).delete()


def user_set_preferences(
    *, user: User, language: str | None = None, notify_by_email: bool | None = None
) -> User:
    """A person's own settings: the pages' language, and notifications by e-mail too."""
    fields = []
    if language is not None and language in {code for code, _name in settings.LANGUAGES} | {""}:
        user.language = language
        fields.append("language")
    if notify_by_email is not None:
        user.notify_by_email = notify_by_email
        fields.append("notify_by_email")
    if fields:
        user.save(update_fields=fields)
    return user
