"""The mediator's workbench: what the knowledge base offers for one registered dispute.

    assist(services, record) → {dispute_type_guess, similar_cases, experts, laws,
                                agreement_suggestions, risks, notes}

- **dispute_type_guess**: what kind of dispute the description reads as (the
  cases' type classifier, ``cases/classifier.py``; ``不确定`` when unsure); when
  it names another type than the registered one, ``notes.dispute_type`` asks
  to check it. A hint only: the register keeps what the mediator chose.

- **similar_cases**: model cases like the dispute's (masked) description, of
  its type when the library has such cases, with their summary
  (``CaseLibrary.similar``).
- **experts**: candidates with reasons and the excluded with why
  (``ExpertPool.match``); the dispute's parties and their units drive the
  conflict checks, its region the locality.
- **laws**: articles from the laws domain (``laws.queries.LawLibrary.suggest``);
  an empty list and a note while the laws collection is not indexed.
- **agreement_suggestions**: clauses of the agreements of the most similar
  cases that were settled (``success`` or ``partial``), each marked
  ``建议，仅供参考`` and naming its case; masked like every case text.
- **risks**: the stored alerts behind which stands this dispute (``kb alerts``:
  surges, repeats … with their acknowledgements; the caller passes them in),
  and the rule flags computed on the record now (``alerts.rules.rule_alerts``:
  group, escalation, overdue), each once, most urgent first.

Each part that cannot be had (a collection never indexed, a domain not yet
installed) becomes an empty list and a Chinese note in ``notes``; the others
still come. What goes to the searches is the masked text, never the parties'
particulars.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from disputes.indexing import masked_source
from disputes.schema import DisputeRecord
from kb_service.dispute import DisputeBrief
from kb_service.errors import CollectionNotIndexedError, KBError
from kb_service.masking import mask_numbers
from kb_service.parties import Party
from kb_service.service import Services

log = logging.getLogger("kb_service.disputes")

SUGGESTED = "建议，仅供参考"
SETTLED = ("success", "partial")
MAX_CLAUSES = 6
CLAUSE_CASES = 3
"""Agreement clauses come from at most this many of the most similar settled cases."""


_CLAUSE_SPLIT = re.compile(r"[\n；;]+|(?<=。)")
_CLAUSE_NUMBER = re.compile(r"^\s*(?:\d+\s*[.、．)）]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)\s*")


def dispute_text(record: DisputeRecord) -> str:
    """The masked description and claims: what the workbench searches with."""
    source = masked_source(record)
    claims = source.get("claims")
    return source["description"] + (f"。当事人请求：{claims}" if claims else "")


def assist(
    services: Services, record: DisputeRecord, *, size: int = 5, stored_alerts: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    text = dispute_text(record)
    notes: dict[str, str] = {}
    similar = similar_cases(services, record, text, size=size, notes=notes)
    guess = similar.pop("dispute_type_guess", None)
    _check_registered_type(record, guess, notes)
    return {
        "dispute": {
            "id": record.id,
            "number": record.number,
            "dispute_type": record.dispute_type,
            "status": record.status,
        },
        "dispute_type_guess": guess,
        "similar_cases": similar,
        "experts": matched_experts(services, record, text, size=size, notes=notes),
        "laws": suggest_laws(services, record, text, notes=notes),
        "agreement_suggestions": agreement_suggestions(services, similar["hits"], notes=notes),
        "risks": risk_flags(record, notes=notes, stored=stored_alerts),
        "notes": notes,
    }


def similar_cases(
    services: Services, record: DisputeRecord, text: str, *, size: int, notes: dict[str, str]
) -> dict[str, Any]:
    from cases.queries import CaseFilters, CaseLibrary

    library = CaseLibrary(services)
    try:
        found = library.similar(
            text=text, filters=CaseFilters(dispute_type=[record.dispute_type]), size=size
        )
        if not found["hits"]:  # no case of this type in the library: any type, by meaning
            found = library.similar(text=text, size=size)
    except CollectionNotIndexedError:
        notes["similar_cases"] = "案例库尚未建立索引（kb index）：暂无类似案例"
        return {"total": 0, "hits": [], "summary": None}
    return {
        "total": found["total"],
        "hits": found["hits"],
        "summary": found["summary"],
        "dispute_type_guess": found.get("dispute_type_guess"),
    }


def _check_registered_type(record: DisputeRecord, guess: dict[str, Any] | None, notes: dict[str, str]) -> None:
    """A soft hint when the words describe another kind of dispute than the one registered
    (the cases' classifier, calibrated; silent when it is unsure)."""
    if not guess or not guess.get("dispute_type") or guess["dispute_type"] == record.dispute_type:
        return
    notes["dispute_type"] = (
        f"描述更像{guess['dispute_type_label']}（推断概率 {guess['probability']:.0%}），"
        "请核对登记的纠纷类型（仅供参考）"
    )


def matched_experts(
    services: Services, record: DisputeRecord, text: str, *, size: int, notes: dict[str, str]
) -> dict[str, Any]:
    from experts.queries import ExpertPool

    brief = DisputeBrief(
        id=str(record.id),
        description=text,
        dispute_type=record.dispute_type,
        region=record.region,
        parties=[Party(role=p.role, name=p.name, kind=p.kind, unit=p.unit) for p in record.parties],
    )
    try:
        return ExpertPool(services).match(brief, size=size)
    except CollectionNotIndexedError:
        notes["experts"] = "专家库尚未建立索引（kb index）：暂无推荐专家"
        return {"candidates": [], "excluded": []}


def agreement_suggestions(
    services: Services, hits: list[dict[str, Any]], *, notes: dict[str, str]
) -> list[dict[str, Any]]:
    """Clauses from the agreements of the most similar settled cases, each marked as a suggestion."""
    settled = [h for h in hits if h.get("outcome") in SETTLED][:CLAUSE_CASES]
    if not settled:
        notes.setdefault("agreement_suggestions", "类似案例中没有调解成功的案例：暂无协议条款建议")
        return []
    from cases.indexing import COLLECTION as CASES

    stored = services.store.get_many(CASES, [h["id"] for h in settled])
    suggestions: list[dict[str, Any]] = []
    seen: set[str] = set()
    for hit in settled:
        for clause in clauses(stored.get(hit["id"], {}).get("agreement")):
            if clause in seen:
                continue
            seen.add(clause)
            suggestions.append(
                {"text": clause, "case_id": hit["id"], "title": hit.get("title"), "note": SUGGESTED}
            )
            if len(suggestions) >= MAX_CLAUSES:
                return suggestions
    return suggestions


def clauses(agreement: str | None) -> list[str]:
    """An agreement's terms, one by one, without their numbering; masked once more for safety."""
    if not agreement:
        return []
    found = []
    for piece in _CLAUSE_SPLIT.split(agreement):
        clause = _CLAUSE_NUMBER.sub("", piece).strip(" ，,。；;")
        if len(clause) >= 6:
            found.append(mask_numbers(clause) + "。")
    return found


def suggest_laws(
    services: Services, record: DisputeRecord, text: str, *, notes: dict[str, str]
) -> list[dict[str, Any]]:
    """Articles for the dispute from the laws domain (``LawLibrary.suggest``)."""
    from laws.queries import LawLibrary

    try:
        found = LawLibrary(services).suggest(text, dispute_type=record.dispute_type)
    except CollectionNotIndexedError:
        notes["laws"] = "法条库尚未建立索引（kb index）：暂无法条建议"
        return []
    except KBError as exc:
        notes["laws"] = f"法条建议暂不可用：{exc.detail}"
        return []
    return found["articles"]


def risk_flags(
    record: DisputeRecord, *, notes: dict[str, str], stored: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The stored alerts of this dispute, then group, escalation and overdue flags computed now
    (an alert already stored is not repeated)."""
    from alerts.rules import rule_alerts

    stored = list(stored or [])
    try:
        found = rule_alerts(
            [record.as_dict(contact=False, history=False)],
            as_of=dt.date.today(),
            kinds=("group", "escalation", "overdue"),
        )
    except Exception as exc:  # another team's rules must not take the workbench down
        log.warning("风险提示计算失败（%s）：纠纷 id %s", type(exc).__name__, record.id)
        notes["risks"] = "风险提示暂不可用"
        return stored
    known = {a["id"] for a in stored}
    from alerts.model import level_rank

    flags = stored + [alert.to_dict() for alert in found if alert.id not in known]
    return sorted(flags, key=lambda a: -level_rank(a["level"]))
