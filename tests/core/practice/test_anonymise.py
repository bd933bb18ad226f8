"""Anonymising a real complaint for the case library: nothing personal survives, over generated
records (names, phones, ID and bank card numbers, order numbers, e-mails, addresses, amounts, dates)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kesu.core.practice import Known, anonymise, leaks

SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
ROADS = ["建国路", "中山路", "人民大道", "解放街", "长安街"]
CITIES = ["北京市朝阳区", "上海市浦东新区", "广州市天河区", "杭州市西湖区", "成都市武侯区"]


def luhn_complete(digits: str) -> str:
    total = 0
    for index, char in enumerate(reversed(digits + "0")):
        number = int(char)
        if index % 2 == 1:
            number = number * 2 - 9 if number > 4 else number * 2
        total += number
    return digits + str((10 - total % 10) % 10)


names = st.builds(lambda s, g: s + g, st.sampled_from(SURNAMES), st.text(GIVEN, min_size=1, max_size=2))
phones = st.builds(lambda p, n: f"1{p}{n:09d}", st.sampled_from("3456789"), st.integers(0, 10**9 - 1))
id_cards = st.builds(
    lambda area, y, m, d, seq, check: f"{area}{y}{m:02d}{d:02d}{seq:03d}{check}",
    st.sampled_from(["110101", "310115", "440106", "330106"]),
    st.integers(1950, 2005),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 999),
    st.sampled_from("0123456789X"),
)
bank_cards = st.builds(lambda n: luhn_complete(f"622202{n:012d}"), st.integers(0, 10**12 - 1))
orders = st.builds(
    lambda p, n: f"{p}{n}", st.sampled_from(["DD", "SF", "JD", "NO.", ""]), st.integers(10**7, 10**12)
)
emails = st.builds(
    lambda u, d: f"{u}@{d}",
    st.from_regex(r"[a-z][a-z0-9.]{2,10}", fullmatch=True),
    st.sampled_from(["qq.com", "163.com", "example.com"]),
)
addresses = st.builds(
    lambda c, r, n, b, room: f"{c}{r}{n}号{b}栋{room}室",
    st.sampled_from(CITIES),
    st.sampled_from(ROADS),
    st.integers(1, 999),
    st.integers(1, 30),
    st.integers(101, 2999),
)
amounts = st.integers(11, 99_999).filter(lambda a: len(str(a).rstrip("0")) > 1)  # not already round
dates = st.builds(lambda m, d: (m, d), st.integers(1, 12), st.integers(1, 28))

TEMPLATE = (
    "我叫{name}，手机{phone}，身份证号{id_card}。{month}月{day}日在你们店买的东西，订单号{order}，"
    "花了{amount}元。退款请打到我的银行卡{card}，发票寄到{address}。有事发邮件到{email}，"
    "或者找{surname}先生。客服{staff}说等通知，到现在也没人管。"
)


@settings(max_examples=120, deadline=None)
@given(
    name=names,
    staff=names,
    phone=phones,
    id_card=id_cards,
    card=bank_cards,
    order=orders,
    email=emails,
    address=addresses,
    amount=amounts,
    date=dates,
)
def test_no_personal_data_survives(name, staff, phone, id_card, card, order, email, address, amount, date):
    text = TEMPLATE.format(
        name=name,
        surname=name[0],
        staff=staff,
        phone=phone,
        id_card=id_card,
        card=card,
        order=order,
        email=email,
        address=address,
        amount=amount,
        month=date[0],
        day=date[1],
    )
    record = Known(
        names=(name,),
        staff=(staff,),
        numbers=(card, order),
        phones=(phone,),
        id_cards=(id_card,),
        emails=(email,),
        addresses=(address,),
    )
    out = anonymise(text, record).text
    for value in (name, staff, phone, id_card, card, order, email, address):
        assert value not in out
    assert f"{amount}元" not in out
    assert f"{date[0]}月{date[1]}日" not in out
    assert not re.search(r"[0-9]{5,}", re.sub(r"约[0-9]+元", "", out))  # no number to identify anyone by
    assert f"{name[0]}先生" not in out
    assert leaks(out, record) == []
    assert "known" in leaks(text, record)


def test_what_is_replaced_and_how_it_reads():
    result = anonymise(
        "我是张伟，电话13812345678，3月15日买的手表花了1299元，地址北京市朝阳区建国路88号3栋1201室。",
        Known(names=("张伟",)),
    )
    assert result.text == "我是【客户】，电话【电话】，3月中旬买的手表花了约1000元，地址【地址】。"
    assert result.replaced == {"name": 1, "phone": 1, "date": 1, "amount": 1, "address": 1}


def test_a_known_order_number_is_a_number_even_when_it_looks_like_a_card():
    out = anonymise(
        "订单号6222021234567890128，电话13812345678",
        Known(numbers=("6222021234567890128",), phones=("13812345678",)),
    )
    assert out.text == "订单号【编号】，电话【电话】"


def test_numbers_found_by_pattern_even_without_a_record():
    out = anonymise("卡号6222 0212 3456 7890 128，邮箱zhang.wei@example.com，单号SF1234567890").text
    assert out == "卡号【银行卡号】，邮箱【邮箱】，单号【编号】"


def test_leaks_names_what_is_left():
    assert leaks("客户电话13812345678") == ["phone"]
    assert leaks("联系张伟", Known(names=("张伟",))) == ["known"]
    assert leaks("【客户】说约1000元") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("寄到广东省深圳市南山区科技园南区高新南七道10号", "寄到【地址】"),
        ("我住在杭州市西湖区文三路478号，快递送错了", "我住在【地址】，快递送错了"),
        ("送到朝阳区望京花园3号楼2单元1101", "送到【地址】"),
        ("电话0571-88886666或者400-820-8820", "电话【电话】或者【电话】"),
        ("我的微信 zw19900101，QQ：123456789", "我的微信 【社交账号】，QQ：【社交账号】"),
        ("工号A12345的客服", "工号【编号】的客服"),
        ("我知道3个问题，等了2天", "我知道3个问题，等了2天"),
    ],
)
def test_what_the_record_does_not_know_is_found_by_its_shape(text, expected):
    assert anonymise(text).text == expected
