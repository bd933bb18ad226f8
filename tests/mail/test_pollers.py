"""Pollers as production runs them, in their own processes against the real mailbox: one killed
mid-run loses nothing and doubles nothing; two at once take each mail once."""

from __future__ import annotations

import pytest

from kesu.complaints.models import Complaint, Message
from kesu.handling.inbound import handle_pending
from kesu.mailbox.imap import fetch_new
from kesu.mailbox.models import InboundMail
from tests.factories import TeamFactory, UserFactory
from tests.mail.conftest import run_poller
from tests.mail.mails import customer_mail

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def mailroom(smtp, imap):
    UserFactory(username="mailbox", team=TeamFactory(name="邮件组"), role="agent")
    smtp.deliver_to = imap
    return smtp


def _send(mailroom, count: int) -> None:
    for n in range(count):
        raw, _ = customer_mail(sender=f"customer{n}@example.cn", body=f"第{n}位客户：快递丢了，要求赔偿。")
        mailroom.send(raw)


def test_a_poller_killed_after_storing_a_mail_loses_and_doubles_nothing(mailroom, imap, tmp_path):
    _send(mailroom, 3)
    poller = run_poller(imap, attachments_dir=tmp_path, die_after_storing=2)
    output = poller.communicate(timeout=120)[0].decode(errors="replace")
    assert poller.returncode == -9, output
    # Killed after storing the second mail, before marking it seen: two stored, two unseen.
    assert InboundMail.objects.count() == 2
    assert imap.unseen() == 2

    fetch_new()
    handle_pending()
    assert imap.unseen() == 0
    assert InboundMail.objects.count() == 3
    assert Complaint.objects.count() == 3
    assert sorted(Complaint.objects.values_list("customer__email", flat=True)) == [
        f"customer{n}@example.cn" for n in range(3)
    ]
    assert Message.objects.count() == 3


def test_two_pollers_at_once_take_each_mail_once(mailroom, imap, tmp_path):
    _send(mailroom, 6)
    pollers = [run_poller(imap, attachments_dir=tmp_path) for _ in range(2)]
    for poller in pollers:
        output = poller.communicate(timeout=120)[0].decode(errors="replace")
        assert poller.returncode == 0, output
    handle_pending()  # whatever a poller left (none expected)

    assert imap.unseen() == 0
    assert InboundMail.objects.count() == 6
    assert Complaint.objects.count() == 6
    assert Message.objects.count() == 6
