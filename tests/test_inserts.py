"""A row written by kesu.inserts is the row ``save()`` writes: the same stored values (defaults,
``auto_now_add``, JSON, foreign keys), the new id on the instance, the signals, and a refused insert
that undoes the whole transaction."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save, pre_save

from kesu import inserts
from kesu.complaints.models import AuditEvent, Complaint, IdempotencyRecord, Message
from kesu.customers.models import Customer
from kesu.sla.models import ComplaintSla

pytestmark = pytest.mark.django_db


OWN = ("id", "reference", "created_at", "updated_at")  # what differs between two rows by design


def _stored(model, pk):
    row = model.objects.get(pk=pk)
    return {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if f.attname not in OWN}


def test_a_complaint_row_reads_back_as_the_orm_writes_it(make_complaint, agent):
    template = make_complaint(text="宽带断网三天了，订单尾号1234。", demand_amount=Decimal("100.00"))
    fields = {f.attname: getattr(template, f.attname) for f in Complaint._meta.concrete_fields if f.attname not in OWN}
    fields["embedding"] = b"\x00\x3c\xff"  # binary data goes in as it is
    by_orm = Complaint.objects.create(reference="KS-ORM", **fields)
    by_insert = inserts.insert(Complaint(reference="KS-INSERT", **fields))
    assert by_insert.pk is not None and by_insert.pk != by_orm.pk
    assert not by_insert._state.adding
    assert _stored(Complaint, by_insert.pk) == _stored(Complaint, by_orm.pk)
    stored = Complaint.objects.get(pk=by_insert.pk)
    assert stored.created_at is not None and stored.updated_at is not None  # auto_now(_add) filled in
    assert stored.analysis == template.analysis and stored.demand_amount == Decimal("100.00")
    assert bytes(stored.embedding) == b"\x00\x3c\xff"


def test_every_row_of_an_intake_can_be_written(make_complaint, agent):
    complaint = make_complaint()
    customer = inserts.insert(Customer(external_id="X-1", name="张三", phone="13800000000", tier=complaint.customer.tier))
    assert Customer.objects.get(pk=customer.pk).name == "张三"
    message = inserts.insert(Message(complaint=complaint, kind="customer", channel="phone", body="又断网了"))
    assert Message.objects.get(pk=message.pk).body == "又断网了"
    event = inserts.insert(AuditEvent(complaint=complaint, actor=agent, action="checklist", changes={"a": [1, 2]}))
    assert AuditEvent.objects.get(pk=event.pk).changes == {"a": [1, 2]}
    record = inserts.insert(IdempotencyRecord(user=agent, key="k", fingerprint="f", complaint=complaint))
    assert IdempotencyRecord.objects.get(pk=record.pk).complaint_id == complaint.pk
    # a row whose primary key is given (the clocks are the complaint's own)
    ComplaintSla.objects.filter(pk=complaint.pk).delete()
    row = ComplaintSla.objects.model(
        complaint=complaint,
        received_at=complaint.received_at,
        first_reply_hours=Decimal("2"),
        effective_reply_hours=Decimal("24"),
        at_risk_ratio=Decimal("0.8"),
        first_reply_due_at=complaint.received_at,
        first_reply_risk_at=complaint.received_at,
        effective_due_at=complaint.received_at,
        effective_risk_at=complaint.received_at,
    )
    assert inserts.insert(row).pk == complaint.pk
    assert ComplaintSla.objects.get(pk=complaint.pk).first_reply_hours == Decimal("2")


def test_the_save_signals_are_sent(make_complaint, agent):
    complaint = make_complaint()
    seen = []

    def before(sender, instance, **kwargs):
        seen.append(("pre", instance.pk))

    def after(sender, instance, created, **kwargs):
        seen.append(("post", instance.pk, created))

    pre_save.connect(before, sender=AuditEvent)
    post_save.connect(after, sender=AuditEvent)
    try:
        event = inserts.insert(AuditEvent(complaint=complaint, actor=agent, action="checklist", changes={}))
    finally:
        pre_save.disconnect(before, sender=AuditEvent)
        post_save.disconnect(after, sender=AuditEvent)
    assert seen == [("pre", None), ("post", event.pk, True)]


def test_a_refused_insert_undoes_the_whole_transaction(make_complaint, agent):
    complaint = make_complaint()
    inserts.insert(IdempotencyRecord(user=agent, key="once", fingerprint="f", complaint=complaint))
    before = AuditEvent.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        inserts.insert(AuditEvent(complaint=complaint, actor=agent, action="checklist", changes={}))
        inserts.insert(IdempotencyRecord(user=agent, key="once", fingerprint="g", complaint=complaint))
    assert AuditEvent.objects.count() == before
    assert IdempotencyRecord.objects.get(user=agent, key="once").fingerprint == "f"


def test_an_unsaved_related_row_is_refused_as_save_refuses_it(agent):
    with pytest.raises(ValueError, match="unsaved related object"):
        inserts.insert(AuditEvent(complaint=Complaint(reference="KS-UNSAVED"), actor=agent, action="checklist"))


def test_a_taken_unique_value_writes_nothing_and_leaves_the_transaction_usable(make_complaint):
    tier = make_complaint().customer.tier
    first = inserts.insert_unless_taken(Customer(external_id="SAME", name="甲", tier=tier), unique="external_id")
    assert first is not None and first.pk is not None
    with transaction.atomic():
        again = inserts.insert_unless_taken(Customer(external_id="SAME", name="乙", tier=tier), unique="external_id")
        assert again is None
        assert Customer.objects.filter(external_id="SAME").count() == 1  # the transaction goes on
        inserts.insert(Customer(external_id="OTHER", name="丙", tier=tier))
    assert Customer.objects.get(external_id="SAME").name == "甲"
    assert Customer.objects.filter(external_id="OTHER").exists()


def test_the_same_new_customer_taken_in_twice_at_once_is_one_record(make_complaint, agent, monkeypatch):
    """The second intake did not find the customer (the first had not committed yet) and then meets
    the first one's record: its complaint goes to that record, nothing fails."""
    from kesu.complaints import intake_reads, services

    first = make_complaint(customer=services.CustomerData(name="王芳", external_id="RACE-1"))
    monkeypatch.setattr(intake_reads, "customer_by_external_id", lambda external_id: None)
    second = make_complaint(customer=services.CustomerData(name="王芳", external_id="RACE-1"))
    assert second.customer_id == first.customer_id
    assert Customer.objects.filter(external_id="RACE-1").count() == 1
    assert Complaint.objects.filter(customer_id=first.customer_id).count() == 2


def test_a_database_function_as_a_value_is_left_to_the_orm(make_complaint, agent):
    from django.db.models import Value
    from django.db.models.functions import Now, Upper

    complaint = make_complaint()
    event = inserts.insert(AuditEvent(complaint=complaint, actor=agent, action="checklist", created_at=Now()))
    assert AuditEvent.objects.get(pk=event.pk).created_at is not None
    tier = complaint.customer.tier
    taken = Customer(external_id=complaint.customer.external_id, name=Upper(Value("x")), tier=tier)
    assert inserts.insert_unless_taken(taken, unique="external_id") is None
    new = inserts.insert_unless_taken(Customer(external_id="FN-1", name=Upper(Value("x")), tier=tier), unique="external_id")
    assert Customer.objects.get(pk=new.pk).name == "X"
