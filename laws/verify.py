"""Is a citation right for its date? Verdicts with a note a mediator can act on.

A citation is judged on a date — a case's ``date``, else today — against the
version of the law in force then:

- ``ok`` — the law and article exist on that date (the note says so, and
  whether the law has been amended or repealed since: "当时有效；现由《民法典》
  第五百七十七条规定");
- ``unknown_law`` — we hold no law by that name (行政法规 and local
  regulations are not in the statute database unless a library adds them);
- ``no_such_article`` — the law has no such article (or 款), or the number
  cannot be read;
- ``repealed`` — the law no longer applied on that date; the note names
  what replaced it (and the article, where :mod:`laws.replacements` maps it);
- ``amended`` — the article number belongs to another version of the law,
  or the database marks the text held as 已被修改 without the newer one.

Only ``ok`` is not a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kb_service.library import Loaded
from kb_service.vocabularies import Vocabulary
from laws import numerals
from laws.catalog import LawCatalog, default_catalog, short
from laws.citations import Citation, MalformedCitation, scan_citations
from laws.names import short_name
from laws.replacements import CIVIL_CODE, predecessor_articles, successor_articles
from laws.schema import Article, Law, article_label

VERDICTS = Vocabulary(
    "引用核对结果",
    {
        "ok": "引用有效",
        "unknown_law": "未收录该法律",
        "no_such_article": "无此条文",
        "repealed": "已废止",
        "amended": "已修改",
    },
)

CASE_TEXT_FIELDS = ("facts", "process", "result", "agreement", "commentary")
"""Case fields whose running text is searched for citations besides ``legal_basis``."""


@dataclass(frozen=True)
class Verification:
    citation: Citation | MalformedCitation
    verdict: str
    note: str
    law: Law | None = None
    """The version judged against, where we hold its text."""
    article: Article | None = None
    successors: tuple[str, ...] = ()
    """What governs the matter now: ``《民法典》第五百七十七条`` or the replacing law."""

    @property
    def warning(self) -> bool:
        return self.verdict != "ok"

    def as_dict(self) -> dict[str, Any]:
        citation = self.citation
        return {
            "citation": citation.display,
            "verdict": self.verdict,
            "verdict_label": VERDICTS.label(self.verdict),
            "note": self.note,
            "text": self.article.text if self.article else None,
            "law_id": self.law.id if self.law else citation.law_id,
            "law_name": citation.law_name,
            "article": getattr(citation, "article", None),
            "paragraph": getattr(citation, "paragraph", None),
            "successors": list(self.successors),
        }


def _day(date: dt.date | None) -> str:
    return date.isoformat() if date else "日期不详"


def _when(on: dt.date | None) -> str:
    """The date judged on, as notes say it: 2019-10-22时, or 目前 when judged today."""
    return f"{on.isoformat()}时" if on else "目前"


@dataclass(frozen=True)
class _Succession:
    successors: tuple[str, ...]
    """What governs the matter now: 《民法典》第五百七十七条, or the replacing law."""
    repealed: str
    """How the law went: 《合同法》已于2021-01-01废止 (and what came between)."""
    now: str
    """现由《民法典》第五百七十七条规定, or "" when nothing is known to have replaced it."""
    first_date: dt.date | None

    def repealed_note(self, on: dt.date | None) -> str:
        if self.first_date is None:
            return f"{self.repealed}；若{_when(on)}该法仍有效，则引用当时有效，请核对"
        return f"{self.repealed}，{self.now}" if self.now else self.repealed

    def ok_note(self, name: str) -> str:
        when = f"（{name}{_day(self.first_date)}废止）"
        return f"当时有效{when}；{self.now}" if self.now else f"当时有效{when}"


def _succession(catalog: LawCatalog, name: str, article: int | None) -> _Succession:
    chain = catalog.succession(name)
    if not chain:
        return _Succession((), f"{short(name)}已废止", "", None)
    steps = []
    for index, repeal in enumerate(chain):
        who = short(repeal.law_name) if index == 0 else "该法"
        if repeal.date is None:
            steps.append(f"{who}已废止（据法律数据库状态，废止日期和替代法律未载明）" if not repeal.replaced_by
                         else f"{who}已废止（废止日期未载明）")  # fmt: skip
        else:
            steps.append(f"{who}已于{_day(repeal.date)}废止")
        if repeal.replaced_by and index < len(chain) - 1:
            steps[-1] += f"，由{short(repeal.replaced_by)}取代"
    last = chain[-1].replaced_by
    successors: tuple[str, ...] = ()
    now = ""
    if last is not None:
        mapped = successor_articles(name, article) if article and last == CIVIL_CODE else ()
        if mapped and len(chain) == 1:
            successors = tuple(f"{short(last)}{article_label(n)}" for n in mapped)
            now = f"现由{short(last)}{'、'.join(article_label(n) for n in mapped)}规定"
        else:
            successors = (short(last),)
            now = f"现由{short(last)}规定"
    return _Succession(successors, "；".join(steps), now, chain[0].date)


def _judge_repealed_text(citation: Citation, on: dt.date, catalog: LawCatalog) -> Verification:
    """A law known only as repealed (合同法): we cannot read its text, only its repeal."""
    succession = _succession(catalog, citation.law_name, citation.article)
    unread = (
        f"（本库未收录{short(citation.law_name)}原文，条文本身未核对）" if citation.article else ""
    )
    name = short(citation.law_name)
    if succession.first_date and on < succession.first_date:
        return Verification(
            citation, "ok", succession.ok_note(name) + unread, successors=succession.successors
        )
    note = succession.repealed_note(on) + unread
    return Verification(citation, "repealed", note, successors=succession.successors)


def _not_yet(citation: Citation, name: str, on: dt.date | None, effective: dt.date) -> str:
    """A law cited for a date before it took effect: what applied then, where we know it."""
    note = f"{_when(on)}{name}尚未施行（{_day(effective)}起施行），当时不能适用"
    earlier = (
        predecessor_articles(citation.article)
        if citation.article and citation.law_name == CIVIL_CODE
        else []
    )
    if earlier:
        note += "；当时的规定见" + "、".join(f"《{law}》{article_label(n)}" for law, n in earlier)
    return note


def _paragraph_problem(citation: Citation, article: Article) -> str | None:
    if citation.paragraph is None:
        return None
    count = len(article.paragraphs)
    if citation.paragraph <= count:
        return None
    return f"{article.label}只有{numerals.an2cn(count)}款，没有第{numerals.an2cn(citation.paragraph)}款"


def _version_on(versions: list[Law], on: dt.date) -> tuple[Law, bool]:
    """The version whose text applied on ``on``; False when every text we hold is later."""
    applied = [v for v in versions if (v.text_in_force_from or dt.date.min) <= on]
    return (applied[-1], True) if applied else (versions[0], False)


def _find_article(
    citation: Citation, version: Law, versions: list[Law], catalog: LawCatalog
) -> Article | Verification | None:
    """The cited article in the version judged against, or the verdict saying why not."""
    if citation.article is None:
        return None
    name = short(version.name)
    label = article_label(citation.article, citation.sub)
    article = catalog.article(version.id, citation.article, citation.sub)
    if article is None:
        elsewhere = [
            v
            for v in versions
            if v.id != version.id and catalog.article(v.id, citation.article, citation.sub)
        ]
        if elsewhere:
            note = (
                f"{name}（{_day(version.version_date)}文本）没有{label}；"
                f"该序号见于{_day(elsewhere[-1].version_date)}文本，修订后条文序号已调整，请按适用的文本核对"
            )
            return Verification(citation, "amended", note, law=version)
        last = numerals.an2cn(catalog.last_article(version.id))
        note = f"{name}没有{label}（共{last}条）：请检查条文序号"
        return Verification(citation, "no_such_article", note, law=version)
    if problem := _paragraph_problem(citation, article):
        return Verification(citation, "no_such_article", problem, law=version, article=article)
    return article


def _since(
    version: Law, versions: list[Law], article: Article | None, catalog: LawCatalog
) -> str | None:
    """How the law changed after the version judged against, if it did."""
    start = version.text_in_force_from or dt.date.min
    newer = [v for v in versions if (v.text_in_force_from or dt.date.min) > start]
    if not newer:
        return None
    current = newer[-1]
    change = ""
    if article is not None:
        now = catalog.article(current.id, article.number or 0, article.sub)
        if now is None:
            change = "，现行文本已无该条"
        else:
            change = "，该条内容未变" if now.text == article.text else "，现行文本该条内容有调整"
    return f"当时有效；{short(version.name)}已于{_day(current.text_in_force_from)}修订{change}"


_REGULATION_NAME = re.compile(r"(?:条例|办法|规定|细则|规则|决定)(?:（[^）]*）)?$")
"""行政法规, 规章 and 地方性法规 are named …条例/办法/规定; laws (法律) end in 法 or 法典."""


def _unknown_law_note(name: str) -> str:
    """Why a name cannot be checked: for a regulation, that the database holds laws only."""
    where = "可将其文本放入资料库的 laws/ 文件夹后重新索引"
    if _REGULATION_NAME.search(short_name(name)):
        return (
            f"本库未收录{short(name)}：法律数据库只收录全国人大及其常委会制定的法律，"
            f"未收录行政法规、规章和地方性法规，故未核对该引用（不代表引用有误）；{where}"
        )
    return f"本库未收录{short(name)}，无法核对：请检查法律名称是否写对（全称、简称均可）；若为行政法规或地方性法规，{where}"


def verify_citation(
    citation: Citation | MalformedCitation,
    on: dt.date | None = None,
    catalog: LawCatalog | None = None,
) -> Verification:
    """The verdict on ``citation`` judged on ``on`` (a case's date; today when ``None``)."""
    catalog = catalog or default_catalog()
    day = on or dt.date.today()
    if isinstance(citation, MalformedCitation):
        verdict = "unknown_law" if citation.origin is None else "no_such_article"
        return Verification(citation, verdict, citation.reason)
    if citation.origin is None:
        return Verification(citation, "unknown_law", _unknown_law_note(citation.law_name))
    if citation.origin == "repealed":
        return _judge_repealed_text(citation, day, catalog)
    versions = catalog.versions(citation.law_name)
    if not versions:  # a name the catalog resolved but holds no text for
        return Verification(citation, "unknown_law", f"本库没有{short(citation.law_name)}的条文")
    version, held = _version_on(versions, day)
    name = short(version.name)
    if versions[0].effective and day < versions[0].effective:
        note = _not_yet(citation, name, on, versions[0].effective)
        return Verification(citation, "no_such_article", note, law=version)
    notes: list[str] = []
    if not held:
        notes.append(
            f"本库收录的是{_day(version.version_date)}的文本，{_when(on)}适用此前文本，条文序号和内容可能不同"
        )
    found = _find_article(citation, version, versions, catalog)
    if isinstance(found, Verification):
        return found
    article = found

    if version.status == "repealed":
        succession = _succession(catalog, version.name, citation.article)
        if succession.first_date and day < succession.first_date:
            verdict, notes = "ok", [*notes, succession.ok_note(name)]
        else:
            verdict, notes = "repealed", [*notes, succession.repealed_note(on)]
        return Verification(
            citation, verdict, "；".join(notes), version, article, succession.successors
        )
    if version.status == "amended":
        notes.append(
            f"法律数据库标注{name}（{_day(version.version_date)}文本）已被修改，本库未收录修改后的文本，请核对现行条文"
        )
        return Verification(citation, "amended", "；".join(notes), version, article)
    since = _since(version, versions, article, catalog)
    exists = "存在，" if citation.article else ""
    notes.append(since or f"{name}{citation.article_label}{exists}{_when(on)}有效")
    if version.note:
        notes.append(version.note)
    return Verification(citation, "ok", "；".join(notes), version, article)


def check_text(
    text: str, on: dt.date | None = None, catalog: LawCatalog | None = None
) -> list[Verification]:
    """Every citation in a piece of running text, judged on ``on``."""
    catalog = catalog or default_catalog()
    return [verify_citation(c, on, catalog) for c in scan_citations(text, catalog)]


def check_legal_basis(
    entries: Iterable[str], on: dt.date | None = None, catalog: LawCatalog | None = None
) -> list[Verification]:
    """Each legal_basis entry: its citations (a whole law counts), or unknown_law if none is read."""
    catalog = catalog or default_catalog()
    found: list[Verification] = []
    for entry in entries:
        citations = scan_citations(entry, catalog, whole_law=True)
        if not citations:
            unread = MalformedCitation(
                entry,
                None,
                entry,
                entry,
                f"无法识别的引用“{entry}”：请写成“《法律名称》第…条”",
                (0, len(entry)),
            )
            found.append(Verification(unread, "unknown_law", unread.reason))
        found.extend(verify_citation(c, on, catalog) for c in citations)
    return found


def _key(verification: Verification) -> tuple:
    c = verification.citation
    if isinstance(c, MalformedCitation):
        return (c.law_name, c.written)
    return (c.law_name, c.article, c.sub, c.paragraph)


def check_case(case: Any, catalog: LawCatalog | None = None) -> list[Verification]:
    """A case's legal_basis and the citations in its texts, each once, judged on the case's date."""
    catalog = catalog or default_catalog()
    on = getattr(case, "date", None)
    results = check_legal_basis(getattr(case, "legal_basis", []) or [], on, catalog)
    for field in CASE_TEXT_FIELDS:
        results.extend(check_text(getattr(case, field, None) or "", on, catalog))
    unique: dict[tuple, Verification] = {}
    for result in results:
        unique.setdefault(_key(result), result)
    return list(unique.values())


def case_warnings(loaded: Loaded, catalog: LawCatalog | None = None) -> list[dict[str, Any]]:
    """``kb index`` warnings for one loaded case (CONTRACT §5): every citation that is not ok."""
    return [
        {
            "path": str(loaded.path),
            "line": loaded.line,
            "id": loaded.record.id,
            "citation": v.citation.display,
            "verdict": v.verdict,
            "note": v.note,
        }
        for v in check_case(loaded.record, catalog)
        if v.warning
    ]
