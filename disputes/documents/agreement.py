"""人民调解协议书 and 司法确认申请书.

The agreement carries every element of 人民调解法 第二十九条: the parties'
particulars; the main facts, the matters in dispute and each side's
responsibility; the agreed terms with the manner and deadline of performance;
the parties' signatures (or seals, or fingerprints), the mediator's signature
and the committee's seal; one copy for each party and one kept by the
committee (for two parties: 一式三份).

The application for judicial confirmation follows 民事诉讼法 第二百零五条: both
parties, jointly, within thirty days of the agreement taking effect, to the
basic people's court where the committee is (or where a party lives or the
property lies).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from disputes.documents.common import (
    BLANK,
    blank_lines,
    chinese_number,
    cn_date,
    named_parties,
    or_blank,
    particulars,
    party_paragraphs,
    party_signatures,
    signature_line,
)
from disputes.documents.suggestions import suggestion_section
from disputes.documents.terms import term_paragraphs
from disputes.schema import DisputeRecord
from kb_service.export import Block, ListBlock, Paragraph, Section, text_blocks
from kb_service.vocabularies import DISPUTE_TYPES

MEDIATION_LAW = "《中华人民共和国人民调解法》"
CIVIL_PROCEDURE_LAW = "《中华人民共和国民事诉讼法》"
CONFIRMATION_DAYS = 30
AGREED = frozenset({"success", "partial"})
SIGN_SEAL_OR_FINGERPRINT = "签名、盖章或按指印"
"""人民调解法 第二十九条: the parties sign, seal or press a fingerprint."""


def agreement_date(record: DisputeRecord) -> dt.date | None:
    """When the agreement was reached: the closing date of a dispute settled by agreement."""
    return record.closed_on if record.status in AGREED else None


def confirmation_deadline(effective: dt.date) -> dt.date:
    """The last day to apply: thirty days counted from the day after the agreement took effect."""
    return effective + dt.timedelta(days=CONFIRMATION_DAYS)


def copies_clause(party_count: int) -> str:
    """One copy for each party and one for the committee (人民调解法 第二十九条)."""
    if party_count == 2:
        return "本协议一式三份，双方当事人、人民调解委员会各执一份。"
    copies = chinese_number(party_count + 1)
    return f"本协议一式{copies}份，各方当事人各执一份，人民调解委员会留存一份。"


def _dispute_blocks(record: DisputeRecord) -> list[Block]:
    return [
        Paragraph("纠纷主要事实：", bold=True),
        *(text_blocks(record.description) or blank_lines()),
        Paragraph("争议事项：", bold=True),
        *(text_blocks(record.claims) or blank_lines()),
        Paragraph("各方责任：", bold=True),
        *blank_lines(),
    ]


def _effect_blocks(record: DisputeRecord) -> list[Block]:
    return [
        Paragraph(
            "本协议自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会印章之日起生效。"
        ),
        Paragraph(f"本协议具有法律约束力，当事人应当按照约定履行（{MEDIATION_LAW}第三十一条）。"),
        Paragraph(
            f"双方当事人认为有必要的，可以自本协议生效之日起三十日内共同向人民法院申请司法确认"
            f"（{MEDIATION_LAW}第三十三条、{CIVIL_PROCEDURE_LAW}第二百零五条）；人民法院依法确认"
            "协议有效后，一方当事人拒绝履行或者未全部履行的，对方当事人可以向人民法院申请强制执行。"
        ),
        Paragraph(
            "当事人之间就本协议的履行或者内容发生争议的，一方当事人可以向人民法院提起诉讼"
            f"（{MEDIATION_LAW}第三十二条）。"
        ),
        Paragraph(copies_clause(len(record.parties))),
    ]


def agreement_sections(
    record: DisputeRecord, suggestions: Mapping[str, Any] | None = None
) -> list[Section]:
    """人民调解协议书; the assistant's suggestions, where given, in a marked section of their own."""
    parties: list[Block] = [*party_paragraphs(named_parties(record))]
    both = "双方" if len(record.parties) == 2 else "各方"
    opening = Paragraph(
        f"上列当事人因{_type_label(record)}，经{or_blank(record.committee)}主持调解，"
        f"在查明事实、分清责任的基础上，{both}自愿达成如下协议："
    )
    sections = [
        Section("当事人基本情况", parties),
        Section("纠纷主要事实、争议事项及各方责任", _dispute_blocks(record)),
        Section("协议内容", [opening, *term_paragraphs(record.agreement)]),
    ]
    suggested = suggestion_section(suggestions)
    if suggested is not None:
        sections.append(suggested)
    signatures = [
        *party_signatures(named_parties(record), how=SIGN_SEAL_OR_FINGERPRINT),
        signature_line("人民调解员", name=record.mediator),
        Paragraph(f"{or_blank(record.committee)}（印章）", align="right"),
        Paragraph(cn_date(agreement_date(record)), align="right"),
    ]
    sections += [Section("协议的效力", _effect_blocks(record)), Section("签名盖章", signatures)]
    return sections


def _type_label(record: DisputeRecord) -> str:
    code = record.dispute_type
    return DISPUTE_TYPES.label(code).split("（")[0] if code in DISPUTE_TYPES.terms else "纠纷"


def confirmation_sections(record: DisputeRecord) -> list[Section]:
    """司法确认申请书: both parties apply together, within 30 days, to the named court."""
    applicants = [
        Paragraph(f"申请人（调解中为{role}）：{particulars(party)}")
        for role, party in named_parties(record)
    ]
    reached = agreement_date(record)
    number = record.number
    request = (
        f"请求依法确认申请人于{cn_date(reached)}经{or_blank(record.committee)}主持调解达成的"
        f"人民调解协议（编号：{number}）有效。"
    )
    timing = [
        Paragraph(
            f"依照{MEDIATION_LAW}第三十三条、{CIVIL_PROCEDURE_LAW}第二百零五条的规定，"
            "申请人自调解协议生效之日起三十日内共同提出本申请。"
        )
    ]
    if reached is not None:
        timing.append(
            Paragraph(
                f"本协议于{cn_date(reached)}生效，申请应于{cn_date(confirmation_deadline(reached))}"
                "前（含当日）提出。"
            )
        )
    reasons: list[Block] = [
        Paragraph(
            f"申请人因{_type_label(record)}，于{cn_date(record.received)}"
            f"向{or_blank(record.committee)}申请调解。经调解，双方自愿达成人民调解协议，协议内容如下："
        ),
        *term_paragraphs(record.agreement),
        *timing,
    ]
    declarations = ListBlock(
        [
            "申请人出于真实意愿达成调解协议，没有受到欺诈、胁迫；",
            "协议内容不违反法律、行政法规的强制性规定，不损害国家利益、社会公共利益和他人合法权益；",
            "申请人提交的证明材料真实、合法；",
            "申请人知悉虚假调解、恶意串通损害他人权益应当承担的法律后果。",
        ],
        ordered=True,
    )
    court = record.confirmation.court if record.confirmation else None
    addressed = [
        Paragraph("此致"),
        Paragraph(court or f"{BLANK}人民法院"),
        Paragraph(
            "（受理法院：调解委员会所在地的基层人民法院，或当事人住所地、标的物所在地的基层人民法院）"
        ),
    ]
    attachments = ListBlock(
        [
            "人民调解协议书一份",
            "双方当事人的身份证明材料",
            "与调解协议有关的财产权利证明等材料（如有）",
        ],
        ordered=True,
    )
    applied_on = record.confirmation.applied_on if record.confirmation else None
    signatures = [
        *party_signatures(named_parties(record), how=SIGN_SEAL_OR_FINGERPRINT, as_role="申请人"),
        Paragraph(f"申请日期：{cn_date(applied_on)}", align="right"),
    ]
    return [
        Section("申请人基本情况", applicants),
        Section("请求事项", [Paragraph(request)]),
        Section("事实和理由", reasons),
        Section("申请人声明", [declarations]),
        Section("受理法院", addressed),
        Section("附件", [attachments]),
        Section("申请人签名", signatures),
    ]
