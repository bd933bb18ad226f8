"""A small JSON-over-HTTP POST for the SMS gateway and webhooks (standard library only).

Redirects are not followed and only http/https are accepted: a message goes to the configured
address or nowhere.
"""

from __future__ import annotations

import http.client
import ssl
from urllib.parse import urlsplit

from kesu.notifications.channels import DeliveryFailed, PermanentFailure

#: Answers that mean "not now" rather than "never".
RETRYABLE_4XX = frozenset({408, 409, 425, 429})


def post_json(url: str, body: bytes, *, headers: dict[str, str], timeout: float) -> int:
    """POST ``body`` and return the 2xx status; raise on anything else."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise PermanentFailure(f"not an http(s) URL: {url!r}")
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        connection.request(
            "POST", path, body=body, headers={"Content-Type": "application/json; charset=utf-8", **headers}
        )
        response = connection.getresponse()
        detail = response.read(500).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return response.status
    message = f"HTTP {response.status}: {detail}".strip()
    if 400 <= response.status < 500 and response.status not in RETRYABLE_4XX:
        raise PermanentFailure(message)
    raise DeliveryFailed(message)
