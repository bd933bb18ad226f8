"""Refusals with stable codes, shared by the services, the API, the web UI and the tests.

Every code is a member of :class:`~kesu.core.errors.ErrorCode`, the one registry; a refusal with a
code outside it is a programming error and fails at once."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kesu.core.errors import ErrorCode

__all__ = ["ComplaintError", "Conflict", "ErrorCode", "PermissionRefused"]


class ComplaintError(Exception):
    """A refused action. ``code`` is stable; ``message`` is in the active language."""

    status = 400

    def __init__(self, code: ErrorCode | str, message: str, *, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.code = ErrorCode(code)
        self.message = message
        self.details = details or []

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code.value, "message": self.message}
        if self.details:
            data["details"] = self.details
        return data


class PermissionRefused(ComplaintError):
    status = 403

    def __init__(self, message: str | None = None):
        super().__init__(ErrorCode.PERMISSION_DENIED, message or _("You do not have permission to do this."))


class Conflict(ComplaintError):
    status = 409
