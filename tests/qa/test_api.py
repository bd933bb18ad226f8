"""The QA API: import, scoring without storing, listing with filters, the whole inspect → appeal
→ decide flow, the monthly draw command and task, and the OpenAPI schema."""

from __future__ import annotations

import io

from django.core.management import call_command

from kesu.handling.importer import run_pending_imports
from kesu.qa.models import Inspection, SamplingPlan
from kesu.qa.tasks import draw_samples

CALL = {
    "external_ref": "API-1",
    "channel": "phone",
    "agent": "agent",
    "turns": [
        {"speaker": "customer", "start": 0, "end": 6, "text": "我的话费多扣了30元。"},
        {
            "speaker": "agent",
            "start": 6.5,
            "end": 14,
            "text": "非常抱歉给您带来不便，我马上为您申请退还，24小时内到账。感谢您的耐心！",
        },
    ],
}


def test_import_a_json_body_then_inspect_it_through_the_api(api, qa, agent, lead):
    response = api(qa).post("/api/v1/qa/transcripts/", CALL, format="json")
    assert response.status_code == 201, response.json()
    (pk,) = response.json()["inspections"]
    detail = api(qa).get(f"/api/v1/qa/inspections/{pk}/").json()
    assert detail["status"] == "queued" and detail["transcript"]["external_ref"] == "API-1"
    items = {item["code"]: item for item in detail["items"]}
    assert items["solution_time_limit"]["score"] == 1.0
    assert items["solution_time_limit"]["evidence"][0]["turn"] == 1
    listed = api(qa).get("/api/v1/qa/inspections/?status=queued").json()
    assert [row["id"] for row in listed["results"]] == [pk]
    assert api(qa).get("/api/v1/qa/inspections/?status=bogus").json()["code"] == "invalid"


def test_import_a_csv_file(api, qa):
    upload = io.BytesIO(
        b"call_id,speaker,start,end,text\nX-1,customer,0,3,hello\nX-1,agent,3,5,sorry about that\n"
    )
    upload.name = "calls.csv"
    response = api(qa).post(
        "/api/v1/qa/transcripts/", {"file": upload, "inspect": "false"}, format="multipart"
    )
    assert response.status_code == 202, response.content  # checked whole, imported in the background
    job = response.json()
    assert (job["kind"], job["status"]) == ("transcripts", "queued")
    assert run_pending_imports() == 1
    client = api(qa)
    done = client.get(job["url"]).json()
    assert (done["status"], done["created"]) == ("done", 1)
    (row,) = client.get(done["rows_url"]).json()["results"]
    assert row == {"row": 1, "outcome": "created", "reference": "X-1", "messages": []}  # not scored: inspect=false


def test_import_is_for_inspectors(api, agent):
    assert api(agent).post("/api/v1/qa/transcripts/", CALL, format="json").status_code == 403


def test_score_without_storing(api, qa):
    response = api(qa).post("/api/v1/qa/score/", CALL, format="json")
    assert response.status_code == 200
    (result,) = response.json()["results"]
    assert result["total"]["score"] > 50 and not Inspection.objects.exists()
    assert api(qa).post("/api/v1/qa/score/", {"turns": []}, format="json").json()["code"] == "no_turns"


def test_the_api_flow_inspect_appeal_decide(api, inspection, qa, agent, lead):
    url = f"/api/v1/qa/inspections/{inspection.pk}"
    assert api(qa).post(f"{url}/complete/", {}, format="json").json()["code"] == "items_pending"
    for code in ("solution_fit", "compliance"):
        assert api(qa).post(f"{url}/items/", {"code": code, "score": 1}, format="json").status_code == 200
    body = {"code": "voice_presence", "not_applicable": True, "reason": "文字记录"}
    assert api(qa).post(f"{url}/items/", body, format="json").status_code == 200
    assert (
        api(qa).post(f"{url}/items/", {"code": "ask_name", "score": 0}, format="json").json()["code"]
        == "reason_required"
    )
    done = api(qa).post(f"{url}/complete/", {"note": "整体规范"}, format="json").json()
    assert done["status"] == "completed"
    appeal = (
        api(agent)
        .post(f"{url}/appeal/", {"reason": "我复述过", "items": ["restating"]}, format="json")
        .json()
    )
    decided = (
        api(lead)
        .post(
            f"/api/v1/qa/appeals/{appeal['id']}/decide/",
            {"upheld": True, "note": "属实", "scores": {"restating": 1}},
            format="json",
        )
        .json()
    )
    assert decided["status"] == "upheld" and decided["score_after"] >= decided["score_before"]
    rollup = api(lead).get(f"/api/v1/qa/rollup/?month={inspection.month:%Y-%m}").json()
    (row,) = rollup["by_agent"]
    assert row["agent"] == "agent" and row["score"] == round(decided["score_after"], 1)
    assert row["items"]["restating"] == 100.0 and row["service"]["complaints"] == 1


def test_the_draw_command_and_task(closed_complaint, qa, inspection):
    SamplingPlan.objects.create(name="月度抽检", rate=100, seed="t")
    out = io.StringIO()
    call_command("qa_draw", "--month", f"{inspection.month:%Y-%m}", stdout=out)
    assert "月度抽检" in out.getvalue() and "of 1 closed complaints" in out.getvalue()
    # The complaint had its inspection already (chosen by hand): the draw adds none.
    assert Inspection.objects.count() == 1
    assert draw_samples(month=f"{inspection.month:%Y-%m}") == 0


def test_the_schema_lists_the_qa_endpoints(api, manager):
    schema = api(manager).get("/api/schema/").content.decode()
    for path in (
        "/api/v1/qa/inspections/",
        "/api/v1/qa/appeals/{id}/decide/",
        "/api/v1/qa/transcripts/",
        "/api/v1/qa/rollup/",
    ):
        assert path in schema


def test_the_evidence_of_an_item_is_masked_like_the_transcript(api, qa, agent):
    """The evidence quotes the conversation: an inspector reads it without the customer's number."""
    call = {**CALL, "external_ref": "API-PII"}
    call["turns"] = [
        {"speaker": "customer", "start": 0, "end": 6, "text": "我的话费多扣了30元，电话13947296651。"},
        {
            "speaker": "agent",
            "start": 6.5,
            "end": 14,
            "text": "非常抱歉，我马上给13947296651退还，24小时内到账。感谢您的耐心！",
        },
    ]
    (pk,) = api(qa).post("/api/v1/qa/transcripts/", call, format="json").json()["inspections"]
    detail = api(qa).get(f"/api/v1/qa/inspections/{pk}/").json()
    evidence = [e for item in detail["items"] for e in item["evidence"] if "text" in e]
    assert any("139****6651" in e["text"] for e in evidence), evidence
    assert not any("4729" in e["text"] for e in evidence)
