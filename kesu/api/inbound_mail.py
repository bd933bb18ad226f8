"""The inbound mail webhook: a mail provider that receives the desk's mail posts it here, signed
like Kesu's own outgoing webhooks (``X-Kesu-Timestamp``, ``X-Kesu-Signature``: HMAC-SHA256 of
``"{timestamp}.{body}"`` under ``KESU_INBOUND_MAIL_SECRET``; :mod:`kesu.notifications.signing`).

The body is JSON, either the mail as received, ``{"raw": "<base64 of the RFC 822 bytes>"}``, or
as the provider parsed it: ``{"from", "to", "subject", "text", "html", "message_id",
"in_reply_to", "references", "headers": {…}, "attachments": [{"filename", "content_type",
"content": "<base64>"}]}``. The mail is stored (once per Message-ID: a provider's retry is
answered with the first outcome) and handled at once.
"""

from __future__ import annotations

import base64
import binascii
import json
import time

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kesu.core.errors import ErrorCode
from kesu.core.mail import ComposeError, mail_from_fields
from kesu.handling.inbound import handle_mail
from kesu.mailbox import conf
from kesu.mailbox.models import Source, Status
from kesu.mailbox.services import mail_store
from kesu.notifications.signing import verify_signature


def _refuse(status: int, code: ErrorCode, message: str) -> JsonResponse:
    return JsonResponse({"code": code.value, "message": message}, status=status, json_dumps_params={"ensure_ascii": False})


def _raw_mail(data: dict) -> bytes:
    if "raw" in data:
        return base64.b64decode(data["raw"], validate=True)
    return mail_from_fields(
        sender=str(data.get("from") or ""),
        to=str(data.get("to") or ""),
        subject=str(data.get("subject") or ""),
        text=str(data.get("text") or ""),
        html=str(data.get("html") or ""),
        message_id=str(data.get("message_id") or ""),
        in_reply_to=str(data.get("in_reply_to") or ""),
        references=str(data.get("references") or ""),
        headers={str(k): str(v) for k, v in (data.get("headers") or {}).items()},
        attachments=data.get("attachments") or [],
    )


@csrf_exempt
@require_POST
def inbound_mail(request: HttpRequest) -> JsonResponse:
    secret = conf.inbound_secret()
    if not secret:
        return _refuse(404, ErrorCode.NOT_FOUND, _("The inbound mail webhook is not configured."))
    limit = conf.max_mail_bytes() * 4 // 3 + 65_536  # base64 and JSON around the largest mail
    if int(request.headers.get("Content-Length") or 0) > limit:
        return _refuse(413, ErrorCode.PAYLOAD_TOO_LARGE, _("The mail is too large."))
    body = request.read(limit + 1)
    if len(body) > limit:
        return _refuse(413, ErrorCode.PAYLOAD_TOO_LARGE, _("The mail is too large."))
    signed = verify_signature(
        secret,
        body,
        request.headers.get("X-Kesu-Timestamp", ""),
        request.headers.get("X-Kesu-Signature", ""),
        now=time.time(),
    )
    if not signed:
        return _refuse(401, ErrorCode.BAD_SIGNATURE, _("The signature does not match this request."))
    try:
        raw = _raw_mail(json.loads(body))
    except (ValueError, binascii.Error, ComposeError, AttributeError, TypeError) as error:
        return _refuse(400, ErrorCode.INVALID, _("This is not a mail: %(why)s") % {"why": error})
    row, _created = mail_store(raw=raw, source=Source.WEBHOOK)
    if row.status == Status.RECEIVED:
        row = handle_mail(row.pk) or row
        row.refresh_from_db()
    return JsonResponse(
        {
            "id": row.mail_id,
            "status": row.status,
            "complaint": row.complaint.reference if row.complaint_id else None,
        },
        json_dumps_params={"ensure_ascii": False},
    )
