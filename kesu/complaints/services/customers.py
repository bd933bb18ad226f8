"""The customer a complaint is about: a returning one found by id or phone, or a new one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kesu import inserts
from kesu.accounts.models import Team
from kesu.complaints import intake_reads
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.models import Complaint
from kesu.customers.models import Customer
from kesu.customers.tiers import default_tier, tier_by_code, tier_by_pk


@dataclass(frozen=True)
class CustomerData:
    """Customer details as given at intake. ``external_id`` or ``phone`` identifies a returning
    customer; existing records are not overwritten by what a new complaint says."""

    name: str
    external_id: str = ""
    phone: str = ""
    email: str = ""
    id_card: str = ""
    tier: str = ""


def customer_resolve(*, data: CustomerData) -> tuple[Customer, bool]:
    """Find the returning customer by id, phone or e-mail, or create one; and whether it was created."""
    tier = None
    if data.tier:
        tier = tier_by_code(data.tier)
        if tier is None:
            raise ComplaintError(
                ErrorCode.UNKNOWN_TIER, _("Unknown customer tier: %(tier)s.") % {"tier": data.tier}
            )
    if data.external_id:
        customer = intake_reads.customer_by_external_id(data.external_id)
        if customer is not None:
            return _with_tier(customer), False
    elif data.phone:
        customer = intake_reads.customer_by_phone(data.phone)
        if customer is not None:
            return _with_tier(customer), False
    elif data.email:
        customer = intake_reads.customer_by_email(data.email)
        if customer is not None:
            return _with_tier(customer), False
    fields = {
        "external_id": data.external_id or f"C{secrets.token_hex(6).upper()}",
        "name": data.name,
        "phone": data.phone,
        "email": data.email,
        "id_card": data.id_card,
        "tier": tier or default_tier(),
    }
    created = inserts.insert_unless_taken(Customer(**fields), unique="external_id")
    if created is not None:
        return created, True
    # the same new customer arrived twice at once: the other intake's record
    return _with_tier(Customer.objects.get(external_id=fields["external_id"])), False


def _with_tier(customer: Customer) -> Customer:
    """Tiers are a handful of remembered rows (``kesu.customers.tiers``): no join to read them."""
    tier = tier_by_pk(customer.tier_id)
    if tier is not None:
        customer.tier = tier
    return customer


#: The stored details of a customer that can identify or reach them.
PERSONAL_FIELDS = ("name", "phone", "email", "id_card")


def customer_fields_hidden(*, customer: Customer, given: CustomerData, team: Team) -> list[str]:
    """Which of a returning customer's stored details the handling team may not read in full: none
    when the team has handled the customer before (an earlier complaint whose details it saw);
    otherwise those the taker did not give as stored — a customer id or a phone number from another
    team's customer does not open that customer's record."""
    given_values = {
        "name": given.name.strip(),
        "phone": _digits(given.phone),
        "email": given.email.strip().lower(),
        "id_card": given.id_card.strip().upper(),
    }
    stored_values = {
        "name": customer.name.strip(),
        "phone": _digits(customer.phone),
        "email": customer.email.strip().lower(),
        "id_card": customer.id_card.strip().upper(),
    }
    unknown = [f for f in PERSONAL_FIELDS if stored_values[f] and stored_values[f] != given_values[f]]
    if unknown and Complaint.objects.filter(customer=customer, team=team, customer_hidden=[]).exists():
        return []  # the team has seen this customer's record before
    return unknown


def _digits(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits
