"""Understanding in the product: what intake passes the engine (authority, compensation standard), a
later customer message that escalates, and the semantic tier refining the stored analysis after intake."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from kesu.complaints import services
from kesu.complaints.analysis import StoredAnalysis, embedding_of
from kesu.complaints.models import Category, Complaint
from kesu.core.analysis import engine as engine_module
from kesu.core.analysis.result import CATEGORIES
from kesu.core.analysis.semantic.model import HEADS_FILE
from kesu.handling import analysis as refinement
from kesu.handling.conversation import add_message
from tests.factories import unit_embedding

pytestmark = pytest.mark.django_db


def test_a_demand_beyond_the_takers_authority_fires_in_the_product(make_complaint):
    complaint = make_complaint(text="手机坏了三次，我要求赔偿五千元")  # an agent's limit is 500
    assert "authority" in StoredAnalysis(complaint.analysis).trigger_codes
    small = make_complaint(text="手机坏了，要求赔偿两百元")
    assert "authority" not in StoredAnalysis(small.analysis).trigger_codes


def test_the_recorded_demand_counts_like_one_in_the_words(make_complaint):
    complaint = make_complaint(text="手机坏了，我要赔偿", demand_type="compensation", demand_amount=Decimal("3000"))
    assert "authority" in StoredAnalysis(complaint.analysis).trigger_codes


def test_a_demand_far_above_the_categorys_standard_is_a_bad_faith_signal(make_complaint):
    Category.objects.filter(code="product_quality").update(compensation_standard=Decimal("200"))
    from kesu import memo

    memo.clear()
    complaint = make_complaint(text="手机买了一周就黑屏了，质量太差，我要求赔偿一万元")
    signals = {s.code for s in StoredAnalysis(complaint.analysis).bad_faith_signals}
    assert complaint.category.code == "product_quality"
    assert "excessive_compensation" in signals
    modest = make_complaint(text="手机买了一周就黑屏了，质量太差，我要求赔偿三百元")
    assert "excessive_compensation" not in {s.code for s in StoredAnalysis(modest.analysis).bad_faith_signals}


def test_a_later_customer_message_can_escalate(make_complaint, agent):
    complaint = services.complaint_accept(complaint=make_complaint(text="请问我的维修进度怎么样了"), actor=agent)
    assert complaint.escalation_level == 0
    add_message(complaint=complaint, actor=agent, body="再不给我解决我就去12315投诉你们！", kind="customer")
    complaint.refresh_from_db()
    assert complaint.escalation_level == 1
    escalation = complaint.escalations.get()
    assert escalation.reason == "regulator"
    assert complaint.audit_events.filter(action="escalated").exists()


def test_every_sub_category_the_engine_names_is_in_the_database():
    from kesu.core.analysis.lexicon import read_tsv

    engine_subs = {(r[0], r[1]) for r in read_tsv("categories.tsv") if r[1] != "-"}
    db = {(c.parent.code, c.code) for c in Category.objects.filter(parent__isnull=False).select_related("parent")}
    assert engine_subs <= db
    assert {c.code for c in Category.objects.filter(parent__isnull=True)} >= set(CATEGORIES)


# --- the semantic tier after intake -----------------------------------------------------------------


@pytest.fixture
def semantic_on(settings):
    settings.KESU_SEMANTIC_TIER = True
    return settings


def _full(result: dict, **changes):
    out = {**result, "tier": "full"}
    out.update(changes)
    return out


def test_intake_marks_the_complaint_for_the_semantic_tier(semantic_on, make_complaint):
    complaint = make_complaint()
    assert complaint.semantic_pending
    assert StoredAnalysis(complaint.analysis).tier == "fast"


def test_refinement_updates_the_analysis_escalates_and_audits(semantic_on, make_complaint, monkeypatch):
    complaint = make_complaint(text="你们到底管不管这件事，已经等了一个月了")
    assert complaint.escalation_level == 0

    def full(text, context):
        fast = engine_module.get_engine().analyze(text, context, tier="fast").as_dict()
        triggers = [*fast["escalation"]["triggers"], {"code": "public_exposure", "evidence": "管不管"}]
        escalation = {**fast["escalation"], "triggers": triggers, "risk": 0.7, "level": "high"}
        vector = np.full(384, 1 / np.sqrt(384), dtype=np.float16).tobytes()
        return _full(fast, escalation=escalation), vector

    monkeypatch.setattr(refinement, "analyse_full", full)
    refined = refinement.refine_complaint(complaint.pk)
    assert refined is not None and refined.escalated
    complaint.refresh_from_db()
    read = StoredAnalysis(complaint.analysis)
    assert read.tier == "full" and "public_exposure" in read.trigger_codes
    assert not complaint.semantic_pending
    assert embedding_of(complaint.embedding).shape == (384,)
    assert complaint.escalation_level == 1 and complaint.escalations.get().reason == "public_exposure"
    event = complaint.audit_events.get(action="analysis_refined")
    assert event.changes["analysis.triggers"][1] == ["public_exposure"]
    assert refinement.refine_complaint(complaint.pk) is None  # done: a second task does nothing
    assert complaint.escalations.count() == 1


def test_refinement_moves_a_category_only_the_analysis_chose(semantic_on, make_complaint, monkeypatch, agent):
    def full(text, context):
        fast = engine_module.get_engine().analyze(text, context, tier="fast").as_dict()
        return _full(fast, category={"code": "service_attitude", "sub": "cold_staff", "confidence": 0.8}), None

    monkeypatch.setattr(refinement, "analyse_full", full)
    chosen = make_complaint(text="客服说话很冲")
    assert chosen.category_by_analysis or chosen.category is None
    refinement.refine_complaint(chosen.pk)
    chosen.refresh_from_db()
    assert chosen.category.code == "service_attitude" and chosen.subcategory.code == "cold_staff"
    billing = Category.objects.get(code="price_fee")
    set_by_hand = make_complaint(text="客服说话很冲", category=billing)
    refinement.refine_complaint(set_by_hand.pk)
    set_by_hand.refresh_from_db()
    assert set_by_hand.category == billing  # a person's choice stands


def test_nothing_is_refined_where_the_encoder_cannot_run(semantic_on, make_complaint):
    complaint = make_complaint()  # the test session switches the encoder off (KESU_SEMANTIC=0)
    assert refinement.refine_complaint(complaint.pk) is None
    assert refinement.refine_pending() == 0
    assert Complaint.objects.get(pk=complaint.pk).semantic_pending  # left for a process that can


@pytest.mark.skipif(not HEADS_FILE.exists(), reason="no semantic heads shipped")
def test_the_real_encoder_refines_a_complaint_and_a_message(semantic_on, make_complaint, agent, monkeypatch, tmp_path):
    monkeypatch.setenv("KESU_CACHE_DIR", str(tmp_path))
    from kesu.core.analysis.semantic.model import SemanticModel

    model = SemanticModel()
    monkeypatch.setattr(engine_module, "get_semantic_model", lambda: model)
    complaint = services.complaint_accept(
        complaint=make_complaint(text="宽带断网三天了，报修一直没人来，你们客服也不回复"), actor=agent
    )
    add_message(complaint=complaint, actor=agent, body="怎么还没人来？我要投诉到工信部！", kind="customer")
    assert refinement.refine_pending() == 2
    complaint.refresh_from_db()
    assert StoredAnalysis(complaint.analysis).tier == "full"
    vector = embedding_of(complaint.embedding)
    assert vector is not None and abs(float(np.linalg.norm(vector)) - 1) < 0.01
    last = complaint.messages.filter(kind="customer").order_by("-created_at").first()
    assert StoredAnalysis(last.analysis).tier == "full" and not last.semantic_pending
    assert "regulator" in StoredAnalysis(last.analysis).trigger_codes


def test_nothing_is_marked_when_the_semantic_tier_is_off(make_complaint):
    assert not make_complaint().semantic_pending


def test_similar_complaints_come_most_alike_first_and_only_those_one_may_see(
    make_complaint, api, agent, other_agent, customer
):
    target = make_complaint(text="宽带又断了")
    alike = make_complaint(text="家里宽带断网")
    less = make_complaint(text="宽带网速慢")
    unrelated = make_complaint(text="书的内容很好")
    elsewhere = take_in_for(other_agent, customer)
    for c, vec in ((target, unit_embedding(1, 0.1)), (alike, unit_embedding(1, 0.15)), (less, unit_embedding(1, 0.5)), (unrelated, unit_embedding(0, 1)),
                   (elsewhere, unit_embedding(1, 0.1))):
        Complaint.objects.filter(pk=c.pk).update(embedding=vec)
    response = api(agent).get(f"/api/v1/complaints/{target.reference}/similar/")
    assert response.status_code == 200
    refs = [row["complaint"]["reference"] for row in response.json()]
    assert refs[:2] == [alike.reference, less.reference]
    assert unrelated.reference not in refs and elsewhere.reference not in refs  # unlike / another team's
    assert response.json()[0]["similarity"] > response.json()[1]["similarity"]


def take_in_for(actor, customer):
    from kesu.handling.intake import take_in

    return take_in(actor=actor, customer=customer, text="宽带断了", channel="phone")
