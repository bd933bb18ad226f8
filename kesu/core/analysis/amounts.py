"""Money amounts in Chinese and English text: 五千元=5000, 1.5万=15000, 三百块=300, 两万=20000, $1,200."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "俩": 2, "三": 3, "叁": 3, "四": 4,
    "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_UNITS) + "".join(_CN_BIG)
_MULT = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000, "k": 1000, "w": 10_000}

_MONEY_UNIT = r"(?:块钱|元钱|元|块|圆|人民币|rmb|yuan|dollars?|usd|bucks|美元|美金)"
_AMOUNT_BODY = (
    r"(?P<cur>[¥$]|rmb|人民币)?\s?"
    r"(?:(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s?(?P<mult>[十百千万亿]+|k\b|w\b)?"
    # the colloquial rest after a 千/万/亿: 2万5 = 25000, 2万5千 = 25000, 1万2000 = 12000, 3千五 = 3500
    r"(?:(?<=[千万亿])(?P<tail>\d+[十百千]?|[零〇一二两三四五六七八九十百千]+))?"
    rf"|(?P<cn>[{_CN_CHARS}]+))"
    rf"\s?(?P<unit>{_MONEY_UNIT})?"
)
# Every way a match can begin, as a lookahead: most positions fail at once and the matches found are the
# same (without it the regex tried its whole alternation at every character; a test compares the two).
_AMOUNT_START = rf"(?=[\s¥$\d{_CN_CHARS}]|rmb|人民币)"
_AMOUNT = re.compile(_AMOUNT_START + _AMOUNT_BODY, re.IGNORECASE)
# A measure word right after a bare number means it is not money: 两万公里, 三千次, 一万个.
_NOT_MONEY_AFTER = re.compile(
    r"\s?(?:多)?(?:公里|千米|km|米|次|个|人|天|小时|分钟|年|月|号|台|辆|部|件|倍|周|页|条|斤|克|度|岁|家|元素|%)"
)
_BLOCK_KUAI_AFTER = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Amount:
    value: float
    start: int
    end: int
    text: str


def parse_chinese_number(s: str) -> int | None:
    """Value of a Chinese numeral: 三千五百 -> 3500, 两万五 -> 25000, 十五 -> 15; None if malformed."""
    if not s or any(ch not in _CN_CHARS for ch in s):
        return None
    total = section = number = 0
    last_unit = 1
    seen_digit = False
    for ch in s:
        if ch in _CN_DIGITS:
            number = _CN_DIGITS[ch]
            seen_digit = True
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            section += (number or (1 if unit == 10 else 0)) * unit
            if number == 0 and unit != 10:
                return None
            number = 0
            last_unit = unit
        else:
            big = _CN_BIG[ch]
            section += number
            if section == 0:
                return None
            total += section * big
            section = number = 0
            last_unit = big
    if number and last_unit >= 100 and s[-1] in _CN_DIGITS and s[-2:-1] not in ("零", "〇"):
        number *= last_unit // 10  # colloquial 两万五 = 25000, 三千五 = 3500
    if not seen_digit and total + section == 0:
        return None
    return total + section + number


def _tail_value(tail: str, last_unit: int) -> float:
    """What a rest after 千/万/亿 adds: a lone digit is the next place down (2万5 -> 5000)."""
    if tail[0].isdigit():
        digits = tail.rstrip("十百千")
        value = int(digits) * (_CN_UNITS[tail[-1]] if tail[-1] in _CN_UNITS else 1)
        lone = len(digits) == len(tail) == 1
    else:
        value = parse_chinese_number(tail) or 0
        lone = len(tail) == 1 and tail in _CN_DIGITS
    if lone:
        value *= last_unit // 10
    return value if value < last_unit else 0


def find_amounts(text: str) -> list[Amount]:
    """Money amounts in normalised (NFKC, lower-cased) text.

    A number counts as money with a currency sign or unit (元/块/$/dollars), or when it is large in
    Chinese style (1.5万, 两万, 三千) and no other measure word follows.
    """
    found: list[Amount] = []
    for m in _AMOUNT.finditer(text):
        cur, num, mult, cn, unit = m.group("cur", "num", "mult", "cn", "unit")
        if num is None and cn is None:
            continue
        after = text[m.end() : m.end() + 4]
        if num is not None:
            value = float(num.replace(",", ""))
            factor = 1
            for ch in (mult or "").lower():
                factor *= _MULT[ch]
            value *= factor
            tail = m.group("tail")
            if tail:
                value += _tail_value(tail, _MULT[mult[-1]])
        else:
            parsed = parse_chinese_number(cn)
            if parsed is None:
                continue
            value = float(parsed)
            mult = "".join(ch for ch in cn if ch in "千万亿")
        if (
            unit
            and unit.startswith("块")
            and unit != "块钱"
            and value < 10
            and _BLOCK_KUAI_AFTER.match(after)
        ):
            continue  # 三块屏幕: 块 is a measure word here
        has_money_mark = bool(cur or unit)
        if not has_money_mark:
            if not mult or not any(ch in "千万亿kw" for ch in mult.lower()):
                continue
            if _NOT_MONEY_AFTER.match(after):
                continue
        if value <= 0:
            continue
        found.append(Amount(value=value, start=m.start(), end=m.end(), text=m.group(0).strip()))
    return found
