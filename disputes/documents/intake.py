"""Intake documents: 人民调解申请书 (what the applicant asks) and 受理登记表 (what was registered)."""

from __future__ import annotations

from disputes.documents.common import (
    BLANK,
    PERSON_SIGNS,
    blank_lines,
    cn_date,
    named_parties,
    named_sides,
    or_blank,
    particulars,
    party_paragraphs,
    party_signatures,
    signature_line,
    yuan,
)
from disputes.schema import STATUSES, DisputeRecord
from kb_service.export import Block, Paragraph, Section, Table, text_blocks
from kb_service.vocabularies import CHANNELS, DISPUTE_TYPES, ORG_LEVELS, Vocabulary


def _label(vocabulary: Vocabulary, code: str | None) -> str:
    return vocabulary.label(code) if code in vocabulary.terms else or_blank(code)


def _text_or_blank(text: str | None) -> list[Block]:
    return text_blocks(text) or list(blank_lines())


def application_sections(record: DisputeRecord) -> list[Section]:
    """人民调解申请书: who applies against whom, what they ask, why; signed and dated."""
    applicants, respondents, others = named_sides(record)
    parties: list[Block] = [*party_paragraphs(applicants)]
    parties += party_paragraphs(respondents) or [Paragraph(f"被申请人：{BLANK}")]
    parties += party_paragraphs(others)
    closing = [
        Paragraph("申请人自愿申请人民调解，保证以上所述情况属实。"),
        Paragraph("此致"),
        Paragraph(or_blank(record.committee)),
        *party_signatures(applicants, how=PERSON_SIGNS),
        Paragraph(f"申请日期：{cn_date(record.received)}", align="right"),
    ]
    return [
        Section("当事人基本情况", parties),
        Section("申请事项", _text_or_blank(record.claims)),
        Section("事实和理由", _text_or_blank(record.description)),
        Section("申请人签名", closing),
    ]


def register_sections(record: DisputeRecord) -> list[Section]:
    """受理登记表: every field the register holds, in one table, and the receiving signatures."""
    rows = [
        ["编号", record.number],
        ["受理日期", cn_date(record.received)],
        ["纠纷来源", _label(CHANNELS, record.channel)],
        ["纠纷类型", _label(DISPUTE_TYPES, record.dispute_type)],
        ["所属地区", or_blank(record.region)],
    ]
    for role, party in named_parties(record):
        kind = "单位" if party.kind == "org" else "个人"
        rows.append([f"{role}（{kind}）", particulars(party)])
    rows += [
        ["涉及人数", f"{record.people_involved} 人" if record.people_involved else BLANK],
        ["涉及金额", yuan(record.amount)],
        ["纠纷简要情况", or_blank(record.description)],
        ["当事人请求", or_blank(record.claims)],
        ["调解组织", or_blank(record.committee)],
        ["组织类别", _label(ORG_LEVELS, record.org_level)],
        ["调解员", or_blank(record.mediator)],
        ["办理状态", _label(STATUSES, record.status)],
    ]
    if record.closed_on:
        rows.append(["结案日期", cn_date(record.closed_on)])
    signatures = [
        signature_line("登记人"),
        Paragraph(f"{or_blank(record.committee)}（盖章）", align="right"),
        Paragraph(cn_date(record.received), align="right"),
    ]
    return [
        Section("登记事项", [Table(["项目", "内容"], rows)]),
        Section("受理意见", [Paragraph("经审查，符合人民调解受理条件，予以受理。"), *signatures]),
    ]
