"""The embedded store: in-process, persistent under ``KB_DATA_DIR``, no server.

Documents live in one SQLite file (``store.sqlite3``). Searching happens in
memory over a snapshot that is taken again when the collection's
*generation* changes (another process may have indexed meanwhile). A
snapshot holds only what ranking needs, as arrays, each part built from one
pass over SQLite the first time it is needed: the ids (when the snapshot is
taken), each search field's postings in compressed-column form (per term:
the documents and the term's frequency in each; per document: the field's
length norm) on the first keyword search, one float32 matrix of unit vectors
on the first vector search, and one column of values per record field that
filters, facets or browsing look at. Stored records and analysed texts stay
in SQLite: a page's hits read their records from it. At 100,000 cases that
is about 1 GB resident after one search of every kind, against 2.8 GB (3.3 GB
at peak) when the snapshot held every record and text as Python objects
(``benchmarks/embedded_100k.py``).

- keyword: BM25 per field exactly as Lucene computes it (``lucene_bm25.py``),
  weighted and summed the way Elasticsearch sums a ``bool`` of boosted
  ``term`` clauses; only the documents containing a query term are scored;
- vector: exact cosine similarity with numpy, scored ``(1 + cos) / 2`` as
  Elasticsearch scores ``cosine`` vectors;
- filters and facets: ``filters.py``.

Limits, stated: it suits a county's library up to about 100,000 records;
past ``LARGE_COLLECTION`` documents it logs a warning to move to
Elasticsearch. At 100,000 cases the first keyword search after a write (or
in a fresh process) builds the postings in about 20 s, the first vector
search reads the vectors in about 2 s, and each first use of record fields
reads every record once (1–2 s). Writers take a file lock, so two indexers
cannot interleave a rebuild; readers never block. A record deleted between a
snapshot and the reading of a page's records is left out of that page.
"""

from __future__ import annotations

import itertools
import json
import logging
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock, Timeout

from kb_service.errors import (
    CollectionNotIndexedError,
    ConflictError,
    NotFoundError,
    StoreUnavailableError,
)
from kb_service.store.filters import (
    And,
    DateHistogramFacet,
    Facet,
    Filter,
    Not,
    Or,
    Term,
    Terms,
    TermsFacet,
    facet_key,
    matches,
)
from kb_service.store.filters import _values as facet_values
from kb_service.store.highlight import highlight_source
from kb_service.store.lucene_bm25 import FieldPostings
from kb_service.store.protocol import (
    CollectionSchema,
    Document,
    Hit,
    KeywordQuery,
    SearchPage,
    WriteResult,
)

log = logging.getLogger(__name__)

LARGE_COLLECTION = 200_000
_REBUILD_SUFFIX = "\x00rebuild"
_WRITE_LOCK_TIMEOUT = 30.0
_KEPT_MASKS = 64
"""Filter masks kept per snapshot."""


class _Snapshot:
    """One collection's documents in memory, for searching.

    Taken: the ids, in id order (positions are ranks of ids). Built when first needed,
    each from one pass over SQLite: the search fields' postings (``FieldPostings``, one
    vocabulary) on the first keyword search, the unit vectors (one float32 matrix) on
    the first vector search, and one column of values per record field that a filter,
    a facet or browsing looks at (``source -> '$.field'``). Not kept: the stored records
    and the analysed texts; the hits of a page read their records from SQLite. A part
    built after another process wrote to the collection is matched to the snapshot's
    ids by id (records added since are left out; the next search takes a new snapshot)."""

    def __init__(self, store: EmbeddedStore, collection: str, generation: int, ids: list[str]) -> None:
        self.generation = generation
        self._store = store
        self._collection = collection
        self.ids = ids
        self._position = {doc_id: i for i, doc_id in enumerate(self.ids)}
        self._postings: tuple[dict[str, int], dict[str, FieldPostings]] | None = None
        self._vectors: tuple[np.ndarray, np.ndarray] | None = None
        self._empty_field = FieldPostings(
            np.zeros(len(self.ids), dtype=np.int32), np.zeros(1, dtype=np.int64),
            np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint16),
        )  # fmt: skip
        self._columns: dict[str, list[Any]] = {}
        self._masks: dict[Filter, np.ndarray] = {}
        self._facet_pairs: dict[tuple[str, str | None], tuple[list[Any], np.ndarray, np.ndarray]] = {}
        self._browse_orders: dict[str, np.ndarray] = {}
        self._all = np.ones(len(self.ids), dtype=bool)
        self._all.flags.writeable = False
        self._lock = threading.Lock()
        self._postings_lock = threading.Lock()
        self._vectors_lock = threading.Lock()

    def postings(self) -> tuple[dict[str, int], dict[str, FieldPostings]]:
        """(vocabulary, postings per search field)."""
        if self._postings is None:
            with self._postings_lock:
                if self._postings is None:
                    self._postings = _read_postings(self, self._store._read_batches(self._collection, "text"))
        return self._postings

    def field_index(self, name: str) -> FieldPostings:
        return self.postings()[1].get(name, self._empty_field)

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(unit vectors, whether each document has one)."""
        if self._vectors is None:
            with self._vectors_lock:
                if self._vectors is None:
                    self._vectors = _read_vectors(self, self._store._read_batches(self._collection, "vector"))
        return self._vectors

    def column(self, field: str) -> list[Any]:
        """The field's value in every document's record (``None`` where absent)."""
        with self._lock:
            found = self._columns.get(field)
        if found is None:
            self.prefetch([field])
            with self._lock:
                found = self._columns[field]
        return found

    def prefetch(self, fields: Iterable[str]) -> None:
        """Read the columns of these fields not read yet, in one pass over the records."""
        with self._lock:
            missing = [f for f in dict.fromkeys(fields) if f not in self._columns]
        if missing:
            columns = self._store._read_columns(self._collection, missing, self.ids, self._position)
            with self._lock:
                for field, column in columns.items():
                    self._columns.setdefault(field, column)

    def sources(self, positions: Sequence[int]) -> list[dict[str, Any] | None]:
        """The stored records of these documents (``None`` for one deleted since)."""
        ids = [self.ids[i] for i in positions]
        found = self._store._read_sources(self._collection, ids)
        return [found.get(doc_id) for doc_id in ids]

    def filtered(self, filter: Filter | None) -> np.ndarray:
        """Which documents match, as a read-only mask (see ``_filtered``)."""
        if filter is not None:
            self.prefetch(_leaf_fields(filter))
        return self._filtered(filter)

    def _filtered(self, filter: Filter | None) -> np.ndarray:
        """Which documents match, as a read-only mask.

        The tree is combined with numpy (``&``, ``|``, ``~``); only its leaves are
        evaluated in Python, once per snapshot (the tree is frozen, so hashable), over
        the column of the leaf's field, since evaluating a leaf over a large collection
        (26,000 statute articles, 100,000 cases) costs more than the search itself.
        ``id`` leaves (a hybrid search's fused set, an excluded case) are looked up by
        position, so a new set of ids per query costs nothing to evaluate."""
        if filter is None:
            return self._all
        match filter:
            case And(conditions=conditions):
                return np.logical_and.reduce([self._filtered(c) for c in conditions]) if conditions else self._all
            case Or(conditions=conditions):
                return np.logical_or.reduce([self._filtered(c) for c in conditions]) if conditions else ~self._all
            case Not(condition=condition):
                return ~self._filtered(condition)
            case Term(field="id", value=value) | Terms(field="id", values=(value,)):
                return self._id_mask((value,))
            case Terms(field="id", values=values):
                return self._id_mask(values)
        with self._lock:
            mask = self._masks.get(filter)
        if mask is None:
            field = filter.field  # every other node is a leaf on one field
            column = self.column(field)
            mask = np.fromiter((matches(filter, {field: v}) for v in column), dtype=bool, count=len(column))
            mask.flags.writeable = False
            with self._lock:
                if len(self._masks) >= _KEPT_MASKS:
                    self._masks.clear()
                self._masks[filter] = mask
        return mask

    def _id_mask(self, values) -> np.ndarray:
        mask = np.zeros(len(self.ids), dtype=bool)
        positions = [self._position.get(v) for v in values if isinstance(v, str)]
        mask[[p for p in positions if p is not None]] = True
        return mask

    def facet_counts(self, facet: Facet, chosen: np.ndarray) -> list[tuple[Any, int]]:
        """(key, documents) of one facet over the chosen documents, with ``np.bincount``
        over (document, key) pairs built once per snapshot and facet field."""
        cache_key = (facet.field, getattr(facet, "interval", None))
        with self._lock:
            pairs = self._facet_pairs.get(cache_key)
        if pairs is None:
            pairs = _facet_pairs(facet, ({facet.field: v} for v in self.column(facet.field)))
            with self._lock:
                self._facet_pairs[cache_key] = pairs
        keys, docs, key_index = pairs
        counts = np.bincount(key_index[chosen[docs]], minlength=len(keys))
        return [(keys[k], int(counts[k])) for k in np.flatnonzero(counts)]

    def browse_order(self, field: str | None) -> np.ndarray:
        """Every position in browsing order: newest ``field`` first (as text, descending),
        ties and records without the field (last) by id ascending."""
        if field is None:
            return np.arange(len(self.ids))
        with self._lock:
            order = self._browse_orders.get(field)
        if order is None:
            column = self.column(field)
            with_value = [i for i, v in enumerate(column) if v is not None]
            without = [i for i, v in enumerate(column) if v is None]
            # sort() with reverse=True is stable: equal values keep id ascending.
            with_value.sort(key=lambda i: str(column[i]), reverse=True)
            order = np.asarray(with_value + without, dtype=np.int64)
            with self._lock:
                self._browse_orders[field] = order
        return order


_ROWS_PER_BATCH = 2_000
_DOCS_PER_BATCH_BITS = 20  # a batch's document number fits below bit 20 of a posting key


def _read_postings(
    snapshot: _Snapshot, batches: Iterator[list[tuple[str, str]]]
) -> tuple[dict[str, int], dict[str, FieldPostings]]:
    """Postings of every search field from (id, analysed texts) rows, a batch at a time,
    so that only one batch of texts is ever held as Python objects."""
    n = len(snapshot.ids)
    position = snapshot._position
    vocabulary: dict[str, int] = defaultdict(itertools.count().__next__)
    term_number = vocabulary.__getitem__
    lengths: dict[str, np.ndarray] = {}
    parts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    for batch in batches:
        places: list[int] = []
        tokens: dict[str, list[str]] = {}
        counts: dict[str, tuple[list[int], list[int]]] = {}
        for doc_id, text in batch:
            at = position.get(doc_id)
            if at is None:  # written since the snapshot was taken
                continue
            local = len(places)
            places.append(at)
            for name, value in json.loads(text).items():
                cut = value.split()
                if name not in tokens:
                    tokens[name], counts[name] = [], ([], [])
                tokens[name].extend(cut)
                counts[name][0].append(local)
                counts[name][1].append(len(cut))
        where = np.asarray(places, dtype=np.int32)
        for name, cut in tokens.items():
            locals_, sizes = (np.asarray(x, dtype=np.int64) for x in counts[name])
            if name not in lengths:
                lengths[name] = np.zeros(n, dtype=np.int32)
            lengths[name][where[locals_]] = sizes
            numbers = np.fromiter(map(term_number, cut), dtype=np.int64, count=len(cut))
            keys, tfs = np.unique((numbers << _DOCS_PER_BATCH_BITS) | np.repeat(locals_, sizes), return_counts=True)
            parts.setdefault(name, []).append(
                (
                    (keys >> _DOCS_PER_BATCH_BITS).astype(np.int32),
                    where[keys & ((1 << _DOCS_PER_BATCH_BITS) - 1)],
                    np.minimum(tfs, np.iinfo(np.uint16).max).astype(np.uint16),
                )
            )
    terms = len(vocabulary)
    fields: dict[str, FieldPostings] = {}
    for name, field_parts in parts.items():
        numbers = np.concatenate([p[0] for p in field_parts])
        docs = np.concatenate([p[1] for p in field_parts])
        tfs = np.concatenate([p[2] for p in field_parts])
        field_parts.clear()
        order = np.argsort(numbers, kind="stable")
        indptr = np.zeros(terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(numbers, minlength=terms), out=indptr[1:])
        del numbers
        fields[name] = FieldPostings(lengths[name], indptr, docs[order], tfs[order])
    return dict(vocabulary), fields  # a plain dict: an unknown term stays unknown


def _read_vectors(snapshot: _Snapshot, batches: Iterator[list[tuple[str, bytes | None]]]) -> tuple[np.ndarray, np.ndarray]:
    """(unit vectors, has a vector) from (id, vector) rows. Documents whose vectors differ
    in dimension leave the collection without vectors, as Elasticsearch would refuse them."""
    n = len(snapshot.ids)
    position = snapshot._position
    dim = None
    mixed = False
    vectors = np.zeros((n, 0), dtype=np.float32)
    has_vector = np.zeros(n, dtype=bool)
    for batch in batches:
        for doc_id, blob in batch:
            at = position.get(doc_id)
            if at is None or not blob:
                continue
            vector = np.frombuffer(blob, dtype=np.float32)
            if dim is None:
                dim = vector.shape[0]
                vectors = np.zeros((n, dim), dtype=np.float32)
            if vector.shape[0] != dim:
                mixed = True
            elif not mixed:
                # np.linalg.norm of a 1-d float32 vector, without its call overhead
                vectors[at] = vector / (np.sqrt(vector.dot(vector)) or 1.0)
                has_vector[at] = True
    if mixed:
        return np.zeros((n, 0), dtype=np.float32), np.zeros(n, dtype=bool)
    vectors.flags.writeable = False
    has_vector.flags.writeable = False
    return vectors, has_vector


def _leaf_fields(filter: Filter) -> list[str]:
    """The record fields a filter tree's leaves look at (``id`` leaves are by position)."""
    match filter:
        case And(conditions=conditions) | Or(conditions=conditions):
            return [field for c in conditions for field in _leaf_fields(c)]
        case Not(condition=condition):
            return _leaf_fields(condition)
        case Term(field="id") | Terms(field="id"):
            return []
    return [filter.field]


def _facet_pairs(facet: Facet, sources: Iterable[dict[str, Any]]) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """Every distinct (document position, bucket key) of the facet's field."""
    index: dict[Any, int] = {}
    docs: list[int] = []
    key_index: list[int] = []
    dates = isinstance(facet, DateHistogramFacet)
    for position, source in enumerate(sources):
        seen = set()
        for value in facet_values(source, facet.field):
            key = facet_key(facet, value) if dates else value
            if key is None or key in seen:
                continue
            seen.add(key)
            docs.append(position)
            key_index.append(index.setdefault(key, len(index)))
    return list(index), np.asarray(docs, dtype=np.int64), np.asarray(key_index, dtype=np.int64)


class EmbeddedStore:
    """SQLite for persistence, numpy for search. See the module docstring."""

    def __init__(self, data_dir: Path, *, lock_timeout: float = _WRITE_LOCK_TIMEOUT) -> None:
        self._data_dir = Path(data_dir)
        self._lock_timeout = lock_timeout
        self._local = threading.local()
        self._snapshots: dict[str, _Snapshot] = {}
        self._snapshot_lock = threading.Lock()
        self._swept: set[str] = set()

    # -- connection ----------------------------------------------------------------
    @property
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                self._data_dir.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self._data_dir / "store.sqlite3", timeout=30)
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(
                    """
                    CREATE TABLE IF NOT EXISTS collections (
                        name TEXT PRIMARY KEY, generation INTEGER NOT NULL DEFAULT 0);
                    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE IF NOT EXISTS documents (
                        collection TEXT NOT NULL, id TEXT NOT NULL, source TEXT NOT NULL,
                        text TEXT NOT NULL, vector BLOB, content_hash TEXT NOT NULL,
                        PRIMARY KEY (collection, id));
                    """
                )
                _drop_legacy_schema_column(db)
            except (OSError, sqlite3.Error) as exc:
                raise StoreUnavailableError(
                    f"内置检索库无法打开：{self._data_dir}（{exc}）。请检查 KB_DATA_DIR 是否为可写的文件夹"
                ) from exc
            self._local.db = db
        return db

    @contextmanager
    def _sql(self):
        try:
            yield self._db
        except sqlite3.Error as exc:
            raise StoreUnavailableError(f"内置检索库读写失败：{exc}") from exc

    @contextmanager
    def _write_lock(self):
        lock = FileLock(str(self._data_dir / "write.lock"))
        try:
            self._data_dir.mkdir(parents=True, exist_ok=True)
            lock.acquire(timeout=self._lock_timeout)
        except Timeout as exc:
            raise ConflictError("另一个进程正在写入内置检索库，请稍后再试") from exc
        except OSError as exc:
            raise StoreUnavailableError(f"内置检索库无法写入：{self._data_dir}（{exc}）") from exc
        try:
            yield
        finally:
            lock.release()

    def ping(self) -> None:
        with self._sql() as db:
            db.execute("SELECT 1").fetchone()

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- collections ---------------------------------------------------------------
    def ensure_collection(self, schema: CollectionSchema) -> None:
        # The schema itself is not stored: searches receive it from the caller, and the
        # indexer records the vector dimension as collection metadata (put_meta).
        with self._sql() as db, db:
            db.execute("INSERT OR IGNORE INTO collections (name) VALUES (?)", (schema.name,))
        if schema.name not in self._swept:
            self._sweep_staging(schema.name)

    def _sweep_staging(self, name: str) -> None:
        """A rebuild holds the write lock from start to swap, so staging rows found while we
        hold it are a killed rebuild's: drop them. Once per collection and process; skipped
        (tried again next time) while another writer holds the lock."""
        lock = FileLock(str(self._data_dir / "write.lock"))
        try:
            lock.acquire(timeout=0)
        except (Timeout, OSError):
            return
        try:
            with self._sql() as db, db:
                db.execute("DELETE FROM documents WHERE collection = ?", (name + _REBUILD_SUFFIX,))
            self._swept.add(name)
        finally:
            lock.release()

    def has_collection(self, name: str) -> bool:
        with self._sql() as db:
            return db.execute("SELECT 1 FROM collections WHERE name = ?", (name,)).fetchone() is not None

    def _require(self, name: str) -> None:
        if not self.has_collection(name):
            raise CollectionNotIndexedError(name)

    def _bump(self, db: sqlite3.Connection, name: str) -> None:
        db.execute("UPDATE collections SET generation = generation + 1 WHERE name = ?", (name,))

    # -- writing -------------------------------------------------------------------
    def write(self, schema: CollectionSchema, documents: Iterable[Document]) -> WriteResult:
        self.ensure_collection(schema)
        with self._write_lock():
            return self._write_rows(schema, schema.name, documents)

    def _write_rows(
        self, schema: CollectionSchema, name: str, documents: Iterable[Document]
    ) -> WriteResult:
        result = WriteResult()
        batch: list[tuple] = []

        def flush() -> None:
            with self._sql() as db, db:
                db.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?)", batch)
                self._bump(db, name)
            result.written += len(batch)
            batch.clear()

        for doc in documents:
            problem = _check_document(schema, doc)
            if problem:
                result.failed.append((doc.id, problem))
                continue
            vector = None if doc.vector is None else np.asarray(doc.vector, dtype=np.float32).tobytes()
            batch.append(
                (
                    name,
                    doc.id,
                    json.dumps({**doc.source, "id": doc.id}, ensure_ascii=False, default=str),
                    json.dumps(doc.text, ensure_ascii=False),
                    vector,
                    doc.content_hash,
                )
            )
            if len(batch) >= 500:
                flush()
        if batch:
            flush()
        total = self.count(schema.name) if name == schema.name else 0
        if total > LARGE_COLLECTION:
            log.warning(
                "内置检索库的 %s 集合已有 %d 条记录，超过 %d 条后建议改用 Elasticsearch",
                schema.name, total, LARGE_COLLECTION,
            )  # fmt: skip
        return result

    @contextmanager
    def rebuilding(self, schema: CollectionSchema):
        """Write into a staging copy; on success swap it in within one transaction."""
        staging = schema.name + _REBUILD_SUFFIX
        store = self

        class _Writer:
            def write(self, documents: Iterable[Document]) -> WriteResult:
                return store._write_rows(schema, staging, documents)

        with self._write_lock():
            with self._sql() as db, db:
                db.execute("DELETE FROM documents WHERE collection = ?", (staging,))
            try:
                yield _Writer()
            except BaseException:
                with self._sql() as db, db:
                    db.execute("DELETE FROM documents WHERE collection = ?", (staging,))
                raise
            self.ensure_collection(schema)
            with self._sql() as db, db:
                db.execute("DELETE FROM documents WHERE collection = ?", (schema.name,))
                db.execute(
                    "UPDATE documents SET collection = ? WHERE collection = ?", (schema.name, staging)
                )
                self._bump(db, schema.name)

    def delete(self, collection: str, ids: Iterable[str]) -> int:
        ids = list(ids)
        with self._write_lock(), self._sql() as db, db:
            deleted = 0
            for doc_id in ids:
                deleted += db.execute(
                    "DELETE FROM documents WHERE collection = ? AND id = ?", (collection, doc_id)
                ).rowcount
            self._bump(db, collection)
        return deleted

    def put_meta(self, key: str, value: dict[str, Any]) -> None:
        with self._sql() as db, db:
            db.execute(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value, ensure_ascii=False))
            )

    def get_meta(self, key: str) -> dict[str, Any] | None:
        with self._sql() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    # -- reading -------------------------------------------------------------------
    def get(self, collection: str, doc_id: str) -> dict[str, Any]:
        found = self.get_many(collection, [doc_id])
        if doc_id not in found:
            raise NotFoundError(f"未找到编号为 {doc_id} 的记录")
        return found[doc_id]

    def get_many(self, collection: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        self._require(collection)
        return self._read_sources(collection, ids)

    def get_vector(self, collection: str, doc_id: str) -> list[float] | None:
        self._require(collection)
        with self._sql() as db:
            row = db.execute(
                "SELECT vector FROM documents WHERE collection = ? AND id = ?", (collection, doc_id)
            ).fetchone()
        if row is None:
            raise NotFoundError(f"未找到编号为 {doc_id} 的记录")
        return None if row[0] is None else np.frombuffer(row[0], dtype=np.float32).tolist()

    def get_vectors(self, collection: str, ids: Sequence[str]) -> dict[str, list[float]]:
        return {
            doc_id: np.frombuffer(blob, dtype=np.float32).tolist()
            for doc_id, blob in self._rows(collection, ids, "vector")
            if blob is not None
        }

    def get_texts(self, collection: str, ids: Sequence[str]) -> dict[str, dict[str, str]]:
        return {doc_id: json.loads(text) for doc_id, text in self._rows(collection, ids, "text")}

    def _rows(self, collection: str, ids: Sequence[str], column: str) -> Iterator[tuple[str, Any]]:
        self._require(collection)
        with self._sql() as db:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                yield from db.execute(
                    f"SELECT id, {column} FROM documents WHERE collection = ? AND id IN ({marks})",
                    [collection, *chunk],
                ).fetchall()

    def count(self, collection: str, filter: Filter | None = None) -> int:
        self._require(collection)
        if filter is None:
            with self._sql() as db:
                return db.execute(
                    "SELECT COUNT(*) FROM documents WHERE collection = ?", (collection,)
                ).fetchone()[0]
        return int(self._snapshot(collection).filtered(filter).sum())

    def content_hashes(self, collection: str) -> dict[str, str]:
        if not self.has_collection(collection):
            return {}
        with self._sql() as db:
            return dict(
                db.execute(
                    "SELECT id, content_hash FROM documents WHERE collection = ?", (collection,)
                )
            )

    def iter_sources(self, collection: str) -> Iterator[dict[str, Any]]:
        """Every stored record in id order, read from SQLite a batch at a time."""
        self._require(collection)
        after = None
        while True:
            with self._sql() as db:
                if after is None:
                    batch = db.execute(
                        "SELECT id, source FROM documents WHERE collection = ? ORDER BY id LIMIT ?",
                        (collection, _ROWS_PER_BATCH),
                    ).fetchall()
                else:
                    batch = db.execute(
                        "SELECT id, source FROM documents WHERE collection = ? AND id > ? ORDER BY id LIMIT ?",
                        (collection, after, _ROWS_PER_BATCH),
                    ).fetchall()
            for _, source in batch:
                yield json.loads(source)
            if len(batch) < _ROWS_PER_BATCH:
                return
            after = batch[-1][0]

    def _snapshot(self, collection: str) -> _Snapshot:
        self._require(collection)
        with self._sql() as db:
            generation = db.execute(
                "SELECT generation FROM collections WHERE name = ?", (collection,)
            ).fetchone()[0]
        with self._snapshot_lock:
            snapshot = self._snapshots.get(collection)
            if snapshot is None or snapshot.generation != generation:
                self._snapshots.pop(collection, None)  # the old one's memory goes before the new one's comes
                with self._sql() as db:
                    ids = [
                        row[0]
                        for row in db.execute(
                            "SELECT id FROM documents WHERE collection = ? ORDER BY id", (collection,)
                        )
                    ]
                snapshot = _Snapshot(self, collection, generation, ids)
                self._snapshots[collection] = snapshot
            return snapshot

    def _read_batches(self, collection: str, column: str) -> Iterator[list[tuple[str, Any]]]:
        """(id, column) of every document in id order, a batch of rows at a time."""
        with self._sql() as db:
            cursor = db.execute(
                f"SELECT id, {column} FROM documents WHERE collection = ? ORDER BY id", (collection,)
            )
            try:
                while batch := cursor.fetchmany(_ROWS_PER_BATCH):
                    yield batch
            finally:
                cursor.close()

    def _read_sources(self, collection: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        with self._sql() as db:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                for doc_id, source in db.execute(
                    f"SELECT id, source FROM documents WHERE collection = ? AND id IN ({marks})",
                    [collection, *chunk],
                ):
                    found[doc_id] = json.loads(source)
        return found

    def _read_columns(
        self, collection: str, fields: list[str], ids: list[str], position: dict[str, int]
    ) -> dict[str, list[Any]]:
        """``source[field]`` of every document for each field, in the positions of ``ids``,
        from one pass over the records (reading them costs more than taking fields out).
        SQLite takes the fields out of each record (``->``, in C); each distinct value is
        decoded once and shared. A record written since the snapshot was taken is matched
        by id; one deleted since reads as ``None``."""
        decoded: dict[str | None, Any] = {None: None}

        def value(text: str | None) -> Any:
            found = decoded.get(text, decoded)
            if found is decoded:
                found = decoded[text] = json.loads(text)
            return found

        rows: list[tuple] | None = None
        if not any('"' in field or "\\" in field for field in fields):
            paths = ", ".join("source -> ?" for _ in fields)
            try:
                with self._sql() as db:
                    rows = [
                        (row[0], *map(value, row[1:]))
                        for row in db.execute(
                            f"SELECT id, {paths} FROM documents WHERE collection = ? ORDER BY id",
                            (*(f'$."{field}"' for field in fields), collection),
                        )
                    ]
            except StoreUnavailableError:  # a record SQLite cannot parse (e.g. NaN): decode in Python
                rows = None
        if rows is None:
            rows = [
                (source["id"], *(source.get(field) for field in fields))
                for source in self.iter_sources(collection)
            ]
        if len(rows) == len(ids) and all(row[0] == doc_id for row, doc_id in zip(rows, ids, strict=True)):
            return {field: [row[k] for row in rows] for k, field in enumerate(fields, start=1)}
        columns: dict[str, list[Any]] = {field: [None] * len(ids) for field in fields}
        for row in rows:
            at = position.get(row[0])
            if at is not None:
                for k, field in enumerate(fields, start=1):
                    columns[field][at] = row[k]
        return columns

    # -- searching -----------------------------------------------------------------
    def keyword_search(
        self,
        schema: CollectionSchema,
        query: KeywordQuery,
        *,
        filter: Filter | None = None,
        size: int = 10,
        offset: int = 0,
        highlight: bool = False,
    ) -> SearchPage:
        snapshot = self._snapshot(schema.name)
        scores, candidates, matched = self._keyword_scores(snapshot, query, filter)
        return self._page(schema, snapshot, scores, candidates, size, offset, query, matched, highlight)

    def _keyword_scores(self, snapshot, query: KeywordQuery, filter: Filter | None):
        n = len(snapshot.ids)
        total_scores = np.zeros(n, dtype=np.float64)
        matched = np.zeros((len(query.terms), n), dtype=bool)
        vocabulary, fields = snapshot.postings()
        for row, (term, term_weight) in enumerate(query.terms.items()):
            column = vocabulary.get(term)
            if column is None:
                continue
            for field_name, field_boost in query.fields.items():
                found = fields.get(field_name, snapshot._empty_field).term_scores(column)
                if found is None:
                    continue
                # Only the documents with the term: adding zero elsewhere changes nothing, so
                # the sums (in the same order) are those of adding whole score vectors.
                docs, scores = found
                total_scores[docs] += term_weight * field_boost * scores
                matched[row, docs[scores > 0]] = True
        return total_scores, matched.any(axis=0) & snapshot.filtered(filter), matched

    def vector_search(
        self,
        schema: CollectionSchema,
        vector: Sequence[float],
        *,
        filter: Filter | None = None,
        size: int = 10,
    ) -> SearchPage:
        return self._vector_page(schema, vector, filter, size, with_sources=True)

    def _vector_page(self, schema, vector, filter, size, with_sources: bool) -> SearchPage:
        snapshot = self._snapshot(schema.name)
        vectors, has_vector = snapshot.vectors()
        if vectors.shape[1] == 0:
            return SearchPage(total=0, hits=[])
        query = np.asarray(vector, dtype=np.float32)
        query = query / (np.linalg.norm(query) or 1.0)
        scores = (1.0 + vectors @ query) / 2.0
        candidates = has_vector & snapshot.filtered(filter)
        page = self._page(schema, snapshot, scores.astype(np.float64), candidates, size, 0, with_sources=with_sources)
        # kNN returns the k nearest; like Elasticsearch, total is the number returned.
        page.total = len(page.hits)
        return page

    def hybrid_candidates(
        self,
        schema: CollectionSchema,
        keyword: KeywordQuery,
        vector: Sequence[float],
        *,
        filter: Filter | None = None,
        size: int = 10,
    ) -> tuple[SearchPage, SearchPage]:
        # In process there is no round trip to save: the two searches one after the other,
        # without reading records (the caller reads those of the page it keeps).
        snapshot = self._snapshot(schema.name)
        scores, candidates, matched = self._keyword_scores(snapshot, keyword, filter)
        by_keyword = self._page(schema, snapshot, scores, candidates, size, 0, keyword, matched, with_sources=False)
        by_keyword.total = len(by_keyword.hits)
        return by_keyword, self._vector_page(schema, vector, filter, size, with_sources=False)

    def _page(self, schema, snapshot, scores, candidates, size, offset, query=None, matched=None,
              want_highlights=False, with_sources=True):  # fmt: skip
        hits = []
        terms = list(query.terms) if query is not None else []
        positions = _top(snapshot, scores, candidates, offset + size)[offset:]
        sources = snapshot.sources(positions) if with_sources else [{}] * len(positions)
        for i, source in zip(positions, sources, strict=True):
            if source is None:  # deleted since the snapshot was taken
                continue
            matched_terms = [terms[r] for r in range(len(terms)) if matched[r, i]] if matched is not None else []
            hits.append(
                Hit(
                    id=snapshot.ids[i],
                    score=float(scores[i]),
                    source=source,
                    matched_terms=matched_terms,
                    highlights=highlight_source(schema, source, matched_terms) if want_highlights else {},
                )
            )
        return SearchPage(total=int(np.count_nonzero(candidates)), hits=hits)

    def browse(
        self, schema: CollectionSchema, *, filter: Filter | None = None, size: int = 10, offset: int = 0
    ) -> SearchPage:
        snapshot = self._snapshot(schema.name)
        snapshot.prefetch(([schema.browse_order] if schema.browse_order else []) + (_leaf_fields(filter) if filter else []))
        mask = snapshot.filtered(filter)
        # Newest first, records without the field last (Elasticsearch's ``missing: _last``),
        # then id ascending: positions are in id order.
        order = snapshot.browse_order(schema.browse_order or None)
        page = order[mask[order]][offset : offset + size]
        hits = [
            Hit(id=snapshot.ids[i], score=0.0, source=source)
            for i, source in zip(page, snapshot.sources(page), strict=True)
            if source is not None
        ]
        return SearchPage(total=int(np.count_nonzero(mask)), hits=hits)

    def aggregate(
        self, collection: str, facets: Mapping[str, Facet], filter: Filter | None = None
    ) -> dict[str, list[dict]]:
        snapshot = self._snapshot(collection)
        snapshot.prefetch([facet.field for facet in facets.values()] + (_leaf_fields(filter) if filter else []))
        chosen = snapshot.filtered(filter)
        result: dict[str, list[dict]] = {}
        for name, facet in facets.items():
            counts = snapshot.facet_counts(facet, chosen)
            # as Elasticsearch orders buckets: terms by count, then key; dates by key
            if isinstance(facet, TermsFacet):
                counts = sorted(counts, key=lambda kv: (-kv[1], str(kv[0])))[: facet.size]
            else:
                counts.sort()
            result[name] = [{"value": key, "count": count} for key, count in counts]
        return result


def _top(snapshot: _Snapshot, scores: np.ndarray, candidates: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best candidates: score descending (to 6 decimals), then id
    ascending, the order the Elasticsearch backend asks for. Positions are in id order
    (the snapshot reads ``ORDER BY id``), so ties break by position. Only the candidates
    at or above the k-th best score are sorted, not the whole collection."""
    positions = np.flatnonzero(candidates)
    if k <= 0 or positions.size == 0:
        return positions[:0]
    rounded = np.round(scores[positions], 6)
    if positions.size > k:
        kth = np.partition(rounded, positions.size - k)[positions.size - k]
        keep = rounded >= kth
        positions, rounded = positions[keep], rounded[keep]
    order = np.lexsort((positions, -rounded))
    return positions[order][:k]


def _check_document(schema: CollectionSchema, doc: Document) -> str | None:
    """The reasons Elasticsearch would refuse a document, checked the same way here."""
    if not doc.id:
        return "缺少编号（id）"
    if doc.vector is not None and len(doc.vector) != schema.vector_dimension:
        return f"向量维度为 {len(doc.vector)}，与集合要求的 {schema.vector_dimension} 不符"
    for name in schema.number_fields:
        value = doc.source.get(name)
        if value is not None and not isinstance(value, int | float):
            return f"字段 {name} 应为数字，实际为 {value!r}"
    return None


def _drop_legacy_schema_column(db: sqlite3.Connection) -> None:
    """Stores written before the schema column was dropped still have it (NOT NULL, so
    new inserts would fail); drop it once."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(collections)")}
    if "schema" in columns:
        with db:
            db.execute("ALTER TABLE collections DROP COLUMN schema")
