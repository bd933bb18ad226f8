"""Evidence 证据 attached to a complaint: checked (size, type from the bytes, a safe name), stored
through Django's storage API (``STORAGES["attachments"]``) and audited with the complaint.

The customer's file name is only shown; the file is stored under a random key of ours. What the
file is comes from its first bytes, not its name: a program renamed ``账单.pdf`` is refused.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import storages
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints.audit import AuditAction, record_event
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.models import Attachment, AttachmentKind, Complaint, Message
from kesu.core.mail import detect_type, sanitize_filename

#: What evidence comes as: bills and letters (PDF, Word, Excel), screenshots and photos,
#: recordings and short videos, plain text.
ALLOWED_TYPES = {
    "application/pdf": AttachmentKind.BILL,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": AttachmentKind.OTHER,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": AttachmentKind.BILL,
    "image/png": AttachmentKind.SCREENSHOT,
    "image/jpeg": AttachmentKind.PHOTO,
    "image/gif": AttachmentKind.SCREENSHOT,
    "image/webp": AttachmentKind.PHOTO,
    "image/heic": AttachmentKind.PHOTO,
    "audio/mpeg": AttachmentKind.RECORDING,
    "audio/wav": AttachmentKind.RECORDING,
    "audio/amr": AttachmentKind.RECORDING,
    "audio/mp4": AttachmentKind.RECORDING,
    "video/mp4": AttachmentKind.RECORDING,
    "text/plain": AttachmentKind.OTHER,
}
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "audio/mpeg": ".mp3",
    "audio/wav": ".wav",
    "audio/amr": ".amr",
    "audio/mp4": ".m4a",
    "video/mp4": ".mp4",
    "text/plain": ".txt",
}


@dataclass(frozen=True)
class Upload:
    """A file as given: its name, its bytes (or a stream), and the kind the person said it is."""

    filename: str
    content: bytes | IO[bytes]
    kind: str = ""

    def read_all(self) -> bytes:
        if isinstance(self.content, bytes):
            return self.content
        self.content.seek(0)
        return self.content.read()


def attachment_storage():
    return storages["attachments"]


def max_bytes() -> int:
    return int(getattr(settings, "KESU_ATTACHMENT_MAX_BYTES", 10 * 1_048_576))


def max_count() -> int:
    return int(getattr(settings, "KESU_ATTACHMENTS_PER_MESSAGE", 10))


def attachment_check(upload: Upload, data: bytes) -> tuple[str, str, str]:
    """``(safe name, content type, kind)`` of an upload, or the refusal in the user's language."""
    name = sanitize_filename(upload.filename)
    if not data:
        raise ComplaintError(ErrorCode.ATTACHMENT_EMPTY, _("The file %(name)s is empty.") % {"name": name})
    if len(data) > max_bytes():
        raise ComplaintError(
            ErrorCode.ATTACHMENT_TOO_LARGE,
            _("The file %(name)s is %(size)s; at most %(limit)s is allowed.")
            % {"name": name, "size": filesizeformat(len(data)), "limit": filesizeformat(max_bytes())},
        )
    content_type = detect_type(name, data[:4096])
    if content_type not in ALLOWED_TYPES:
        raise ComplaintError(
            ErrorCode.ATTACHMENT_TYPE_REFUSED,
            _("The file %(name)s is not a type we accept (PDF, Word, Excel, images, recordings, text).")
            % {"name": name},
        )
    kind = upload.kind or ALLOWED_TYPES[content_type]
    if kind not in AttachmentKind.values:
        raise ComplaintError(ErrorCode.INVALID_ATTACHMENT_KIND, _("Unknown kind of attachment."))
    return name, content_type, kind


def attachments_check(uploads: Iterable[Upload]) -> list[tuple[Upload, bytes, tuple[str, str, str]]]:
    """Check every upload before any is stored: one refused file refuses the message."""
    uploads = list(uploads)
    if len(uploads) > max_count():
        raise ComplaintError(
            ErrorCode.TOO_MANY_ATTACHMENTS,
            _("At most %(count)d files can be attached at once.") % {"count": max_count()},
        )
    checked = []
    for upload in uploads:
        data = upload.read_all()
        checked.append((upload, data, attachment_check(upload, data)))
    return checked


def attachments_store(
    *,
    complaint: Complaint,
    actor: User | None,
    checked: list[tuple[Upload, bytes, tuple[str, str, str]]],
    message: Message | None = None,
) -> list[Attachment]:
    """Store checked uploads (in the caller's transaction; the files are written first, so a
    rolled-back act may leave an unreferenced file, never a row without its file)."""
    stored = []
    for _upload, data, (name, content_type, kind) in checked:
        extension = _EXTENSIONS.get(content_type) or os.path.splitext(name)[1].lower()[:16]
        attachment = Attachment(
            complaint=complaint,
            message=message,
            kind=kind,
            filename=name,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            storage_key=secrets.token_hex(16),
            extension=extension,
            uploaded_by=actor if actor and actor.pk else None,
        )
        attachment.file.save(name, ContentFile(data), save=False)
        attachment.save()
        record_event(
            complaint=complaint,
            actor=actor,
            action=AuditAction.ATTACHMENT_ADDED,
            changes={"attachment": [None, attachment.pk], "kind": [None, kind]},
            note="" if attachment.personal else name,  # an ID document's name may be the person's
        )
        stored.append(attachment)
    return stored


def attachment_open(attachment: Attachment) -> File:
    return attachment_storage().open(attachment.file.name, "rb")
