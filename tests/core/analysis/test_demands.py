import pytest

from kesu.core.analysis.amounts import find_amounts, parse_chinese_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("五千元", 5000), ("1.5万", 15000), ("三百块", 300), ("两万", 20000), ("三千元", 3000),
        ("两万五", 25000), ("一万五千元", 15000), ("两千零五十元", 2050), ("¥300", 300),
        ("$1,200.50", 1200.5), ("500 dollars", 500), ("300块钱", 300), ("5000元", 5000),
        ("2万5", 25000), ("2万5千元", 25000), ("1万2000元", 12000), ("3千5", 3500), ("2万五", 25000),
        ("1.5万元", 15000),
    ],
)  # fmt: skip
def test_amounts(text, value):
    assert [a.value for a in find_amounts(text)] == [value]


@pytest.mark.parametrize("text", ["跑了两万公里", "三块屏幕", "一下", "等了一万年", "第一次", "12315"])
def test_not_amounts(text):
    assert find_amounts(text) == []


def test_chinese_numerals():
    assert parse_chinese_number("十五") == 15
    assert parse_chinese_number("三千五") == 3500
    assert parse_chinese_number("一亿") == 100_000_000
    assert parse_chinese_number("千") is None


def demands(engine, text, context=None):
    return {d.type: d.amount for d in engine.analyze(text, context).demands}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("要求赔偿三千元", {"compensation": 3000}),
        ("我要退款，把钱退给我", {"refund": None}),
        ("给我换一台新的", {"replacement": None}),
        ("请尽快上门维修", {"repair": None}),
        ("你们必须向我道歉", {"apology": None}),
        ("给我一个合理的解释", {"explanation": None}),
        ("要求开除那个客服", {"punish_staff": None}),
        ("退款三百块，再赔偿我1.5万", {"refund": 300, "compensation": 15000}),
        ("赔我两万", {"compensation": 20000}),
        ("I want a refund of $50", {"refund": 50}),
        ("I demand compensation and an apology", {"compensation": None, "apology": None}),
        ("我要销户", {"other": None}),
        ("我要求退貨退款", {"refund": None}),  # traditional
    ],
)
def test_demands(engine, text, expected):
    assert demands(engine, text) == expected


def test_negated_demand_is_dropped(engine):
    assert demands(engine, "我不要道歉，我要赔偿") == {"compensation": None}


def test_price_paid_is_not_a_demand(engine):
    assert demands(engine, "我花了五千元买的手机坏了") == {}
