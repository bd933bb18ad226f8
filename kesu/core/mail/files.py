"""Attachment names and types. A name a customer's mail client chose is never a path on our disk:
it is shown to people (sanitised here) and the file is stored under a name of our own."""

from __future__ import annotations

import os
import re
import unicodedata

MAX_NAME = 120
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}

#: (first bytes, offset, type): enough to tell the evidence customers send (bills as PDF,
#: screenshots and photos, recordings) from what they must not send (programs).
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF-", 0, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"ftypheic", 4, "image/heic"),
    (b"ftypheix", 4, "image/heic"),
    (b"ftypmif1", 4, "image/heic"),
    (b"WAVE", 8, "audio/wav"),
    (b"ID3", 0, "audio/mpeg"),
    (b"\xff\xfb", 0, "audio/mpeg"),
    (b"\xff\xf3", 0, "audio/mpeg"),
    (b"#!AMR", 0, "audio/amr"),
    (b"ftypM4A", 4, "audio/mp4"),
    (b"ftypisom", 4, "video/mp4"),
    (b"ftypmp4", 4, "video/mp4"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"MZ", 0, "application/x-msdownload"),
    (b"\x7fELF", 0, "application/x-executable"),
)
_OFFICE = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def sanitize_filename(name: str, *, default: str = "attachment") -> str:
    """A display name without directories, control or reserved characters, at most
    ``MAX_NAME`` characters with its extension kept; Chinese characters stay as they are."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" ._")
    stem, ext = os.path.splitext(name)
    if not stem or stem.lower() in _RESERVED:
        stem = default
    ext = ext[:16]
    return stem[: MAX_NAME - len(ext)] + ext


def detect_type(name: str, head: bytes) -> str:
    """The content type of a file from its first bytes (a name alone is not trusted); plain text
    when the bytes decode as UTF-8 or GB18030 text; else ``application/octet-stream``."""
    for signature, offset, content_type in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            if content_type == "application/zip":
                return _OFFICE.get(os.path.splitext(name.lower())[1], content_type)
            return content_type
    sample = head[:4096]
    if sample and b"\x00" not in sample:
        for encoding in ("utf-8", "gb18030"):
            try:
                sample.decode(encoding)
            except UnicodeDecodeError as error:
                if error.start >= len(sample) - 4:  # cut inside the last character
                    return "text/plain"
                continue
            return "text/plain"
    return "application/octet-stream"
