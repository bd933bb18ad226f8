"""One home for the shared words: every code the engine gives and every audit action has a name,
in English and in Chinese."""

from __future__ import annotations

import pytest
from django.utils import translation

from kesu.complaints import vocabulary
from kesu.complaints.audit import AuditAction, action_label
from kesu.core.analysis import result
from kesu.core.errors import ErrorCode
from kesu.sla.models import Clock, ClockStatus


@pytest.mark.parametrize(
    ("codes", "labels"),
    [
        (result.EMOTIONS, vocabulary.EMOTION_LABELS),
        (result.CATEGORIES, vocabulary.CATEGORY_LABELS),
        (result.TRIGGERS, vocabulary.TRIGGER_LABELS),
        (result.VALUES, vocabulary.VALUE_LABELS),
        (result.DEMAND_TYPES, vocabulary.DEMAND_LABELS),
    ],
)
def test_every_code_of_the_engine_has_a_name(codes, labels):
    assert set(codes) <= set(labels), set(codes) - set(labels)


def _names():
    yield from vocabulary.EMOTION_LABELS.values()
    yield from vocabulary.CATEGORY_LABELS.values()
    yield from vocabulary.TRIGGER_LABELS.values()
    yield from vocabulary.RISK_LEVEL_LABELS.values()
    yield from vocabulary.DEMAND_LABELS.values()
    yield from vocabulary.BAD_FAITH_LABELS.values()
    yield from (action.label for action in AuditAction)
    yield from (clock.label for clock in Clock)
    yield from (status.label for status in ClockStatus)


def test_every_bad_faith_signal_of_the_engine_has_a_name():
    import re
    from pathlib import Path

    import kesu.core.analysis.bad_faith as module

    source = Path(module.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'Signal\("([a-z_]+)"', source)) | {"excessive_compensation"}
    assert codes <= set(vocabulary.BAD_FAITH_LABELS), codes - set(vocabulary.BAD_FAITH_LABELS)


def test_every_name_reads_in_chinese():
    english = [str(name) for name in _names()]
    with translation.override("zh-hans"):
        chinese = [str(name) for name in _names()]
    untranslated = [e for e, z in zip(english, chinese, strict=True) if e == z and e.isascii()]
    assert not untranslated, untranslated


def test_an_unknown_stored_action_shows_as_its_code():
    assert action_label("something_new") == "something_new"
    assert action_label("reopened") == "Reopened"


def test_an_unknown_refusal_code_is_a_programming_error():
    from kesu.complaints.errors import ComplaintError

    assert ComplaintError(ErrorCode.TEXT_REQUIRED, "x").as_dict()["code"] == "text_required"
    with pytest.raises(ValueError):
        ComplaintError("no_such_code", "x")
