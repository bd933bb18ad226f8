"""Refusals with stable codes, shared by the services, the API, the web UI and the tests."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


class ComplaintError(Exception):
    """A refused action. ``code`` is stable; ``message`` is in the active language."""

    status = 400

    def __init__(self, code: str, message: str, *, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or []

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            data["details"] = self.details
        return data


class PermissionRefused(ComplaintError):
    status = 403

    def __init__(self, message: str | None = None):
        super().__init__("permission_denied", message or _("You do not have permission to do this."))


class Conflict(ComplaintError):
    status = 409
