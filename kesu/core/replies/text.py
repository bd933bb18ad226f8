"""Text folding with offsets: the rules match on a folded copy, findings point into the original.

Folding is NFKC (full-width → half-width), traditional → simplified Chinese (OpenCC ``t2s``), lower
case, curly quotes → straight, and 您 → 你, so one rule row written in simplified Chinese with 你
matches 您, 妳 and 繁體 input alike. Every folded character remembers the original character it came
from, so a span found in the folded text maps back to the words the agent typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Longer replies are cut for checking (a chat reply is far shorter); spans stay valid.
MAX_CHARS = 20_000
#: The live checker (a check on each pause in typing) reads drafts up to this length; a longer draft is
#: checked in full when it is sent, so a pasted essay does not cost a check per keystroke.
LIVE_MAX_CHARS = 5_000

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "您": "你", "妳": "你"})
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
#: Sentence ends, and clause breaks (a decimal point, as in 1.5万, breaks neither).
_SENTENCE_END = re.compile(r"[。!?;\n\r]+|\.(?=\s|$)")
_CLAUSE_BREAK = re.compile(r"[,!?;:\n\r。、…()\[\]【】\"「」『』]|(?<!\d)\.|\.(?!\d)|\s{2,}|\bbut\b")


@lru_cache(maxsize=1)
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    return _opencc("t2s").convert(text)


def to_traditional(text: str) -> str:
    return _opencc("s2t").convert(text)


@dataclass(frozen=True)
class Folded:
    """``text`` is the folded form; ``origin[i]`` is the index in ``original`` of ``text[i]``."""

    original: str
    text: str
    origin: tuple[int, ...]
    traditional: bool  # OpenCC changed something: the agent writes 繁體

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the folded ``text[start:end]``."""
        if start >= end:
            at = self.origin[start] if start < len(self.origin) else len(self.original)
            return at, at
        return self.origin[start], self.origin[end - 1] + 1

    def excerpt(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).lower().translate(_QUOTES)


def fold(original: str) -> Folded:
    """Fold ``original`` (cut at :data:`MAX_CHARS`) keeping the origin of every character."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(original[:MAX_CHARS]):
        out = _fold_char(ch)
        chars.append(out)
        origin.extend([i] * len(out))
    nfkc = "".join(chars)
    simplified = to_simplified(nfkc)
    if len(simplified) != len(nfkc):
        # Phrase-level conversion changed the length: convert character by character instead,
        # keeping any character whose own conversion is not one character long.
        simplified = "".join(c if len(s := to_simplified(c)) != 1 else s for c in nfkc)
    return Folded(original, simplified.translate(_QUOTES), tuple(origin), simplified != nfkc)


def fold_phrase(phrase: str) -> str:
    """The folded form of a rule phrase (rule files are matched the way replies are folded)."""
    return fold(phrase).text


def clause_span(text: str, start: int, end: int, reach: int = 200) -> tuple[int, int]:
    """The clause (between punctuation marks, at most ``reach`` characters either side) of a folded
    text that holds ``text[start:end]``."""
    left = max(0, start - reach)
    for m in _CLAUSE_BREAK.finditer(text, left, start):
        left = m.end()
    after = _CLAUSE_BREAK.search(text, end, end + reach)
    return left, (after.start() if after else min(len(text), end + reach))


def sentence_start(text: str, position: int, reach: int = 500) -> int:
    """Where the sentence holding ``position`` starts (looking back at most ``reach`` characters)."""
    start = max(0, position - reach)
    for m in _SENTENCE_END.finditer(text, start, position):
        start = m.end()
    return start


def sentence_end(text: str, position: int, reach: int = 500) -> int:
    """Where the sentence holding ``position`` ends (looking ahead at most ``reach`` characters)."""
    m = _SENTENCE_END.search(text, position, position + reach)
    return m.start() if m else min(len(text), position + reach)


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


def has_latin(text: str) -> bool:
    return bool(_LATIN.search(text))


def speaking_length(text: str) -> int:
    """Characters that count as speaking: letters, digits and Han characters (no spaces, punctuation)."""
    return sum(1 for ch in text if ch.isalnum())
