"""The scripts library 话术库 (kesu/demo/scripts.json) and suggest_scripts (SPEC §4 scripts per stage)."""

from collections import Counter
from pathlib import Path

import pytest

import kesu
from kesu.core.analysis.lexicon import read_tsv
from kesu.core.analysis.trajectory import HEAT
from kesu.core.replies import CATEGORIES, EMOTIONS, STAGES, Script, check_reply, load_scripts, suggest_scripts
from kesu.core.replies.scripts import fill_placeholders
from kesu.core.workflow import Stage

LIBRARY = Path(kesu.__file__).parent / "demo" / "scripts.json"
SCRIPTS = load_scripts(LIBRARY)


def test_codes_are_those_of_the_workflow_and_the_analysis():
    assert STAGES == tuple(s.value for s in Stage)
    assert set(EMOTIONS) == set(HEAT)
    assert set(CATEGORIES) == {row[0] for row in read_tsv("categories.tsv")} | {"other"}


def test_the_library_covers_every_stage():
    assert 55 <= len(SCRIPTS) <= 80
    per_stage = Counter(s.stage for s in SCRIPTS)
    assert set(per_stage) == set(STAGES)
    assert all(n >= 3 for n in per_stage.values())
    assert len({s.title for s in SCRIPTS}) == len(SCRIPTS)


@pytest.mark.parametrize(
    "words",
    [
        "能告诉我事情的经过吗",
        "我该怎么称呼您",
        "48小时内",
        "实时",
        "直线电话",
        "对吗",
        "感谢",
        "只要是我们的责任",
    ],
)
def test_the_library_teaches_the_method(words):
    assert any(words in s.text for s in SCRIPTS)


@pytest.mark.parametrize(
    "tag", ["李代桃僵", "破唱片机法", "LAST", "STAR-L", "48小时停用补偿", "实时进度可视化"]
)
def test_named_techniques_have_scripts(tag):
    assert any(tag in s.tags for s in SCRIPTS)


#: Placeholder values as a complaint would give them.
ZH = {"salutation": "刘先生/女士", "agent": "王小明", "order": "DD0001", "product": "宽带", "deadline": "12月4日17:00前"}
EN = {"salutation": "Mr/Ms Liu", "agent": "Wang", "order": "DD0001", "product": "broadband", "deadline": "by 17:00, 4 Dec"}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.title)
def test_every_script_passes_the_reply_checker(script):
    """The library and the checker keep each other honest: no block or warn in any script, as
    the agent sends it (placeholders filled)."""
    for text in (fill_placeholders(script.text, ZH), fill_placeholders(script.text_en, EN)):
        serious = [(f.code, f.evidence) for f in check_reply(text).findings if f.severity != "tip"]
        assert serious == [], text
        assert "prefer_i_over_we" not in {f.code for f in check_reply(text).findings}


def sample():
    return [
        Script("propose", None, None, "generic", "t", "t"),
        Script("propose", "product_quality", None, "product", "t", "t"),
        Script("propose", None, "anger", "angry", "t", "t"),
        Script("propose", "product_quality", "anger", "product+angry", "t", "t"),
        Script("propose", "logistics_delay", None, "delay", "t", "t"),
        Script("propose", "product_quality", "anxiety", "product+anxious", "t", "t"),
        Script("listen", None, None, "listen", "t", "t"),
    ]


def titles(scripts):
    return [s.title for s in scripts]


def test_exact_matches_first_then_wildcards_mismatches_left_out():
    ranked = suggest_scripts(sample(), "propose", "product_quality", "anger")
    assert titles(ranked) == ["product+angry", "product", "angry", "generic"]


def test_unknown_category_accepts_any_and_ranks_generic_first():
    ranked = suggest_scripts(sample(), "propose", None, "anger")
    assert titles(ranked) == ["angry", "product+angry", "generic", "product", "delay"]


def test_limit_and_stage():
    assert titles(suggest_scripts(sample(), "propose", None, None, limit=2)) == ["generic", "angry"]
    assert suggest_scripts(sample(), "propose", None, None, limit=0) == []
    assert titles(suggest_scripts(sample(), "listen", "product_quality", "anger")) == ["listen"]
    assert len(suggest_scripts(sample(), None, None, None, limit=99)) == 7
    assert suggest_scripts(sample(), "review", None, None) == []


def test_dicts_are_ranked_and_returned_as_given():
    rows = [s.as_dict() for s in sample()]
    ranked = suggest_scripts(rows, "propose", "logistics_delay", "anxiety")
    assert ranked[0] is rows[4]
    assert [r["title"] for r in ranked] == ["delay", "generic"]


def test_stage_enum_works_as_the_stage():
    assert suggest_scripts(SCRIPTS, Stage.FOLLOW_UP, None, "satisfied")[0].stage == "follow_up"


def test_the_library_answers_common_situations():
    top = suggest_scripts(SCRIPTS, "propose", "product_quality", "anger", limit=1)[0]
    assert top.category == "product_quality" and top.emotion == "anger"
    assert suggest_scripts(SCRIPTS, "propose", "logistics_delay", "neutral")[0].category == "logistics_delay"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"stage": "closing"}, "stage"),
        ({"stage": None}, "stage"),
        ({"category": "weather"}, "category"),
        ({"emotion": "joy"}, "emotion"),
        ({"text": ""}, "text"),
        ({"tags": "a,b"}, "tags"),
    ],
)
def test_bad_scripts_are_refused_naming_the_field(change, field):
    data = {**SCRIPTS[0].as_dict(), **change}
    with pytest.raises(ValueError, match=field):
        Script.from_dict(data)


def test_a_scripts_file_must_hold_a_list(tmp_path):
    path = tmp_path / "scripts.json"
    path.write_text('{"stage": "accept"}', encoding="utf-8")
    with pytest.raises(ValueError, match="list"):
        load_scripts(path)


def test_placeholders_are_filled_from_the_complaint_and_unknown_ones_stay():
    text = "{称呼}您好，我是{坐席}。订单{订单号}的{产品}问题，{时限}答复您。"
    filled = fill_placeholders(text, {**ZH, "order": ""})
    assert filled == "刘先生/女士您好，我是王小明。订单{订单号}的宽带问题，12月4日17:00前答复您。"
    assert fill_placeholders("This is {agent}; {deadline}.", EN) == "This is Wang; by 17:00, 4 Dec."


@pytest.mark.parametrize("fixed", ["小李", "Li from", "3月1日", "1 March", "5点前", "5 pm", "上周", "last week"])
def test_the_seeded_library_holds_no_fixed_names_dates_or_facts(fixed):
    assert not [s.title for s in SCRIPTS if fixed in s.text or fixed in s.text_en]
