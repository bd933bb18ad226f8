"""The complaint reference in a subject line: ``[KS2026120312345678]`` (reference token).

Outgoing replies carry the token in the subject besides the Message-ID headers, so a customer
who answers from another client, or forwards the thread, still lands on the same complaint.
"""

from __future__ import annotations

import re

#: The token as sent: KS + the day (8 digits) + 8 random digits, in square brackets.
_TOKEN = re.compile(r"[\[【]\s*(KS\d{16})\s*[\]】]", re.IGNORECASE)
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|回复|答复|转发)\s*[:：]\s*)+", re.IGNORECASE)


def find_reference(subject: str) -> str:
    """The complaint reference in ``subject`` (upper-cased), or ``""``."""
    match = _TOKEN.search(subject or "")
    return match.group(1).upper() if match else ""


def reply_subject(subject: str, reference: str, *, fallback: str) -> str:
    """``Re: <the customer's subject> [KS…]``: one ``Re:``, the token once, ``fallback`` when the
    customer gave no subject."""
    base = _REPLY_PREFIX.sub("", subject or "").strip()
    base = _TOKEN.sub("", base).strip() or fallback
    return f"Re: {base} [{reference}]"
