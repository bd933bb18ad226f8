"""Repeat complaints 重复投诉: is a new complaint the same customer's same matter again?

SPEC §2: the same customer about the same matter within a window (default 30 days) links to the
earlier complaint and raises priority ("多次投诉未得到解决"). Two complaints are the same matter
when they name the same order/account number or the same product, or when their words overlap:
the containment of content shingles (Chinese character bigrams, English words; the stock words
of every complaint — 投诉, 客服, 你们 … — left out), which is the set similarity MinHash estimates,
computed exactly because the candidates are one customer's recent complaints, a handful of rows.
A customer restating a complaint rarely repeats it verbatim, so the threshold is modest; the
narrow candidate set (same customer, same month) keeps false links rare.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_WINDOW_DAYS = 30
DEFAULT_SIMILARITY = 20.0
_CJK = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z0-9]{3,}")
# Bigrams every complaint has; they say nothing about the matter.
_STOCK = frozenset(
    "投诉 客服 你们 我们 已经 没有 现在 这是 一个 什么 处理 问题 要求 电话 还是 就是 我的 我要 可以 不是 一直 "
    "上次 这个 时候 知道 为什么 告诉 说是 给我 了我 我们 怎么 还没 到现在 解决 次投 诉了 第二 第三 二次 三次 "
    "转办 反映 贵公 公司 平台 消费 费者".split()
)
_ENGLISH_STOCK = frozenset(
    "the and you your have has was were this that with for not but are complaint".split()
)


@dataclass(frozen=True)
class Candidate:
    key: int
    text: str
    received_at: datetime
    order_number: str = ""
    product: str = ""
    repeat_count: int = 0


@dataclass(frozen=True)
class RepeatMatch:
    key: int
    reason: str  # "order_number", "same_product" or "similar_text"
    score: float
    repeat_count: int


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def shingles(text: str) -> frozenset[str]:
    """Content shingles: CJK character bigrams (unigrams for single characters) and English words."""
    text = normalise(text)
    grams: set[str] = set()
    for run in _CJK.findall(text):
        grams.update(run[i : i + 2] for i in range(len(run) - 1)) if len(run) > 1 else grams.add(run)
    grams.update(word for word in _WORD.findall(text) if word not in _ENGLISH_STOCK)
    return frozenset(grams - _STOCK)


def similarity(a: str, b: str) -> float:
    """0–100: the share of the shorter text's content shingles found in the other."""
    left, right = shingles(a), shingles(b)
    if not left or not right:
        return 0.0
    return 100.0 * len(left & right) / min(len(left), len(right))


def find_repeats(
    new: Candidate,
    earlier: list[Candidate],
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
    threshold: float = DEFAULT_SIMILARITY,
) -> list[RepeatMatch]:
    """The earlier complaints within the window that are the same matter, best match first."""
    since = new.received_at - timedelta(days=window_days)
    order = (new.order_number or "").strip()
    product = (new.product or "").strip()
    matches = []
    for other in earlier:
        if other.key == new.key or not (since <= other.received_at <= new.received_at):
            continue
        if order and order == (other.order_number or "").strip():
            matches.append(RepeatMatch(other.key, "order_number", 100.0, other.repeat_count))
            continue
        if product and product == (other.product or "").strip():
            matches.append(RepeatMatch(other.key, "same_product", 90.0, other.repeat_count))
            continue
        score = similarity(new.text, other.text)
        if score >= threshold:
            matches.append(RepeatMatch(other.key, "similar_text", round(score, 1), other.repeat_count))
    return sorted(matches, key=lambda m: (-m.score, -m.repeat_count))


def repeat_count(matches: list[RepeatMatch]) -> int:
    """How many earlier complaints there were on this matter: the chain of the best-linked one
    plus that one itself, and never fewer than the number of distinct matches."""
    if not matches:
        return 0
    return max(len(matches), max(m.repeat_count for m in matches) + 1)
