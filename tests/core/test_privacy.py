import datetime

from hypothesis import given
from hypothesis import strategies as st

from kesu.core.privacy import luhn_valid, mask_email, mask_id_card, mask_name, mask_phone, mask_text, surname


def test_phone_id_card_and_bank_card_in_text_are_masked():
    text = "电话13812345678，身份证110101199003071234，卡号4111 1111 1111 1111"
    masked = mask_text(text)
    assert "13812345678" not in masked and "138****5678" in masked
    assert "110101199003071234" not in masked and "110101********1234" in masked
    assert "4111 1111 1111 1111" not in masked and masked.endswith("4111 **** **** 1111")


def test_order_numbers_that_are_not_bank_cards_stay_readable():
    order = "2026112300000000001"  # 19 digits, fails the Luhn check
    assert not luhn_valid(order)
    assert order in mask_text(f"订单号{order}")


def test_field_masks():
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("John Smith") == "J*** S****"
    assert mask_email("zhang.wei@example.com") == "z***@example.com"
    assert mask_id_card("110101199003071234") == "110101********1234"


# --- however a number is written, it is masked (property tests) ---------------------------------------

_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_CN = str.maketrans("0123456789", "零一二三四五六七八九")
#: Words around a number: Chinese without numerals or digits, and punctuation that is no separator.
_WORDS = st.text(alphabet="我的电话是号码请打给客服身份证银行卡，。：、！？（）abc", max_size=12)
_SEPARATOR = st.sampled_from(["", " ", "-", ".", "\u3000"])


def _written(digits: str, groups: list[int], separator: str, script: str) -> str:
    pieces, at = [], 0
    for size in groups:
        pieces.append(digits[at : at + size])
        at += size
    pieces.append(digits[at:])
    text = separator.join(p for p in pieces if p)
    return (
        text.translate(_FULL_WIDTH) if script == "full" else text.translate(_CN) if script == "cn" else text
    )


def _plain_digits(text: str) -> str:
    """The digits a reader sees, whatever their script."""
    folded = text.translate(str.maketrans("０１２３４５６７８９零一二三四五六七八九", "01234567890123456789"))
    return "".join(ch for ch in folded if ch.isdigit())


_SCRIPT = st.sampled_from(["ascii", "full", "cn"])
_MOBILE = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@given(_WORDS, _MOBILE, _SEPARATOR, _SCRIPT, _WORDS)
def test_a_mobile_number_is_masked_however_it_is_written(before, number, separator, script, after):
    masked = mask_text(before + _written(number, [3, 4], separator, script) + after)
    assert number not in _plain_digits(masked)
    assert f"{number[:3]}****{number[-4:]}" in masked  # 尾号 stays, to tell the customer which


_AREA = st.sampled_from(["010", "021", "020", "0755", "0571", "0991"])
_LOCAL = st.from_regex(r"[2-9][0-9]{6,7}", fullmatch=True)


@given(_WORDS, _AREA, _LOCAL, st.sampled_from(["-", " ", "", "paren"]), _SCRIPT, _WORDS)
def test_a_landline_with_its_area_code_is_masked(before, area, local, style, script, after):
    written = _written(local, [len(local) - 4], "" if style == "paren" else style, script)
    area_written = _written(area, [], "", script)
    line = f"({area_written}){written}" if style == "paren" else f"{area_written}{style}{written}"
    masked = mask_text(before + line + after)
    assert masked == f"{before}{area}-****{local[-4:]}{after}"  # the area code and the last four stay


_BIRTH = st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2009, 12, 31))
_REGION = st.from_regex(r"[1-6][0-9]{5}", fullmatch=True)


@given(_WORDS, _REGION, _BIRTH, st.from_regex(r"[0-9]{3}", fullmatch=True), st.booleans(), _SEPARATOR, _WORDS)
def test_id_card_numbers_of_18_and_15_digits_are_masked(before, region, birth, order, old, separator, after):
    if old:  # the first-generation card: two-digit year, no check digit
        number = f"{region}{birth:%y%m%d}{order}"
    else:
        number = f"{region}{birth:%Y%m%d}{order}7"
    masked = mask_text(before + _written(number, [6, 8 if not old else 6], separator, "ascii") + after)
    hidden = "*****" if old else "********"  # the birthday and the order number
    assert masked == f"{before}{number[:6]}{hidden}{number[-4:]}{after}"


def _luhn_completed(body: str) -> str:
    for check in "0123456789":
        if luhn_valid(body + check):
            return body + check
    raise AssertionError


@given(_WORDS, st.from_regex(r"6[0-9]{15,17}", fullmatch=True).map(_luhn_completed), _SEPARATOR, _WORDS)
def test_a_bank_card_is_masked_spaced_dashed_or_dotted(before, card, separator, after):
    masked = mask_text(before + _written(card, [4, 4, 4, 4], separator, "ascii") + after)
    assert card not in _plain_digits(masked) and card[-4:] in masked
    # (an 18-digit card whose digits could be a birthday is masked as an ID card: hidden all the same)
    assert f"{card[:4]} **** **** {card[-4:]}" in masked or f"{card[:6]}********{card[-4:]}" in masked


@given(st.text(alphabet="我的订单到哪了三天没有回复谢谢，。！abc xyz", max_size=60))
def test_words_without_numbers_are_left_as_they_are(text):
    assert mask_text(text) == text


@given(_WORDS, _MOBILE, _SCRIPT, _WORDS)
def test_masking_twice_changes_nothing_more(before, number, script, after):
    once = mask_text(before + _written(number, [], "", script) + after)
    assert mask_text(once) == once


def test_a_customer_is_greeted_by_their_surname_compound_ones_whole():
    assert surname("刘德华") == "刘"
    assert surname("欧阳娜娜") == "欧阳"
    assert surname("John Smith") == "Smith"
    assert surname("  ") == ""


@given(
    st.text(
        alphabet=st.sampled_from(list("0123456789０１２３４５６７８９一二三四五六七八九零两幺 -.()@＠ab我的单号是，")),
        max_size=40,
    )
)
def test_the_shortcut_for_short_numbers_masks_exactly_as_the_full_scan(text):
    """Text with no @ and fewer than ten digits (in any script, Chinese numerals too) is returned
    as it is without a scan: the full scan, run on it anyway, masks nothing either."""
    from kesu.core import privacy

    full = privacy._mask_found(text, privacy._fold(text))
    assert mask_text(text) == full
