"""``kesu manage embed_complaints``: after the encoder changed, the stored complaints get the current
encoder's embedding of their words (as the semantic refinement computes it), so similar-complaint
search compares embeddings of one encoder — and nothing else on the complaint changes."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kesu.complaints.analysis import analyse_full
from kesu.complaints.models import Complaint
from kesu.complaints.selectors import similar_complaints
from kesu.core.analysis import engine as engine_module
from kesu.core.analysis.semantic import EncoderUnavailable
from kesu.core.analysis.semantic.model import HEADS_FILE
from tests.factories import unit_embedding

pytestmark = pytest.mark.django_db

BROADBAND = "家里宽带断网三天了，报修电话打了好几次都没人上门"
BROADBAND_AGAIN = "宽带又断了，网络一直连不上，维修师傅也不来"
BOOK = "这本书的印刷很清楚，内容也不错，就是快递包装有点旧"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    if not HEADS_FILE.exists():
        pytest.skip("no semantic heads shipped")
    from kesu.core.analysis.semantic.model import SemanticModel

    with pytest.MonkeyPatch.context() as mp:
        # the joined encoder file goes to a temporary cache, not the developer's ~/.cache/kesu
        mp.setenv("KESU_CACHE_DIR", str(tmp_path_factory.mktemp("kesu-cache")))
        return SemanticModel()  # the encoder itself, loaded once for the module


@pytest.fixture
def encoder_on(monkeypatch, model):
    monkeypatch.setattr(engine_module, "get_semantic_model", lambda: model)
    return model


def embed(*args: str) -> str:
    out = io.StringIO()
    call_command("embed_complaints", *args, stdout=out)
    return out.getvalue()


def record(complaint: Complaint) -> tuple:
    """What a person sees of the complaint besides its embedding."""
    row = Complaint.objects.values_list("updated_at", "analysis", "category_id", "escalation_risk", "stage").get(
        pk=complaint.pk
    )
    return (*row, complaint.audit_events.count())


def stored(complaint: Complaint) -> bytes | None:
    data = Complaint.objects.values_list("embedding", flat=True).get(pk=complaint.pk)
    return bytes(data) if data is not None else None


def test_stale_embeddings_become_the_current_encoders_and_nothing_else_changes(encoder_on, make_complaint, agent):
    broadband, alike, book = (make_complaint(text=t) for t in (BROADBAND, BROADBAND_AGAIN, BOOK))
    # From another encoder: the broadband complaint looks like the book one and unlike the other broadband one.
    for complaint, stale in ((broadband, unit_embedding(1, 0)), (alike, unit_embedding(0, 1)), (book, unit_embedding(1, 0.01))):
        Complaint.objects.filter(pk=complaint.pk).update(embedding=stale)
    before = [record(c) for c in (broadband, alike, book)]
    broadband.refresh_from_db()
    assert [c for c, _ in similar_complaints(user=agent, complaint=broadband, min_similarity=-1)] == [book, alike]

    assert "3 of 3 complaints embedded" in embed()

    for complaint in (broadband, alike, book):
        assert stored(complaint) == analyse_full(complaint.text, None)[1]  # what the refinement stores
    assert [record(c) for c in (broadband, alike, book)] == before  # no other field, no audit event
    broadband.refresh_from_db()
    assert [c for c, _ in similar_complaints(user=agent, complaint=broadband, min_similarity=-1)] == [alike, book]


def test_missing_and_since_leave_the_others_as_they_are(encoder_on, make_complaint):
    has_one, has_none, old = (make_complaint(text=t) for t in (BROADBAND, BROADBAND_AGAIN, BOOK))
    Complaint.objects.filter(pk=has_one.pk).update(embedding=unit_embedding(1, 0))
    Complaint.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=30))

    assert "1 of 1 complaints embedded" in embed("--missing", "--since", "7")

    assert stored(has_one) == unit_embedding(1, 0)  # it had one: skipped
    assert stored(has_none) == analyse_full(BROADBAND_AGAIN, None)[1]
    assert stored(old) is None  # received before the window


def test_where_the_encoder_cannot_run_it_says_so_and_writes_nothing(monkeypatch, make_complaint):
    def unavailable():
        raise EncoderUnavailable("the semantic tier is switched off (KESU_SEMANTIC=0)")

    monkeypatch.setattr(engine_module, "get_semantic_model", unavailable)
    complaint = make_complaint(text=BROADBAND)
    Complaint.objects.filter(pk=complaint.pk).update(embedding=unit_embedding(1, 0))
    with pytest.raises(CommandError, match=r"encoder cannot run here.*1 complaints left as they are"):
        embed()
    assert stored(complaint) == unit_embedding(1, 0)


def test_since_takes_a_number_of_days():
    with pytest.raises(CommandError, match="at least 1"):
        embed("--since", "0")
