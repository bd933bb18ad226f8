"""Lexicons as data files, matched with Aho-Corasick automata, plus negation and clauses.

A lexicon on its own has its own automaton; the engine's lexicons share one (``LexiconBank``), so a text
is scanned once for all of them instead of once per lexicon.

Every ``data/*.tsv`` file is tab-separated, ``#`` starts a comment line. The files are meant to be read
and edited by complaint-team leads; see each file's header for its columns.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

import ahocorasick

_ASCII_WORD = re.compile(r"[a-z0-9]")
_CLAUSE_BREAK = re.compile(r"[,.!?;:\n\r\t。，、！？；：…~～()（）\[\]【】\"“”]|\s{2,}|\bbut\b")
_EN_TOKEN = re.compile(r"[a-z']+")


def read_tsv(name: str) -> list[list[str]]:
    """Rows of a packaged data file, comments and blank lines skipped."""
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        rows.append([cell.strip() for cell in line.split("\t")])
    return rows


@dataclass(frozen=True, slots=True)
class Entry:
    code: str
    kind: str
    phrase: str
    weight: float = 1.0
    sub: str = ""


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    start: int
    end: int  # exclusive

    @property
    def phrase(self) -> str:
        return self.entry.phrase


class Lexicon:
    """A set of phrases found in one pass; ASCII phrases only match on word boundaries (sue != issue)."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._automaton = ahocorasick.Automaton()
        by_key: dict[str, list[Entry]] = {}
        for entry in entries:
            by_key.setdefault(entry.phrase.lower(), []).append(entry)
        for key, group in by_key.items():
            self._automaton.add_word(key, (len(key), tuple(group)))
        self.size = len(by_key)
        self._bank: LexiconBank | None = None
        self._slot = 0
        if by_key:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[Hit]:
        """Every phrase occurrence, sorted by (start, -end)."""
        if self._bank is not None:
            return list(self._bank.hits(text)[self._slot])
        if not self.size:
            return []
        hits: list[Hit] = []
        n = len(text)
        for last, (length, group) in self._automaton.iter(text):
            start, end = last - length + 1, last + 1
            if _off_word_boundary(text, start, end, n):
                continue
            for entry in group:
                hits.append(Hit(entry, start, end))
        hits.sort(key=_hit_order)
        return hits


def _hit_order(hit: Hit) -> tuple[int, int]:
    return hit.start, -hit.end


def _off_word_boundary(text: str, start: int, end: int, n: int) -> bool:
    """An ASCII phrase inside a longer word (sue in issue) is no match."""
    if _ASCII_WORD.match(text[start]) and start > 0 and _ASCII_WORD.match(text[start - 1]):
        return True
    return bool(_ASCII_WORD.match(text[end - 1]) and end < n and _ASCII_WORD.match(text[end]))


class LexiconBank:
    """Several lexicons matched in one pass: one automaton over all their phrases.

    ``Lexicon.find`` of a member asks the bank, which scans each text once and keeps the hits of the
    last text it scanned (per thread), so the engine's eight lexicons cost one scan per text. The hits
    are the same as each lexicon's own automaton would give.
    """

    def __init__(self, lexicons: Iterable[Lexicon]) -> None:
        self._automaton = ahocorasick.Automaton()
        by_key: dict[str, list[tuple[int, tuple[Entry, ...]]]] = {}
        members = list(dict.fromkeys(lexicons))
        for slot, lexicon in enumerate(members):
            if lexicon.size:
                for key, (_length, group) in lexicon._automaton.items():
                    by_key.setdefault(key, []).append((slot, group))
        for key, groups in by_key.items():
            self._automaton.add_word(key, (len(key), tuple(groups)))
        self._empty = bool(not by_key)
        if by_key:
            self._automaton.make_automaton()
        self._members = len(members)
        self._last = threading.local()
        for slot, lexicon in enumerate(members):
            lexicon._bank, lexicon._slot = self, slot

    def hits(self, text: str) -> list[list[Hit]]:
        last = self._last
        if getattr(last, "text", None) is text:
            return last.hits
        per: list[list[Hit]] = [[] for _ in range(self._members)]
        if not self._empty:
            n = len(text)
            for end_index, (length, groups) in self._automaton.iter(text):
                start, end = end_index - length + 1, end_index + 1
                if _off_word_boundary(text, start, end, n):
                    continue
                for slot, group in groups:
                    bucket = per[slot]
                    for entry in group:
                        bucket.append(Hit(entry, start, end))
            for bucket in per:
                if len(bucket) > 1:
                    bucket.sort(key=_hit_order)
        last.text, last.hits = text, per
        return per


def clause_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause (between punctuation marks) that contains text[start:end]."""
    left = 0
    for m in _CLAUSE_BREAK.finditer(text, max(0, start - 200), start):
        left = m.end()
    after = _CLAUSE_BREAK.search(text, end, end + 200)
    right = after.start() if after else min(len(text), end + 200)
    return left, right


class Negation:
    """Decides whether a phrase is negated: 我不会去曝光的, 没有找你们领导, I will not sue.

    A negator must come right before the phrase in the same clause with only filler words between;
    anything else breaks it, so 不解决我就去曝光, 不排除起诉 and 别逼我曝光 are not negated.
    """

    def __init__(self, rows: list[list[str]]) -> None:
        self.negators = sorted({r[1] for r in rows if r[0] == "negator"}, key=len, reverse=True)
        self.fillers = sorted({r[1] for r in rows if r[0] == "filler"}, key=len, reverse=True)
        self.not_negators = ("要不", "再不", "不然", "不得不", "要不然", "不行", "不管")
        self.en_negators = {r[1] for r in rows if r[0] == "en_negator"}
        self.en_fillers = {r[1] for r in rows if r[0] == "en_filler"}

    def is_negated(self, text: str, start: int) -> bool:
        left, _ = clause_span(text, start, start)
        prefix = text[max(left, start - 24) : start]
        if not prefix:
            return False
        if _ASCII_WORD.match(text[start]) or prefix[-1:] == " ":
            if self._en_negated(prefix):
                return True
        return self._zh_negated(prefix.rstrip())

    def _zh_negated(self, prefix: str) -> bool:
        if not hasattr(self, "_neg_t"):
            self._neg_t = tuple(self.negators)
            self._filler_set = set(self.fillers)
            self._filler_lengths = sorted({len(f) for f in self.fillers}, reverse=True)
        for _ in range(8):
            if prefix.endswith(self.not_negators):
                return False
            if prefix.endswith(self._neg_t):
                return True
            for length in self._filler_lengths:  # strip the longest filler word, as before
                if len(prefix) >= length and prefix[-length:] in self._filler_set:
                    prefix = prefix[:-length]
                    break
            else:
                return False
        return False

    def _en_negated(self, prefix: str) -> bool:
        tokens = _EN_TOKEN.findall(prefix)
        if tokens and tokens[-1] in ("make", "let", "force"):  # don't make me sue you
            return False
        while tokens:
            last = tokens[-1]
            two = " ".join(tokens[-2:])
            if last in self.en_negators or two in self.en_negators or last.endswith("n't"):
                return True
            if last in self.en_fillers:
                tokens.pop()
                continue
            return False
        return False


def covered(hit: Hit, blocks: list[Hit]) -> bool:
    """True when a longer 'block' phrase spans the hit (被曝光 cancels 曝光)."""
    return any(b.start <= hit.start and hit.end <= b.end for b in blocks)
