import io
import json
import subprocess
import sys

from kesu.core.analysis.cli import main, run


def test_streams_one_line_per_input_and_survives_bad_lines():
    lines = [
        json.dumps({"id": 1, "text": "我要去12315投诉你们"}, ensure_ascii=False),
        "not json",
        json.dumps({"id": "b", "text": "  "}),
        json.dumps({"id": 4}),
        json.dumps(
            {"id": 5, "text": "要求赔偿五千元", "context": {"authority_limit": 1000}}, ensure_ascii=False
        ),
        json.dumps({"id": 6, "text": "ok", "context": "not a dict"}),
        "",
    ]
    out = io.StringIO()
    errors = run(lines, out)
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(rows) == 6 and errors == 4
    assert rows[0]["id"] == 1 and rows[0]["escalation"]["triggers"][0] == {
        "code": "regulator",
        "evidence": "12315",
    }
    assert rows[1]["error"]["code"] == "invalid_json"
    assert rows[2] == {
        "id": "b",
        "error": {"code": "empty_text", "message": "text is empty or only whitespace"},
    }
    assert rows[3]["error"]["code"] == "missing_text"
    assert rows[4]["demands"] == [{"type": "compensation", "amount": 5000.0, "evidence": "赔偿 五千元"}]
    assert "authority" in {t["code"] for t in rows[4]["escalation"]["triggers"]}
    assert rows[5]["error"]["code"] == "bad_context"


def test_file_argument(tmp_path, capsys):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": 7, "text": "I will sue you"}) + "\n", encoding="utf-8")
    assert main([str(path)]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["id"] == 7 and row["language"] == "en"
    assert main([str(tmp_path / "missing.jsonl")]) == 2


def test_module_reads_stdin():
    out = subprocess.run(
        [sys.executable, "-m", "kesu.core.analysis.cli"],
        input='{"id": 1, "text": "叫你们经理来"}\n',
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["escalation"]["triggers"][0]["code"] == "supervisor_request"
