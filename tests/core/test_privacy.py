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


def test_a_customer_is_greeted_by_their_surname_compound_ones_whole():
    assert surname("刘德华") == "刘"
    assert surname("欧阳娜娜") == "欧阳"
    assert surname("John Smith") == "Smith"
    assert surname("  ") == ""
