"""A course as an export document: the schedule, then every item with its content.

The layout is written once here; ``kb_service/export.py`` turns it into
Markdown, HTML or DOCX.
"""

from __future__ import annotations

from kb_service.export import ExportDocument, ListBlock, Paragraph, Section, Table, text_blocks
from kb_service.vocabularies import DISPUTE_TYPES
from training.course_model import Course

_KIND_LABELS = {"material": "培训材料", "case": "案例研讨", "discussion": "分组讨论"}


def _meta(course: Course) -> list[str]:
    lines = [f"主题：{course.topic_label}"]
    if course.dispute_types:
        named = "、".join(DISPUTE_TYPES.label(t) for t in course.dispute_types)
        lines.append(f"纠纷类型：{named}" + ("（由主题推断）" if course.inferred_types else ""))
    if course.audience:
        lines.append(f"培训对象：{course.audience}")
    lines += [
        f"课程时长：{course.total_minutes} 分钟（预算 {course.minutes_budget} 分钟）",
        f"课程编号：{course.id}",
        f"生成时间：{course.created_at}",
    ]
    return lines


def _schedule(course: Course) -> Section:
    rows = [
        [str(n), _KIND_LABELS[item.kind], item.title, str(item.minutes)]
        for n, item in enumerate(course.outline, 1)
    ]
    return Section(
        "课程安排",
        [
            Table(["序号", "环节", "内容", "时长（分钟）"], rows),
            Paragraph(f"合计 {course.total_minutes} 分钟。"),
        ],
    )


def _materials(course: Course) -> Section:
    minutes = {item.ref: item.minutes for item in course.outline}
    parts = [
        Section(
            f"{part.material_title} › {part.section}（{minutes.get(part.ref, 0)} 分钟）",
            [
                Paragraph(f"材料类型：{part.kind_label}；材料编号：{part.material_id}"),
                *text_blocks(part.text),
            ],
        )
        for part in course.materials
    ]
    return Section("培训材料", [], parts)


def _cases(course: Course) -> Section:
    minutes = {item.ref: item.minutes for item in course.outline}
    discussions = {d.case_id: d for d in course.discussions}
    parts = []
    for case in course.cases:
        facts = [
            case.dispute_type_label,
            case.level_label and f"{case.level_label}精品案例",
            case.outcome_label,
            case.region,
        ]
        blocks = [
            Paragraph("；".join(f for f in facts if f) + f"；案例编号：{case.ref}"),
            Paragraph("基本案情", bold=True),
            Paragraph(case.key_facts),
            Paragraph("评析要点", bold=True),
            Paragraph(case.key_issue + "。"),
        ]
        if case.laws:
            blocks += [Paragraph("相关法条", bold=True), ListBlock([_law_line(law) for law in case.laws])]
        subsections = []
        discussion = discussions.get(case.ref)
        if discussion:
            subsections.append(
                Section(
                    f"讨论（{minutes.get(discussion.ref, 0)} 分钟）",
                    [ListBlock(discussion.questions, ordered=True)],
                )
            )
        parts.append(
            Section(f"案例：{case.title}（{minutes.get(case.ref, 0)} 分钟）", blocks, subsections)
        )
    return Section("案例研讨", [Paragraph("案例文本中的个人信息已作脱敏处理。")], parts)


def _law_line(law: dict) -> str:
    """A cited article with its text, or the note saying why there is none."""
    if law.get("text"):
        return f"{law['citation']}：{' '.join(law['text'].split())}"
    return f"{law['citation']}（{law.get('note') or '本库未收录原文'}）"


def course_document(course: Course) -> ExportDocument:
    sections = [_schedule(course)]
    if course.materials:
        sections.append(_materials(course))
    if course.cases:
        sections.append(_cases(course))
    return ExportDocument(
        title=course.title, subtitle="人民调解员培训课程", meta=_meta(course), sections=sections
    )
