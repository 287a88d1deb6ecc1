"""Mediation documents from the register (调解文书自动生成; CONTRACT §6 ``kb disputes doc``).

    document = dispute_document(record, "agreement", suggestions=assist_result)
    render(document, "docx")            # kb_service.export: md, html or docx

Each kind is written once as an :class:`~kb_service.export.ExportDocument` in
the formal layout (:data:`~kb_service.export.FORMAL`: A4, 仿宋 body, 黑体
title): 人民调解申请书 and 受理登记表 (:mod:`.intake`), 调解笔录 and 回访记录
(:mod:`.mediation`), 人民调解协议书 and 司法确认申请书 (:mod:`.agreement`).

Documents carry the parties' real particulars: they are for the parties and
the committee, so callers check the role before producing one (CONTRACT §6:
the dispute's committee, coordinators, admins). A value the register does
not hold is a blank to fill by hand (``________``); the assistant's
suggestions appear only where given, marked ``（系统建议，仅供参考）``
(:mod:`.suggestions`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from disputes.documents.agreement import agreement_sections, confirmation_sections
from disputes.documents.intake import application_sections, register_sections
from disputes.documents.mediation import followup_sections, record_sections
from disputes.schema import DisputeRecord
from kb_service.errors import InvalidInputError
from kb_service.export import FORMAL, ExportDocument, Section
from kb_service.vocabularies import Vocabulary

KINDS: dict[str, str] = {
    "application": "人民调解申请书",
    "register": "受理登记表",
    "record": "调解笔录",
    "agreement": "人民调解协议书",
    "confirmation": "司法确认申请书",
    "followup": "回访记录",
}
"""Document kind code → its Chinese title, in the order a dispute meets them."""

_KIND_VOCABULARY = Vocabulary("文书种类", KINDS)

_BUILDERS: dict[str, Callable[[DisputeRecord], list[Section]]] = {
    "application": application_sections,
    "register": register_sections,
    "record": record_sections,
    "confirmation": confirmation_sections,
    "followup": followup_sections,
}


def document_kind(kind: str) -> str:
    """The kind's code, for a code or its Chinese title; InvalidInputError naming the kinds."""
    try:
        return _KIND_VOCABULARY.code(kind)
    except ValueError as exc:
        raise InvalidInputError(str(exc), field="kind") from exc


def dispute_document(
    record: DisputeRecord, kind: str, *, suggestions: Mapping[str, Any] | None = None
) -> ExportDocument:
    """The document ``kind`` (a code of :data:`KINDS` or its title) for a registered dispute.

    ``suggestions``: the assistant's output (``kb disputes assist``); the
    agreement shows its clause and law suggestions, marked as suggestions.
    """
    code = document_kind(kind)
    if code == "agreement":
        sections = agreement_sections(record, suggestions)
    else:
        sections = _BUILDERS[code](record)
    return ExportDocument(
        title=KINDS[code], meta=[f"编号：{record.number}"], sections=sections, page=FORMAL
    )


__all__ = ["KINDS", "dispute_document", "document_kind"]
