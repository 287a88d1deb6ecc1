"""Checking the cases' citations while they are indexed (``CollectionSpec.check`` of the cases).

For every case, changed or not, each ``legal_basis`` entry and each citation in
its texts is verified on the case's date (:func:`laws.verify.check_case`),
against the statute database plus the regulations in the libraries being
indexed. What is not ``ok`` becomes a ``kb index`` warning (CONTRACT §5); the
case still lands. The case's documents also keep two lists of article
document ids (``law-<law_id>-a<n>``), keyword fields of the cases collection:

- ``cited_articles`` — the text the case cites, in the version that applied
  on its date: ``kb laws show`` lists the cases citing an article from it;
- ``current_articles`` — what governs the same matter now: the article itself
  for a law in force (or one the database marks repealed without naming a
  successor), the 民法典 article that replaced a 合同法/婚姻法/… article where
  :mod:`laws.replacements` maps it. Suggestions count these,
  so a 2019 case citing 《合同法》第一百零七条 still recommends
  《民法典》第五百七十七条 today.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from indexer.spec import Checked, Checker
from laws.catalog import LawCatalog
from laws.citations import Citation
from laws.indexing import article_doc_id
from laws.replacements import CIVIL_CODE, successor_articles
from laws.verify import Verification, check_case


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def cited_article(verification: Verification) -> str | None:
    """The document of the exact text a citation was judged against, where we hold it."""
    if verification.law is None or verification.article is None:
        return None
    article = verification.article
    return article_doc_id(verification.law.id, article.number, article.sub)


def current_articles(verification: Verification, catalog: LawCatalog) -> list[str]:
    """The documents of the articles that govern the cited matter today (may be none)."""
    citation = verification.citation
    if not isinstance(citation, Citation) or citation.article is None:
        return []
    chain = catalog.succession(citation.law_name)
    if chain and chain[-1].replaced_by is not None:
        # replaced by another law: only a mapped 民法典 article is a sure successor
        if len(chain) != 1 or chain[0].replaced_by != CIVIL_CODE:
            return []
        civil = catalog.resolve(CIVIL_CODE)
        mapped = successor_articles(citation.law_name, citation.article)
        return [article_doc_id(civil.law_id, n) for n in mapped] if civil and civil.law_id else []
    # in force, or marked repealed with no successor known (the database's 农村土地承包法):
    # the newest text we hold is what applies, as search treats it (``is_current``)
    if verification.verdict in ("unknown_law", "no_such_article"):
        return []
    resolved = catalog.resolve(citation.law_name)
    if resolved is None or resolved.law_id is None:
        return []
    if catalog.article(resolved.law_id, citation.article, citation.sub) is None:
        return []
    return [article_doc_id(resolved.law_id, citation.article, citation.sub)]


def warning_of(verification: Verification) -> dict[str, Any]:
    """A ``kb index`` warning without its place (the pipeline adds path, line and id)."""
    return {
        "citation": verification.citation.display,
        "verdict": verification.verdict,
        "note": verification.note,
    }


def citation_checker(libraries: list[Path]) -> Checker:
    """The cases' check for one ``kb index`` run: the catalog is built once, with the libraries'
    local regulations."""
    catalog = LawCatalog.for_libraries(libraries)

    def check(case: Any) -> Checked:
        verifications = check_case(case, catalog)
        cited = _unique(i for v in verifications if (i := cited_article(v)))
        current = _unique(i for v in verifications for i in current_articles(v, catalog))
        return Checked(
            warnings=tuple(warning_of(v) for v in verifications if v.warning),
            fields={"cited_articles": cited, "current_articles": current},
        )

    return check
