"""The mailbox poller: fetch unseen mail over IMAP (``imaplib``), store it, then mark it seen.

Storing commits before the flag is set, so a poller killed in between fetches the mail again next
time and finds it stored (its Message-ID is unique): nothing is lost, nothing doubled. Two pollers
at once fetch the same mail and one of them stores it. ``BODY.PEEK[]`` leaves the flag to us.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from dataclasses import asdict, dataclass

from kesu.mailbox import conf
from kesu.mailbox.models import Source
from kesu.mailbox.services import mail_store

logger = logging.getLogger(__name__)


@dataclass
class FetchReport:
    fetched: int = 0
    stored: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=conf.imap_cafile() or None)


def connect() -> imaplib.IMAP4:
    host, security, timeout = conf.imap_host(), conf.imap_security(), conf.imap_timeout()
    if security == "tls":
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            host, conf.imap_port(), ssl_context=_context(), timeout=timeout
        )
    else:
        client = imaplib.IMAP4(host, conf.imap_port(), timeout=timeout)
        if security == "starttls":
            client.starttls(ssl_context=_context())
    client.login(conf.imap_user(), conf.imap_password())
    return client


def _raw(parts: list) -> bytes:
    for part in parts:
        if isinstance(part, tuple) and len(part) == 2 and isinstance(part[1], bytes):
            return part[1]
    return b""


def fetch_new(*, limit: int = 200) -> FetchReport:
    """Store up to ``limit`` unseen mails of ``KESU_IMAP_FOLDER``; nothing when no host is set."""
    report = FetchReport()
    if not conf.imap_host():
        return report
    client = connect()
    try:
        status, _ = client.select(_quoted(conf.imap_folder()))
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open the folder {conf.imap_folder()!r}")
        _, found = client.uid("SEARCH", None, "UNSEEN")
        uids = (found[0] or b"").split()[:limit]
        for uid in uids:
            status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = _raw(parts or [])
            if status != "OK" or not raw:
                continue  # deleted meanwhile by another client
            report.fetched += 1
            _, stored = mail_store(raw=raw, source=Source.IMAP)
            report.stored += stored
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            logger.warning("IMAP logout failed", exc_info=True)
    return report


def _quoted(folder: str) -> str:
    return folder if folder.isalnum() else '"' + folder.replace('"', '\\"') + '"'
