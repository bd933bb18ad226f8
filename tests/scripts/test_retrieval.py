"""Script retrieval 话术检索: each script keeps its embedding; the complaint page offers the fitting
scripts closest to the complaint's words first, and the rules' order where there is nothing to
compare (the encoder off, the complaint not refined yet)."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from kesu.complaints import services as complaints
from kesu.complaints.models import Complaint
from kesu.core.analysis.semantic import EncoderUnavailable
from kesu.scripts import encoding
from kesu.scripts.models import Script
from kesu.scripts.selectors import ranked_scripts_for, scripts_for
from kesu.scripts.services import script_embed, scripts_embed
from tests.scripts.library import (
    CHARGED_TWICE,
    FEE,
    LATE_PARCEL,
    PARCEL,
    embedded,
    only_these_propose_scripts,
)

pytestmark = pytest.mark.django_db


def unavailable():
    raise EncoderUnavailable("the semantic tier is switched off (KESU_SEMANTIC=0)")


@pytest.fixture
def encoder_off(monkeypatch):
    monkeypatch.setattr(encoding, "get_semantic_model", unavailable)


@pytest.fixture
def library(scripts_encoder):
    return only_these_propose_scripts()


def test_a_saved_script_keeps_a_unit_embedding(library):
    for script in library:
        vector = np.frombuffer(Script.objects.get(pk=script.pk).embedding, dtype=np.float16).astype(np.float32)
        assert vector.shape == (384,) and abs(float(np.linalg.norm(vector)) - 1) < 0.01


def test_the_script_about_the_complaint_comes_first(library, scripts_encoder):
    fee, parcel = library
    late = ranked_scripts_for(stage="propose", category=None, emotion=None, embedding=embedded(scripts_encoder, LATE_PARCEL))
    assert [s for s, _ in late] == [parcel, fee]
    assert late[0][1] > late[1][1]
    twice = ranked_scripts_for(stage="propose", category=None, emotion=None, embedding=embedded(scripts_encoder, CHARGED_TWICE))
    assert [s for s, _ in twice] == [fee, parcel]


def test_without_the_complaints_embedding_the_rules_order_stands(library):
    fee, parcel = library
    assert ranked_scripts_for(stage="propose", category=None, emotion=None, embedding=None) == [(fee, None), (parcel, None)]
    assert scripts_for(stage="propose", category=None, emotion=None) == [fee, parcel]


def test_a_script_saved_while_the_encoder_was_off_follows_the_compared_ones(library, scripts_encoder, monkeypatch):
    fee, parcel = library
    monkeypatch.setattr(encoding, "get_semantic_model", unavailable)
    fee.text = "核实后多扣的话费会在3个工作日内退回您的账户。"
    assert script_embed(script=fee) is False and fee.embedding is None  # not the old words' embedding
    fee.save()
    ranked = ranked_scripts_for(stage="propose", category=None, emotion=None, embedding=embedded(scripts_encoder, CHARGED_TWICE))
    assert ranked[0][0] == parcel and ranked[1] == (fee, None)


def test_the_complaint_page_shows_the_most_relevant_first(client, library, scripts_encoder, make_complaint, agent):
    complaint = complaints.complaint_accept(complaint=make_complaint(text=LATE_PARCEL), actor=agent)
    Complaint.objects.filter(pk=complaint.pk).update(stage="propose", embedding=embedded(scripts_encoder, LATE_PARCEL))
    client.force_login(agent)
    response = client.get(reverse("web:complaint", args=[complaint.reference]))
    scripts = response.context["scripts"]
    assert [s["title"] for s in scripts] == [PARCEL[0], FEE[0]]
    assert scripts[0]["most_relevant"] and not scripts[1]["most_relevant"]
    assert scripts[0]["relevance"] > scripts[1]["relevance"]
    html = response.content.decode()  # the agent's page is in Chinese
    assert "最相关" in html and f"相关度 {scripts[0]['relevance']}%" in html


def test_a_complaint_not_yet_refined_shows_the_rules_order_and_no_hint(client, library, make_complaint, agent):
    complaint = complaints.complaint_accept(complaint=make_complaint(text=LATE_PARCEL), actor=agent)
    Complaint.objects.filter(pk=complaint.pk).update(stage="propose")
    client.force_login(agent)
    response = client.get(reverse("web:complaint", args=[complaint.reference]))
    assert [(s["title"], s["relevance"]) for s in response.context["scripts"]] == [(FEE[0], None), (PARCEL[0], None)]
    html = response.content.decode()
    assert "insert-script" in html and "最相关" not in html and "相关度" not in html


def test_the_admin_embeds_a_script_as_it_is_saved_and_again_when_its_words_change(client, admin_user, scripts_encoder):
    client.force_login(admin_user)
    form = {"stage": "listen", "category": "", "emotion": "", "title": PARCEL[0], "text": PARCEL[1],
            "text_en": "", "tags": "[]", "active": "on", "industry": ""}
    assert client.post(reverse("admin:scripts_script_add"), form).status_code == 302
    script = Script.objects.get(title=PARCEL[0])
    assert script.embedding
    first = bytes(script.embedding)
    form.update(text=FEE[1])
    assert client.post(reverse("admin:scripts_script_change", args=[script.pk]), form).status_code == 302
    script.refresh_from_db()
    assert script.embedding and bytes(script.embedding) != first


def test_embed_scripts_fills_in_the_missing_ones(library, scripts_encoder):
    fee, parcel = library
    Script.objects.exclude(pk=fee.pk).update(embedding=b"\0" * 768)
    Script.objects.filter(pk=fee.pk).update(embedding=None)
    call_command("embed_scripts", "--missing")
    assert bytes(Script.objects.get(pk=fee.pk).embedding) == bytes(fee.embedding)
    assert bytes(Script.objects.get(pk=parcel.pk).embedding) == b"\0" * 768  # not asked for


def test_embed_scripts_refuses_where_the_encoder_cannot_run(encoder_off):
    with pytest.raises(CommandError, match="cannot run here"):
        call_command("embed_scripts")
    assert not Script.objects.filter(embedding__isnull=False).exists()


class HashingEncoder:
    """A stand-in for the encoder for a whole library: a vector per text, no model."""

    def embed(self, texts):
        return np.stack([np.random.default_rng(abs(hash(t)) % 2**32).normal(size=384) for t in texts]).astype(np.float32)


def test_the_migration_and_the_command_embed_the_whole_library(monkeypatch):
    import importlib

    from django.apps import apps

    monkeypatch.setattr(encoding, "get_semantic_model", HashingEncoder)
    migration = importlib.import_module("kesu.scripts.migrations.0005_script_embedding")
    migration.embed_library(apps, None)
    count = Script.objects.count()
    assert count >= 60 and Script.objects.filter(embedding__isnull=False).count() == count
    Script.objects.update(embedding=None)
    assert scripts_embed().embedded == count == Script.objects.filter(embedding__isnull=False).count()


def test_the_demo_embeds_the_scripts_migrated_while_the_encoder_was_off(monkeypatch, make_complaint):
    from kesu.demo.seed import seed_demo

    make_complaint()  # demo data already there: the seed only catches up on the scripts
    monkeypatch.setattr(encoding, "get_semantic_model", HashingEncoder)
    lines: list[str] = []
    seed_demo(progress=lines.append)
    count = Script.objects.count()
    assert Script.objects.filter(embedding__isnull=False).count() == count
    assert f"Embedded {count} scripts for script retrieval." in lines


def reembed_migration():
    import importlib

    return importlib.import_module("kesu.scripts.migrations.0006_reembed_scripts_fine_tuned_encoder")


STALE = np.full(384, 1 / np.sqrt(384), dtype=np.float16).tobytes()  # the frozen encoder's, say


def test_migration_0006_embeds_the_library_again_with_the_current_encoder(monkeypatch):
    from django.apps import apps

    monkeypatch.setattr(encoding, "get_semantic_model", HashingEncoder)
    Script.objects.update(embedding=STALE)
    reembed_migration().embed_library(apps, None)
    rows = list(Script.objects.order_by("pk"))
    assert len(rows) >= 60
    assert [bytes(s.embedding) for s in rows] == encoding.encode_scripts([(s.title, s.text, s.text_en) for s in rows])


def test_migration_0006_leaves_the_embeddings_where_the_encoder_cannot_run(encoder_off):
    from django.apps import apps

    Script.objects.update(embedding=STALE)
    reembed_migration().embed_library(apps, None)
    assert {bytes(e) for e in Script.objects.values_list("embedding", flat=True)} == {STALE}
