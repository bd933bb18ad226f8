"""The STOP reminder for the agent when the conversation is heated (SPEC §5)."""

import pytest

from kesu.core.replies import stop_reminder


@pytest.mark.parametrize("label", ["anger", "anxiety", "disappointment", "愤怒", "焦虑", "失望"])
def test_heated_emotion_at_threshold_gives_the_reminder(label):
    reminder = stop_reminder(label, 0.7)
    assert reminder is not None
    assert [s.letter for s in reminder.steps] == ["S", "T", "O", "P"]
    assert [s.name_en for s in reminder.steps] == ["Signal", "Take control", "Opposite action", "Practice"]
    assert reminder.emotion in {"anger", "anxiety", "disappointment"}
    assert "STOP" in reminder.title_zh
    assert reminder.text_zh.count("\n") == 4
    assert reminder.opener_zh and reminder.opener_en


def test_below_threshold_no_reminder_unless_rising():
    assert stop_reminder("anger", 0.69) is None
    assert stop_reminder("anger", 0.4, threshold=0.3) is not None
    reminder = stop_reminder("anger", 0.3, rising=True)
    assert reminder is not None and reminder.rising


@pytest.mark.parametrize("label", ["confusion", "neutral", "satisfied", "expectation", "平静", "", None, 3])
def test_calm_or_unknown_labels_give_none(label):
    assert stop_reminder(label, 1.0, rising=True) is None


@pytest.mark.parametrize("intensity", [float("nan"), None, "0.9", True])
def test_intensity_that_is_not_a_number_gives_none(intensity):
    assert stop_reminder("anger", intensity) is None


def test_as_dict_is_json_ready():
    data = stop_reminder("anxiety", 0.9).as_dict()
    assert data["emotion"] == "anxiety"
    assert len(data["steps"]) == 4
    assert set(data["steps"][0]) == {"letter", "name_zh", "name_en", "text_zh", "text_en"}
