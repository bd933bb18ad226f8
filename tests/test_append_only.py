"""Every trail is append-only the same way (kesu.append_only): a record is written once, and neither
saved again, deleted, nor changed or deleted through a queryset."""

from __future__ import annotations

import pytest

from kesu.accounts.models import UserRightsEvent
from kesu.append_only import AppendOnlyError
from kesu.complaints.models import AuditEvent
from kesu.practice.models import TrainingEvent
from kesu.reviews.models import ReviewEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(request, make_complaint, agent):
    if request.param is AuditEvent:
        return AuditEvent.objects.filter(complaint=make_complaint()).first()
    if request.param is UserRightsEvent:
        return UserRightsEvent.objects.create(actor=None, user=agent, changes={"is_staff": [False, True]})
    return request.param.objects.create(actor=agent, action="test")


@pytest.mark.parametrize(
    "record", [AuditEvent, ReviewEvent, TrainingEvent, UserRightsEvent], indirect=True, ids=lambda m: m.__name__
)
def test_a_trails_record_is_neither_changed_nor_deleted(record):
    model = type(record)
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk=record.pk).update(changes={})
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk=record.pk).delete()
    assert model.objects.filter(pk=record.pk).exists()


def test_the_refusal_is_still_a_value_error():
    """Callers that caught the training and user-rights trails' ValueError still do."""
    assert issubclass(AppendOnlyError, ValueError)
