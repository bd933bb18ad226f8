"""Changing who a user is allowed to be (Django admin's user page): superuser and staff rights,
roles, permissions and the compensation authority limit.

Only a superuser makes superusers or staff, hands out permissions one by one, or touches a
superuser's account; nobody else changes their own roles, nor sets an authority limit above their
own (an admin cannot give itself, or a friend, more than it holds). Every change of these rights,
by anyone, is recorded (:class:`~kesu.accounts.models.UserRightsEvent`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kesu.accounts.models import User, UserRightsEvent
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
