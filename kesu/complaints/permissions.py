"""Who may see and do what, checked on the server for every view and API call (SPEC §1).

- agents and team leads see their own team's complaints; managers, QA and trainers see all;
- the owner (首问责任制), the team lead and managers act on a complaint; other team members
  may only add internal notes; an unowned complaint may be accepted by any agent of its team;
- customers' personal data is unmasked only for roles that handle complaints, and never in lists.
"""

from __future__ import annotations

from django.db.models import Q

from kesu.accounts.models import User
from kesu.complaints.models import Attachment, Complaint


def sees_all(user: User) -> bool:
    return user.is_superuser or user.has_perm("complaints.view_all_complaints")


def visibility_filter(user: User) -> Q | None:
    """A filter limiting complaints to what ``user`` may see; ``None`` means everything."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if sees_all(user):
        return None
    if user.has_perm("complaints.view_team_complaints") and user.team_id:
        return Q(team_id=user.team_id)
    return Q(pk__in=[])


def can_view(user: User, complaint: Complaint) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if sees_all(user):
        return True
    return (
        user.has_perm("complaints.view_team_complaints")
        and user.team_id is not None
        and complaint.team_id == user.team_id
    )


def is_supervisor_of(user: User, complaint: Complaint) -> bool:
    """Team leads of the complaint's team, managers and admins supervise it."""
    if not user.has_perm("complaints.transfer_complaint"):
        return False
    return sees_all(user) or complaint.team_id == user.team_id


def can_act(user: User, complaint: Complaint) -> bool:
    """Stage actions: replies, checklist, solution, transitions. The level a complaint is
    escalated to talks to the customer too (SPEC §6), with the owner's help."""
    if not (can_view(user, complaint) and user.has_perm("complaints.handle_complaint")):
        return False
    if complaint.owner_id == user.pk or is_supervisor_of(user, complaint):
        return True
    return complaint.escalations.filter(assigned_to=user, status="open").exists()


def can_accept(user: User, complaint: Complaint) -> bool:
    return (
        complaint.owner_id is None
        and can_view(user, complaint)
        and user.has_perm("complaints.handle_complaint")
        and (complaint.team_id == user.team_id or sees_all(user))
    )


def can_add_note(user: User, complaint: Complaint) -> bool:
    return can_view(user, complaint) and user.has_perm("complaints.add_message")


def can_transfer(user: User, complaint: Complaint) -> bool:
    """The owner may hand over (with a reason); supervisors may reassign."""
    if not can_view(user, complaint):
        return False
    if complaint.owner_id == user.pk and user.has_perm("complaints.handle_complaint"):
        return True
    return is_supervisor_of(user, complaint)


def can_correct(user: User, complaint: Complaint) -> bool:
    """Correcting intake's category, priority, product or contact: the owner or a supervisor."""
    if not (can_view(user, complaint) and user.has_perm("complaints.handle_complaint")):
        return False
    return complaint.owner_id == user.pk or is_supervisor_of(user, complaint)


def can_see_pii(user: User, complaint: Complaint) -> bool:
    return can_view(user, complaint) and user.has_perm("complaints.view_customer_pii")


def customer_fields_masked(user: User, complaint: Complaint) -> frozenset[str]:
    """The customer's details ``user`` sees masked on this complaint: all without the right to see
    personal data; else those a returning customer's record holds that the team was not given
    (another team's customer named at intake), unless the user sees every team."""
    if not can_see_pii(user, complaint):
        return frozenset(("name", "phone", "email", "id_card"))
    return frozenset() if sees_all(user) else frozenset(complaint.customer_hidden or ())


def can_open_attachment(user: User, attachment: Attachment) -> bool:
    """Evidence is for those who see the complaint; an ID document only for those who may see
    the customer's personal data unmasked."""
    complaint = attachment.complaint
    if not can_view(user, complaint):
        return False
    return not attachment.personal or can_see_pii(user, complaint)


def can_view_audit(user: User, complaint: Complaint) -> bool:
    if not can_view(user, complaint):
        return False
    return user.has_perm("complaints.view_audit") or complaint.owner_id == user.pk
