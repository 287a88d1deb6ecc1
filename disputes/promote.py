"""Back into the library: a closed, settled dispute becomes a masked model-case draft.

    draft = CaseDrafts(register).promote(dispute_id, actor="…", scope=…)
    CaseDrafts(register).approve(draft["id"], services=…, actor="…", note="…", scope=…)

**The draft** is a case in the library's Markdown format (CONTRACT §2), built
from the register: facts from the description and the claims, the process
from the status changes and the notes in the history, the result from the
status, closing date and follow-up, the agreement's terms with their
deadlines, and a legal basis where the texts cite articles (《…》第…条).
Only ``success`` and ``partial`` disputes are promoted: they are the ones
with an agreement worth learning from.

**Masked before it is stored**: people's names become 王某某 (the platform's
masker, with the parties' names and names after role words), ID, phone and
card numbers become labels, and the parties' ID numbers, phones and
addresses are also replaced wherever the texts repeat them (an address typed
into the description becomes ``[地址]``). Organisations and the mediator's
name stay, as in every case.

**Drafts are a table** (``case_drafts``, migration 0004), beside the dispute
they come from: a coordinator (or admin) approves or rejects each with a
note, and both are kept with who and when. An approved draft is written to
``KB_DATA_DIR/library/cases/{case_id}.md`` (that folder is part of every
``kb index``, so a rebuild keeps it) and indexed into ``cases`` at once. A
dispute has at most one pending or approved draft; after a rejection it may
be promoted again.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from disputes.database import writer
from disputes.models import CaseDraft, Dispute
from disputes.records import EVERYTHING, Scope
from disputes.register import Register
from disputes.schema import STATUSES, DisputeRecord
from kb_service.errors import ConflictError, InvalidInputError, NotFoundError
from kb_service.masking import Masker
from kb_service.vocabularies import DISPUTE_TYPES

PROMOTABLE = ("success", "partial")
DRAFT_STATUSES = {"pending": "待审核", "approved": "已通过", "rejected": "已退回"}
_CITATION = re.compile(r"《[^》]{2,40}》第[一二三四五六七八九十百千零〇两\d]+条")
_SOURCE = "由纠纷登记转化的案例（已脱敏），经协调员审核后收录"


def case_id_for(record: DisputeRecord) -> str:
    return f"case-dispute-{record.id}"


class _Cleaner:
    """Masks one dispute's texts: names, numbers, and the parties' own particulars."""

    def __init__(self, record: DisputeRecord, texts: list[str]) -> None:
        persons = [p.name for p in record.parties if p.kind == "person"]
        self._masker = Masker.for_record(texts, persons)
        self._addresses = sorted({p.address for p in record.parties if p.address and len(p.address) >= 4}, key=len, reverse=True)
        # Numbers are masked by shape first (with the right label); these catch a form the shapes miss.
        self._numbers = [
            (value, label)
            for party in record.parties
            for value, label in ((party.id_number, "[身份证号]"), (party.phone, "[电话]"))
            if value and len(value) >= 6
        ]

    def __call__(self, text: str | None) -> str:
        if not text:
            return ""
        for address in self._addresses:  # before names: an address may hold a word the masker changes
            text = text.replace(address, "[地址]")
        text = self._masker.mask(text) or ""
        for value, label in self._numbers:
            text = text.replace(value, label)
        return text

    def name(self, name: str) -> str:
        return self._masker.mask_name(name)


def _process_lines(record: DisputeRecord) -> list[tuple[str, str | None]]:
    """(what happened, its note) from the history: status changes, and notes on other changes."""
    lines = []
    told: set[tuple[dt.datetime, str | None]] = set()  # one change of several fields is one step
    for entry in record.history or []:
        day = entry.at.date().isoformat()
        if entry.action == "status" and isinstance(entry.new, str) and entry.new in STATUSES.terms:
            lines.append((f"{day}，状态改为“{STATUSES.label(entry.new)}”", entry.note))
        elif entry.action == "updated" and entry.note and (entry.at, entry.note) not in told:
            lines.append((f"{day}，{'记录' if entry.field is None else '更新登记信息'}", entry.note))
        told.add((entry.at, entry.note))
    return lines


def draft_case(record: DisputeRecord) -> tuple[str, dict[str, Any]]:
    """The case (``{id, …, facts, process, …}``) a settled dispute becomes, masked, and its Markdown."""
    if record.status not in PROMOTABLE:
        raise ConflictError(
            f"只有调解成功或部分达成的纠纷可以转为案例；该纠纷当前状态为“{STATUSES.label(record.status)}”"
        )
    process = _process_lines(record)
    texts = [
        record.description,
        record.claims or "",
        *(t.text for t in record.agreement),
        *(note for _, note in process if note),
        record.follow_up.note if record.follow_up and record.follow_up.note else "",
    ]
    clean = _Cleaner(record, texts)
    facts = clean(record.description)
    if record.claims:
        facts += f"\n\n当事人请求：{clean(record.claims)}"
    steps = [f"{what}：{clean(note)}" if note else f"{what}。" for what, note in process]
    result = f"{STATUSES.label(record.status)}"
    if record.closed_on:
        result += f"，于{record.closed_on.isoformat()}结案"
    result += "。"
    if record.follow_up and record.follow_up.honoured is not None:
        result += "回访时协议已履行。" if record.follow_up.honoured else "回访时协议尚未履行。"
    agreement = "\n".join(
        f"{i}. {clean(t.text)}" + (f"（履行期限：{t.deadline.isoformat()}）" if t.deadline else "")
        for i, t in enumerate(record.agreement, start=1)
    )
    legal_basis = list(dict.fromkeys(m.group() for text in texts for m in _CITATION.finditer(text or "")))
    place = record.region.rsplit("/", 1)[-1]
    case: dict[str, Any] = {
        "id": case_id_for(record),
        "title": f"{place}{DISPUTE_TYPES.label(record.dispute_type).split('（')[0]}调解案",
        "dispute_type": record.dispute_type,
        "region": record.region,
        "org_level": record.org_level,
        "date": (record.closed_on or record.received).isoformat(),
        "outcome": record.status,
        "channel": record.channel,
        "amount": record.amount,
        "confirmed": True if record.confirmation is not None else None,
        "honoured": record.follow_up.honoured if record.follow_up else None,
        "mediator": record.mediator,
        "legal_basis": legal_basis or None,
        "tags": ["纠纷登记转化"],
        "parties": [
            {
                "role": p.role or "当事人",
                "name": clean.name(p.name) if p.kind == "person" else p.name,
                "kind": p.kind,
                **({"unit": clean(p.unit)} if p.unit else {}),
            }
            for p in record.parties
        ],
        "source": _SOURCE,
        "facts": facts,
        "process": "\n".join(steps) or "调解员受理后组织双方当事人调解（登记中未记录调解过程，请审核时补充）。",
        "result": result,
        "agreement": agreement or None,
    }
    return to_markdown(case), case


def to_markdown(case: dict[str, Any]) -> str:
    sections = (("facts", "纠纷事实"), ("process", "调解过程"), ("result", "调解结果"), ("agreement", "协议内容"))
    front = {
        k: v for k, v in case.items() if v is not None and k not in {field for field, _ in sections}
    }
    body = [f"## {heading}\n{case[field]}\n" for field, heading in sections if case.get(field)]
    matter = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{matter}---\n" + "\n".join(body)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _as_dict(row: CaseDraft, committee: str | None = None) -> dict[str, Any]:
    return {
        "id": row.id,
        "dispute_id": row.dispute_id,
        "case_id": row.case_id,
        "status": row.status,
        "status_label": DRAFT_STATUSES[row.status],
        "content": row.content,
        "created_at": _aware(row.created_at).isoformat(),
        "created_by": row.created_by,
        "reviewed_at": _aware(row.reviewed_at).isoformat() if row.reviewed_at else None,
        "reviewed_by": row.reviewed_by,
        "review_note": row.review_note,
        **({"committee": committee} if committee else {}),
    }


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class CaseDrafts:
    """The drafts table beside a register; every method takes the caller's scope."""

    def __init__(self, register: Register) -> None:
        self._register = register

    def _session(self, *, write: bool) -> Session:
        engine = self._register.engine
        return Session(writer(engine) if write else engine, expire_on_commit=False)

    def promote(self, dispute_id: int, *, actor: str, scope: Scope = EVERYTHING) -> dict[str, Any]:
        """A pending draft from a settled dispute; ConflictError if it has a pending or approved one."""
        record = self._register.get(dispute_id, scope=scope)
        content, case = draft_case(record)
        with self._session(write=True) as session, session.begin():
            # the dispute row, locked: two promotions of one dispute at once make one draft
            session.scalar(select(Dispute.id).where(Dispute.id == dispute_id).with_for_update())
            earlier = session.scalars(
                select(CaseDraft).where(
                    CaseDraft.dispute_id == dispute_id, CaseDraft.status.in_(("pending", "approved"))
                )
            ).first()
            if earlier is not None:
                raise ConflictError(
                    f"该纠纷已有{DRAFT_STATUSES[earlier.status]}的案例草稿（草稿 id {earlier.id}）：不能重复转化"
                )
            row = CaseDraft(
                dispute_id=dispute_id,
                case_id=case["id"],
                status="pending",
                content=content,
                created_at=_now(),
                created_by=actor,
            )
            session.add(row)
            session.flush()
            return _as_dict(row, record.committee)

    def list(self, *, status: str | None = "pending", scope: Scope = EVERYTHING) -> list[dict[str, Any]]:
        if status is not None and status not in DRAFT_STATUSES:
            raise InvalidInputError("草稿状态应为 pending、approved 或 rejected", field="status")
        statement = (
            select(CaseDraft, Dispute.committee)
            .join(Dispute, Dispute.id == CaseDraft.dispute_id)
            .where(*scope.conditions())
            .order_by(CaseDraft.id.desc())
        )
        if status is not None:
            statement = statement.where(CaseDraft.status == status)
        with self._session(write=False) as session:
            return [_as_dict(row, committee) for row, committee in session.execute(statement)]

    def get(self, draft_id: int, *, scope: Scope = EVERYTHING) -> dict[str, Any]:
        with self._session(write=False) as session:
            row, committee = self._load(session, draft_id, scope)
            return _as_dict(row, committee)

    def _load(self, session: Session, draft_id: int, scope: Scope) -> tuple[CaseDraft, str]:
        found = session.execute(
            select(CaseDraft, Dispute.committee)
            .join(Dispute, Dispute.id == CaseDraft.dispute_id)
            .where(CaseDraft.id == draft_id, *scope.conditions())
        ).first()
        if found is None:
            raise NotFoundError(f"未找到 id 为 {draft_id} 的案例草稿：请检查 id，或确认它属于您的辖区")
        return found[0], found[1]

    def review(
        self,
        draft_id: int,
        decision: str,
        *,
        actor: str,
        note: str | None,
        scope: Scope = EVERYTHING,
        library: Path | None = None,
    ) -> tuple[dict[str, Any], Path | None]:
        """Approve (writing the case file into ``library``) or reject a pending draft, with a note."""
        if decision not in ("approved", "rejected"):
            raise InvalidInputError("审核结果应为 approved 或 rejected", field="decision")
        if decision == "rejected" and not (note and note.strip()):
            raise InvalidInputError("退回草稿时请写明原因（note）", field="note")
        written: Path | None = None
        with self._session(write=True) as session, session.begin():
            row, committee = self._load(session, draft_id, scope)
            if row.status != "pending":
                raise ConflictError(
                    f"该草稿已{DRAFT_STATUSES[row.status]}（{row.reviewed_by}，{row.review_note or '无备注'}）：不能再次审核"
                )
            if decision == "approved":
                if library is None:
                    raise InvalidInputError("通过草稿需要案例库文件夹", field="library")
                written = write_case_file(library, row.case_id, row.content)
            row.status = decision
            row.reviewed_at = _now()
            row.reviewed_by = actor
            row.review_note = note.strip() if note else None
            session.flush()
            return _as_dict(row, committee), written


def write_case_file(library: Path, case_id: str, content: str) -> Path:
    """Check the draft loads as a case, then write it as ``library/cases/{case_id}.md``."""
    from cases.loading import load_cases
    from kb_service.library import Rejection

    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / "cases" / f"{case_id}.md"
        trial.parent.mkdir()
        trial.write_text(content, encoding="utf-8")
        for item in load_cases([Path(scratch)]):
            if isinstance(item, Rejection):
                raise InvalidInputError(f"草稿不是有效的案例：{item.reason}", field="content")
    target = library / "cases" / f"{case_id}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")
    return target
