"""Append-only trails: the complaints' audit trail, the inspection, review and training trails and the
changes of user rights. A record, once written, is neither changed nor deleted — refused here, by the
model and its querysets (the admins are read-only, and the apps' migrations add database triggers
against raw ``UPDATE`` s). Shared by every app, below all of them (like :mod:`kesu.memo`)."""

from __future__ import annotations

from typing import Any

from django.db import models


class AppendOnlyError(ValueError):
    """A record of an append-only trail cannot be changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(self.model.append_only_message)

    def delete(self) -> tuple[int, dict[str, int]]:  # type: ignore[override]
        raise AppendOnlyError(self.model.append_only_message)


class AppendOnlyModel(models.Model):
    """A trail's record: saved once, never again; never deleted. ``append_only_message`` says which
    trail refused (an engineer reads it, not a user)."""

    append_only_message = "The trail is append-only."

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(self.append_only_message)
