"""Reading call and chat exports (JSON and CSV, English and Chinese names, three time formats),
and the talk measures: listening share, interruptions, response waits."""

from __future__ import annotations

import json

import pytest

from kesu.core.qa import (
    Transcript,
    TranscriptError,
    Turn,
    interruptions,
    listening_share,
    parse_csv,
    parse_json,
    response_waits,
)

CALL_CSV = """通话编号,角色,开始时间,结束时间,内容,坐席工号
CALL-1,客户,00:00:00,00:00:06.5,宽带又断了，这个月第三次了！
CALL-1,坐席,00:00:07,00:00:12,非常抱歉给您添麻烦了，能告诉我具体情况吗？
CALL-1,系统,00:00:12,00:00:13,【系统提示】通话录音中
CALL-1,客户,00:00:13,00:00:25,从昨晚十点开始就上不了网。
CALL-2,client,0,4.0,Hi my card was charged twice,
CALL-2,agent,4.5,9,I'm sorry about that. Let me check.,agent2
"""


def test_csv_with_chinese_headers_groups_turns_by_call_and_drops_system_turns():
    calls = parse_csv(CALL_CSV)
    assert [c.external_ref for c in calls] == ["CALL-1", "CALL-2"]
    first = calls[0].transcript
    assert [t.speaker for t in first.turns] == ["customer", "agent", "customer"]
    assert first.turns[0].end == 6.5 and first.turns[2].start == 13.0
    assert first.talk_timed
    assert calls[1].agent == "agent2" or calls[1].agent == ""  # the agent column of the group's first row


def test_json_with_iso_times_becomes_offsets_from_the_first():
    export = {
        "call_id": "CTI-778",
        "channel": "电话",
        "agent": "agent",
        "utterances": [
            {"role": "customer", "content": "我要投诉", "start_time": "2026-11-03T09:12:00+08:00", "end_time": "2026-11-03T09:12:04+08:00"},
            {"role": "坐席", "content": "您好，请讲", "start_time": "2026-11-03T09:12:05+08:00", "end_time": "2026-11-03T09:12:07+08:00"},
        ],
    }  # fmt: skip
    (parsed,) = parse_json(json.dumps(export, ensure_ascii=False))
    assert parsed.external_ref == "CTI-778" and parsed.agent == "agent"
    assert parsed.transcript.channel == "phone"
    assert [(t.start, t.end) for t in parsed.transcript.turns] == [(0.0, 4.0), (5.0, 7.0)]
    assert parsed.started_at.isoformat() == "2026-11-03T09:12:00+08:00"


def test_json_lists_and_bare_turn_lists():
    many = parse_json(json.dumps({"transcripts": [{"turns": [{"speaker": "agent", "text": "您好"}]}] * 2}))
    assert len(many) == 2
    (bare,) = parse_json(
        json.dumps([{"speaker": "user", "text": "hi"}, {"speaker": "support", "text": "hello"}])
    )
    assert [t.speaker for t in bare.transcript.turns] == ["customer", "agent"]
    assert not bare.transcript.timed


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("{not json", "invalid_json"),
        ('{"turns": []}', "no_turns"),
        ('{"turns": [{"speaker": "boss", "text": "hi"}]}', "unknown_speaker"),
        ('{"turns": [{"speaker": "agent", "text": "  "}]}', "missing_text"),
        ('{"turns": [{"speaker": "agent", "text": "hi", "start": "yesterday"}]}', "bad_time"),
        ('{"turns": [{"speaker": "agent", "text": "hi", "start": 5, "end": 2}]}', "bad_time"),
        ('{"turns": "hello"}', "not_a_transcript"),
        ("42", "not_a_transcript"),
    ],
)
def test_malformed_json_is_refused_with_a_stable_code(text, code):
    with pytest.raises(TranscriptError) as error:
        parse_json(text)
    assert error.value.code == code


def test_csv_without_a_text_column_is_refused():
    with pytest.raises(TranscriptError) as error:
        parse_csv("speaker,start\nagent,0\n")
    assert error.value.code == "missing_column"


def test_transcript_refuses_unknown_speakers():
    with pytest.raises(TranscriptError):
        Transcript((Turn("boss", "hi"),))


def test_listening_share_by_talk_time_and_by_characters():
    timed = [Turn("customer", "很长很长的一段话", 0, 7), Turn("agent", "好", 7, 10)]
    assert listening_share(timed).by == "time" and listening_share(timed).share == 0.7
    untimed = [Turn("customer", "我的宽带断了三天"), Turn("agent", "抱歉")]
    share = listening_share(untimed)
    assert share.by == "chars" and share.customer == 8 and share.agent == 2 and share.share == 0.8


def test_interruptions_are_agent_turns_starting_inside_a_customer_turn():
    call = Transcript(
        (
            Turn("customer", "a", 0, 10),
            Turn("agent", "b", 9.8, 12),  # 0.2 s overlap: a normal hand-over
            Turn("customer", "c", 12, 20),
            Turn("agent", "d", 17, 22),  # 3 s inside the customer's turn
        ),
        "phone",
    )
    found = interruptions(call, min_overlap=0.5)
    assert [(x.turn, x.customer_turn, x.overlap) for x in found] == [(3, 2, 3.0)]
    assert interruptions(Transcript((Turn("customer", "a", 0), Turn("agent", "b", 1)))) == []


def test_response_waits_on_a_call_count_from_the_end_of_the_customers_turn():
    call = Transcript((Turn("customer", "a", 0, 10), Turn("agent", "b", 12, 15)), "phone")
    assert [(w.turn, w.seconds) for w in response_waits(call)] == [(1, 2.0)]


def test_an_untimed_agent_turn_ends_the_wait_unmeasured():
    chat = Transcript(
        (Turn("customer", "a", 0), Turn("agent", "b"), Turn("customer", "c", 100), Turn("agent", "d", 130))
    )
    assert [(w.turn, w.seconds) for w in response_waits(chat)] == [(3, 30.0)]
