"""Signatures of outgoing webhooks, and the check a receiver runs on them.

Pure Python with no Django import, so a receiver can copy this file as it is. The sender signs
``f"{timestamp}.{body}"`` with HMAC-SHA256 under the endpoint's secret and sends

    X-Kesu-Timestamp: 1767225600
    X-Kesu-Signature: sha256=<hex digest>

Signing the timestamp with the body stops a captured request from being replayed later with a
fresh timestamp; the receiver refuses timestamps outside its window and, within the window,
de-duplicates on the ``Idempotency-Key`` header.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

PREFIX = "sha256="
DEFAULT_TOLERANCE = 300


def _bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def sign(secret: str, body: bytes | str, timestamp: int | str) -> str:
    """The X-Kesu-Signature value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    signed = _bytes(str(timestamp)) + b"." + _bytes(body)
    return PREFIX + hmac.new(_bytes(secret), signed, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    body: bytes | str,
    timestamp: int | str,
    signature: str,
    *,
    now: datetime | float,
    tolerance: int = DEFAULT_TOLERANCE,
) -> bool:
    """Whether ``signature`` is ours for exactly this body and timestamp, and the timestamp lies
    within ``tolerance`` seconds of ``now`` (either side: clocks drift both ways).

    ``body`` must be the raw request body as received, not re-serialised JSON.
    """
    try:
        sent_at = int(str(timestamp).strip())
    except ValueError:
        return False
    current = now.timestamp() if isinstance(now, datetime) else float(now)
    if abs(current - sent_at) > tolerance:
        return False
    expected = sign(secret, body, str(timestamp).strip())
    return hmac.compare_digest(_bytes(expected), _bytes(signature or ""))
