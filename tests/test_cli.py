"""The ``kesu`` command line and the demo data it loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kesu import cli
from kesu.complaints.models import AuditEvent, Complaint
from kesu.demo.seed import seed_demo
from kesu.practice.models import Case, PracticeSession

pytestmark = pytest.mark.django_db


def test_kesu_import_reports_rows_and_exit_code(tmp_path, lead, capsys):
    good = tmp_path / "good.csv"
    good.write_text("customer_name,channel,text\n钱多多,phone,充值话费未到账\n", encoding="utf-8")
    assert cli.main(["import", str(good), "--user", "lead"]) == 0
    assert '"created": 1' in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_name,channel,text\n钱多多,pigeon,渠道错误\n", encoding="utf-8")
    assert cli.main(["import", str(bad), "--user", "lead"]) == 1
    assert '"row": 2' in capsys.readouterr().out
    assert cli.main(["import", str(tmp_path / "missing.csv"), "--user", "lead"]) == 2
    assert Complaint.objects.count() == 1


def test_kesu_is_an_installed_command():
    result = subprocess.run(
        [sys.executable, "-m", "kesu.cli", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    for command in ("demo", "serve", "import", "analyze"):
        assert command in result.stdout


def test_demo_data_spans_channels_tiers_stages_and_languages():
    created = seed_demo(count=120)
    assert created == 120
    stages = set(Complaint.objects.values_list("stage", flat=True))
    assert {"accept", "listen", "closed"} <= stages and len(stages) >= 7
    assert len(set(Complaint.objects.values_list("channel", flat=True))) >= 7
    assert set(Complaint.objects.values_list("customer__tier__code", flat=True)) == {
        "vip",
        "high",
        "standard",
    }
    assert Complaint.objects.filter(escalated_complaint=True).exists()
    texts = list(Complaint.objects.values_list("text", flat=True))
    assert any("們" in t or "當" in t or "費" in t for t in texts)  # traditional Chinese
    assert any(t.isascii() for t in texts)  # English
    closed = Complaint.objects.filter(stage="closed").first()
    assert closed.solution_type and (closed.follow_up_result or closed.close_reason)
    assert closed.received_at < closed.closed_at
    assert AuditEvent.objects.filter(complaint=closed, action="stage_changed").count() >= 6
    # Work orders (处理联动) with their own deadlines: done on time, late, and still open.
    from kesu.followup.models import WorkOrder

    orders = list(WorkOrder.objects.all())
    assert len(orders) >= 10
    assert {True, None} <= {order.on_time for order in orders} or {True, False} <= {o.on_time for o in orders}
    assert any(order.completed_at is None for order in orders)
    _the_loop_is_closed()
    # Training: a published case (anonymised, checked by a second person), a solo and a group session.
    case = Case.objects.get()
    assert case.published and case.checked_by != case.proposed_by
    assert case.complaint.customer.name not in case.text
    assert set(PracticeSession.objects.values_list("mode", flat=True)) == {"solo", "group"}
    assert PracticeSession.objects.filter(total__isnull=False).count() == 2
    lines: list[str] = []
    assert seed_demo(count=120, progress=lines.append) == 120  # a second run adds nothing
    assert lines == ["Demo data already there (120 complaints)."]


def _the_loop_is_closed():
    """Reviews with root causes, every closed complaint that needed one reviewed, and a finished
    action whose effect the page can show."""
    from kesu.reviews import selectors
    from kesu.reviews.models import ImprovementAction, Review

    assert Review.objects.filter(status="approved").exists() and Review.objects.filter(status="submitted").exists()
    assert not Review.objects.filter(root_causes__isnull=True).exists()
    for complaint in Complaint.objects.filter(stage="closed", escalated_complaint=True):
        assert complaint.review.status in ("submitted", "approved")
    done = ImprovementAction.objects.get(status="done")
    effect = selectors.action_effect(done).effect
    assert effect.enough and effect.ratio < 1  # billing complaints fell after the action


def test_kesu_build_encoder_derives_the_shipped_encoder_into_the_cache(tmp_path, monkeypatch, capsys):
    from kesu.core.analysis.semantic import e5file, encoder_files

    monkeypatch.setenv("KESU_CACHE_DIR", str(tmp_path))
    assert cli.main(["build-encoder"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.exists()
    if encoder_files.LAYERS_FILE.exists():
        # the wheel's model with Kesu's fine-tuned layers in place, and no temporary file left beside it
        assert path.parent == tmp_path and path.name.startswith("kesu-e5-")
        assert list(tmp_path.iterdir()) == [path]
        layers = encoder_files.read_layers(encoder_files.LAYERS_FILE)
        joined = e5file.read(path)
        name = sorted(layers)[0]
        t = joined.tensors[name]
        assert joined.raw[t.offset : t.offset + t.nbytes] == layers[name]
        assert cli.main(["build-encoder"]) == 0 and Path(capsys.readouterr().out.strip()) == path  # derived once
    else:
        assert path == encoder_files.wheel_model_path()
