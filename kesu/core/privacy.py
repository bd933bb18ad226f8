"""Masking of personal data (SPEC §2): phone, ID card and bank card numbers, e-mail, names.

Pure functions, used wherever a person sees customer data they do not need in full.
"""

from __future__ import annotations

import re

# Mainland mobile numbers (optionally +86), 18-digit ID cards (last may be X), 16–19 digit cards.
_ID_CARD = re.compile(
    r"(?<![0-9])([1-9][0-9]{5})(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])[0-9]{2}[0-9]{3}([0-9Xx])(?![0-9])"
)
# 16–19 digits, optionally grouped by spaces or dashes; only Luhn-valid ones are bank cards, so
# long order numbers are left alone.
_BANK_CARD = re.compile(r"(?<![0-9])[0-9](?:[ -]?[0-9]){15,18}(?![0-9])")
_PHONE = re.compile(r"(?<![0-9])((?:\+?86[ -]?)?1[3-9][0-9])[ -]?[0-9]{4}[ -]?([0-9]{4})(?![0-9])")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")


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
    """Mask ID card, bank card and phone numbers found in free text (customer's own words)."""
    if not text:
        return text
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}********{m.group(0)[-4:]}", text)
    text = _BANK_CARD.sub(_mask_card, text)
    text = _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***{m.group(2)}", text)
    return text
