"""The script library 话术: seeded, admin-editable, checked by the reply rules, suggested per
stage, category and emotion."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kesu.scripts.models import Script
from kesu.scripts.selectors import scripts_for

pytestmark = pytest.mark.django_db


def test_the_library_is_seeded_for_every_stage():
    assert Script.objects.count() >= 60
    stages = set(Script.objects.values_list("stage", flat=True))
    assert {"accept", "listen", "confirm", "propose", "agree", "act", "follow_up"} <= stages


def test_suggestions_fit_the_stage_category_and_emotion():
    suggestions = scripts_for(stage="propose", category="product_quality", emotion="anger")
    assert suggestions and all(s.stage == "propose" for s in suggestions)
    assert all(s.category in ("product_quality", "") for s in suggestions)
    assert suggestions[0].category == "product_quality"


def test_a_script_that_breaks_the_reply_rules_cannot_be_saved():
    script = Script(stage="listen", title="坏话术", text="规定就是这样，你自己看合同。")
    with pytest.raises(ValidationError) as error:
        script.full_clean()
    assert "text" in error.value.message_dict
    Script(stage="listen", title="好话术", text="非常感谢您的耐心等候，我理解您的心情。").full_clean()
