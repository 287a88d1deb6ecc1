"""Exporting courses and reports: one document model, three renderers.

Courses (``training/courses.py``) and 类案检索报告 (``cases/report.py``) build
an :class:`ExportDocument` — title, subtitle, meta lines, sections with
headings, paragraphs, bullet or numbered lists and tables — and never write a
format themselves. The model is rendered to

- Markdown (``str``): the layout, written once in :func:`to_markdown`;
- HTML (``str``): that same Markdown through the ``markdown`` package, in a
  small Chinese page (``<meta charset="utf-8">``, print-friendly style);
- DOCX (``bytes``): python-docx with real Word headings (标题 1–4) and list
  styles, so a trainer can edit the file in Word or WPS.

Charts (:class:`Figure`, PNG drawn server-side) go into all three: as
``data:`` images in Markdown and HTML, as pictures in DOCX.

Headings: the document title is level 1, sections level 2, subsections 3 and 4.

Formal documents (文书: the register's 人民调解协议书 and its siblings) set
``page`` to a :class:`PageStyle`: A4 paper with 公文 margins, Chinese fonts set
for East-Asian text (仿宋 body, 黑体 title and headings), a centred title and
black headings; the HTML page then prints on A4 too. Without it a document
renders as before. A :class:`Paragraph` may be aligned (signature and date
lines to the right); only DOCX shows it.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Format = Literal["md", "html", "docx"]
MEDIA_TYPES: dict[Format, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
MAX_HEADING_LEVEL = 4


Align = Literal["left", "center", "right"]


@dataclass
class Paragraph:
    text: str
    bold: bool = False
    align: Align | None = None
    """DOCX only: Markdown has no alignment, and the HTML page follows the Markdown."""


@dataclass
class ListBlock:
    items: list[str]
    ordered: bool = False


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass
class Figure:
    """A chart or picture (PNG bytes), rendered server-side, with its caption under it.

    Markdown and HTML embed it as a ``data:`` URI (one self-contained file);
    DOCX as an inline picture ``width_cm`` wide.
    """

    png: bytes
    caption: str
    width_cm: float = 15.0


Block = Paragraph | ListBlock | Table | Figure


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class PageStyle:
    """How a formal document looks on paper: A4, margins, Chinese fonts, sizes.

    The defaults follow the layout of Chinese official documents (GB/T 9704):
    top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; body 仿宋 四号 (14 pt), title
    二号 (22 pt). 黑体 and 仿宋 come with every Chinese Windows and WPS; Word
    substitutes a near font where they are missing.
    """

    paper: Literal["A4"] = "A4"
    top_cm: float = 3.7
    bottom_cm: float = 3.5
    left_cm: float = 2.8
    right_cm: float = 2.6
    body_font: str = "仿宋"
    heading_font: str = "黑体"
    title_font: str = "黑体"
    latin_font: str = "Times New Roman"
    """Digits and Latin letters (ID numbers, phones) in the body."""
    body_pt: float = 14
    heading_pt: float = 14
    title_pt: float = 22
    line_spacing: float = 1.5


PAPER_CM: dict[str, tuple[float, float]] = {"A4": (21.0, 29.7)}
FORMAL = PageStyle()


@dataclass
class ExportDocument:
    title: str
    subtitle: str | None = None
    meta: list[str] = field(default_factory=list)
    """Short lines under the title: 生成时间、时长、检索条件 …"""
    sections: list[Section] = field(default_factory=list)
    page: PageStyle | None = None
    """A formal document's paper and fonts (:data:`FORMAL`); None: the plain report layout."""


_BULLET = re.compile(r"^[-*•·]\s+")
# digits only: 一、二、 open prose points that run on in the same line (一、…？二、…？)
_NUMBERED = re.compile(r"^\s*\d{1,2}\s*[.、．)）](?!\d)\s*")


def text_blocks(text: str | None) -> list[Block]:
    """Stored text as blocks: one paragraph per line; lines numbered 1. 2. … become a
    numbered list and lines marked - or • a bullet list.

    Agreements are written as numbered clauses; keeping them a real list keeps
    Word's numbering instead of hard-typed digits.
    """
    blocks: list[Block] = []
    for line in (line.strip() for line in (text or "").splitlines()):
        if not line:
            continue
        ordered = bool(_NUMBERED.match(line))
        if not ordered and not _BULLET.match(line):
            blocks.append(Paragraph(line))
            continue
        item = (_NUMBERED if ordered else _BULLET).sub("", line, count=1)
        if blocks and isinstance(blocks[-1], ListBlock) and blocks[-1].ordered == ordered:
            blocks[-1].items.append(item)
        else:
            blocks.append(ListBlock([item], ordered=ordered))
    return blocks


# -- Markdown -----------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]])")
_MD_BLOCK_MARK = re.compile(r"^([#>+\-])")
_MD_ORDERED_MARK = re.compile(r"^(\d+)\.")


def _md_text(
    text: str, *, for_html: bool, where: Literal["block", "inline", "cell"] = "block"
) -> str:
    """Text that Markdown shows as written: one line, markup characters escaped.

    ``block``: text starting a paragraph or list item, where ``1.``, ``-`` or
    ``#`` would start a list or heading; ``inline``: after ``#`` or ``**``;
    ``cell``: a table cell, where ``|`` ends the cell. For the HTML page the
    text is HTML-escaped as well, because Markdown passes raw HTML through and
    stored texts must never become markup on a web page.
    """
    text = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    if where == "block":
        text = _MD_ORDERED_MARK.sub(r"\1\\.", _MD_BLOCK_MARK.sub(r"\\\1", text))
    elif where == "cell":
        text = text.replace("|", "\\|")
    return html.escape(text, quote=False) if for_html else text


def _md_table(table: Table, esc) -> str:
    def row(cells: list[str]) -> str:
        return "| " + " | ".join(esc(c, "cell") for c in cells) + " |"

    separator = "| " + " | ".join("---" for _ in table.header) + " |"
    return "\n".join([row(table.header), separator, *(row(r) for r in table.rows)])


def _md_blocks(blocks: Iterable[Block], esc) -> list[str]:
    out: list[str] = []
    previous: Block | None = None
    for block in blocks:
        if isinstance(block, ListBlock) and isinstance(previous, ListBlock):
            # without something between them Markdown joins two lists into one
            out.append("<!-- -->")
        previous = block
        if isinstance(block, Paragraph):
            out.append(f"**{esc(block.text, 'inline')}**" if block.bold else esc(block.text))
        elif isinstance(block, ListBlock):
            marks = (f"{n}." if block.ordered else "-" for n in range(1, len(block.items) + 1))
            out.append(
                "\n".join(
                    f"{mark} {esc(item)}" for mark, item in zip(marks, block.items, strict=True)
                )
            )
        elif isinstance(block, Figure):
            uri = "data:image/png;base64," + base64.b64encode(block.png).decode("ascii")
            alt = re.sub(r"[\[\]\\]", "", block.caption)  # nothing that could close the alt text
            out.append(f"![{esc(alt, 'cell')}]({uri})")
            out.append(esc(block.caption))
        else:
            out.append(_md_table(block, esc))
    return out


def _md_section(section: Section, level: int, esc) -> list[str]:
    level = min(level, MAX_HEADING_LEVEL)
    out = [f"{'#' * level} {esc(section.heading, 'inline')}", *_md_blocks(section.blocks, esc)]
    for sub in section.subsections:
        out.extend(_md_section(sub, level + 1, esc))
    return out


def to_markdown(document: ExportDocument, *, for_html: bool = False) -> str:
    """The document as Markdown (``for_html``: also HTML-escaped, for :func:`to_html`)."""

    def esc(text: str, where: Literal["block", "inline", "cell"] = "block") -> str:
        return _md_text(text, for_html=for_html, where=where)

    out = [f"# {esc(document.title, 'inline')}"]
    if document.subtitle:
        out.append(f"**{esc(document.subtitle, 'inline')}**")
    if document.meta:
        # two trailing spaces: a line break inside one paragraph
        out.append("  \n".join(esc(line) for line in document.meta))
    for section in document.sections:
        out.extend(_md_section(section, 2, esc))
    return "\n\n".join(out) + "\n"


# -- HTML ---------------------------------------------------------------------------
_STYLE = """
body { font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "SimSun", sans-serif;
       line-height: 1.75; color: #222; margin: 0; }
main { max-width: 46em; margin: 0 auto; padding: 1.5em 1em 3em; }
h1 { font-size: 1.6em; border-bottom: 2px solid #444; padding-bottom: .3em; }
h2 { font-size: 1.3em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.1em; margin-top: 1.2em; }
h4 { font-size: 1em; }
table { border-collapse: collapse; margin: .8em 0; }
th, td { border: 1px solid #999; padding: .3em .6em; text-align: left; }
@media print { main { max-width: none; padding: 0; } h2, h3 { page-break-after: avoid; }
               a { color: inherit; text-decoration: none; } }
"""


def _page_css(page: PageStyle) -> str:
    """Printing a formal document from the browser: its paper and margins, the title centred."""
    return (
        f"@page {{ size: {page.paper}; margin: {page.top_cm}cm {page.right_cm}cm "
        f"{page.bottom_cm}cm {page.left_cm}cm; }}\nh1 {{ text-align: center; }}\n"
    )


def to_html(document: ExportDocument) -> str:
    """A standalone Chinese HTML page, the body rendered from the Markdown."""
    import markdown

    body = markdown.markdown(to_markdown(document, for_html=True), extensions=["tables"])
    style = _STYLE + (_page_css(document.page) if document.page else "")
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(document.title)}</title>\n<style>{style}</style>\n"
        f"</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


# -- DOCX ---------------------------------------------------------------------------
_CJK_FONT = "宋体"
_CJK_HEADING_FONT = "黑体"


def _east_asian_font(style, name: str) -> None:
    """Word picks Chinese glyphs from the eastAsia font, which python-docx does not set.

    The template's headings name a theme font (``w:eastAsiaTheme``), which Word
    prefers to ``w:eastAsia``: it goes, or the font set here would never show.
    """
    from docx.oxml.ns import qn

    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.attrib.pop(qn("w:eastAsiaTheme"), None)


def _formal_style(style, east_asian: str, latin: str, size_pt: float) -> None:
    """One font for every script, black, at ``size_pt``: no theme fonts or colours left."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    _east_asian_font(style, east_asian)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    style.font.name = latin  # sets w:ascii and w:hAnsi
    style.font.size = Pt(size_pt)
    style.font.color.rgb = RGBColor(0, 0, 0)


def _apply_page(doc, page: PageStyle) -> None:
    """A4 paper, margins, and the formal fonts on the body, heading and title styles."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    width, height = PAPER_CM[page.paper]
    for section in doc.sections:
        section.page_width, section.page_height = Cm(width), Cm(height)
        section.top_margin, section.bottom_margin = Cm(page.top_cm), Cm(page.bottom_cm)
        section.left_margin, section.right_margin = Cm(page.left_cm), Cm(page.right_cm)
    normal = doc.styles["Normal"]
    _formal_style(normal, page.body_font, page.latin_font, page.body_pt)
    normal.paragraph_format.line_spacing = page.line_spacing
    normal.paragraph_format.space_after = Pt(0)
    for n in range(2, MAX_HEADING_LEVEL + 1):
        _formal_style(
            doc.styles[f"Heading {n}"], page.heading_font, page.latin_font, page.heading_pt
        )
    title = doc.styles["Heading 1"]
    _formal_style(title, page.title_font, page.latin_font, page.title_pt)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(page.title_pt / 2)


def _aligned(paragraph, align: Align | None) -> None:
    if align is None:
        return
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]


def _restarted_numbering(doc) -> int:
    """A fresh numbering instance of the 'List Number' style, so each list starts at 1."""
    numbering = doc.part.numbering_part.element
    style_num_id = doc.styles["List Number"].element.pPr.numPr.numId.val
    abstract_id = numbering.num_having_numId(style_num_id).abstractNumId.val
    num = numbering.add_num(abstract_id)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return num.numId


def _docx_blocks(doc, blocks: Iterable[Block]) -> None:
    for block in blocks:
        if isinstance(block, Paragraph):
            paragraph = doc.add_paragraph()
            paragraph.add_run(block.text).bold = block.bold
            _aligned(paragraph, block.align)
        elif isinstance(block, ListBlock):
            num_id = _restarted_numbering(doc) if block.ordered else None
            for item in block.items:
                paragraph = doc.add_paragraph(
                    item, style="List Number" if block.ordered else "List Bullet"
                )
                if num_id is not None:
                    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                    num_pr.get_or_add_ilvl().val = 0
                    num_pr.get_or_add_numId().val = num_id
        elif isinstance(block, Figure):
            from docx.shared import Cm

            doc.add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
            _aligned(doc.paragraphs[-1], "center")
            _aligned(doc.add_paragraph(block.caption), "center")
        else:
            table = doc.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                cell.paragraphs[0].add_run(text).bold = True
            for row in block.rows:
                for cell, text in zip(table.add_row().cells, row, strict=True):
                    cell.text = text


def _docx_section(doc, section: Section, level: int) -> None:
    doc.add_heading(section.heading, level=min(level, MAX_HEADING_LEVEL))
    _docx_blocks(doc, section.blocks)
    for sub in section.subsections:
        _docx_section(doc, sub, level + 1)


def to_docx(document: ExportDocument) -> bytes:
    """A Word document: 标题 1 for the title, 标题 2–4 for sections, real list styles."""
    import docx

    doc = docx.Document()
    _east_asian_font(doc.styles["Normal"], _CJK_FONT)
    for n in range(1, MAX_HEADING_LEVEL + 1):
        _east_asian_font(doc.styles[f"Heading {n}"], _CJK_HEADING_FONT)
    if document.page:
        _apply_page(doc, document.page)
    doc.core_properties.title = document.title
    doc.add_heading(document.title, level=1)
    # a formal document's subtitle and number (编号) sit centred under the title
    under_title: Align | None = "center" if document.page else None
    if document.subtitle:
        subtitle = doc.add_paragraph()
        subtitle.add_run(document.subtitle).bold = True
        _aligned(subtitle, under_title)
    for line in document.meta:
        _aligned(doc.add_paragraph(line), under_title)
    for section in document.sections:
        _docx_section(doc, section, 2)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def render(document: ExportDocument, fmt: str) -> str | bytes:
    """The document in ``md``, ``html`` (text) or ``docx`` (bytes)."""
    from kb_service.errors import InvalidInputError

    renderers = {"md": to_markdown, "html": to_html, "docx": to_docx}
    if fmt not in renderers:
        raise InvalidInputError(f"不支持的导出格式“{fmt}”，可选：md、html、docx", field="format")
    return renderers[fmt](document)


__all__ = [
    "FORMAL", "MEDIA_TYPES", "Align", "Block", "ExportDocument", "Figure", "Format", "ListBlock",
    "PageStyle", "Paragraph", "Section", "Table", "render", "text_blocks", "to_docx", "to_html",
    "to_markdown",
]  # fmt: skip
