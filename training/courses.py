"""Course builder: material sections, model cases and discussion, fitted into a time budget.

``build_course`` gathers, for a topic and optional dispute types:

- material sections from the training collection, hybrid-ranked, and only from
  materials whose ``topics`` name the topic or one of the dispute types — a
  course on 劳动争议 never borrows a section on 宅基地 because it reads alike;
- model cases of the asked dispute types, preferring 省级 over 市级 over 县级
  精品案例, then 调解成功, then those with a 案例评析 (what a trainer discusses);
- for each case one or two discussion questions built from its commentary,
  facts and legal basis (``training/discussion.py``).

Items are added greedily and the outline's minutes never exceed the budget.
A course is saved as JSON under ``KB_DATA_DIR/courses/`` (the same place for
both store backends) and exported through ``kb_service/export.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cases.indexing import COLLECTION as CASES
from cases.queries import CaseFilters, CaseLibrary
from cases.report import key_facts
from kb_service.errors import InvalidInputError, NotFoundError
from kb_service.export import render
from kb_service.service import Services
from kb_service.store import Terms
from kb_service.vocabularies import DISPUTE_TYPES
from laws.articles import CitationReader
from training.course_export import course_document
from training.course_model import CasePart, Course, DiscussionPart, MaterialPart, OutlineItem
from training.discussion import CASE_MINUTES, QUESTION_MINUTES, case_minutes, key_issue, questions
from training.queries import TrainingLibrary
from training.schema import topic_code, topic_label
from training.topics import read_topic

MIN_MINUTES, MAX_MINUTES = 10, 600
MAX_CASES = 10
CANDIDATE_SECTIONS = 60
CANDIDATE_CASES = 10
"""Cases of the asked types are chosen by level among this many of the most relevant ones."""
_LEVEL_RANK = {"province": 0, "city": 1, "county": 2}
_COURSE_ID = re.compile(r"^course-[0-9a-f]{8}-\d{14}$")


# -- checking what was asked ----------------------------------------------------------
def _checked(
    topic: str, dispute_types: Sequence[str], minutes: int, cases: int
) -> tuple[str, list[str]]:
    if not topic or not topic.strip():
        raise InvalidInputError("请给出课程主题（纠纷类型或自由主题，如“欠薪”）", field="topic")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise InvalidInputError(
            f"课程时长应在 {MIN_MINUTES} 到 {MAX_MINUTES} 分钟之间", field="minutes"
        )
    if not 0 <= cases <= MAX_CASES:
        raise InvalidInputError(f"案例数应在 0 到 {MAX_CASES} 之间", field="cases")
    try:
        types = [DISPUTE_TYPES.code(t) for t in dispute_types]
    except ValueError as exc:
        raise InvalidInputError(str(exc), field="dispute_types") from exc
    code = topic_code(topic)
    if code in DISPUTE_TYPES.terms:
        types.insert(0, code)
    return code, list(dict.fromkeys(types))


# -- candidates ----------------------------------------------------------------------
def _sections(
    services: Services, query: str, topics: list[str], audience: str | None
) -> list[dict]:
    """Sources of on-topic sections in teaching order.

    Materials come by their best section's rank (the audience's own materials
    first), and each material's sections in their own order, so a course
    teaches a lesson from 一、 onwards instead of scattered paragraphs.
    """
    page = TrainingLibrary(services).ranked(
        query, Terms(field="topics", values=tuple(topics)), CANDIDATE_SECTIONS
    )
    wanted = set(topics)
    # the filter already holds this; checked again because an off-topic section is the one bug a trainer sees
    sources = [
        h.source | {"id": h.id} for h in page.hits if wanted & set(h.source.get("topics", []))
    ]
    best = {s["material_id"]: n for n, s in reversed(list(enumerate(sources)))}
    return sorted(
        sources,
        key=lambda s: (
            bool(audience) and audience not in s.get("audience", []),
            best[s["material_id"]],
            s.get("position", 0),
        ),
    )


def _cases(services: Services, query: str, types: list[str], count: int) -> list[dict]:
    """Full sources of the model cases to teach: relevant, then by level, outcome and commentary."""
    if count == 0:
        return []
    # a free topic (司法确认) filters nothing, so only the closest few compete on level
    depth = CANDIDATE_CASES if types else min(CANDIDATE_CASES, 2 * count)
    hits = CaseLibrary(services).search(
        query, CaseFilters(dispute_type=types), size=depth, facets=False
    )["hits"]
    stored = services.store.get_many(CASES, [h["id"] for h in hits])
    ranked = [stored[h["id"]] | {"id": h["id"]} for h in hits if h["id"] in stored]
    ranked.sort(
        key=lambda s: (
            _LEVEL_RANK.get(s.get("level") or "", 3),
            s.get("outcome") != "success",
            not s.get("commentary"),
        )
    )  # stable: relevance decides among equals
    # round-robin over the asked types, so a course on 婚姻 and 家庭 shows both
    by_type: dict[str, list[dict]] = {}
    for source in ranked:
        by_type.setdefault(source.get("dispute_type", ""), []).append(source)
    chosen: list[dict] = []
    while len(chosen) < count and any(by_type.values()):
        for group in by_type.values():
            if group and len(chosen) < count:
                chosen.append(group.pop(0))
    return chosen


# -- fitting into the budget -----------------------------------------------------------
class _Plan:
    def __init__(self, budget: int) -> None:
        self.left = budget
        self.sections: list[dict] = []
        self.cases: list[tuple[dict, int, list[str]]] = []

    def add_section(self, source: dict) -> None:
        if source["minutes"] <= self.left:
            self.sections.append(source)
            self.left -= source["minutes"]

    def add_case(self, source: dict, limit: int) -> bool:
        """The case and its discussion, shortened (one question, 10 minutes) if that is what fits."""
        asked = questions(source)
        full = case_minutes(source) + QUESTION_MINUTES * len(asked)
        short = CASE_MINUTES[0] + QUESTION_MINUTES
        if full <= min(limit, self.left):
            self.cases.append((source, case_minutes(source), asked))
            self.left -= full
        elif short <= min(limit, self.left):
            self.cases.append((source, CASE_MINUTES[0], asked[:1]))
            self.left -= short
        else:
            return False
        return True


def _plan(budget: int, sections: list[dict], cases: list[dict]) -> _Plan:
    """Cases first, within half the budget while there is material to teach; then
    sections by relevance; then any cases left, if they still fit."""
    plan = _Plan(budget)
    case_share = budget // 2 if sections else budget
    waiting = list(cases)
    while waiting and plan.add_case(waiting[0], plan.left - (budget - case_share)):
        waiting.pop(0)
    for source in sections:
        plan.add_section(source)
    for source in waiting:
        plan.add_case(source, plan.left)
    return plan


def _outline(
    plan: _Plan,
) -> tuple[list[OutlineItem], list[MaterialPart], list[CasePart], list[DiscussionPart]]:
    outline: list[OutlineItem] = []
    materials: list[MaterialPart] = []
    for source in plan.sections:
        outline.append(
            OutlineItem(
                kind="material",
                ref=source["id"],
                title=f"{source['title']} › {source['section']}",
                minutes=source["minutes"],
            )
        )
        materials.append(
            MaterialPart(
                ref=source["id"],
                material_id=source["material_id"],
                material_title=source["title"],
                section=source["section"],
                kind_label=source.get("kind_label", ""),
                text=source["text"],
            )
        )
    cases, discussions = [], []
    for source, minutes, asked in plan.cases:
        ref = source["id"]
        outline.append(OutlineItem(kind="case", ref=ref, title=source["title"], minutes=minutes))
        outline.append(
            OutlineItem(
                kind="discussion",
                ref=f"{ref}#discussion",
                title=f"讨论：{source['title']}",
                minutes=QUESTION_MINUTES * len(asked),
            )
        )
        cases.append(_case_part(source))
        discussions.append(DiscussionPart(ref=f"{ref}#discussion", case_id=ref, questions=asked))
    return outline, materials, cases, discussions


def _case_part(source: dict) -> CasePart:
    # stored cases carry their labels (cases.schema.Case.labelled)
    return CasePart(
        ref=source["id"],
        title=source["title"],
        dispute_type=source["dispute_type"],
        dispute_type_label=source.get("dispute_type_label") or source["dispute_type"],
        level_label=source.get("level_label"),
        outcome_label=source.get("outcome_label"),
        region=source.get("region"),
        key_facts=key_facts(source),
        key_issue=key_issue(source),
    )


_LAW_FIELDS = ("citation", "verdict", "verdict_label", "note", "text", "link")


def _with_laws(services: Services, plan: _Plan, parts: list[CasePart]) -> list[CasePart]:
    """Each case part with the text of the articles its case cites (one click away in a course)."""
    reader = CitationReader(services)
    sources = {source["id"]: source for source, _, _ in plan.cases}
    with_laws = []
    for part in parts:
        source = sources[part.ref]
        found = reader.entries(source.get("legal_basis") or [], source.get("date"))
        laws = [{k: item.get(k) for k in _LAW_FIELDS} for item in found]
        with_laws.append(part.model_copy(update={"laws": laws}))
    return with_laws


# -- building, saving, loading -------------------------------------------------------
def _course_id(parameters: dict[str, Any], now: dt.datetime) -> str:
    digest = hashlib.sha256(
        json.dumps(parameters, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()
    return f"course-{digest[:8]}-{now:%Y%m%d%H%M%S}"


def _courses_dir(services: Services) -> Path:
    return Path(services.settings.data_dir) / "courses"


def build_course(
    services: Services,
    topic: str,
    dispute_types: Sequence[str] = (),
    audience: str | None = None,
    minutes: int = 90,
    cases: int = 3,
) -> Course:
    """Build, save and return a course whose outline fits in ``minutes``."""
    code, types = _checked(topic, dispute_types, minutes, cases)
    audience = audience.strip() if audience and audience.strip() else None
    label = topic_label(code)
    inferred: list[str] = []
    material_topics: list[str] = []
    if not types:  # a plain topic ("婚姻家庭纠纷调解"): read the types and topics from its words
        reading = read_topic(services, topic)
        types = inferred = reading.dispute_types
        material_topics = reading.material_topics
    query = " ".join(dict.fromkeys([label, *(DISPUTE_TYPES.label(t) for t in types)]))
    sections = _sections(services, query, list(dict.fromkeys([code, *types, *material_topics])), audience)
    chosen = _cases(services, query, types, cases)
    plan = _plan(minutes, sections, chosen)
    outline, materials, case_parts, discussions = _outline(plan)
    case_parts = _with_laws(services, plan, case_parts)
    if not outline:
        raise InvalidInputError(
            f"没有找到适合“{label}”且能排进 {minutes} 分钟的培训材料或案例", field="topic"
        )
    now = dt.datetime.now().astimezone()
    parameters = {
        "topic": code,
        "types": types,
        "audience": audience,
        "minutes": minutes,
        "cases": cases,
    }
    course = Course(
        id=_course_id(parameters, now),
        title=f"{label.split('（')[0]}专题培训",
        topic=code,
        topic_label=label,
        dispute_types=types,
        inferred_types=inferred,
        audience=audience,
        minutes_budget=minutes,
        created_at=now.isoformat(timespec="seconds"),
        outline=outline,
        materials=materials,
        cases=case_parts,
        discussions=discussions,
    )
    save_course(services, course)
    return course


def save_course(services: Services, course: Course) -> Path:
    folder = _courses_dir(services)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{course.id}.json"
    partial = path.with_suffix(".json.tmp")
    partial.write_text(course.model_dump_json(indent=2), encoding="utf-8")
    os.replace(partial, path)  # a reader never sees half a file
    return path


def load_course(services: Services, course_id: str) -> Course:
    """The saved course; NotFoundError for an unknown (or malformed) id."""
    # the id is checked before it becomes a path: nothing outside courses/ is ever read
    if not _COURSE_ID.match(course_id or ""):
        raise NotFoundError(f"未找到课程 {course_id}")
    path = _courses_dir(services) / f"{course_id}.json"
    if not path.is_file():
        raise NotFoundError(f"未找到课程 {course_id}")
    return Course.model_validate_json(path.read_text(encoding="utf-8"))


def export_course(course: Course, fmt: str = "md") -> str | bytes:
    """The course as Markdown or HTML (text) or DOCX (bytes)."""
    return render(course_document(course), fmt)


__all__ = ["Course", "OutlineItem", "build_course", "export_course", "load_course", "save_course"]  # fmt: skip
