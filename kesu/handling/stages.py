"""Moving a complaint through the method's stages: closing first asks the close guards
(``CLOSE_GUARDS``: a due case review must be submitted), then stops both clocks (``ON_CLOSE``);
reopening restarts them (``ON_REOPEN``)."""

from __future__ import annotations

from django.db import transaction

from kesu.accounts.models import User
from kesu.complaints.models import Complaint
from kesu.complaints.services.stages import stage_move
from kesu.handling import steps


def move(
    *, complaint: Complaint, actor: User | None, to: str, reason: str = "", reopening: bool = False
) -> Complaint:
    """The one way to change a complaint's stage besides accepting it (checked against the
    method's transition table). ``actor`` is None only for the system acting on a verified
    customer request (a dissatisfied answer through a signed follow-up link). ``reopening``: the
    close is only the way to reopen at once (a dissatisfied follow-up), the complaint does not
    stay closed, so the close guards do not apply."""
    with transaction.atomic():
        moved = stage_move(complaint=complaint, actor=actor, to=to, reason=reason)
        if moved.closed and not reopening:
            for guard in steps.CLOSE_GUARDS:
                guard(moved)
        hooks = steps.ON_CLOSE if moved.closed else steps.ON_REOPEN if moved.reopened else ()
        for step in hooks:
            step(moved)
    return moved.complaint
