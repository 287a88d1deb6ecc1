"""调解笔录 (the mediation session on paper) and 回访记录 (whether the agreement was honoured).

The course of the mediation comes from the register's history (who changed
what, when, and the note they left); what was said in the room is written by
hand into the blank lines, and everyone present signs.
"""

from __future__ import annotations

import datetime as dt

from disputes.documents.common import (
    BLANK,
    blank_lines,
    china_time,
    cn_date,
    cn_time,
    named_parties,
    names,
    or_blank,
    party_signatures,
    signature_line,
)
from disputes.documents.terms import term_paragraphs
from disputes.schema import STATUSES, DisputeRecord, HistoryItem
from kb_service.export import Block, ListBlock, Paragraph, Section, text_blocks

FIELD_LABELS = {
    "received": "受理日期", "dispute_type": "纠纷类型", "region": "所属地区",
    "description": "纠纷简要情况", "parties": "当事人信息", "channel": "纠纷来源",
    "org_level": "组织类别", "mediator": "调解员", "claims": "当事人请求",
    "people_involved": "涉及人数", "amount": "涉及金额", "status": "办理状态",
    "closed_on": "结案日期", "agreement": "协议内容", "follow_up": "回访情况",
    "confirmation": "司法确认情况",
}  # fmt: skip

RESULTS = {
    "success": "经调解，双方当事人自愿达成协议，协议内容如下：",
    "partial": "经调解，双方当事人就部分事项达成协议，协议内容如下：",
    "failed": "经调解，双方当事人未能达成协议。调解员已告知当事人可以依法通过仲裁、诉讼等途径解决。",
    "referred": "本纠纷已引导当事人通过仲裁、诉讼、行政裁决等其他法治途径解决。",
    "withdrawn": "当事人撤回调解申请，调解终止。",
}


def _status_label(code: object) -> str:
    return STATUSES.label(code) if isinstance(code, str) and code in STATUSES.terms else str(code)


def history_line(item: HistoryItem) -> str:
    """2026年3月6日 10:15 周建华：办理状态由“已受理”改为“调解中”（双方同意调解）"""
    if item.action == "created":
        what = "登记受理"
    elif item.action == "status" or item.field == "status":
        what = f"办理状态由“{_status_label(item.old)}”改为“{_status_label(item.new)}”"
    else:
        what = f"修改{FIELD_LABELS.get(item.field or '', item.field or '记录')}"
    note = f"（{item.note}）" if item.note and item.note not in what else ""
    return f"{cn_time(item.at)} {item.actor}：{what}{note}"


def mediation_began(record: DisputeRecord) -> dt.date | None:
    """The day the dispute went into mediation, as the history records it."""
    for item in record.history or []:
        if item.field == "status" and item.new == "mediating":
            return china_time(item.at).date()
    return None


def record_sections(record: DisputeRecord) -> list[Section]:
    """调解笔录: time, place, who was there, the notice given, the course, the result, signatures."""
    parties = named_parties(record)
    present = "、".join(f"{role}{party.name}" for role, party in parties) or BLANK
    basics = [
        Paragraph(f"时间：{cn_date(mediation_began(record))} ____时____分至____时____分"),
        Paragraph(f"地点：{BLANK}"),
        Paragraph(f"调解员：{or_blank(record.mediator)}"),
        Paragraph(f"记录人：{BLANK}"),
        Paragraph(f"到场人员：{present}"),
        Paragraph(f"其他参加人员：{BLANK}"),
    ]
    notice = Paragraph(
        "调解员告知：人民调解遵循自愿、平等、合法的原则，不收取任何费用；当事人有权选择或者"
        "接受调解员，有权要求调解公开或者不公开进行，有权表达意愿、自愿达成调解协议，也有权"
        "拒绝调解或者要求终止调解；当事人应当如实陈述纠纷事实，遵守调解现场秩序，尊重对方"
        "当事人行使权利。当事人是否听清楚？是否申请调解员回避？"
    )
    answers = [Paragraph(f"{role}{party.name}：{BLANK}") for role, party in parties]
    course: list[Block] = []
    if record.history:
        course.append(ListBlock([history_line(item) for item in record.history]))
    course += [Paragraph("调解情况记录：", bold=True), *blank_lines(5)]
    result: list[Block] = [Paragraph(RESULTS.get(record.status, BLANK))]
    if record.status in ("success", "partial"):
        result += term_paragraphs(record.agreement)
    present_signatures = [
        Paragraph("以上笔录已经到场人员阅看（或者向其宣读），确认与所述一致。"),
        *party_signatures(parties),
        signature_line("调解员", name=record.mediator),
        signature_line("记录人"),
    ]
    return [
        Section("基本情况", basics),
        Section("告知事项", [notice, *answers]),
        Section("纠纷情况", text_blocks(record.description) or blank_lines()),
        Section("调解经过", course),
        Section("调解结果", result),
        Section("签名", present_signatures),
    ]


def _visitor(record: DisputeRecord) -> str | None:
    """Who recorded the follow-up: the last history entry that changed it."""
    for item in reversed(record.history or []):
        if item.field == "follow_up":
            return item.actor
    return None


def followup_sections(record: DisputeRecord) -> list[Section]:
    """回访记录: when, who visited whom, whether the agreement was honoured, signatures."""
    follow_up = record.follow_up
    honoured = follow_up.honoured if follow_up else None
    if honoured is None:
        honoured_text = "□已按协议履行　□部分履行　□未履行"
    else:
        honoured_text = "已按协议履行" if honoured else "未按协议履行"
    deadlines = [t.deadline for t in record.agreement if t.deadline]
    basics = [
        Paragraph(f"当事人：{names(record.parties)}"),
        Paragraph(
            f"调解结果：{_status_label(record.status)}（结案日期：{cn_date(record.closed_on)}）"
        ),
        Paragraph(f"协议最后履行期限：{cn_date(max(deadlines)) if deadlines else BLANK}"),
        Paragraph(f"回访日期：{cn_date(follow_up.date if follow_up else None)}"),
        Paragraph(f"回访方式：{BLANK}（电话、上门、约谈等）"),
        Paragraph(f"回访人：{or_blank(_visitor(record))}"),
        Paragraph(f"被回访人：{BLANK}"),
    ]
    outcome: list[Block] = [Paragraph(f"协议履行情况：{honoured_text}")]
    note = follow_up.note if follow_up else None
    outcome += [Paragraph("回访情况说明：", bold=True), *(text_blocks(note) or blank_lines())]
    terms: list[Block] = (
        term_paragraphs(record.agreement)
        if record.agreement
        else [Paragraph("本纠纷未达成调解协议。")]
    )
    signatures = [signature_line("回访人", name=_visitor(record)), signature_line("被回访人")]
    return [
        Section("回访对象", basics),
        Section("协议内容", terms),
        Section("回访结果", outcome),
        Section("签名", signatures),
    ]
