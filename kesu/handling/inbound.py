"""Mail to the complaint desk, after it is stored (:mod:`kesu.mailbox`): a customer's answer joins
its complaint (and reopens it when it was closed, or lets its paused clocks run again), a new
mail opens a new complaint (linked as a repeat as at any intake), an auto-reply or bulk mail is
set aside. Each stored mail is claimed once, in the transaction that handles it.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from kesu.accounts.models import User
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.models import Channel, Complaint, Message, MessageKind
from kesu.complaints.selectors import complaint_for_mail
from kesu.complaints.services import CustomerData
from kesu.complaints.services.attachments import Upload, attachment_check
from kesu.core.mail import ParsedMail, parse_mail
from kesu.core.workflow import REOPEN_TARGET
from kesu.handling.conversation import add_message
from kesu.handling.intake import take_in
from kesu.handling.stages import move
from kesu.mailbox import conf
from kesu.mailbox.models import InboundMail, Status

logger = logging.getLogger(__name__)

#: A mail that fails this often (a bug, a database outage) is left for a person to look at.
MAX_ATTEMPTS = 5


@dataclass
class InboundReport:
    threaded: int = 0
    new_complaints: int = 0
    ignored: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def handle_pending(*, limit: int = 200) -> InboundReport:
    """Handle up to ``limit`` stored mails, oldest first. Safe in many workers at once."""
    report = InboundReport()
    ids = list(
        InboundMail.objects.filter(status=Status.RECEIVED).order_by("received_at", "pk").values_list("pk", flat=True)[
            :limit
        ]
    )
    for pk in ids:
        row = handle_mail(pk)
        if row is None:
            continue
        if row.status == Status.THREADED:
            report.threaded += 1
        elif row.status == Status.NEW_COMPLAINT:
            report.new_complaints += 1
        elif row.status == Status.IGNORED:
            report.ignored += 1
        elif row.status == Status.FAILED or row.reason:
            report.failed += 1
    return report


def handle_mail(pk: int) -> InboundMail | None:
    """Handle one stored mail, or return None when another worker has (or is doing it)."""
    try:
        with transaction.atomic():
            row = InboundMail.objects.select_for_update().filter(pk=pk, status=Status.RECEIVED).first()
            if row is None:
                return None
            _handle(row, parse_mail(bytes(row.raw)))
            row.handled_at = timezone.now()
            row.save()
            return row
    except Exception as error:  # recorded on the row and retried; the poller goes on with the next mail
        logger.exception("inbound mail %s could not be handled", pk)
        row = InboundMail.objects.get(pk=pk)
        if row.status != Status.RECEIVED:
            return row
        row.attempts += 1
        row.reason = f"{type(error).__name__}: {error}"[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = Status.FAILED
        row.save(update_fields=["attempts", "reason", "status"])
        return row


def _uploads(mail: ParsedMail) -> tuple[list[Upload], list[str]]:
    """The attachments that may be kept, and why each other one was not."""
    kept, refused = [], []
    for item in mail.attachments:
        upload = Upload(filename=item.filename, content=item.content)
        try:
            attachment_check(upload, item.content)
        except ComplaintError as error:
            refused.append(error.message)
        else:
            kept.append(upload)
    return kept, refused


def _handle(row: InboundMail, mail: ParsedMail) -> None:
    if mail.automatic:
        row.status, row.reason = Status.IGNORED, mail.automatic
        return
    if not mail.from_address:
        row.status, row.reason = Status.IGNORED, "no sender address"
        return
    uploads, refused = _uploads(mail)
    if not mail.new_text.strip() and not mail.subject.strip() and not uploads:
        row.status, row.reason = Status.IGNORED, "\n".join(["empty mail", *refused])
        return
    complaint = complaint_for_mail(thread_ids=mail.thread_ids, reference=mail.reference, sender=mail.from_address)
    with override("zh-hans"):
        if complaint is not None:
            message = _answer(complaint, mail, uploads)
            row.status = Status.THREADED
        else:
            complaint, message = _new_complaint(mail, uploads)
            row.status = Status.NEW_COMPLAINT
    row.complaint, row.message = complaint, message
    row.reason = "\n".join(refused)


def _answer(complaint: Complaint, mail: ParsedMail, uploads: list[Upload]) -> Message:
    """The customer answered: a closed complaint is handled again (the clocks restart), a paused
    one runs again (``ON_CUSTOMER_MESSAGE``); their words are analysed like any message."""
    if not complaint.is_open:
        complaint = move(
            complaint=complaint,
            actor=None,
            to=REOPEN_TARGET,
            reason=_("The customer wrote again by e-mail after closure."),
        )
    return add_message(
        complaint=complaint,
        actor=None,
        kind=MessageKind.CUSTOMER,
        channel=Channel.EMAIL,
        # Words first; a mail of attachments alone says so; a subject alone is the words.
        body=mail.new_text or ("" if uploads else mail.subject),
        quoted=mail.quoted,
        email_message_id=mail.message_id,
        attachments=uploads,
    )


def intake_user() -> User:
    user = User.objects.filter(username=conf.intake_username(), is_active=True).select_related("team").first()
    if user is None or user.team_id is None:
        raise ComplaintError(
            ErrorCode.MAIL_INTAKE_UNCONFIGURED,
            _("No active account %(name)s with a team takes mail in (KESU_MAIL_INTAKE_USER).")
            % {"name": conf.intake_username()},
        )
    return user


def _new_complaint(mail: ParsedMail, uploads: list[Upload]) -> tuple[Complaint, Message]:
    words = mail.new_text or _("(no text)")
    text = f"{mail.subject}\n\n{words}" if mail.subject and mail.subject not in words else words
    complaint = take_in(
        actor=intake_user(),
        customer=CustomerData(name=(mail.from_name or mail.from_address.split("@")[0])[:100], email=mail.from_address),
        text=text,
        channel=Channel.EMAIL,
        attachments=uploads,
    )
    message = complaint.messages.order_by("created_at", "id").first()
    assert message is not None
    message.email_message_id, message.quoted = mail.message_id, mail.quoted
    message.save(update_fields=["email_message_id", "quoted"])
    return complaint, message
