"""Transcripts 通话/会话记录: who said what, and when, in a call or a chat.

A :class:`Transcript` is a tuple of :class:`Turn` (speaker ``customer`` or ``agent``, the text, and
optionally start and end times in seconds from the start of the conversation). Calls exported from a
CTI/ASR system carry both times per turn, so talk time and overlapping speech (interruptions) can be
measured; chat exports usually carry one timestamp per message (a start, no end); a complaint's own
conversation carries the time each message was sent.

:func:`parse_json` and :func:`parse_csv` read the common export shapes (below) into
:class:`ParsedTranscript` records and refuse malformed input with a :class:`TranscriptError` whose
``code`` is stable (``invalid_json``, ``no_turns``, ``unknown_speaker``, ``missing_text``,
``bad_time``, ``missing_column``, ``too_many_turns``, ``not_a_transcript``).

JSON — one transcript, or a list of them, or ``{"transcripts": [...]}``::

    {"external_ref": "CALL-0001", "channel": "phone", "agent": "agent", "complaint": "KS2026…",
     "started_at": "2026-11-03T09:12:00+08:00",
     "turns": [{"speaker": "customer", "text": "…", "start": 0.0, "end": 6.4}, …]}

CSV — one row per turn, with a header; several transcripts in one file are told apart by a
conversation column::

    call_id,speaker,start,end,text
    CALL-0001,客户,00:00:00,00:00:06.4,宽带又断了……

Column and key names have English and Chinese aliases (:data:`TEXT_KEYS` …); speakers too
(客户/用户/来电人/client/caller → customer, 坐席/客服/helpdesk/staff → agent); system and IVR turns are
dropped. Times are seconds (``12.5``), clock offsets (``01:02`` or ``00:01:02.5``) or ISO date-times
(turned into seconds after the first one, which becomes ``started_at``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

CUSTOMER = "customer"
AGENT = "agent"
SPEAKERS = (CUSTOMER, AGENT)

#: Most turns one transcript may hold (a two-hour call has a few hundred).
MAX_TURNS = 2_000
#: Longest text kept per turn (longer text is cut).
MAX_TURN_CHARS = 5_000

SPEAKER_ALIASES: dict[str, str | None] = {
    **dict.fromkeys(
        ["customer", "client", "user", "caller", "cust", "c", "consumer", "客户", "用户", "来电人", "顾客", "买家"],
        CUSTOMER,
    ),
    **dict.fromkeys(
        [
            "agent", "helpdesk", "staff", "service", "csr", "rep", "operator", "a", "support", "seller",
            "客服", "坐席", "座席", "工作人员", "服务人员", "卖家", "商家",
        ],
        AGENT,
    ),
    **dict.fromkeys(["system", "ivr", "bot", "robot", "系统", "机器人", "语音导航"], None),
}  # fmt: skip
SPEAKER_KEYS = ("speaker", "role", "sender", "spk", "party", "说话人", "发言人", "角色", "讲话人")
TEXT_KEYS = ("text", "content", "utterance", "transcript", "message", "body", "内容", "文本", "话术内容")
START_KEYS = (
    "start",
    "start_time",
    "begin",
    "offset",
    "from",
    "timestamp",
    "datetime",
    "time",
    "开始时间",
    "时间",
)
END_KEYS = ("end", "end_time", "stop", "to", "结束时间")
CONVERSATION_KEYS = (
    "transcript_id",
    "conversation_id",
    "call_id",
    "session_id",
    "external_ref",
    "通话编号",
    "会话编号",
)
AGENT_KEYS = ("agent", "agent_id", "agent_username", "坐席", "坐席工号", "工号")
COMPLAINT_KEYS = ("complaint", "complaint_reference", "reference", "投诉编号")
CHANNEL_KEYS = ("channel", "渠道")
CHANNELS = ("phone", "chat", "social", "email", "walk_in", "other")
CHANNEL_ALIASES = {
    **{c: c for c in CHANNELS},
    **dict.fromkeys(["call", "voice", "电话", "通话", "热线"], "phone"),
    **dict.fromkeys(["im", "online", "web", "在线", "在线客服", "聊天"], "chat"),
    **dict.fromkeys(["weibo", "twitter", "微博", "社交媒体"], "social"),
    **dict.fromkeys(["mail", "邮件"], "email"),
    **dict.fromkeys(["counter", "上门", "柜台"], "walk_in"),
}  # fmt: skip

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:[.,]\d+)?)$")


class TranscriptError(ValueError):
    """A transcript that cannot be read; ``code`` is stable, ``where`` says which record or row."""

    def __init__(self, code: str, message: str, where: str = "") -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.code = code
        self.message = message
        self.where = where


@dataclass(frozen=True, slots=True)
class Turn:
    speaker: str  # customer | agent
    text: str
    start: float | None = None  # seconds from the start of the conversation
    end: float | None = None

    @property
    def duration(self) -> float | None:
        if self.start is None or self.end is None:
            return None
        return max(0.0, self.end - self.start)

    def as_dict(self) -> dict:
        return {"speaker": self.speaker, "text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Transcript:
    turns: tuple[Turn, ...]
    channel: str = "chat"

    def __post_init__(self) -> None:
        for turn in self.turns:
            if turn.speaker not in SPEAKERS:
                raise TranscriptError("unknown_speaker", f"unknown speaker {turn.speaker!r}")

    @classmethod
    def of(cls, turns: Iterable[tuple | Turn | Mapping], channel: str = "chat") -> Transcript:
        """A transcript from turns given as Turn, (speaker, text[, start, end]) or dicts."""
        made = []
        for turn in turns:
            if isinstance(turn, Turn):
                made.append(turn)
            elif isinstance(turn, Mapping):
                made.append(Turn(turn["speaker"], turn["text"], turn.get("start"), turn.get("end")))
            else:
                made.append(Turn(*turn))
        return cls(tuple(made), channel)

    @property
    def agent_turns(self) -> list[tuple[int, Turn]]:
        return [(i, t) for i, t in enumerate(self.turns) if t.speaker == AGENT]

    @property
    def timed(self) -> bool:
        """Every turn has a start time."""
        return bool(self.turns) and all(t.start is not None for t in self.turns)

    @property
    def talk_timed(self) -> bool:
        """Every turn has a start and an end time (a call from a CTI/ASR export)."""
        return bool(self.turns) and all(t.start is not None and t.end is not None for t in self.turns)

    def as_list(self) -> list[dict]:
        return [t.as_dict() for t in self.turns]


@dataclass
class ParsedTranscript:
    """One transcript read from an export, with what the export says about it."""

    transcript: Transcript
    external_ref: str = ""
    agent: str = ""
    complaint: str = ""
    started_at: datetime | None = None
    extra: dict = field(default_factory=dict)


# --- reading values ---------------------------------------------------------------------------------


def _pick(record: Mapping, keys: tuple[str, ...]) -> object:
    lowered = {str(k).strip().lower(): v for k, v in record.items()}
    for key in keys:
        value = lowered.get(key)
        if value not in (None, ""):
            return value
    return None


def speaker_of(value: object, where: str = "") -> str | None:
    """customer, agent, or None for a system/IVR turn; TranscriptError for anything else."""
    key = str(value or "").strip().lower()
    if key not in SPEAKER_ALIASES:
        raise TranscriptError("unknown_speaker", f"unknown speaker {value!r}", where)
    return SPEAKER_ALIASES[key]


def channel_of(value: object) -> str:
    return CHANNEL_ALIASES.get(str(value or "").strip().lower(), "other") if value else ""


def _time(value: object, where: str) -> float | datetime | None:
    """Seconds, a clock offset, or an aware/naive ISO date-time; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise TranscriptError("bad_time", f"not a time: {value!r}", where)
    if isinstance(value, int | float):
        if value < 0:
            raise TranscriptError("bad_time", f"negative time: {value!r}", where)
        return float(value)
    text = str(value).strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if seconds < 0 or seconds != seconds:
            raise TranscriptError("bad_time", f"not a time: {value!r}", where)
        return seconds
    match = _CLOCK.match(text)
    if match:
        hours, minutes, secs = match.groups()
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(secs.replace(",", "."))
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise TranscriptError("bad_time", f"not a time: {value!r}", where) from None


def _offsets(
    raw: list[tuple[object, object]], where: str
) -> tuple[list[tuple[float | None, float | None]], datetime | None]:
    """Turn times as seconds from the first; date-times become offsets from the earliest one."""
    parsed = [
        (_time(s, f"{where} turn {i + 1}"), _time(e, f"{where} turn {i + 1}")) for i, (s, e) in enumerate(raw)
    ]
    stamps = [v for pair in parsed for v in pair if isinstance(v, datetime)]
    if stamps and any(isinstance(v, float) for pair in parsed for v in pair):
        raise TranscriptError("bad_time", "mixes date-times and offsets", where)
    if not stamps:
        return parsed, None  # type: ignore[return-value]
    if len({v.tzinfo is None for v in stamps}) > 1:
        raise TranscriptError("bad_time", "mixes date-times with and without a time zone", where)
    origin = min(stamps)
    return [
        tuple(None if v is None else (cast(datetime, v) - origin).total_seconds() for v in pair)  # type: ignore[misc]
        for pair in parsed
    ], origin


def _build(
    records: Sequence[tuple[object, object, object, object]], channel: str, where: str
) -> tuple[Transcript, datetime | None]:
    if not records:
        raise TranscriptError("no_turns", "the transcript has no turns", where)
    if len(records) > MAX_TURNS:
        raise TranscriptError("too_many_turns", f"more than {MAX_TURNS} turns", where)
    times, origin = _offsets([(start, end) for _s, _t, start, end in records], where)
    turns = []
    for i, ((speaker, text, _start, _end), (start, end)) in enumerate(zip(records, times, strict=True)):
        at = f"{where} turn {i + 1}".strip()
        who = speaker_of(speaker, at)
        if who is None:
            continue
        if not isinstance(text, str) or not text.strip():
            raise TranscriptError("missing_text", "a turn without text", at)
        if start is not None and end is not None and end < start:
            raise TranscriptError("bad_time", "ends before it starts", at)
        turns.append(Turn(who, text.strip()[:MAX_TURN_CHARS], start, end))
    if not turns:
        raise TranscriptError("no_turns", "the transcript has no customer or agent turns", where)
    return Transcript(tuple(turns), channel or "chat"), origin


# --- JSON -----------------------------------------------------------------------------------------


def _json_transcript(data: Mapping, where: str) -> ParsedTranscript:
    turns = data.get("turns", data.get("utterances", data.get("messages")))
    if not isinstance(turns, list):
        raise TranscriptError("not_a_transcript", 'expected "turns": a list', where)
    records = []
    for i, turn in enumerate(turns):
        if not isinstance(turn, Mapping):
            raise TranscriptError("not_a_transcript", "each turn must be an object", f"{where} turn {i + 1}")
        records.append(
            (
                _pick(turn, SPEAKER_KEYS),
                _pick(turn, TEXT_KEYS),
                _pick(turn, START_KEYS),
                _pick(turn, END_KEYS),
            )
        )
    transcript, origin = _build(records, channel_of(_pick(data, CHANNEL_KEYS)), where)
    started = _time(data.get("started_at"), where) if data.get("started_at") else origin
    return ParsedTranscript(
        transcript=transcript,
        external_ref=str(_pick(data, CONVERSATION_KEYS) or data.get("id") or "")[:100],
        agent=str(_pick(data, AGENT_KEYS) or "")[:150],
        complaint=str(_pick(data, COMPLAINT_KEYS) or "")[:32],
        started_at=started if isinstance(started, datetime) else origin,
    )


def parse_json(text: str | bytes) -> list[ParsedTranscript]:
    """Transcripts from a JSON export (one object, a list, or ``{"transcripts": [...]}``)."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise TranscriptError("invalid_json", "not valid JSON: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise TranscriptError("invalid_json", f"not valid JSON: {error}") from None
    if isinstance(data, Mapping) and isinstance(data.get("transcripts"), list):
        data = data["transcripts"]
    if isinstance(data, Mapping):
        return [_json_transcript(data, "")]
    if isinstance(data, list) and data and all(isinstance(d, Mapping) and "turns" not in d for d in data):
        return [_json_transcript({"turns": data}, "")]  # a bare list of turns
    if not isinstance(data, list) or not data:
        raise TranscriptError("not_a_transcript", "expected a transcript object or a list of them")
    return [
        _json_transcript(d if isinstance(d, Mapping) else {}, f"transcript {i + 1}")
        for i, d in enumerate(data)
    ]


# --- CSV ------------------------------------------------------------------------------------------


def _column(header: list[str], keys: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower().lstrip("\ufeff") for h in header]
    for key in keys:
        if key in lowered:
            return lowered.index(key)
    return None


def parse_csv(text: str) -> list[ParsedTranscript]:
    """Transcripts from a CSV export, one row per turn (see the module docstring)."""
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error as error:  # a field over the csv module's limit (131,072 characters), a stray NUL
        raise TranscriptError("text_too_long", f"the file cannot be read: {error}") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise TranscriptError("no_turns", "the file is empty")
    header = rows[0]
    columns = {
        name: _column(header, keys)
        for name, keys in (
            ("speaker", SPEAKER_KEYS), ("text", TEXT_KEYS), ("start", START_KEYS), ("end", END_KEYS),
            ("conversation", CONVERSATION_KEYS), ("agent", AGENT_KEYS), ("complaint", COMPLAINT_KEYS),
            ("channel", CHANNEL_KEYS),
        )
    }  # fmt: skip
    for required in ("speaker", "text"):
        if columns[required] is None:
            raise TranscriptError("missing_column", f"no {required} column (e.g. {required})")

    def cell(row: list[str], name: str) -> str:
        index = columns[name]
        return row[index].strip() if index is not None and index < len(row) else ""

    groups: dict[str, list[list[str]]] = {}
    for row in rows[1:]:
        groups.setdefault(cell(row, "conversation"), []).append(row)
    parsed = []
    for ref, group in groups.items():
        where = f"conversation {ref}" if ref else ""
        records = [(cell(r, "speaker"), cell(r, "text"), cell(r, "start"), cell(r, "end")) for r in group]
        transcript, origin = _build(records, channel_of(cell(group[0], "channel")), where)
        parsed.append(
            ParsedTranscript(
                transcript=transcript,
                external_ref=ref[:100],
                agent=cell(group[0], "agent")[:150],
                complaint=cell(group[0], "complaint")[:32],
                started_at=origin,
            )
        )
    return parsed
