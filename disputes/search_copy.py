"""The masked copies of registered disputes in the search store: writing them, searching them.

The register (the database) is the system of record and is written first;
each change then writes the dispute's masked copy (``disputes.indexing``) to
the ``disputes`` collection — one dispute at a time for a registration or an
update, 64 at a time (one embedding batch) for an import.

**When the store fails after the register committed**, nothing is lost: the
change stays in the register, the failure is logged as a warning naming only
the dispute ids (never their content), and the caller's answer says
``search_copy: "pending"``. The next ``kb index`` reads every dispute from the
register, compares content hashes and writes each copy that is missing or out
of date; ``kb index --rebuild`` rewrites them all.

Searching and counting read only the masked copies, within the caller's
scope: a committee (``committee``) or a region prefix (``region_path``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from disputes.indexing import COLLECTION, SPEC, TEXT_FIELDS, dispute_schema
from disputes.records import Scope, normal_region
from disputes.schema import STATUSES, DisputeFilter, DisputeRecord
from indexer.pipeline import Indexer
from kb_service.errors import InvalidInputError
from kb_service.library import Loaded
from kb_service.ranking import RankedHit
from kb_service.service import Services
from kb_service.store import Filter, Hit, Range, Term, Terms, TermsFacet, all_of
from kb_service.text import check_paging
from kb_service.vocabularies import DISPUTE_TYPES

log = logging.getLogger("kb_service.disputes")

_WHERE = Path("纠纷登记")
_HIT_FIELDS = (
    "number", "received", "dispute_type", "dispute_type_label", "region", "committee",
    "status", "status_label", "people_involved", "amount",
)  # fmt: skip
FACETS = {
    "status": TermsFacet(field="status", size=10),
    "dispute_type": TermsFacet(field="dispute_type", size=20),
    "month": TermsFacet(field="month", size=24),
}
_FACET_LABELS = {"status": STATUSES, "dispute_type": DISPUTE_TYPES}


class SearchCopies:
    """The ``disputes`` collection of the configured store."""

    def __init__(self, services: Services) -> None:
        self._services = services

    # -- writing ---------------------------------------------------------------------

    def write(self, records: Iterable[DisputeRecord]) -> list[int]:
        """Write the masked copies; returns the ids whose copy could not be written (logged)."""
        records = list(records)
        if not records:
            return []
        ids = [record.id for record in records]
        indexer = Indexer(self._services.store, self._services.analyzer, self._services.embedder)
        try:
            report = indexer.upsert(SPEC, (Loaded(r, _WHERE, r.id) for r in records))
        except Exception as exc:  # the register has committed: never fail the caller for the copy
            log.warning(
                "纠纷检索副本写入失败（%s），登记已保存，下次 kb index 会补写：纠纷 id %s",
                type(exc).__name__,
                _ids_text(ids),
            )
            return ids
        failed = [int(rejection.line) for rejection in report.rejected]
        if failed:
            log.warning(
                "部分纠纷检索副本被检索库拒收，登记已保存，下次 kb index 会补写：纠纷 id %s",
                _ids_text(failed),
            )
        return failed

    # -- reading ---------------------------------------------------------------------

    def search(
        self,
        query: str,
        filters: DisputeFilter,
        scope: Scope,
        *,
        size: int = 20,
        offset: int = 0,
    ) -> dict[str, Any]:
        """Masked disputes matching ``query`` (keywords and meaning) within ``scope``, with facets."""
        check_paging(size, offset)
        services = self._services
        schema = services.stored_schema(COLLECTION, dispute_schema)
        condition = store_filter(filters, scope)
        if not query.strip():
            page = services.store.browse(schema, filter=condition, size=size, offset=offset)
            hits: Sequence[Hit | RankedHit] = page.hits
            total = page.total
        else:
            ranked = services.searcher.search(
                schema,
                keyword=services.keyword_query(COLLECTION, query, TEXT_FIELDS),
                vector=services.embed_query(query, COLLECTION),
                filter=condition,
                size=size,
                offset=offset,
            )
            hits, total = ranked.hits, ranked.total
        facets = services.store.aggregate(COLLECTION, FACETS, condition)
        return {
            "total": total,
            "hits": [_hit_json(hit) for hit in hits],
            "facets": {
                name: [
                    {**b, "label": _FACET_LABELS[name].label(b["value"])}
                    if name in _FACET_LABELS and b["value"] in _FACET_LABELS[name].terms
                    else b
                    for b in buckets
                ]
                for name, buckets in facets.items()
            },
        }

    def count(self, filters: DisputeFilter, scope: Scope) -> int:
        """How many masked copies match, within ``scope``."""
        return self._services.store.count(COLLECTION, store_filter(filters, scope))


def store_filter(filters: DisputeFilter, scope: Scope) -> Filter | None:
    """The register's filters and the caller's scope as a store filter tree."""
    if filters.party:
        raise InvalidInputError(
            "检索副本中当事人姓名已脱敏，不能按当事人检索：请用纠纷列表（party 参数）查找",
            field="party",
        )
    received = None
    if filters.received_from or filters.received_to:
        received = Range(field="received", gte=filters.received_from, lte=filters.received_to)
    return all_of(
        Term(field="committee", value=scope.committee) if scope.committee else None,
        Term(field="region_path", value=normal_region(scope.region)) if scope.region else None,
        Terms(field="status", values=tuple(filters.status)) if filters.status else None,
        Terms(field="dispute_type", values=tuple(filters.dispute_type)) if filters.dispute_type else None,
        Terms(field="org_level", values=tuple(filters.org_level)) if filters.org_level else None,
        Terms(field="channel", values=tuple(filters.channel)) if filters.channel else None,
        Term(field="region_path", value=normal_region(filters.region)) if filters.region else None,
        Term(field="committee", value=filters.committee) if filters.committee else None,
        received,
    )


def _hit_json(hit: Hit | RankedHit) -> dict[str, Any]:
    why = getattr(hit, "why", None)
    data: dict[str, Any] = {"id": hit.id}
    data.update({k: hit.source[k] for k in _HIT_FIELDS if hit.source.get(k) is not None})
    data["description"] = hit.source.get("description", "")
    data["score"] = round(hit.score, 6)
    data["highlights"] = hit.highlights
    data["why"] = why.as_dict() if why else None
    return data


def _ids_text(ids: Sequence[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:20])
    return shown + (f" 等 {len(ids)} 件" if len(ids) > 20 else "")
