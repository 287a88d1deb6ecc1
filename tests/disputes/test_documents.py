"""Mediation documents from the register: each kind opened as Word, HTML and Markdown and read back."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from typing import Any

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from disputes.documents import KINDS, dispute_document
from disputes.generator import generate
from disputes.schema import STATUSES, DisputeIn, DisputeRecord, HistoryItem, RegisteredParty
from kb_service.errors import InvalidInputError
from kb_service.export import to_docx, to_html, to_markdown
from tests.disputes.conftest import COMMITTEE, dispute

BLANK = "________"
MARK = "（系统建议，仅供参考）"
NOW = dt.datetime(2026, 3, 20, 2, 30, tzinfo=dt.UTC)
CREDIT_CODE = "91220101MA14ABCD3K"


def as_record(data: dict[str, Any], *, serial: int = 15, **fields: Any) -> DisputeRecord:
    registration = DisputeIn.model_validate(data)
    return DisputeRecord(
        **registration.model_dump(exclude={"number"}),
        id=serial,
        number=f"（{registration.received.year}）南关调字第{serial}号",
        created_at=NOW,
        updated_at=NOW,
        **fields,
    )


def settled(**overrides: Any) -> DisputeRecord:
    """A neighbour dispute settled on 2026-03-20 with two terms, one paid in two instalments."""
    data = dispute(
        status="success",
        closed_on="2026-03-20",
        amount=3000,
        agreement=[
            {"text": "李秀英分两期向王建国支付补偿款3000元", "deadline": "2026-04-10"},
            {"text": "李秀英每晚九时后控制室内噪音", "deadline": "2026-03-31"},
        ],
    )
    data.update(overrides)
    return as_record(data)


def opened(record: DisputeRecord, kind: str, **kwargs: Any) -> docx.document.Document:
    return docx.Document(io.BytesIO(to_docx(dispute_document(record, kind, **kwargs))))


def lines(document: docx.document.Document) -> list[str]:
    """Every paragraph's text, then every table cell's, in reading order."""
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return texts


def line_with(texts: list[str], *parts: str) -> str:
    found = [t for t in texts if all(p in t for p in parts)]
    assert found, f"no line with {parts}"
    return found[0]


def sex_from_id(number: str) -> str:
    return "男" if int(number[16]) % 2 else "女"


# -- the agreement: every element of 人民调解法 第二十九条 ----------------------------


def test_agreement_carries_every_element_of_article_29():
    record = settled()
    applicant_id = record.parties[0].id_number
    document = opened(record, "agreement")
    texts = lines(document)
    assert texts[0] == "人民调解协议书"
    assert "编号：（2026）南关调字第15号" in texts

    applicant = line_with(texts, "申请人：王建国")
    assert f"公民身份号码：{applicant_id}" in applicant
    assert f"性别：{sex_from_id(applicant_id)}" in applicant
    assert (
        "住址：长春市南关区幸福街8号3单元201室" in applicant
        and "联系电话：13904315678" in applicant
    )
    respondent = line_with(texts, "被申请人：李秀英")
    assert "联系电话：0431-88886666" in respondent

    assert any("楼上住户李秀英家夜间噪音扰民" in t for t in texts)  # basic facts
    assert "要求停止噪音干扰" in texts  # the matters in dispute
    assert "各方责任：" in texts

    first = line_with(texts, "一、李秀英分两期向王建国支付补偿款3000元")
    assert "履行方式：分两期履行" in first and "履行期限：2026年4月10日前" in first
    second = line_with(texts, "二、李秀英每晚九时后控制室内噪音")
    assert "履行期限：2026年3月31日前" in second
    assert not any(t.startswith("三、") for t in texts)

    assert any("具有法律约束力" in t for t in texts)
    assert any("司法确认" in t and "三十日内" in t for t in texts)
    assert "本协议一式三份，双方当事人、人民调解委员会各执一份。" in texts

    assert "（王建国）" in line_with(texts, "申请人（签名、盖章或按指印）")
    assert "（李秀英）" in line_with(texts, "被申请人（签名、盖章或按指印）")
    assert "（周建华）" in line_with(texts, "人民调解员（签名）")
    seal, date = [
        p for p in document.paragraphs if p.text in (f"{COMMITTEE}（印章）", "2026年3月20日")
    ]
    assert (
        seal.text == f"{COMMITTEE}（印章）" and date.text == "2026年3月20日"
    )  # the day it was reached
    assert seal.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_an_organisation_party_seals_and_names_its_legal_representative():
    parties = [
        dispute()["parties"][0],
        {
            "role": "被申请人",
            "name": "长春市宏达物业服务有限公司",
            "id_number": CREDIT_CODE,
            "address": "长春市南关区幸福街1号",
        },
    ]
    texts = lines(opened(settled(parties=parties), "agreement"))
    company = line_with(texts, "被申请人：长春市宏达物业服务有限公司")
    assert f"统一社会信用代码：{CREDIT_CODE}" in company
    assert "住所：长春市南关区幸福街1号" in company
    assert f"法定代表人（负责人）：{BLANK}" in company and "性别" not in company
    assert "法定代表人（负责人）签名" in line_with(
        texts, "被申请人（盖章）：长春市宏达物业服务有限公司"
    )


def test_each_party_holds_a_copy_when_there_are_more_than_two():
    parties = [
        *dispute()["parties"],
        {"role": "第三人", "name": "赵志刚", "phone": "13504317788"},
    ]
    texts = lines(opened(settled(parties=parties), "agreement"))
    assert "本协议一式四份，各方当事人各执一份，人民调解委员会留存一份。" in texts
    assert "（赵志刚）" in line_with(texts, "第三人（签名、盖章或按指印）")


def test_parties_registered_without_roles_read_as_applicant_and_respondent():
    # as the register reads them back (a blank role does not survive re-validation)
    parties = [RegisteredParty(name="王建国", phone="13904315678"), RegisteredParty(name="李秀英")]
    record = settled().model_copy(update={"parties": parties})
    application = lines(opened(record, "application"))
    assert line_with(application, "申请人：王建国") and line_with(application, "被申请人：李秀英")
    assert line_with(application, "申请人（签名或按指印）", "（王建国）")
    agreement = lines(opened(record, "agreement"))
    assert line_with(agreement, "被申请人（签名、盖章或按指印）", "（李秀英）")


def test_terms_past_ten_are_numbered_in_chinese():
    terms = [{"text": f"第{n}项约定", "deadline": "2026-04-01"} for n in range(1, 13)]
    texts = lines(opened(settled(agreement=terms), "agreement"))
    assert line_with(texts, "十、第10项约定") and line_with(texts, "十二、第12项约定")


# -- the Word layout ----------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_is_an_a4_word_file_with_chinese_fonts_and_a_centred_title(kind):
    document = opened(settled(), kind)
    section = document.sections[0]
    assert section.page_width.cm == pytest.approx(21.0, abs=0.01)
    assert section.page_height.cm == pytest.approx(29.7, abs=0.01)
    assert section.top_margin.cm == pytest.approx(3.7, abs=0.01)
    assert section.left_margin.cm == pytest.approx(2.8, abs=0.01)

    def east_asian(style_name: str) -> tuple[str | None, str | None]:
        fonts = document.styles[style_name].element.rPr.rFonts
        return fonts.get(qn("w:eastAsia")), fonts.get(qn("w:eastAsiaTheme"))

    assert east_asian("Normal") == ("仿宋", None)
    assert east_asian("Heading 1") == ("黑体", None)  # no theme font overriding it
    assert east_asian("Heading 2") == ("黑体", None)
    title = document.paragraphs[0]
    assert title.text == KINDS[kind] and title.style.name == "Heading 1"
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert document.core_properties.title == KINDS[kind]


# -- the other kinds ----------------------------------------------------------------


def test_application_states_who_asks_what_and_why_and_is_signed():
    record = settled()
    texts = lines(opened(record, "application"))
    assert f"公民身份号码：{record.parties[0].id_number}" in line_with(texts, "申请人：王建国")
    assert line_with(texts, "被申请人：李秀英")
    heading = texts.index("申请事项")
    assert texts[heading + 1] == "要求停止噪音干扰"
    assert "楼上住户李秀英家夜间噪音扰民" in texts[texts.index("事实和理由") + 1]
    assert COMMITTEE in texts
    assert "（王建国）" in line_with(texts, "申请人（签名或按指印）")
    assert "申请日期：2026年3月5日" in texts
    assert not any(
        "被申请人（签名" in t for t in texts
    )  # the respondent does not sign an application


def test_register_form_is_a_table_of_the_registered_fields():
    record = settled()
    table = opened(record, "register").tables[0]
    rows = {row.cells[0].text: row.cells[1].text for row in table.rows}
    assert rows["编号"] == "（2026）南关调字第15号"
    assert rows["受理日期"] == "2026年3月5日"
    assert rows["纠纷来源"] == "当事人申请"
    assert rows["纠纷类型"] == "邻里纠纷"
    assert rows["调解组织"] == COMMITTEE and rows["调解员"] == "周建华"
    assert rows["当事人请求"] == "要求停止噪音干扰"
    assert rows["涉及金额"] == "3,000 元"
    assert record.parties[0].id_number in rows["申请人（个人）"]
    assert "0431-88886666" in rows["被申请人（个人）"]


def history() -> list[HistoryItem]:
    return [
        HistoryItem(
            at=dt.datetime(2026, 3, 5, 1, 0, tzinfo=dt.UTC),
            actor="周建华",
            action="created",
            note="登记",
        ),
        HistoryItem(
            at=dt.datetime(2026, 3, 5, 22, 15, tzinfo=dt.UTC),  # 6 March in Beijing
            actor="周建华",
            action="status",
            field="status",
            old="registered",
            new="mediating",
            note="双方同意到调解室面谈",
        ),
        HistoryItem(
            at=dt.datetime(2026, 3, 20, 7, 0, tzinfo=dt.UTC),
            actor="周建华",
            action="status",
            field="status",
            old="mediating",
            new="success",
            note="当场签订协议",
        ),
        HistoryItem(
            at=dt.datetime(2026, 4, 15, 3, 0, tzinfo=dt.UTC),
            actor="孙丽",
            action="updated",
            field="follow_up",
            note="电话回访",
        ),
    ]


def test_record_gives_the_course_from_the_history_and_a_line_for_everyone_present():
    texts = lines(opened(settled().model_copy(update={"history": history()}), "record"))
    assert line_with(texts, "时间：2026年3月6日")  # the day mediation began
    assert "调解员：周建华" in texts and f"记录人：{BLANK}" in texts
    assert "到场人员：申请人王建国、被申请人李秀英" in texts
    # Beijing time, the status change in words and the mediator's note
    assert (
        "2026年3月6日 06:15 周建华：办理状态由“已受理”改为“调解中”（双方同意到调解室面谈）" in texts
    )
    assert line_with(texts, "2026年3月20日 15:00", "当场签订协议")
    assert line_with(texts, "一、李秀英分两期向王建国支付补偿款3000元")
    for who in (
        "申请人（签名或按指印）：________（王建国）",
        "被申请人（签名或按指印）：________（李秀英）",
        "调解员（签名）：________（周建华）",
        "记录人（签名）",
    ):
        assert line_with(texts, who)


def test_documents_of_a_dispute_taken_through_the_register(register):
    """Records as the register reads them back (history included) make the same documents."""
    added = register.add(dispute(), actor="周建华")
    register.change_status(added.id, "mediating", actor="周建华", note="双方同意调解")
    terms = [{"text": "李秀英一次性赔偿王建国800元", "deadline": "2026-03-31"}]
    register.update(
        added.id,
        {"status": "success", "closed_on": "2026-03-20", "agreement": terms},
        actor="周建华",
        note="当场签订协议",
    )
    register.update(added.id, {"follow_up": {"date": "2026-04-02", "honoured": True}}, actor="孙丽")
    record = register.get(added.id)

    texts = lines(opened(record, "record"))
    assert line_with(texts, "周建华：登记受理")
    assert line_with(texts, "周建华：办理状态由“已受理”改为“调解中”（双方同意调解）")
    assert line_with(texts, "周建华：修改协议内容（当场签订协议）")
    assert line_with(
        texts, "一、李秀英一次性赔偿王建国800元。履行方式：一次性履行；履行期限：2026年3月31日前。"
    )
    agreement = lines(opened(record, "agreement"))
    assert f"编号：{record.number}" in agreement and "2026年3月20日" in agreement
    followup = lines(opened(record, "followup"))
    assert "回访人：孙丽" in followup and "协议履行情况：已按协议履行" in followup


def test_record_of_a_failed_mediation_says_so_without_terms():
    texts = lines(opened(settled(status="failed", agreement=[]), "record"))
    assert line_with(texts, "未能达成协议")
    assert not any(t.startswith("一、") for t in texts)


def test_confirmation_is_joint_within_thirty_days_to_the_named_court():
    record = settled(confirmation={"court": "长春市南关区人民法院", "applied_on": "2026-03-25"})
    texts = lines(opened(record, "confirmation"))
    assert line_with(texts, "申请人（调解中为申请人）：王建国")
    assert line_with(texts, "申请人（调解中为被申请人）：李秀英")
    assert line_with(texts, "请求依法确认", "2026年3月20日", "（2026）南关调字第15号", "有效")
    assert line_with(texts, "第二百零五条", "三十日内共同提出")
    assert line_with(texts, "2026年4月19日前")  # 30 days after the agreement took effect
    assert "长春市南关区人民法院" in texts
    assert "人民调解协议书一份" in texts
    assert len([t for t in texts if t.startswith("申请人（签名、盖章或按指印）")]) == 2
    assert "申请日期：2026年3月25日" in texts
    assert line_with(texts, "一、李秀英分两期")


def test_confirmation_without_a_court_leaves_a_line_to_name_it():
    texts = lines(opened(settled(), "confirmation"))
    assert f"{BLANK}人民法院" in texts
    assert line_with(texts, "调解委员会所在地的基层人民法院")


def test_followup_records_whether_the_agreement_was_honoured():
    record = settled(
        follow_up={
            "date": "2026-04-15",
            "honoured": False,
            "note": "第二期补偿款尚未支付，已督促",
        }
    ).model_copy(update={"history": history()})
    texts = lines(opened(record, "followup"))
    assert "回访日期：2026年4月15日" in texts
    assert "回访人：孙丽" in texts  # who entered the follow-up
    assert "协议履行情况：未按协议履行" in texts
    assert "第二期补偿款尚未支付，已督促" in texts
    assert "协议最后履行期限：2026年4月10日" in texts
    assert line_with(texts, "回访人（签名）", "（孙丽）") and line_with(texts, "被回访人（签名）")

    unknown = lines(opened(settled(), "followup"))
    assert f"回访日期：{'______年____月____日'}" in unknown
    assert line_with(unknown, "□已按协议履行")


# -- blanks, suggestions, kinds --------------------------------------------------------


def bare() -> DisputeRecord:
    """Registered with the least the register takes: no contact particulars, mediator or claims."""
    return as_record(
        dispute(
            mediator=None,
            claims=None,
            channel=None,
            parties=[{"role": "申请人", "name": "王建国"}, {"role": "被申请人", "name": "李秀英"}],
        )
    )


@pytest.mark.parametrize("kind", list(KINDS))
def test_missing_values_are_blanks_to_fill_never_none(kind):
    document = dispute_document(bare(), kind)
    texts = lines(docx.Document(io.BytesIO(to_docx(document))))
    for text in (to_markdown(document), to_html(document), "\n".join(texts)):
        assert "None" not in text and "null" not in text
    if kind in ("application", "agreement"):
        applicant = line_with(texts, "申请人：王建国")
        for field in ("性别", "公民身份号码", "住址", "联系电话"):
            assert f"{field}：{BLANK}" in applicant
        assert f"出生日期：{'______年____月____日'}" in applicant
    if kind == "agreement":
        assert f"一、{BLANK}。履行方式：{BLANK}；履行期限：{BLANK}。" in texts
        assert (
            line_with(texts, "人民调解员（签名）：________")
            == "人民调解员（签名）：________    ______年____月____日"
        )
    if kind == "register":
        rows = {
            r.cells[0].text: r.cells[1].text
            for r in docx.Document(io.BytesIO(to_docx(document))).tables[0].rows
        }
        assert rows["调解员"] == rows["当事人请求"] == rows["纠纷来源"] == BLANK


SUGGESTIONS = {
    "agreement_suggestions": [
        {
            "text": "被申请人在卧室地面铺设隔音地垫",
            "case_id": "case-0042",
            "title": "楼上噪音扰民纠纷调解案",
        },
        "双方互留联系方式，遇事先沟通",
    ],
    "laws": [{"citation": "《中华人民共和国民法典》第二百八十八条", "reason": "相邻关系"}],
    "experts": [{"id": "e1", "name": "孟律师"}],  # the rest of the assistant's answer is ignored
}


def test_suggestions_appear_only_where_given_and_each_is_marked():
    texts = lines(opened(settled(), "agreement", suggestions=SUGGESTIONS))
    clause = line_with(texts, "被申请人在卧室地面铺设隔音地垫")
    assert clause.endswith(MARK) and "楼上噪音扰民纠纷调解案" in clause
    assert line_with(texts, "双方互留联系方式").endswith(MARK)
    assert line_with(texts, "民法典》第二百八十八条", "相邻关系").endswith(MARK)
    # never numbered among the agreed terms
    assert not any(t.startswith("三、") for t in texts)
    assert not any("孟律师" in t for t in texts)

    without = lines(opened(settled(), "agreement"))
    assert not any("系统建议" in t for t in without)
    assert not any(
        "系统建议" in t for t in lines(opened(settled(), "application", suggestions=SUGGESTIONS))
    )


def test_suggestions_are_marked_in_markdown_and_html_too():
    document = dispute_document(settled(), "agreement", suggestions=SUGGESTIONS)
    assert f"双方互留联系方式，遇事先沟通{MARK}" in to_markdown(document)
    assert f"双方互留联系方式，遇事先沟通{MARK}" in to_html(document)


def test_suggestions_of_the_wrong_shape_say_what_to_fix():
    with pytest.raises(InvalidInputError, match="agreement_suggestions 应为列表") as caught:
        dispute_document(
            settled(), "agreement", suggestions={"agreement_suggestions": "一次性付清"}
        )
    assert caught.value.field == "suggestions"


def test_an_unknown_kind_names_the_kinds():
    with pytest.raises(InvalidInputError) as caught:
        dispute_document(settled(), "contract")
    assert caught.value.field == "kind"
    for code, title in KINDS.items():
        assert code in caught.value.detail and title in caught.value.detail
    assert dispute_document(settled(), "人民调解协议书").title == "人民调解协议书"


def test_html_and_markdown_carry_the_same_document():
    document = dispute_document(settled(), "register")
    markdown = to_markdown(document)
    assert markdown.startswith("# 受理登记表\n\n编号：（2026）南关调字第15号")
    assert "| 纠纷类型 | 邻里纠纷 |" in markdown
    page = to_html(document)
    assert "<h1>受理登记表</h1>" in page and "@page { size: A4;" in page
    assert "<td>邻里纠纷</td>" in page and "13904315678" in page

    agreement = to_html(dispute_document(settled(), "agreement"))
    assert (
        "一、李秀英分两期向王建国支付补偿款3000元。履行方式：分两期履行；履行期限：2026年4月10日前。"
        in agreement
    )
    assert "本协议一式三份" in agreement


# -- the generated register --------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> list[DisputeRecord]:
    """Fifty generated disputes, every status among them, taken in turn status by status."""
    generated = generate(seed=29, start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30), scale=0.05)
    by_status: dict[str, list[dict[str, Any]]] = {}
    for data in generated:
        by_status.setdefault(data["status"], []).append(data)
    assert set(by_status) == set(STATUSES.terms)
    in_turn = itertools.chain.from_iterable(itertools.zip_longest(*by_status.values()))
    picked = [d for d in in_turn if d is not None][:50]
    return [as_record(d, serial=n) for n, d in enumerate(picked, 1)]


def test_every_kind_renders_for_a_generated_register_of_every_status(sample):
    assert len(sample) == 50 and {r.status for r in sample} == set(STATUSES.terms)
    kinds = list(KINDS)
    for n, record in enumerate(sample):
        for kind in kinds:
            document = dispute_document(record, kind)
            markdown = to_markdown(document)
            assert "None" not in markdown, (record.number, kind)
            assert all(p.name in markdown for p in record.parties)
            if kind == "agreement":
                terms = [line for line in markdown.splitlines() if "履行期限：" in line]
                assert len(terms) == (len(record.agreement) or 3)
        if n < 2 * len(kinds):
            # Word and HTML for the first records: every status, every kind twice
            document = dispute_document(record, kinds[n % len(kinds)])
            texts = lines(docx.Document(io.BytesIO(to_docx(document))))
            assert texts[0] == document.title and "None" not in "\n".join(texts)
            assert f"<h1>{document.title}</h1>" in to_html(document)
