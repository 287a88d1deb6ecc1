"""The citation parser, table-driven: every form of CONTRACT §5, and wrong citations too."""

from __future__ import annotations

import pytest

from laws.citations import Citation, MalformedCitation, find_citations, scan_citations


def C(
    law: str,
    article: int,
    paragraph: int | None = None,
    sub: int | None = None,
    origin: str | None = "database",
):
    """An expected citation: (short name, article, 款, 之N, where the law is known from)."""
    return (law, article, paragraph, sub, origin)


def BAD(written: str):
    """An expected citation whose number cannot be read."""
    return ("!", written)


def RANGE(law: str, first: int, last: int):
    return [C(law, n) for n in range(first, last + 1)]


CASES = [
    # full and short names, with and without 《》
    ("《中华人民共和国民法典》第一千零八十四条", [C("民法典", 1084)]),
    ("《民法典》第1084条", [C("民法典", 1084)]),
    ("民法典第一千零八十四条第二款", [C("民法典", 1084, 2)]),
    ("《民法典》第一千零八十四条第二款", [C("民法典", 1084, 2)]),
    ("《中华人民共和国民法典》第1084条第2款", [C("民法典", 1084, 2)]),
    ("《中华人民共和国人民调解法》第三十三条", [C("人民调解法", 33)]),
    ("人民调解法第三十三条", [C("人民调解法", 33)]),
    ("《劳动争议调解仲裁法》第十四条", [C("劳动争议调解仲裁法", 14)]),
    ("《治安管理处罚法》第九条", [C("治安管理处罚法", 9)]),
    # a longer known name wins over the shorter one inside it
    ("劳动合同法第八十二条", [C("劳动合同法", 82)]),
    ("依照《劳动合同法》第四十六条支付经济补偿", [C("劳动合同法", 46)]),
    # abbreviations
    ("消法第五十五条", [C("消费者权益保护法", 55)]),
    ("道交法第七十六条", [C("道路交通安全法", 76)]),
    ("《民诉法》第二百零五条", [C("民事诉讼法", 205)]),
    ("反家暴法第二十三条", [C("反家庭暴力法", 23)]),
    # spaces, full-width digits and spaces, other brackets
    ("《民法典》 第 1084 条", [C("民法典", 1084)]),
    ("《民法典》第１０８４条", [C("民法典", 1084)]),
    ("《民法典》\u3000第一千零八十四条", [C("民法典", 1084)]),
    ("〈民法典〉第一千零八十四条", [C("民法典", 1084)]),
    ("《 中华人民共和国 民法典 》第一千零八十四条", [C("民法典", 1084)]),
    ("《刑法修正案(九)》第一条", [C("刑法修正案（九）", 1)]),
    # numerals
    ("《民法典》第十条", [C("民法典", 10)]),
    ("《民法典》第一百一十条", [C("民法典", 110)]),
    ("《民法典》第一千零一十条", [C("民法典", 1010)]),
    ("《民法典》第两百条", [C("民法典", 200)]),
    ("《民法典》第一〇八四条", [C("民法典", 1084)]),
    ("《民法典》第壹仟零捌拾肆条", [C("民法典", 1084)]),
    ("《民法典》第一千二百六十条", [C("民法典", 1260)]),
    # several articles in one citation
    ("《民法典》第一千零六十二条、第一千零六十三条", [C("民法典", 1062), C("民法典", 1063)]),
    ("《民法典》第一千零六十二条，第一千零六十三条", [C("民法典", 1062), C("民法典", 1063)]),
    ("《民法典》第一千零六十二条和第一千零六十三条", [C("民法典", 1062), C("民法典", 1063)]),
    ("《民法典》第一千零六十二条及第一千零六十三条", [C("民法典", 1062), C("民法典", 1063)]),
    ("《民法典》第一千零六十二条以及第一千零六十三条", [C("民法典", 1062), C("民法典", 1063)]),
    ("《民法典》第一千零六十二条或者第一千零六十三条", [C("民法典", 1062), C("民法典", 1063)]),
    ("《民法典》第667、668条", [C("民法典", 667), C("民法典", 668)]),
    ("《民法典》第一千零六十二条第一款、第二款", [C("民法典", 1062, 1), C("民法典", 1062, 2)]),
    # ranges
    ("《民法典》第六百六十七条至第六百八十条", RANGE("民法典", 667, 680)),
    ("《民法典》第667条至第680条", RANGE("民法典", 667, 680)),
    ("《民法典》第667-680条", RANGE("民法典", 667, 680)),
    ("《民法典》第六百六十七条到六百七十条", RANGE("民法典", 667, 670)),
    (
        "《民法典》第五百七十七条、第五百八十四条至第五百八十五条",
        [C("民法典", 577), C("民法典", 584), C("民法典", 585)],
    ),
    # 款, 项 and 之一
    ("《民法典》第一千零七十九条第三款第（五）项", [C("民法典", 1079, 3)]),
    ("《民法典》第一千零七十九条第三款第五项", [C("民法典", 1079, 3)]),
    ("《刑法》第一百二十条之一", [C("刑法", 120, sub=1)]),
    ("《民法典》第一千零八十四条之规定", [C("民法典", 1084)]),
    # laws the 民法典 repealed: known, without text
    ("《合同法》第一百零七条", [C("合同法", 107, origin="repealed")]),
    ("《中华人民共和国合同法》第一百零七条", [C("合同法", 107, origin="repealed")]),
    ("《婚姻法》第三十二条", [C("婚姻法", 32, origin="repealed")]),
    ("《侵权责任法》第七十八条", [C("侵权责任法", 78, origin="repealed")]),
    ("《民法总则》第一百八十八条", [C("民法总则", 188, origin="repealed")]),
    (
        "依照合同法第一百零七条和同法第一百零九条",
        [C("合同法", 107, origin="repealed"), C("合同法", 109, origin="repealed")],
    ),
    # laws we do not hold: still read, as unknown
    ("《信访工作条例》第三条", [C("信访工作条例", 3, origin=None)]),
    ("《民法大典》第三条", [C("民法大典", 3, origin=None)]),
    ("根据学生伤害事故处理办法第九条", [C("学生伤害事故处理办法", 9, origin=None)]),
    # an article the law does not have is still a citation (verification says no_such_article)
    ("《民法典》第一千三百条", [C("民法典", 1300)]),
    # unreadable numbers and ranges
    ("《民法典》第一千千条", [BAD("第一千千条")]),
    ("《民法典》第十十条", [BAD("第十十条")]),
    ("《民法典》第零条", [BAD("第零条")]),
    ("《民法典》第X条", [BAD("第X条")]),
    ("《民法典》第六百八十条至第六百六十七条", [BAD("第六百八十条至第六百六十七条")]),
    ("《民法典》第一条至第一千二百六十条", [BAD("第一条至第一千二百六十条")]),
    # not citations
    ("本协议第三条约定的付款期限", []),
    ("第三条", []),
    ("双方签订的劳动合同第五条约定", []),
    ("同法第三条", []),
    ("买受人可以依据本法第五百八十二条的规定请求赔偿", []),
    ("关衔晋级的批准权限适用本条例第十条", []),
    ("《民法典》规定的夫妻共同财产", []),
    ("《民法典》婚姻家庭编", []),
    # several citations in running text
    (
        "调解员向双方释明《民法典》第一千零八十四条，并依据人民调解法第三十三条告知可申请司法确认；"
        "另参照《老年人权益保障法》第十四条。",
        [C("民法典", 1084), C("人民调解法", 33), C("老年人权益保障法", 14)],
    ),
    (
        "《中华人民共和国民法典》第一千零八十四条、《中华人民共和国人民调解法》第三十一条",
        [C("民法典", 1084), C("人民调解法", 31)],
    ),
    (
        "根据《民法典》第一千零八十四条第二款和《人民调解法》第三十一条，双方达成协议。",
        [C("民法典", 1084, 2), C("人民调解法", 31)],
    ),
]


def _shape(found: Citation | MalformedCitation):
    from laws.names import short_name

    if isinstance(found, MalformedCitation):
        return ("!", found.written)
    return (short_name(found.law_name), found.article, found.paragraph, found.sub, found.origin)


def test_the_table_has_at_least_sixty_citations():
    assert len(CASES) >= 60


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:30] for c in CASES])
def test_citation_forms(text, expected):
    flat = []
    for item in expected:
        flat.extend(item if isinstance(item, list) else [item])
    assert [_shape(c) for c in scan_citations(text)] == flat


def test_known_laws_carry_their_database_id_and_full_name():
    (citation,) = find_citations("民法典第一千零八十四条")
    assert citation.law_name == "中华人民共和国民法典"
    assert citation.law_name_as_written == "民法典"
    assert citation.law_id and len(citation.law_id) == 12
    assert citation.display == "《民法典》第一千零八十四条"


def test_unknown_and_repealed_laws_have_no_id():
    unknown, repealed = find_citations("《信访工作条例》第三条；《合同法》第一百零七条")
    assert (unknown.law_id, unknown.known) == (None, False)
    assert (repealed.law_id, repealed.known) == (None, True)


def test_spans_point_at_the_citation_in_the_text():
    text = "依据民法典第一千零八十四条第二款的规定，及第一千零八十五条"
    (first,) = find_citations(text)
    assert text[slice(*first.span)] == "民法典第一千零八十四条第二款"
    text = "《民法典》第一千零六十二条、第一千零六十三条"
    first, second = find_citations(text)
    assert text[slice(*first.span)] == "《民法典》第一千零六十二条"
    assert text[slice(*second.span)] == "第一千零六十三条"


def test_a_paragraph_label_is_normalised():
    (citation,) = find_citations("《中华人民共和国民法典》第1084条第2款")
    assert citation.display == "《民法典》第一千零八十四条第二款"


def test_whole_law_citations_only_when_asked_for():
    assert find_citations("《信访工作条例》") == []
    (whole,) = find_citations("《信访工作条例》", whole_law=True)
    assert whole.article is None and whole.law_name == "信访工作条例"


def test_malformed_citations_say_what_to_write():
    (bad,) = scan_citations("《民法典》第一千千条")
    assert isinstance(bad, MalformedCitation)
    assert "不是有效的条文序号" in bad.reason and "第1084条" in bad.reason
    assert find_citations("《民法典》第一千千条") == []
