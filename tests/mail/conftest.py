"""Real mail servers on loopback for the mail tests: aiosmtpd (an SMTP server in this process)
and Debian's dovecot (an IMAP server in its own process, with a mailbox in a temporary folder).

The SMTP server plays the customer's provider and the desk's: what it receives for the desk's
address it delivers into the desk's IMAP mailbox (APPEND), so a customer's mail travels as in
production — SMTP in, IMAP out to the poller. Without /usr/sbin/dovecot the IMAP tests skip,
unless KESU_REQUIRE_SERVICES=1 (CI), where they fail.
"""

from __future__ import annotations

import getpass
import imaplib
import os
import re
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.db import connection

DESK = "desk@kesu.test"
ROOT = Path(__file__).resolve().parents[2]
DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_dovecot() -> None:
    if DOVECOT:
        return
    message = "the IMAP tests need dovecot (apt-get install dovecot-imapd)"
    if os.environ.get("KESU_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Imap:
    port: int
    user: str
    password: str

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes) -> None:
        client = self.client()
        try:
            client.append("INBOX", None, None, raw)
        finally:
            client.logout()

    def unseen(self) -> int:
        client = self.client()
        try:
            client.select("INBOX")
            _, found = client.uid("SEARCH", None, "UNSEEN")
            return len((found[0] or b"").split())
        finally:
            client.logout()


@pytest.fixture(scope="session")
def _dovecot() -> Iterator[tuple[int, Path]]:
    require_dovecot()
    # Not under pytest's temporary folder (0700): dovecot's own users must read the files.
    base = Path(tempfile.mkdtemp(prefix="kesu-dovecot-"))
    port, tls_port = free_port(), free_port()
    ssl = _self_signed_certificate(base)
    root = os.geteuid() == 0
    internal, login = ("dovecot", "dovenull") if root else (getpass.getuser(),) * 2
    mail_user = "dovecot" if root else getpass.getuser()
    # Every mailbox a run can use, written before the server starts (dovecot reads it once).
    (base / "passwd").write_text("".join(f"desk{n}:{{PLAIN}}pw-desk\n" for n in range(1, MAILBOXES + 1)))
    for name in ("home", "run", "state"):
        (base / name).mkdir()
    if root:
        shutil.chown(base / "home", mail_user, mail_user)
        base.chmod(0o755)
    config = base / "dovecot.conf"
    config.write_text(
        f"""first_valid_uid = 1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = {internal}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_user} home={base}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port if ssl != "ssl = no" else 0}
  }}
}}
"""
    )
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                pytest.fail(f"dovecot did not start: {output}")
            time.sleep(0.1)
    try:
        yield port, base, tls_port if ssl != "ssl = no" else 0
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def imap_tls(_dovecot, imap, settings) -> Imap:
    """The same mailbox over IMAPS, its certificate trusted through KESU_IMAP_CAFILE."""
    _port, base, tls_port = _dovecot
    if not tls_port:
        pytest.skip("no openssl to make the test certificate")
    settings.KESU_IMAP_SECURITY = "tls"
    settings.KESU_IMAP_PORT = tls_port
    settings.KESU_IMAP_CAFILE = str(base / "cert.pem")
    return imap


def _self_signed_certificate(base: Path) -> str:
    """A certificate for 127.0.0.1 (dovecot's ``ssl`` lines), or ``ssl = no`` without openssl."""
    openssl = shutil.which("openssl")
    if not openssl:
        return "ssl = no"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(base / "key.pem"), "-out", str(base / "cert.pem")],
        check=True,
        capture_output=True,
    )
    (base / "key.pem").chmod(0o644)
    return f"ssl = yes\nssl_cert = <{base}/cert.pem\nssl_key = <{base}/key.pem"


MAILBOXES = 500
_users = iter(range(1, MAILBOXES + 1))


@pytest.fixture
def imap(_dovecot, settings) -> Imap:
    """A fresh, empty mailbox for the desk, which the poller reads (settings point at it)."""
    port, _base, _tls_port = _dovecot
    account = Imap(port=port, user=f"desk{next(_users)}", password="pw-desk")
    settings.KESU_IMAP_HOST = "127.0.0.1"
    settings.KESU_IMAP_PORT = port
    settings.KESU_IMAP_SECURITY = "plain"
    settings.KESU_IMAP_USER = account.user
    settings.KESU_IMAP_PASSWORD = account.password
    return account


@dataclass
class Smtp:
    port: int
    received: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    deliver_to: Imap | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, raw: bytes, *, to: str = DESK, sender: str = "customer@example.cn") -> None:
        """A customer's client submits a mail (its bytes, with the CRLF line ends of SMTP)."""
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as client:
            client.sendmail(sender, [to], re.sub(rb"\r?\n", b"\r\n", raw))

    def to_customer(self) -> list[EmailMessage]:
        return [m for m in self.received if DESK not in (m["To"] or "")]


@pytest.fixture
def smtp(settings) -> Iterator[Smtp]:
    """aiosmtpd on 127.0.0.1; Django's SMTP backend sends to it. Mail for the desk goes into the
    desk's IMAP mailbox when a test gives ``smtp.deliver_to``."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    server = Smtp(port=free_port())

    class Handler:
        async def handle_DATA(self, _server, _session, envelope):
            raw = envelope.original_content or envelope.content
            with server.lock:
                server.raw.append(raw)
                server.received.append(message_from_bytes(raw, policy=policy.default))
            if server.deliver_to is not None and DESK in envelope.rcpt_tos:
                server.deliver_to.append(raw)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=server.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 10
    settings.KESU_NOTIFY_FROM_EMAIL = f"客诉中心 <{DESK}>"
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _mail_settings(settings, tmp_path):
    settings.KESU_OUTBOX_DELIVER_ON_COMMIT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments")},
        },
    }


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment of a poller in its own process, on this test's database."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kesu.settings", **extra}
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["KESU_SQLITE_PATH"] = str(db["NAME"])
    else:
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        host = db["HOST"] or "127.0.0.1"
        env["DATABASE_URL"] = f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
    return env


def run_poller(imap: Imap, *, attachments_dir: Path, die_after_storing: int = 0) -> subprocess.Popen:
    """``fetch_new`` and ``handle_pending`` in a separate process, as the beat task runs them;
    with ``die_after_storing`` it kills itself (SIGKILL) right after storing that many mails —
    stored, not yet marked seen in the mailbox: the worst moment."""
    script = f"""
import os, signal, django
django.setup()
from kesu.mailbox import imap
from kesu.handling.inbound import handle_pending
real, count = imap.mail_store, [0]
def store(**kwargs):
    result = real(**kwargs)
    count[0] += 1
    if count[0] == {die_after_storing}:
        os.kill(os.getpid(), signal.SIGKILL)
    return result
imap.mail_store = store
imap.fetch_new()
handle_pending()
"""
    env = subprocess_env(
        KESU_IMAP_HOST="127.0.0.1",
        KESU_IMAP_PORT=str(imap.port),
        KESU_IMAP_SECURITY="plain",
        KESU_IMAP_USER=imap.user,
        KESU_IMAP_PASSWORD=imap.password,
        KESU_MAIL_INTAKE_USER="mailbox",
        KESU_OUTBOX_DELIVER_ON_COMMIT="0",
        KESU_ATTACHMENTS_DIR=str(attachments_dir),
    )
    return subprocess.Popen(
        [sys.executable, "-c", script], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
