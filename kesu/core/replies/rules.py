"""The rule files of ``data/`` loaded into matchers, once per process.

Each ``*.tsv`` file is tab-separated with ``#`` comment lines and a ``kind`` first column; the header of
each file says what its kinds mean (the small registry of condition types: ``phrase``, ``allow``,
``exempt``, ``marker``, ``action``, ``verb``, ``restate``, time-limit words). Phrases are folded exactly
as replies are (see :mod:`.text`), so rows are written once in simplified Chinese and match 繁體 and 您.
Quality inspection (质检) loads the same files through :func:`get_rules`.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import accumulate

from kesu.core.analysis.lexicon import Entry, Hit, Lexicon

from .text import fold_phrase


@dataclass(frozen=True)
class Row:
    kind: str
    phrase: str  # folded
    suggestion: str = ""
    note: str = ""


def read_data(name: str) -> str:
    return resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")


def read_rows(name: str) -> list[Row]:
    """The rows of a rule file, comment and blank lines skipped, phrases folded."""
    rows = []
    for line in read_data(name).splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")] + ["", ""]
        rows.append(Row(kind=cells[0], phrase=fold_phrase(cells[1]), suggestion=cells[2], note=cells[3]))
    return rows


class PhraseSet:
    """The rows of one kind, found in one pass; hits inside an ``allow`` phrase are dropped and of
    overlapping hits the longest (then leftmost) is kept."""

    def __init__(self, rows: list[Row], kind: str = "phrase", allow: list[Row] | None = None) -> None:
        self.rows = [r for r in rows if r.kind == kind]
        self._lexicon = Lexicon(
            Entry(code=kind, kind=kind, phrase=r.phrase, sub=r.suggestion) for r in self.rows
        )
        self._allow = Lexicon(Entry(code="allow", kind="allow", phrase=r.phrase) for r in allow or [])

    def find(self, text: str) -> list[Hit]:
        allowed = sorted((a.start, a.end) for a in self._allow.find(text))
        reach = list(accumulate((end for _, end in allowed), max))  # furthest end of allow hits so far
        kept: list[Hit] = []
        for hit in sorted(self._lexicon.find(text), key=lambda h: (h.start, -h.end)):
            i = bisect_right(allowed, (hit.start, len(text) + 1)) - 1
            if i >= 0 and reach[i] >= hit.end:  # inside an allow phrase
                continue
            if kept and hit.start < kept[-1].end:
                if hit.end - hit.start > kept[-1].end - kept[-1].start:
                    kept[-1] = hit
                continue
            kept.append(hit)
        return kept

    def search(self, text: str) -> bool:
        return bool(self.find(text))


def phrase_sets(name: str, *kinds: str) -> dict[str, PhraseSet]:
    rows = read_rows(name)
    allow = [r for r in rows if r.kind == "allow"]
    return {kind: PhraseSet(rows, kind, allow) for kind in kinds}


# A number begins where a run of digits (or of Chinese numerals) begins: without the look-behinds a run of
# n digits was tried from each of its n positions, each try reading to the run's end (20,000 digits: 20 s).
_NUMBER = r"(?:(?<!\d)\d+(?:\.\d+)?|(?<![零一二两三四五六七八九十百半])[零一二两三四五六七八九十百半]+)"
_CLOCK = r"(?:\d{1,2}(?::\d{2}|点(?:半|\d{1,2}分?|钟)?|时)|[一二两三四五六七八九十]+点(?:半|钟)?)"
_DATE = r"(?:\d{1,2}月\d{1,2}[日号]|\d{1,2}[日号](?!常))"
_EN_NUMBER = (
    r"(?:\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty-four|forty-eight)"
)
_EN_CLOCK = r"(?:\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.|o'clock|noon)|\d{1,2}:\d{2})"


def _alternation(words: list[str]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + ")"


def time_limit_pattern(rows: list[Row]) -> re.Pattern[str]:
    """One pattern for every concrete time limit the words of time_limits.tsv can form."""

    def words(kind: str) -> str:
        return _alternation([r.phrase for r in rows if r.kind == kind])

    unit, suffix, day, period = words("unit"), words("suffix"), words("day"), words("period")
    en_unit, en_day = words("en_unit"), words("en_day")
    zh = [
        rf"{_NUMBER}\s?{unit}\s?{suffix}",
        rf"{day}\s?{period}?\s?{_CLOCK}?\s?{suffix}",
        rf"{day}\s?(?:{period}|{_CLOCK})",
        _DATE,
    ]
    en = [
        rf"\b(?:within|in)\s+(?:the\s+next\s+)?{_EN_NUMBER}\s+{en_unit}\b",
        rf"\b(?:by|before|until)\s+(?:{_EN_CLOCK}|(?:the\s+)?{en_day}\b)",
        rf"\b{_EN_CLOCK}\s+(?:today|tonight|tomorrow)\b",
    ]
    return re.compile("|".join(zh + en))


@dataclass(frozen=True)
class Message:
    code: str
    severity: str
    zh: str
    en: str


class Rules:
    """Every rule file, parsed and compiled."""

    def __init__(self) -> None:
        forbidden = phrase_sets("forbidden.tsv", "phrase")
        self.forbidden = forbidden["phrase"]
        self.rewrites = phrase_sets("rewrites.tsv", "phrase")["phrase"]
        we = phrase_sets("we_commit.tsv", "phrase", "exempt")
        self.we_commit, self.we_exempt = we["phrase"], we["exempt"]
        self.over_promise = phrase_sets("over_promise.tsv", "phrase")["phrase"]
        promises = phrase_sets("promises.tsv", "marker", "action")
        self.promise_marker, self.promise_action = promises["marker"], promises["action"]
        self.time_limit = time_limit_pattern(read_rows("time_limits.tsv"))
        authority = phrase_sets("authority.tsv", "verb", "restate")
        self.compensation_verb, self.restate = authority["verb"], authority["restate"]
        self.acknowledgement = phrase_sets("acknowledgements.tsv", "phrase")["phrase"]
        last_rows = read_rows("last_steps.tsv")
        self.last_steps = {step: PhraseSet(last_rows, step) for step in LAST_STEPS}
        self.messages: dict[str, Message] = {}
        for line in read_data("messages.tsv").splitlines():
            if line.strip() and not line.startswith("#"):
                key, severity, zh, en = (cell.strip() for cell in line.split("\t"))
                self.messages[key] = Message(key.split(".")[0], severity, zh, en)
        self.settings = json.loads(read_data("settings.json"))
        self.stop = json.loads(read_data("stop.json"))


#: LAST, in order (SPEC §4): Listen, Apologize/Empathize, Solve, Thank.
LAST_STEPS: tuple[str, ...] = ("listen", "apologize", "solve", "thank")
SEVERITIES: tuple[str, ...] = ("block", "warn", "tip")


@lru_cache(maxsize=1)
def get_rules() -> Rules:
    """The shared, parsed rule set (built on first use, a few milliseconds)."""
    return Rules()
