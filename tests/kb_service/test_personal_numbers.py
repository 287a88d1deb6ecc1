"""Numbers that identify a person are masked in every usual written form; numbers of things stay.

Table-driven: each row is what a case text may say and what the index must
get instead. All numbers are invented; the ID numbers use the region code of
长春市朝阳区 (220104) and made-up birth dates.
"""

from __future__ import annotations

import re

import pytest

from kb_service.masking import Masker, names_after_role_words, surname_of
from kb_service.personal_numbers import (
    BANK_CARD,
    ID_CARD,
    LANDLINE,
    MOBILE,
    NUMBER,
    classify,
    is_valid_id_card,
    looks_like_id_card,
    mask_numbers,
)

MASKED = [
    # ID numbers: a wrong check digit, a typo in the birth date, 15 digits, spaces, dashes, widths
    ("wrong-check-digit", "王某某（220104198503152313）到场", f"王某某（{ID_CARD}）到场"),
    ("wrong-check-digit-labelled", "身份证号：220104198503152313。", f"身份证号：{ID_CARD}。"),
    ("typo-in-birth-month", "身份证220104198513152312", f"身份证{ID_CARD}"),
    ("typo-unlabelled", "借款人220104198513152312签字", f"借款人{ID_CARD}签字"),
    ("old-15-digit", "其旧身份证号220104850315231", f"其旧身份证号{ID_CARD}"),
    ("old-15-digit-unlabelled", "（220104850315231）", f"（{ID_CARD}）"),
    ("old-15-digit-spaced", "号码 220104 850315 231 ", f"号码 {ID_CARD} "),
    ("spaced-4-4-4-4-2", "2201 0419 8503 1523 12", ID_CARD),
    ("dashed-6-8-4", "220104-19850315-2312", ID_CARD),
    ("full-width-dashes", "220104－19850315－2312", ID_CARD),
    ("full-width-digits", "２２０１０４１９８５０３１５２３１２", ID_CARD),
    ("full-width-x", "２２０７０２１９７９０６２２１９８Ｘ", ID_CARD),
    ("lower-case-x", "22070219790622198x）", f"{ID_CARD}）"),
    ("x-after-a-space", "22070219790622198 X", ID_CARD),
    ("label-and-17-digits", "公民身份号码：22010419850315231", f"公民身份号码：{ID_CARD}"),
    ("latin-label", "ID:220104198503152313", f"ID:{ID_CARD}"),
    # landlines with an area code
    ("landline-dash-space", "0431-8888 6666", LANDLINE),
    ("landline-brackets", "(0431)88886666", LANDLINE),
    ("landline-full-width-brackets", "（0431）8888-6666", LANDLINE),
    ("landline-space", "0431 88886666", LANDLINE),
    ("landline-extension", "0431-88886666转123", LANDLINE),
    ("landline-spaced-extension", "0431-88886666 转 8012。", f"{LANDLINE}。"),
    ("landline-dash-extension", "0431-88886666-8012", LANDLINE),
    ("landline-beijing", "010-62345678", LANDLINE),
    ("landline-shanghai-spaced", "021 6234 5678", LANDLINE),
    ("landline-seven-digits", "0433-2345678", LANDLINE),
    ("landline-contiguous", "043188886666", LANDLINE),
    ("landline-country-code", "+86 431 8888 6666", LANDLINE),
    ("local-number-after-label", "联系电话为88886666", f"联系电话为{LANDLINE}"),
    # mobiles
    ("mobile-3-4-4-spaces", "139 0431 5678", MOBILE),
    ("mobile-3-4-4-dashes", "139-0431-5678", MOBILE),
    ("mobile-7-4", "1390431 5678", MOBILE),
    ("mobile-plus86", "+86 13904315678", MOBILE),
    ("mobile-plus86-dashes", "+86-139-0431-5678", MOBILE),
    ("mobile-bracketed-country-code", "(+86)139 0431 5678", MOBILE),
    ("mobile-0086", "0086 139 0431 5678", MOBILE),
    ("mobile-86-glued", "8613904315678", MOBILE),
    ("mobile-full-width-spaced", "１３９ ０４３１ ５６７８", MOBILE),
    ("mobile-full-width-dashes", "１３９－０４３１－５６７８", MOBILE),
    ("mobile-after-label", "手机：139 0431 5678，", f"手机：{MOBILE}，"),
    ("mobile-after-latin-label", "TEL13904315678", f"TEL{MOBILE}"),
    ("two-mobiles-one-space", "13904315678 15843621907", f"{MOBILE} {MOBILE}"),
    # bank cards
    ("card-spaced", "6222 0212 3456 7890 128", BANK_CARD),
    ("card-luhn-typo", "6217 0031 5082 4416 274", BANK_CARD),
    ("card-dashes", "6228-4809-3621-7503-312", BANK_CARD),
    ("card-full-width", "６２２８４８０９３６２１７５０３３１２", BANK_CARD),
    ("account-after-label", "账号：1234 5678 9012", f"账号：{BANK_CARD}"),
    # anything else of 11+ digits
    ("generic-14-digits", "编号：20230512000123", f"编号：{NUMBER}"),
    ("id-missing-two-digits", "2201041985031523", NUMBER),
]

KEPT = [
    ("order-number", "订单号202305121830456789，"),
    ("order-number-19-digits", "订单号：3481234567890123456"),
    ("waybill-number-letters", "快递单号 SF1234567890123"),
    ("code-glued-to-letters", "运单SF1234567890123已签收"),
    ("contract-number", "合同编号HT20230512001"),
    ("invoice-number", "发票号码 04400123456789"),
    ("credit-code", "统一社会信用代码91220101MA17XB2C3D"),
    ("amount", "涉案金额260000元"),
    ("amount-with-commas", "共计1,260,000元"),
    ("amounts-listed", "1500元、3000元、2700元"),
    ("date-digits", "20230512"),
    ("date-iso", "于2023-05-12签订"),
    ("date-chinese", "2023年5月12日13:30"),
    ("case-number", "（2023）吉0102民初1234号"),
    ("statute-arabic", "《民法典》第1084条"),
    ("statute-chinese", "《民法典》第一千零八十四条"),
    ("year-list", "2019 2020 2021年连续三年"),
    ("date-list", "2023-05-12 2023-06-01两次"),
    ("hotline", "拨打12345热线"),
    ("bank-hotline", "95588"),
    ("company-hotline", "400-123-4567"),
    ("decimal-score", "0.81234567890123"),
    ("room-number", "房号3-2-1502"),
    ("licence-plate", "车牌吉A12345"),
    ("postcode", "邮编130000"),
    ("label-with-a-count", "身份证1张、电话2次"),
]


@pytest.mark.parametrize(("text", "expected"), [row[1:] for row in MASKED], ids=[row[0] for row in MASKED])
def test_personal_numbers_are_masked_in_every_form(text, expected):
    assert mask_numbers(text) == expected


@pytest.mark.parametrize("text", [row[1] for row in KEPT], ids=[row[0] for row in KEPT])
def test_numbers_of_things_stay(text):
    assert mask_numbers(text) == text


def test_the_tables_are_large_enough():
    assert len(MASKED) + len(KEPT) >= 60


def test_no_run_of_eleven_digits_survives_a_masked_row():
    run = re.compile(r"\d(?:[\s\-－]?\d){10,}")
    for _, text, _ in MASKED:
        assert not run.search(mask_numbers(text)), text


def test_a_check_digit_typo_is_still_an_id_number():
    real = "220104198503152312"
    assert is_valid_id_card(real)
    for position in range(len(real)):
        for digit in "0123456789":
            typo = real[:position] + digit + real[position + 1 :]
            assert classify(typo) in (ID_CARD, BANK_CARD, NUMBER), typo  # masked, whatever its label
    assert looks_like_id_card("220104198503152313") and not is_valid_id_card("220104198503152313")


def test_an_eighteen_digit_order_number_is_no_id_number():
    assert not looks_like_id_card("202305121830456789")  # no province 20, no birth year at 6–9
    assert classify("202305121830456789") == NUMBER  # still masked without its label


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("原告马春生诉称", "马春生"),
        ("被告邹立新辩称", "邹立新"),
        ("当事人蒋文斌到场", "蒋文斌"),
        ("代理人孙立新出示授权委托书", "孙立新"),
        ("委托代理人郝建军，吉林某律师事务所律师", "郝建军"),
        ("法定代理人冯桂芝系其母亲", "冯桂芝"),
        ("证人彭德海证实", "彭德海"),
        ("见证人韦宝山在协议上签字", "韦宝山"),
        ("申请人欧阳晓峰称", "欧阳晓峰"),
        ("监护人宋立军表示", "宋立军"),
    ],
)
def test_names_after_every_role_word_are_found_and_masked(text, name):
    assert name in names_after_role_words(text)
    masked = Masker.for_record([text]).mask(text)
    assert name not in masked and f"{surname_of(name)}某某" in masked


@pytest.mark.parametrize(
    "text",
    [
        "申请人单位拖欠工资",  # 单位 is a word
        "被告应当按照约定付款",  # 应当
        "借款人应当按照约定期限返还借款",
        "原告方代理人称",  # 方 marks a side
        "被申请人向申请人赔礼道歉",  # 向 before another party
        "明确了监护人和学校的责任",  # 和 is "and"
        "被申请人吉林某建设工程有限公司",  # a place
        "业主车辆受损",
        "走访证人查明事实",  # jieba tags 查明 as a name; it is a verb
        "当事人双方同意",
    ],
)
def test_words_after_role_words_are_not_taken_for_names(text):
    assert names_after_role_words(text) == set()
    assert Masker.for_record([text]).mask(text) == text
