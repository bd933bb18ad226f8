"""Chinese text uses full-width punctuation (，：；？！（）): every compiled zh catalogue and the
defaults the product seeds are scanned, so a half-width mark between Chinese characters cannot
come back unnoticed."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

from kesu.core.workflow import DEFAULT_CHECKLISTS

ROOT = Path(__file__).resolve().parents[2] / "kesu"
CJK = "\u3400-\u9fff\u3000-\u303f\uff00-\uffef"
#: A half-width , : ; ? ! ( ) with a Chinese character (or full-width mark) on either side, a
#: space between allowed — not a placeholder's own parenthesis, %(name)s.
HALF_WIDTH = re.compile(rf"[{CJK}] ?[,:;?!()]|[,:;?!]\s?[{CJK}]|(?<!%)\( ?[{CJK}]|[{CJK}] ?\)")
CATALOGUES = sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.mo"))


def test_every_app_with_a_catalogue_is_scanned():
    apps = {path.relative_to(ROOT).parts[0] for path in CATALOGUES}
    assert {"locale", "qa", "practice", "reviews"} <= apps


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_chinese_catalogues_use_full_width_punctuation(catalogue):
    with catalogue.open("rb") as handle:
        messages = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    wrong = [text for text in messages.values() if text and HALF_WIDTH.search(text)]
    assert wrong == []


def test_the_seeded_checklists_use_full_width_punctuation():
    labels = [item.label_zh for items in DEFAULT_CHECKLISTS.values() for item in items]
    assert [label for label in labels if HALF_WIDTH.search(label)] == []


def test_the_pattern_catches_what_it_should():
    assert HALF_WIDTH.search("投诉已关闭,请先重开。") and HALF_WIDTH.search("金额(元)")
    assert HALF_WIDTH.search("未知用户:%(user)s。") and HALF_WIDTH.search("满意吗?")
    assert not HALF_WIDTH.search("第 %(n)s / %(total)s 页（共 %(counter)s 条）")
    assert not HALF_WIDTH.search("14:05 到期") and not HALF_WIDTH.search("Kesu 客诉 · 设置")
