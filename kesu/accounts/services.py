"""Writes of a person's own settings: their saved queue views, language and notifications."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kesu.accounts.models import SavedView, User

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
