"""The indexer: load → validate → mask → analyse → embed → write, as generators.

Per collection (cases, experts, training), records stream from the domain's
loader; each bad record becomes a rejection with file, line and reason while
the good ones go on. Ids are stable, so a rerun replaces documents instead of
duplicating them, and a document whose content hash is unchanged is skipped
before it is embedded. ``rebuild=True`` writes a fresh copy of the collection
and swaps it in atomically (an alias swap on Elasticsearch); if anything fails
the half-built copy is dropped and the old collection stays.

Two optional parts of a :class:`~indexer.spec.CollectionSpec` change a run:

- ``fingerprint``: a collection built from a large, rarely changing input (the
  statute database: 26,000 articles, a minute or two of analysis) says in one
  string what it is built from. After a complete run the fingerprint (with the
  model and analyzer versions) is kept in the store's meta, with the report;
  the next run that finds the same fingerprint, and the same document count in
  the store, reports the collection all unchanged (its rejections and warnings
  again) without loading a record. ``rebuild=True`` always reads everything.
- ``check``: a checker run on every good record; its warnings are reported
  beside ``rejected`` (the record still lands) and the fields it returns are
  stored with the record's documents (cases: citations verified against the
  statute catalog, and the articles they cite).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

from indexer.spec import Checker, CollectionSpec, Prepared
from kb_service.analysis import ChineseAnalyzer
from kb_service.embeddings import Embedder
from kb_service.library import Loaded, Rejection
from kb_service.service import collection_meta_key
from kb_service.store import CollectionSchema, Document, SearchStore
from kb_service.telemetry import timed_embedding

EMBED_BATCH = 64
ANALYZER_VERSION = "1"
"""Bump when analysis changes, so every document is re-analysed on the next run."""


@dataclass
class CollectionReport:
    indexed: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    removed: int = 0
    """Stale sections of changed records deleted (a training material that lost a heading)."""
    documents: int = 0
    """Search documents read for the term statistics (a training material gives several)."""
    warnings: list[dict[str, Any]] = field(default_factory=list)
    """What the collection's check found: ``{"path", "line", "id", …}``; those records still landed."""
    skipped: bool = False
    """True when the fingerprint matched and no record was read."""
    failed_writes: int = 0
    """Records the store refused (they are among ``rejected``)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "indexed": self.indexed,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "rejected": [r.as_dict() for r in self.rejected],
            "warnings": self.warnings,
        }


@dataclass
class _Pending:
    """A record whose documents are on their way to the store."""

    loaded: Loaded
    documents: list[Prepared]
    hashes: list[str]


def idf_table(frequencies: Counter[str], documents: int) -> dict[str, float]:
    """Inverse document frequency of each term, from how many of ``documents`` hold it."""
    return {term: round(math.log((documents + 1) / (count + 1)) + 1.0, 4) for term, count in frequencies.items()}


def content_hash(doc: Prepared, model_id: str) -> str:
    payload = json.dumps(
        [doc.source, doc.text, doc.embed_text, model_id, ANALYZER_VERSION],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def fingerprint_meta_key(collection: str) -> str:
    """Where the last complete run of a fingerprinted collection is recorded."""
    return f"fingerprint-{collection}"


def _unique(items: Iterable[Loaded | Rejection], report: CollectionReport) -> Iterator[Loaded]:
    """Good records, first occurrence of each id; a duplicate is rejected naming both files."""
    first_seen: dict[str, Loaded] = {}
    for item in items:
        if isinstance(item, Rejection):
            report.rejected.append(item)
            continue
        record_id = item.record.id
        if record_id in first_seen:
            earlier = first_seen[record_id]
            report.rejected.append(
                Rejection(
                    item.path,
                    item.line,
                    f"编号 {record_id} 重复：已在 {earlier.path}（第 {earlier.line} 行）出现，本条未收录",
                )
            )
            continue
        first_seen[record_id] = item
        yield item


class Indexer:
    def __init__(self, store: SearchStore, analyzer: ChineseAnalyzer, embedder: Embedder) -> None:
        self._store = store
        self._analyzer = analyzer
        self._embedder = embedder

    def index(
        self,
        spec: CollectionSpec,
        libraries: list[Path],
        *,
        rebuild: bool = False,
        progress: bool = True,
    ) -> CollectionReport:
        report = CollectionReport()
        schema = spec.schema(self._embedder.dimension)
        fingerprint = self._fingerprint(spec, libraries)
        if fingerprint is not None:
            if not rebuild and self._replay_if_unchanged(schema, fingerprint, report):
                return report
            # a run that stops half-way must not leave the old fingerprint claiming the collection
            self._store.put_meta(fingerprint_meta_key(schema.name), {})
        if not rebuild:
            # also where the store clears what a killed run left (a rebuild's half-built copy),
            # even when nothing changed and nothing will be written
            self._store.ensure_collection(schema)
        existing = {} if rebuild else self._store.content_hashes(schema.name)
        records = tqdm(
            _unique(spec.load(libraries), report),
            desc=f"索引 {spec.name}",
            unit="条",
            disable=not progress,
            leave=False,
        )
        frequencies: Counter[str] = Counter()
        checker = spec.check(libraries) if spec.check else None
        pending = self._prepare(spec, records, existing, report, frequencies, checker)
        if rebuild:
            with self._store.rebuilding(schema) as writer:
                self._write(schema, pending, writer.write, report)
                self._write_idf(spec, frequencies, report)
                self._write_info(schema)
        else:
            produced: set[str] = set()
            self._write(schema, self._tracking(pending, produced), lambda docs: self._store.write(schema, docs), report)
            report.removed = self._remove_stale_sections(schema, existing, produced)
            self._write_idf(spec, frequencies, report)
            self._write_info(schema)
        if spec.learn is not None and (rebuild or report.indexed or report.removed or not self._learnt(spec)):
            spec.learn(self._store)
            self._store.put_meta(f"learnt-{spec.name}", {"documents": report.documents or report.indexed})
        if fingerprint is not None:
            self._record_fingerprint(schema, fingerprint, report)
        return report

    def _learnt(self, spec: CollectionSpec) -> bool:
        """Whether what the spec learns was learnt from this collection before (a store
        indexed before the spec learnt anything has data but no record of it)."""
        return self._store.get_meta(f"learnt-{spec.name}") is not None

    # -- fingerprints ----------------------------------------------------------------
    def _fingerprint(self, spec: CollectionSpec, libraries: list[Path]) -> str | None:
        if spec.fingerprint is None:
            return None
        parts = [spec.fingerprint(libraries), self._embedder.model_id, ANALYZER_VERSION]
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()

    def _replay_if_unchanged(self, schema: CollectionSchema, fingerprint: str, report: CollectionReport) -> bool:
        """Report the last complete run again, every record unchanged, if nothing it read has changed."""
        recorded = self._store.get_meta(fingerprint_meta_key(schema.name)) or {}
        if recorded.get("fingerprint") != fingerprint or not self._store.has_collection(schema.name):
            return False
        # the collection may have been emptied or rebuilt by hand since: then read everything
        if self._store.count(schema.name) != recorded.get("documents"):
            return False
        report.unchanged = int(recorded.get("records", 0))
        report.rejected = [Rejection(Path(r["path"]), r["line"], r["reason"]) for r in recorded.get("rejected", [])]
        report.warnings = list(recorded.get("warnings", []))
        report.skipped = True
        return True

    def _record_fingerprint(self, schema: CollectionSchema, fingerprint: str, report: CollectionReport) -> None:
        if report.failed_writes:  # the store refused documents: the next run must try them again
            return
        self._store.put_meta(
            fingerprint_meta_key(schema.name),
            {
                "fingerprint": fingerprint,
                "records": report.indexed + report.unchanged,
                "documents": self._store.count(schema.name),
                "rejected": [r.as_dict() for r in report.rejected],
                "warnings": report.warnings,
            },
        )

    def _write_info(self, schema: CollectionSchema) -> None:
        """What readers need to know without loading the model (``Services.collection_info``)."""
        self._store.put_meta(
            collection_meta_key(schema.name),
            {"vector_dimension": schema.vector_dimension, "model": self._embedder.model_id},
        )

    def _prepare(
        self,
        spec: CollectionSpec,
        records: Iterable[Loaded],
        existing: dict[str, str],
        report: CollectionReport,
        frequencies: Counter[str],
        checker: Checker | None = None,
    ) -> Iterator[_Pending]:
        model_id = self._embedder.model_id
        for loaded in records:
            try:
                documents = spec.prepare(loaded.record, self._analyzer)
            except ValueError as exc:
                report.rejected.append(Rejection(loaded.path, loaded.line, str(exc)))
                continue
            if checker is not None:
                documents = self._checked(checker, loaded, documents, report)
            if spec.idf_field:
                for doc in documents:
                    frequencies.update(set(doc.text.get(spec.idf_field, "").split()))
                    report.documents += 1
            hashes = [content_hash(doc, model_id) for doc in documents]
            if all(existing.get(d.id) == h for d, h in zip(documents, hashes, strict=True)):
                report.unchanged += 1
                continue
            yield _Pending(loaded, documents, hashes)

    @staticmethod
    def _checked(
        checker: Checker, loaded: Loaded, documents: list[Prepared], report: CollectionReport
    ) -> list[Prepared]:
        checked = checker(loaded.record)
        where = {"path": str(loaded.path), "line": loaded.line, "id": loaded.record.id}
        report.warnings.extend({**where, **warning} for warning in checked.warnings)
        if not checked.fields:
            return documents
        # before hashing: a changed finding (a law amended since) rewrites the record
        return [replace(doc, source={**doc.source, **checked.fields}) for doc in documents]

    @staticmethod
    def _tracking(pending: Iterable[_Pending], produced: set[str]) -> Iterator[_Pending]:
        for item in pending:
            produced.update(d.id for d in item.documents)
            yield item

    def _write(self, schema: CollectionSchema, pending: Iterable[_Pending], write, report: CollectionReport) -> None:
        batch: list[_Pending] = []
        for item in pending:
            batch.append(item)
            if sum(len(p.documents) for p in batch) >= EMBED_BATCH:
                self._flush(batch, write, report)
                batch = []
        if batch:
            self._flush(batch, write, report)

    def _flush(self, batch: list[_Pending], write, report: CollectionReport) -> None:
        texts = [doc.embed_text for item in batch for doc in item.documents if doc.embed_text is not None]
        with timed_embedding("documents"):
            vectors = iter(self._embedder.encode(texts)) if texts else iter(())
        documents: list[Document] = []
        owner: dict[str, _Pending] = {}
        for item in batch:
            for doc, digest in zip(item.documents, item.hashes, strict=True):
                documents.append(
                    Document(
                        id=doc.id,
                        source=doc.source,
                        text=doc.text,
                        vector=None if doc.embed_text is None else next(vectors),
                        content_hash=digest,
                    )
                )
                owner[doc.id] = item
        result = write(documents)
        failed_records = set()
        for doc_id, reason in result.failed:
            item = owner.get(doc_id)
            if item is not None and id(item) not in failed_records:
                failed_records.add(id(item))
                report.rejected.append(Rejection(item.loaded.path, item.loaded.line, reason))
        report.indexed += len(batch) - len(failed_records)
        report.failed_writes += len(failed_records)

    def _remove_stale_sections(self, schema: CollectionSchema, existing: dict[str, str], produced: set[str]) -> int:
        """Sections (``{id}#{n}``) that a changed record no longer has."""
        changed_records = {doc_id.split("#", 1)[0] for doc_id in produced if "#" in doc_id}
        stale = [
            doc_id
            for doc_id in existing
            if "#" in doc_id and doc_id.split("#", 1)[0] in changed_records and doc_id not in produced
        ]
        return self._store.delete(schema.name, stale) if stale else 0

    def _write_idf(self, spec: CollectionSpec, frequencies: Counter[str], report: CollectionReport) -> None:
        """Inverse document frequencies of the library just read, for long-query key terms."""
        if not spec.idf_field or not frequencies:
            return
        # documents, not records: a material has many sections
        self._store.put_meta(f"idf-{spec.name}", idf_table(frequencies, report.documents))

    def upsert(self, spec: CollectionSpec, records: Iterable[Loaded]) -> CollectionReport:
        """Write these records' documents now, one batch of embeddings per 64 documents.

        For records that change one by one outside ``kb index`` (a registered dispute, an
        approved case draft): term statistics and other records are left as they are.
        """
        report = CollectionReport()
        schema = spec.schema(self._embedder.dimension)
        pending = self._prepare(spec, records, {}, report, Counter())
        self._write(schema, pending, lambda docs: self._store.write(schema, docs), report)
        if self._store.get_meta(collection_meta_key(schema.name)) is None:
            self._write_info(schema)
        return report
