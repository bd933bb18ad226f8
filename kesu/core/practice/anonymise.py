"""Anonymisation 脱敏 of a real complaint for the case library 案例库.

Masking (:mod:`kesu.core.privacy`) hides the middle of a number from someone who may know the customer;
a published case goes to every trainee, so here nothing personal survives: names, phone numbers, ID and
bank card numbers, order and account numbers, e-mail addresses and street addresses are *replaced* by
a placeholder (【客户】, 【电话】, 【社交账号】 …), amounts are *fuzzed* to one significant figure (1,299元 → 约1000元)
and dates to the month's part (3月15日 → 3月中旬; a year goes). What the record knows (the customer's
name, phone, ID card, e-mail, order number, address; the staff's names) is replaced wherever it
appears, besides what the patterns find. :func:`leaks` says what of a record, or of the patterns, is
still in a text: the library refuses to publish a case that leaks, and a second person checks the rest.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from kesu.core.analysis.amounts import find_amounts

CUSTOMER, STAFF = "【客户】", "【员工】"
PLACEHOLDERS = {
    "email": "【邮箱】",
    "id_card": "【证件号】",
    "bank_card": "【银行卡号】",
    "phone": "【电话】",
    "number": "【编号】",
    "social": "【社交账号】",
    "address": "【地址】",
    "date": "",  # fuzzed, see _fuzz_date
    "amount": "",  # fuzzed, see _fuzz_amount
    "name": CUSTOMER,
    "staff": STAFF,
    "title": "",  # 张先生 → 某先生
}


@dataclass(frozen=True)
class Known:
    """The personal data a record holds about the people in a complaint."""

    names: tuple[str, ...] = ()  # the customer's name(s)
    staff: tuple[str, ...] = ()  # names of staff members in the conversation
    numbers: tuple[str, ...] = ()  # order, account, customer and complaint numbers
    phones: tuple[str, ...] = ()
    id_cards: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()

    @property
    def values(self) -> tuple[str, ...]:
        every = (
            *self.names,
            *self.staff,
            *self.numbers,
            *self.phones,
            *self.id_cards,
            *self.emails,
            *self.addresses,
        )
        return tuple(v for v in every if v)


@dataclass(frozen=True)
class Anonymised:
    text: str
    replaced: Counter = field(default_factory=Counter)  # kind → how many


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])[0-9]{2}[0-9]{3}[0-9Xx](?![0-9A-Za-z])"
)
# 16–19 digits, grouped or not (a landline with its area code is 11–12)
_BANK_CARD = re.compile(r"(?<![0-9])[0-9]{4}(?:[ -]?[0-9]{4}){3}(?:[ -]?[0-9]{1,3})?(?![0-9])")
_PHONE = re.compile(
    r"(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9])"  # mobile
    r"|(?<![0-9])0[1-9][0-9]{1,2}-?[0-9]{7,8}(?![0-9])"  # landline with area code
    r"|(?<![0-9])(?:400|800)-?[0-9]{3}-?[0-9]{4}(?![0-9])"
)
# order, account, waybill, ticket numbers: a run of 6+ digits, or letters and digits with 5+ digits
_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(?:[A-Za-z]{1,6}-?[0-9][0-9-]{3,}[0-9]|[0-9][0-9-]{4,}[0-9])[A-Za-z]{0,3}(?![0-9A-Za-z])"
)
# social accounts: 微信号 zhangwei_1990, QQ：123456789
_SOCIAL = re.compile(r"(?i)(?:微信号?|wechat|qq号?)\s*[:：]?\s*([A-Za-z0-9_-]{5,})")
# a place name's characters: not the words that lead up to an address (地址, 寄到, 住在 …)
_PLACE = r"(?:(?![地址在到寄住是的了和与我你您他她往去从送])[\u4e00-\u9fff0-9]){1,14}?"
_ADDRESS = re.compile(
    rf"(?:{_PLACE}(?:省|自治区))?(?:{_PLACE}市)?(?:{_PLACE}(?:区|县))?"
    rf"(?:{_PLACE}(?:路|街|大道|道|巷|弄|胡同)[0-9一二三四五六七八九十百]+号"
    rf"|{_PLACE}(?:小区|花园|公寓|大厦|家园|苑|村)(?=[0-9一二三四五六七八九十]))"
    r"(?:[0-9一二三四五六七八九十]+(?:号楼|栋|幢|座|号))?(?:[0-9一二三四五六七八九十]+单元)?(?:[0-9]+(?:室|号房|户)?)?"
)
_DATE = re.compile(
    r"(?:(?:19|20)[0-9]{2}\s?年\s?)?(?P<m>[0-9]{1,2})\s?月\s?(?P<d>[0-9]{1,2})\s?[日号]"
    r"|(?:19|20)[0-9]{2}[-/.](?P<m2>[0-9]{1,2})[-/.](?P<d2>[0-9]{1,2})"
    r"|(?:19|20)[0-9]{2}\s?年(?:\s?(?P<m3>[0-9]{1,2})\s?月)?"
)


def _fuzz_amount(value: float) -> str:
    """One significant figure: 1299 → 约1000元, 35 → 约40元, 8 → 约10元 (never the figure itself)."""
    if value < 10:
        return "约10元以内"
    digits = len(str(int(value))) - 1
    rounded = int(round(value / 10**digits) * 10**digits)
    return f"约{rounded}元"


def _fuzz_date(match: re.Match[str]) -> str:
    month = match.group("m") or match.group("m2") or match.group("m3")
    day = match.group("d") or match.group("d2")
    if not month:
        return "某年"
    if not day:
        return f"{int(month)}月"
    part = "上旬" if int(day) <= 10 else "中旬" if int(day) <= 20 else "下旬"
    return f"{int(month)}月{part}"


def _variants(name: str) -> list[str]:
    """A name and the forms it appears in: 欧阳娜娜 → 欧阳娜娜, 娜娜 (given names of 2+ characters)."""
    name = name.strip()
    if not name:
        return []
    forms = [name]
    if not name.isascii() and len(name) >= 4:
        forms.append(name[2:])  # a two-character surname 欧阳, 司马 …
    elif not name.isascii() and len(name) == 3:
        forms.append(name[1:])
    elif name.isascii():
        forms += [part for part in name.split() if len(part) >= 3]
    return forms


def _replace_known(text: str, values: Iterable[str], placeholder: str, kind: str, counts: Counter) -> str:
    for value in sorted({v for v in values if v}, key=len, reverse=True):
        pattern = re.compile(re.escape(value), re.IGNORECASE) if value.isascii() else None
        hits = len(pattern.findall(text)) if pattern else text.count(value)
        if hits:
            counts[kind] += hits
            text = pattern.sub(placeholder, text) if pattern else text.replace(value, placeholder)
    return text


def _digits(value: str) -> str:
    return re.sub(r"[^0-9Xx]", "", value)


def anonymise(text: str, known: Known | None = None) -> Anonymised:
    """``text`` with nothing personal left (see the module's docstring)."""
    known = known or Known()
    counts: Counter = Counter()
    text = text or ""
    # What the record knows first (so a known order number is not half-taken by a pattern), then patterns.
    text = _replace_known(text, known.emails, PLACEHOLDERS["email"], "email", counts)
    numbers = [
        (n, kind)
        for kind, values in (("id_card", known.id_cards), ("phone", known.phones), ("number", known.numbers))
        for n in values
        if len(_digits(n)) >= 5
    ]
    for number, kind in sorted(numbers, key=lambda pair: len(pair[0]), reverse=True):
        spaced = r"[ -]?".join(re.escape(ch) for ch in number if not ch.isspace() and ch != "-")
        text, hits = re.subn(spaced, PLACEHOLDERS[kind], text, flags=re.IGNORECASE)
        counts[kind] += hits
    text = _replace_known(text, known.addresses, PLACEHOLDERS["address"], "address", counts)
    for kind, pattern in (
        ("email", _EMAIL),
        ("id_card", _ID_CARD),
        ("bank_card", _BANK_CARD),
        ("phone", _PHONE),
    ):
        text, hits = pattern.subn(PLACEHOLDERS[kind], text)
        counts[kind] += hits
    text, hits = _SOCIAL.subn(lambda m: m.group(0)[: m.start(1) - m.start(0)] + PLACEHOLDERS["social"], text)
    counts["social"] += hits
    text, hits = _DATE.subn(_fuzz_date, text)
    counts["date"] += hits
    text, hits = _NUMBER.subn(PLACEHOLDERS["number"], text)
    counts["number"] += hits
    text, hits = _ADDRESS.subn(PLACEHOLDERS["address"], text)
    counts["address"] += hits
    pieces, cursor = [], 0
    for amount in find_amounts(text):
        pieces += [text[cursor : amount.start], _fuzz_amount(amount.value)]
        cursor = amount.end
        counts["amount"] += 1
    text = "".join([*pieces, text[cursor:]])
    text = _replace_known(text, (v for n in known.names for v in _variants(n)), CUSTOMER, "name", counts)
    text = _replace_known(text, (v for n in known.staff for v in _variants(n)), STAFF, "staff", counts)
    for surname in {n.strip()[:1] for n in (*known.names, *known.staff) if n.strip() and not n.isascii()}:
        text, hits = re.subn(rf"{re.escape(surname)}(?=先生|女士|小姐|太太|阿姨|大爷|老师)", "某", text)
        counts["title"] += hits
    return Anonymised(text=text, replaced=+counts)


def leaks(text: str, known: Known | None = None) -> list[str]:
    """What personal data is still in ``text``: the kinds of the patterns that match, and ``known``
    for any value of the record found (names, numbers by their digits, e-mails, addresses)."""
    found = [
        kind
        for kind, pattern in (("email", _EMAIL), ("id_card", _ID_CARD), ("phone", _PHONE))
        if pattern.search(text)
    ]
    if any(len(_digits(m.group(0))) >= 16 for m in _BANK_CARD.finditer(text)):
        found.append("bank_card")
    known = known or Known()
    runs = [_digits(m.group(0)) for m in re.finditer(r"[0-9Xx](?:[0-9Xx \-]*[0-9Xx])?", text)]
    lowered = text.lower()
    for value in known.values:
        if len(_digits(value)) >= 5 and any(_digits(value) in run for run in runs):
            found.append("known")
            break
        if not _digits(value) and value.strip() and value.strip().lower() in lowered:
            found.append("known")
            break
    return found
