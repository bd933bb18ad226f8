"""Input normalisation: Unicode NFKC, traditional -> simplified Chinese (OpenCC), lower case.

The original text is kept by the caller; everything downstream (lexicons, models) sees the normalised
form, so a lexicon written in simplified Chinese also matches 繁體 input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .errors import AnalysisError

# Longer texts are cut: analysis time stays bounded (a complaint letter is far shorter than this).
MAX_CHARS = 20_000

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")  # runs: counted by their lengths
_LATIN = re.compile(r"[A-Za-z]+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _convertible() -> re.Pattern[str]:
    """The Han characters OpenCC t2s changes on their own; a text with none of them is left as it is.

    This skips the conversion (a quarter of the time of a whole analysis) for text that is already
    simplified. The only difference: a few OpenCC phrase rules that change characters which are otherwise
    kept (颠覆 -> 颠复, 藉由 -> 借由) no longer apply to such text; 3 of 35,211 development texts differ.
    """
    chars = [chr(c) for c in (*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000), *range(0xF900, 0xFB00))]
    converted = _t2s().convert("\n".join(chars)).split("\n")
    changed = [a for a, b in zip(chars, converted, strict=True) if a != b]
    return re.compile("[" + "".join(changed) + "]")


@dataclass(frozen=True)
class NormalizedText:
    original: str
    text: str  # NFKC, simplified, lower-cased, truncated to MAX_CHARS
    language: str  # zh | zh-Hant | en | mixed | unknown
    truncated: bool
    cased: str = ""  # as ``text`` but keeping the case: what the encoder reads


def detect_language(nfkc_text: str, simplified: str) -> str:
    han = sum(map(len, _HAN.findall(nfkc_text)))
    latin = sum(map(len, _LATIN.findall(nfkc_text)))
    if han == 0 and latin == 0:
        return "unknown"
    if han and latin >= max(8, 2 * han):
        return "mixed"
    if han:
        return (
            "zh-Hant" if simplified != nfkc_text.lower() and _is_traditional(nfkc_text, simplified) else "zh"
        )
    return "en"


def _is_traditional(nfkc_text: str, simplified: str) -> bool:
    changed = sum(1 for a, b in zip(nfkc_text.lower(), simplified, strict=False) if a != b)
    return changed >= 1


def normalize(text: object) -> NormalizedText:
    """Validate and normalise one text; raise AnalysisError for non-str, empty or blank input."""
    if not isinstance(text, str):
        raise AnalysisError(f"text must be a string, got {type(text).__name__}", code="not_a_string")
    if not text.strip():
        raise AnalysisError("text is empty or only whitespace", code="empty_text")
    truncated = len(text) > MAX_CHARS
    cut = text[:MAX_CHARS]
    nfkc = unicodedata.normalize("NFKC", cut).translate(_QUOTES)
    cased = _t2s().convert(nfkc) if _convertible().search(nfkc) else nfkc
    simplified = cased.lower()
    return NormalizedText(
        original=text,
        text=simplified,
        language=detect_language(nfkc, simplified),
        truncated=truncated,
        cased=cased,
    )
