"""Webhook signatures as a receiver checks them (kesu.notifications.signing is pure Python)."""

from __future__ import annotations

from datetime import UTC, datetime

from kesu.notifications.signing import sign, verify_signature

SECRET = "whsec-shared-with-the-crm"
BODY = '{"data":{"reference":"KS2026112300000001"},"id":"sla.first_reply_48h:KS2026112300000001"}'
SENT_AT = 1_795_000_000


def test_a_signature_made_by_the_sender_verifies():
    signature = sign(SECRET, BODY, SENT_AT)
    assert signature.startswith("sha256=") and len(signature) == len("sha256=") + 64
    assert verify_signature(SECRET, BODY, str(SENT_AT), signature, now=SENT_AT + 10)
    assert verify_signature(SECRET, BODY.encode(), SENT_AT, signature, now=SENT_AT)
    assert verify_signature(
        SECRET, BODY, SENT_AT, signature, now=datetime.fromtimestamp(SENT_AT + 299, tz=UTC)
    )


def test_a_tampered_body_is_refused():
    signature = sign(SECRET, BODY, SENT_AT)
    tampered = BODY.replace("KS2026112300000001", "KS2026112300000002", 1)
    assert not verify_signature(SECRET, tampered, SENT_AT, signature, now=SENT_AT)


def test_a_signature_under_another_secret_is_refused():
    signature = sign("someone-else", BODY, SENT_AT)
    assert not verify_signature(SECRET, BODY, SENT_AT, signature, now=SENT_AT)


def test_a_captured_request_replayed_with_a_fresh_timestamp_is_refused():
    signature = sign(SECRET, BODY, SENT_AT)
    assert not verify_signature(SECRET, BODY, SENT_AT + 600, signature, now=SENT_AT + 600)


def test_too_old_and_from_the_future_are_refused():
    old = sign(SECRET, BODY, SENT_AT - 301)
    assert not verify_signature(SECRET, BODY, SENT_AT - 301, old, now=SENT_AT)
    future = sign(SECRET, BODY, SENT_AT + 301)
    assert not verify_signature(SECRET, BODY, SENT_AT + 301, future, now=SENT_AT)
    assert verify_signature(SECRET, BODY, SENT_AT + 301, future, now=SENT_AT, tolerance=600)


def test_malformed_headers_are_refused_not_raised():
    signature = sign(SECRET, BODY, SENT_AT)
    assert not verify_signature(SECRET, BODY, "yesterday", signature, now=SENT_AT)
    assert not verify_signature(SECRET, BODY, SENT_AT, "", now=SENT_AT)
    assert not verify_signature(SECRET, BODY, SENT_AT, signature.removeprefix("sha256="), now=SENT_AT)
    assert not verify_signature(SECRET, BODY, SENT_AT, "sha256=签名", now=SENT_AT)
