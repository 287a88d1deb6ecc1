"""The shared export machinery: one document model rendered to Markdown, HTML and DOCX."""

from __future__ import annotations

import io

import docx
import pytest

from kb_service.errors import InvalidInputError
from kb_service.export import (
    MEDIA_TYPES,
    ExportDocument,
    ListBlock,
    Paragraph,
    Section,
    Table,
    render,
    text_blocks,
    to_docx,
    to_html,
    to_markdown,
)


@pytest.fixture
def document() -> ExportDocument:
    return ExportDocument(
        title="欠薪纠纷专题培训",
        subtitle="人民调解员培训课程",
        meta=["课程时长：60 分钟", "生成时间：2024-05-01"],
        sections=[
            Section(
                "课程安排",
                [Table(["环节", "时长（分钟）"], [["培训材料", "20"], ["案例研讨|讨论", "15"]])],
            ),
            Section(
                "案例研讨",
                [
                    Paragraph("基本案情", bold=True),
                    Paragraph("包工头失联，23 名农民工被拖欠工资。"),
                ],
                [
                    Section(
                        "讨论",
                        [ListBlock(["谁是清偿责任主体？", "协议如何保障履行？"], ordered=True)],
                        [Section("第四级", [ListBlock(["甲"])], [Section("第五级仍是四级标题")])],
                    )
                ],
            ),
        ],
    )


def test_markdown_layout(document):
    text = to_markdown(document)
    assert text.startswith(
        "# 欠薪纠纷专题培训\n\n**人民调解员培训课程**\n\n课程时长：60 分钟  \n生成时间"
    )
    assert "\n## 课程安排\n" in text and "\n### 讨论\n" in text and "\n#### 第四级\n" in text
    assert "\n#### 第五级仍是四级标题" in text  # Word and HTML stop at level 4
    assert "| 环节 | 时长（分钟） |\n| --- | --- |\n| 培训材料 | 20 |" in text
    assert "案例研讨\\|讨论" in text
    assert "1. 谁是清偿责任主体？\n2. 协议如何保障履行？" in text


def test_headings_are_not_escaped_like_paragraphs():
    doc = ExportDocument("标题", sections=[Section("1. 第一件相似案例", [Paragraph("正文")])])
    assert "\n## 1. 第一件相似案例\n" in to_markdown(doc)
    assert "<h2>1. 第一件相似案例</h2>" in to_html(doc)


def test_markdown_escapes_what_would_become_markup():
    doc = ExportDocument(
        "标题",
        sections=[Section("节", [Paragraph("1. 不是列表"), Paragraph("# 不是标题 *也不斜体*")])],
    )
    text = to_markdown(doc)
    assert "\n## 节\n" in text
    assert "1\\. 不是列表" in text and "\\# 不是标题 \\*也不斜体\\*" in text


def test_html_page_is_chinese_utf8_and_escapes_stored_text(document):
    document.sections[1].blocks.append(Paragraph("<script>alert(1)</script> & 1. 开头"))
    page = to_html(document)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert '<meta charset="utf-8">' in page and "@media print" in page
    assert "<title>欠薪纠纷专题培训</title>" in page
    assert (
        "<h1>欠薪纠纷专题培训</h1>" in page
        and "<h2>课程安排</h2>" in page
        and "<h3>讨论</h3>" in page
    )
    assert "<table>" in page and "<td>案例研讨|讨论</td>" in page
    assert "<ol>\n<li>谁是清偿责任主体？</li>" in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 1. 开头" in page


def test_adjacent_lists_stay_separate_in_html():
    doc = ExportDocument(
        "标题",
        sections=[Section("节", [ListBlock(["甲", "乙"]), ListBlock(["一", "二"], ordered=True)])],
    )
    page = to_html(doc)
    assert (
        "<ul>\n<li>甲</li>\n<li>乙</li>\n</ul>" in page
        and "<ol>\n<li>一</li>\n<li>二</li>\n</ol>" in page
    )


def test_docx_has_word_headings_lists_and_tables(document):
    opened = docx.Document(io.BytesIO(to_docx(document)))
    styled = [(p.style.name, p.text) for p in opened.paragraphs]
    assert styled[0] == ("Heading 1", "欠薪纠纷专题培训")
    assert ("Heading 2", "课程安排") in styled and ("Heading 3", "讨论") in styled
    assert ("Heading 4", "第五级仍是四级标题") in styled
    assert ("List Number", "谁是清偿责任主体？") in styled and ("List Bullet", "甲") in styled
    assert opened.core_properties.title == "欠薪纠纷专题培训"
    table = opened.tables[0]
    assert [[c.text for c in row.cells] for row in table.rows][1] == ["培训材料", "20"]


def test_each_numbered_list_in_docx_starts_again_at_one():
    doc = ExportDocument(
        "标题",
        sections=[
            Section(
                "节",
                [
                    ListBlock(["一", "二"], ordered=True),
                    Paragraph("间隔"),
                    ListBlock(["三", "四"], ordered=True),
                ],
            )
        ],
    )
    opened = docx.Document(io.BytesIO(to_docx(doc)))
    num_ids = {
        p.text: p._p.pPr.numPr.numId.val for p in opened.paragraphs if p.style.name == "List Number"
    }
    assert num_ids["一"] == num_ids["二"] != num_ids["三"] == num_ids["四"]


def test_text_blocks_turn_numbered_clauses_into_a_list():
    blocks = text_blocks(
        "双方同意：\n1. 被申请人支付 3000 元；\n2、于五日内付清。\n\n12.5 万元为总额。"
    )
    assert blocks == [
        Paragraph("双方同意："),
        ListBlock(["被申请人支付 3000 元；", "于五日内付清。"], ordered=True),
        Paragraph("12.5 万元为总额。"),
    ]
    assert text_blocks("要点：\n- 先止损\n• 后定责") == [
        Paragraph("要点："),
        ListBlock(["先止损", "后定责"]),
    ]
    assert text_blocks(None) == []


def test_render_picks_the_format_or_says_which_exist(document):
    assert render(document, "md") == to_markdown(document)
    assert render(document, "html") == to_html(document)
    assert isinstance(render(document, "docx"), bytes)
    assert set(MEDIA_TYPES) == {"md", "html", "docx"}
    with pytest.raises(InvalidInputError, match="md、html、docx"):
        render(document, "pdf")


def _png() -> bytes:
    import io

    from matplotlib.figure import Figure as Chart

    chart = Chart(figsize=(2, 1))
    chart.add_subplot().plot([1, 3, 2])
    buffer = io.BytesIO()
    chart.savefig(buffer, format="png")
    return buffer.getvalue()


def test_a_chart_is_a_picture_in_word_and_an_image_in_html_and_markdown():
    import io
    import re

    import docx

    from kb_service.export import ExportDocument, Figure, Section, to_docx, to_html, to_markdown

    document = ExportDocument("研判", sections=[Section("一、总体情况", [Figure(_png(), "图1　受理量 [周] <b>")])])
    word = docx.Document(io.BytesIO(to_docx(document)))
    assert len(word.inline_shapes) == 1 and "图1　受理量 [周] <b>" in [p.text for p in word.paragraphs]
    images = re.findall(r'<img alt="([^"]*)" src="data:image/png;base64,', to_html(document))
    assert images == ["图1 受理量 周 &lt;b&gt;"]  # the caption cannot close the alt text or become markup
    assert "![图1 受理量 周 <b>](data:image/png;base64," in to_markdown(document)
