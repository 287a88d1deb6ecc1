"""Every law we know by name: the statute database, a library's local regulations, and laws
known only as repealed (合同法 …), behind one lookup for the parser and the verifier."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from kb_service.library import Loaded
from laws.local import load_local_regulations
from laws.names import ALIASES, name_keys, normalise_name, short_name
from laws.replacements import CIVIL_CODE_REPEALS, Repeal, repeals_in_database
from laws.schema import Article, Law, Statute
from laws.source import StatuteDatabase, statute_database

MAX_SUCCESSION = 5
"""Repealed → successor → … is followed this far (never loops)."""


@dataclass(frozen=True)
class ResolvedLaw:
    """What a written name refers to."""

    name: str
    """Full name: 中华人民共和国民法典."""
    short_name: str
    law_id: str | None
    """The preferred version's id (现行有效 where there is one); ``None`` for a law we know only
    as repealed, without its text."""
    origin: str
    """``database``, ``local`` or ``repealed``."""


class LawCatalog:
    """Names → laws, versions, articles and repeals. Built once; lookups are in memory."""

    def __init__(
        self, database: StatuteDatabase | None = None, local: Iterable[Statute] = ()
    ) -> None:
        self._database = database if database is not None else statute_database()
        self._local = {s.law.id: s for s in local}

    @classmethod
    def for_libraries(
        cls, libraries: list[Path], database: StatuteDatabase | None = None
    ) -> LawCatalog:
        """The database plus the regulations in the libraries' ``laws/`` folders (bad files skipped;
        ``kb index`` reports them)."""
        local = [
            item.record for item in load_local_regulations(libraries) if isinstance(item, Loaded)
        ]
        return cls(database, local)

    @property
    def database(self) -> StatuteDatabase:
        return self._database

    # -- names ----------------------------------------------------------------------
    @cached_property
    def _local_by_name(self) -> dict[str, list[Law]]:
        found: dict[str, list[Law]] = {}
        for statute in self._local.values():
            law = statute.law
            for key in dict.fromkeys((law.name, law.short_name, *law.aliases)):
                found.setdefault(normalise_name(key), []).append(law)
        return found

    @cached_property
    def repeals(self) -> dict[str, Repeal]:
        """Full name of a repealed law → its repeal; the 民法典's nine first, then the database's."""
        database = self._database
        stated = repeals_in_database(
            database.articles_mentioning("同时废止"),
            [law for law in database.laws() if law.status == "repealed"],
        )
        return {**stated, **CIVIL_CODE_REPEALS}

    @cached_property
    def _repeals_by_name(self) -> dict[str, Repeal]:
        found: dict[str, Repeal] = {}
        for repeal in self.repeals.values():
            found.setdefault(repeal.law_name, repeal)
            found.setdefault(repeal.short_name, repeal)
        return found

    @cached_property
    def names(self) -> frozenset[str]:
        """Every name, short name and abbreviation a citation may use without 《》."""
        found = set(ALIASES)
        for law in self._database.laws():
            found.update((law.name, law.short_name))
        found.update(self._local_by_name)
        found.update(self._repeals_by_name)
        return frozenset(n for n in found if len(n) >= 2)

    def resolve(self, name: str) -> ResolvedLaw | None:
        """The law a written name means, or ``None`` if we know no law by that name."""
        for key in name_keys(name):
            if law := self._database.resolve(key):
                return ResolvedLaw(law.name, law.short_name, law.id, "database")
            if local := self._local_by_name.get(key):
                law = local[-1]
                return ResolvedLaw(law.name, law.short_name, law.id, "local")
            if repeal := self._repeals_by_name.get(key):
                return ResolvedLaw(repeal.law_name, repeal.short_name, None, "repealed")
        return None

    # -- versions and articles ------------------------------------------------------
    def versions(self, name: str) -> list[Law]:
        """The versions we hold the text of, oldest first (one for a local regulation)."""
        versions = self._database.versions(name)
        if versions:
            return versions
        for key in name_keys(name):
            if key in self._local_by_name:
                return sorted(
                    self._local_by_name[key], key=lambda law: law.effective or dt.date.min
                )
        return []

    def law(self, law_id: str) -> Law:
        if law_id in self._local:
            return self._local[law_id].law
        return self._database.law(law_id)

    def articles(self, law_id: str) -> tuple[Article, ...]:
        if law_id in self._local:
            return self._local[law_id].articles
        return self._database.articles(law_id)

    def article(self, law_id: str, number: int, sub: int | None = None) -> Article | None:
        for article in self.articles(law_id):
            if article.number == number and article.sub == sub:
                return article
        return None

    def last_article(self, law_id: str) -> int:
        return max((a.number for a in self.articles(law_id) if a.number), default=0)

    def repeal(self, name: str) -> Repeal | None:
        for key in name_keys(name):
            if key in self._repeals_by_name:
                return self._repeals_by_name[key]
        return None

    def succession(self, name: str) -> list[Repeal]:
        """Repeal after repeal: 环境噪声污染防治法 → 噪声污染防治法 (2022) → 生态环境法典 (2026)."""
        chain: list[Repeal] = []
        repeal = self.repeal(name)
        while repeal is not None and len(chain) < MAX_SUCCESSION:
            chain.append(repeal)
            if not repeal.replaced_by or repeal.replaced_by in {r.law_name for r in chain}:
                break
            repeal = self.repeal(repeal.replaced_by)
        return chain


@lru_cache(maxsize=1)
def default_catalog() -> LawCatalog:
    """The statute database alone (no library regulations), shared in the process."""
    return LawCatalog()


def short(name: str) -> str:
    """A law's name as notes print it: 《民法典》."""
    return f"《{short_name(name)}》"
