"""Masking of personal data (SPEC §2): mobile, landline, ID card and bank card numbers, e-mail, names.

Pure functions, used wherever a person sees customer data they do not need in full.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Numbers are found in a folded copy of the text, one character for one, so every span found is a span of
# the original: full-width forms (１３８, ＠, －, the ideographic space) and other scripts' digits become
# ASCII, and the Chinese numerals of a number read out (一三八, 幺, 两) become digits.
_CN_DIGITS = {
    "零": "0", "〇": "0", "一": "1", "壹": "1", "幺": "1", "二": "2", "贰": "2", "两": "2", "三": "3",
    "叁": "3", "四": "4", "肆": "4", "五": "5", "伍": "5", "六": "6", "陆": "6", "七": "7", "柒": "7",
    "八": "8", "捌": "8", "九": "9", "玖": "9",
}  # fmt: skip
# Between any two digits one separator may stand: 138 1234 5678, 138-1234-5678, 138.1234.5678.
_S = r"[ \-.]?"
# ID cards: 18 characters (the last may be X) or the first generation's 15 digits; the birthday is checked.
_ID_CARD = re.compile(
    rf"(?<![0-9])[1-9](?:{_S}[0-9]){{16}}{_S}[0-9Xx](?![0-9])|(?<![0-9])[1-9](?:{_S}[0-9]){{14}}(?![0-9])"
)
# 16–19 digits; only Luhn-valid ones are bank cards, so long order numbers are left alone.
_BANK_CARD = re.compile(rf"(?<![0-9])[0-9](?:{_S}[0-9]){{15,18}}(?![0-9])")
_PHONE = re.compile(rf"(?<![0-9])(?:\+?86{_S})?1[3-9](?:{_S}[0-9]){{9}}(?![0-9])")
# Landlines with their area code (010, 021, 0755 …), in brackets or not: (010)8765 4321, 0755-1234567.
_LANDLINE = re.compile(
    rf"(?<![0-9])(?:\(0[1-9][0-9]{{1,2}}\)|0[1-9][0-9]{{1,2}})[ \-.]?[2-9](?:{_S}[0-9]){{6,7}}(?![0-9])"
)
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_CN = "".join(_CN_DIGITS)
_CN_RUN = re.compile(rf"[{_CN}](?:[ \u3000\-.()（）]?[{_CN}]){{6,}}")
# What folds to a digit: any script's decimal digits (full-width ones too) and the Chinese numerals.
_DIGIT_LIKE = re.compile(rf"[\d{_CN}]")
#: The fewest digits any masked number has (a landline: a three-digit area code and seven digits).
_FEWEST_DIGITS = 10


def _fold_char(ch: str) -> str:
    if "\uff01" <= ch <= "\uff5e":  # full-width ASCII forms
        return chr(ord(ch) - 0xFEE0)
    if ch == "\u3000":
        return " "
    if ch.isdecimal():
        return str(unicodedata.decimal(ch))
    return ch


def _fold(text: str) -> str:
    """Only a run of seven or more Chinese numerals is a number read out (一三八一二三四五六七八);
    a lone 一 or 两 is a word."""
    chars = [_fold_char(ch) for ch in text]
    for m in _CN_RUN.finditer(text):
        for i in range(m.start(), m.end()):
            chars[i] = _CN_DIGITS.get(text[i], chars[i])
    return "".join(chars)


def _digits(piece: str) -> str:
    return re.sub(r"[^0-9Xx]", "", piece).upper()


def _valid_birth(digits: str, century: bool) -> bool:
    """YYYYMMDD (or YYMMDD for the old 15-digit cards) names a possible birthday."""
    if century and digits[:2] not in ("19", "20"):
        return False
    month, day = digits[-4:-2], digits[-2:]
    return "01" <= month <= "12" and "01" <= day <= "31"


def _id_card(piece: str) -> str | None:
    digits = _digits(piece)
    if len(digits) == 18 and _valid_birth(digits[6:14], century=True):
        return f"{digits[:6]}********{digits[-4:]}"
    if len(digits) == 15 and digits.isdigit() and _valid_birth(digits[6:12], century=False):
        return f"{digits[:6]}*****{digits[-4:]}"
    return None


def _bank_card(piece: str) -> str | None:
    digits = _digits(piece)
    return f"{digits[:4]} **** **** {digits[-4:]}" if luhn_valid(digits) else None


def _phone(piece: str) -> str | None:
    """The mobile number is the last eleven digits; a +86 before it is kept as written."""
    digits = _digits(piece)
    first = [i for i, ch in enumerate(piece) if ch.isdigit()][len(digits) - 11]
    return f"{piece[:first]}{digits[-11:-8]}****{digits[-4:]}"


def _landline(piece: str) -> str | None:
    digits = _digits(piece)
    area = 3 if digits[1] in "12" else 4
    return f"{digits[:area]}-****{digits[-4:]}"


#: Of two numbers found in one stretch the longer is masked, and of two as long the one first here.
_NUMBERS = ((_ID_CARD, _id_card), (_BANK_CARD, _bank_card), (_PHONE, _phone), (_LANDLINE, _landline))


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2 == 1:
            number = number * 2 - 9 if number > 4 else number * 2
        total += number
    return total % 10 == 0


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"[^0-9]", "", match.group(0))
    if not luhn_valid(digits):
        return match.group(0)
    return f"{digits[:4]} **** **** {digits[-4:]}"


def mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_email(value: str) -> str:
    if not value or "@" not in value:
        return value or ""
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_name(value: str) -> str:
    """张伟 → 张*, 欧阳娜娜 → 欧***, John Smith → J*** S****."""
    if not value:
        return ""
    if value.isascii():
        return " ".join(part[:1] + "*" * (len(part) - 1) for part in value.split())
    return value[:1] + "*" * (len(value) - 1)


#: Two-character surnames 复姓, so that 欧阳娜娜 is greeted as 欧阳先生/女士, not 欧先生/女士.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 西门 南宫 独孤 轩辕 呼延".split()
)


def surname(value: str) -> str:
    """The surname to greet a customer by (刘德华 → 刘, 欧阳娜娜 → 欧阳, John Smith → Smith): the
    customer is addressed politely without their full name, and never by a masked one."""
    value = (value or "").strip()
    if not value:
        return ""
    if value.isascii():
        return value.split()[-1]
    return value[:2] if value[:2] in COMPOUND_SURNAMES else value[:1]


def mask_id_card(value: str) -> str:
    if not value:
        return ""
    return f"{value[:6]}********{value[-4:]}" if len(value) >= 15 else "*" * len(value)


def mask_text(text: str) -> str:
    """Mask ID card (18 and 15 digits), bank card, mobile and landline numbers and e-mail addresses
    found in free text (the customer's own words, and whatever is derived from them), however they
    are written: full-width, in Chinese numerals, spaced, dashed or dotted."""
    if not text:
        return text
    if "@" not in text and "＠" not in text and len(_DIGIT_LIKE.findall(text)) < _FEWEST_DIGITS:
        return text  # no e-mail and too few digits for any number: nothing to mask (most strings)
    return _mask_found(text, _fold(text))


def _mask_found(text: str, folded: str) -> str:
    """The numbers and addresses found in ``folded`` (one character for one of ``text``), masked in ``text``."""
    found = [
        (m.start(), m.end(), rank, replacement)
        for rank, (pattern, masked) in enumerate(_NUMBERS)
        for m in pattern.finditer(folded)
        if (replacement := masked(m.group(0))) is not None
    ]
    # The longest number first (a spaced 19-digit card holds a 15-digit stretch that reads as an ID).
    taken: list[tuple[int, int, str]] = []
    for start, end, _, replacement in sorted(found, key=lambda f: (f[0] - f[1], f[2], f[0])):
        if not any(start < e and s < end for s, e, _ in taken):
            taken.append((start, end, replacement))
    for m in _EMAIL.finditer(folded):
        if not any(m.start() < end and start < m.end() for start, end, _ in taken):
            taken.append((m.start(), m.end(), f"{m.group(1)}***{m.group(2)}"))
    out, at = [], 0
    for start, end, replacement in sorted(taken):
        out += [text[at:start], replacement]
        at = end
    out.append(text[at:])
    return "".join(out)


def mask_derived(value: Any) -> Any:
    """Everything derived from a customer's words (the analysis with its normalised text and
    evidence, notes, audit changes, an escalation package) masked like the words: every string in a
    JSON-like value goes through :func:`mask_text`; keys, numbers and the shape are kept."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {key: mask_derived(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_derived(item) for item in value]
    return value
