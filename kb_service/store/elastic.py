"""The Elasticsearch backend (official client, server 8.19).

- Every collection is an alias ``{prefix}-{collection}`` over a versioned
  index ``{prefix}-{collection}-v{timestamp}``; a rebuild fills a new index
  (refresh off, no replicas) and swaps the alias in one atomic call, deleting
  the half-built index on failure. A lock document guards against two
  rebuilds of one collection at once.
- Text arrives pre-tokenised by our analyzer and is indexed with the built-in
  ``whitespace`` analyzer (the integ-test distribution has no
  ``analysis-common``); vectors are ``dense_vector`` with float HNSW.
- Writes go through ``helpers.streaming_bulk`` with retries for 429s and
  per-document failures collected, never raised on the first.
- One shard per index: BM25 statistics are then exact for the whole
  collection, which is what the embedded store computes too.
- Native errors are translated at this boundary into ``kb_service.errors``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property, wraps
from typing import Any

from kb_service.errors import (
    CollectionNotIndexedError,
    ConflictError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
)
from kb_service.settings import Settings
from kb_service.store.elastic_query import (
    compile_facets,
    compile_filter,
    compile_keyword_query,
    mapping_for,
    matched_terms,
    read_facets,
)
from kb_service.store.filters import Facet, Filter
from kb_service.store.highlight import highlight_source
from kb_service.store.protocol import (
    RESERVED_FIELDS,
    CollectionSchema,
    Document,
    Hit,
    KeywordQuery,
    SearchPage,
    WriteResult,
)

_HIDDEN = sorted(RESERVED_FIELDS)  # never returned to callers


@contextmanager
def _native_errors(url: str, prefix: str = "") -> Iterator[None]:
    """Map the client's exceptions to ours, at the boundary."""
    import elasticsearch

    try:
        yield
    except (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout) as exc:
        raise StoreUnavailableError(
            f"无法连接 Elasticsearch（{url}）：请确认服务已启动、KB_ELASTICSEARCH_URL 正确"
        ) from exc
    except elasticsearch.AuthenticationException as exc:
        raise StoreUnavailableError(
            "Elasticsearch 拒绝认证：请检查 KB_ELASTICSEARCH_API_KEY 或用户名、密码"
        ) from exc
    except elasticsearch.AuthorizationException as exc:
        raise StoreUnavailableError("Elasticsearch 账户权限不足，无法访问索引") from exc
    except elasticsearch.ApiError as exc:
        missing = _missing_index(exc)
        if missing is not None:
            # The alias vanished between our check and the query (a rebuild elsewhere
            # failed half-way, or someone deleted it): not indexed, not "down".
            collection = missing.removeprefix(f"{prefix}-") if prefix else missing
            raise CollectionNotIndexedError(collection) from exc
        if exc.meta.status == 429 or exc.meta.status >= 500:
            raise StoreUnavailableError(f"Elasticsearch 暂时不可用：{exc.message}") from exc
        raise StoreError(f"Elasticsearch 请求失败：{exc.message}") from exc


def _missing_index(exc: Any) -> str | None:
    """The index or alias an ``index_not_found_exception`` names, else None."""
    if exc.meta.status != 404 or not isinstance(exc.body, dict):
        return None
    error = exc.body.get("error")
    if isinstance(error, dict) and error.get("type") == "index_not_found_exception":
        return str(error.get("index") or error.get("resource.id") or "")
    return None


def _translating(method: Callable) -> Callable:
    @wraps(method)
    def wrapper(self: ElasticsearchStore, *args: Any, **kwargs: Any) -> Any:
        with _native_errors(self._url, self._prefix):
            return method(self, *args, **kwargs)

    return wrapper


class ElasticsearchStore:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._url = settings.elasticsearch_url
        self._prefix = settings.index_prefix
        self._ensured: set[str] = set()

    @cached_property
    def _client(self):
        from elasticsearch import Elasticsearch

        options: dict[str, Any] = {
            "request_timeout": self._settings.elasticsearch_timeout,
            "retry_on_timeout": True,
            "max_retries": 2,
        }
        if self._settings.elasticsearch_api_key:
            options["api_key"] = self._settings.elasticsearch_api_key.get_secret_value()
        elif self._settings.elasticsearch_username and self._settings.elasticsearch_password:
            options["basic_auth"] = (
                self._settings.elasticsearch_username,
                self._settings.elasticsearch_password.get_secret_value(),
            )
        if self._settings.elasticsearch_ca_certs:
            options["ca_certs"] = str(self._settings.elasticsearch_ca_certs)
        return Elasticsearch(self._url, **options)

    def alias(self, collection: str) -> str:
        return f"{self._prefix}-{collection}"

    @property
    def _lock_index(self) -> str:
        return f"{self._prefix}-locks"

    # -- lifecycle -----------------------------------------------------------------
    @_translating
    def ping(self) -> None:
        # GET / is not served by every distribution (the integ-test zip lacks it);
        # cluster health is, and says the same thing.
        self._client.cluster.health(timeout="5s")

    def close(self) -> None:
        if "_client" in self.__dict__:
            self._client.close()

    @_translating
    def has_collection(self, name: str) -> bool:
        return bool(self._client.indices.exists_alias(name=self.alias(name)))

    def _require(self, name: str) -> None:
        if not self.has_collection(name):
            raise CollectionNotIndexedError(name)

    def _new_index(self, schema: CollectionSchema, *, for_rebuild: bool) -> str:
        name = f"{self.alias(schema.name)}-v{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
        settings: dict[str, Any] = {"number_of_shards": 1}
        if for_rebuild:
            settings |= {"number_of_replicas": 0, "refresh_interval": "-1"}
        else:
            settings["auto_expand_replicas"] = "0-1"
        self._client.indices.create(index=name, mappings=mapping_for(schema), settings=settings)
        return name

    @_translating
    def ensure_collection(self, schema: CollectionSchema) -> None:
        # Once per collection and process: the indexer writes batch by batch, and two
        # extra round trips per batch would be wasted.
        if schema.name in self._ensured:
            return
        alias = self.alias(schema.name)
        if self._client.indices.exists_alias(name=alias):
            self._client.indices.put_mapping(index=alias, **mapping_for(schema))
        else:
            index = self._new_index(schema, for_rebuild=False)
            self._client.indices.put_alias(index=index, name=alias)
        self._ensured.add(schema.name)

    # -- writing -------------------------------------------------------------------
    def _actions(self, index: str, documents: Iterable[Document]) -> Iterator[dict[str, Any]]:
        for doc in documents:
            body = dict(doc.source)
            body["id"] = doc.id
            body["search_text"] = doc.text
            body["content_hash"] = doc.content_hash
            if doc.vector is not None:
                body["embedding"] = [float(x) for x in doc.vector]
            yield {"_op_type": "index", "_index": index, "_id": doc.id, "_source": body}

    def _bulk(self, index: str, documents: Iterable[Document]) -> WriteResult:
        from elasticsearch import helpers

        result = WriteResult()
        for ok, item in helpers.streaming_bulk(
            self._client,
            self._actions(index, documents),
            chunk_size=500,
            max_retries=3,
            raise_on_error=False,
            raise_on_exception=False,
        ):
            if ok:
                result.written += 1
            else:
                info = next(iter(item.values()))
                error = info.get("error", {})
                reason = error.get("reason", str(error)) if isinstance(error, dict) else str(error)
                result.failed.append((str(info.get("_id")), f"Elasticsearch 拒绝写入：{reason}"))
        return result

    @_translating
    def write(self, schema: CollectionSchema, documents: Iterable[Document]) -> WriteResult:
        self.ensure_collection(schema)
        result = self._bulk(self.alias(schema.name), documents)
        self._client.indices.refresh(index=self.alias(schema.name))
        return result

    @contextmanager
    def _rebuild_lock(self, collection: str):
        import elasticsearch

        try:
            self._client.index(
                index=self._lock_index,
                id=f"rebuild-{collection}",
                document={"since": time.time()},
                op_type="create",
                refresh=True,
            )
        except elasticsearch.ConflictError as exc:
            raise ConflictError(f"{collection} 集合正在由另一个进程重建，请稍后再试") from exc
        try:
            yield
        finally:
            self._client.delete(index=self._lock_index, id=f"rebuild-{collection}", refresh=True)

    @contextmanager
    def rebuilding(self, schema: CollectionSchema):
        store = self
        with _native_errors(self._url, self._prefix), self._rebuild_lock(schema.name):
            index = self._new_index(schema, for_rebuild=True)

            class _Writer:
                def write(self, documents: Iterable[Document]) -> WriteResult:
                    with _native_errors(store._url, store._prefix):
                        return store._bulk(index, documents)

            try:
                yield _Writer()
                self._client.indices.put_settings(
                    index=index,
                    settings={"refresh_interval": None, "number_of_replicas": None, "auto_expand_replicas": "0-1"},
                )
                self._client.indices.refresh(index=index)
                self._swap_alias(schema.name, index)
            except BaseException:
                self._client.indices.delete(index=index, ignore_unavailable=True)
                raise

    def _swap_alias(self, collection: str, index: str) -> None:
        """Point the alias at ``index`` in one atomic call, then drop the indices it left."""
        alias = self.alias(collection)
        old = list(self._client.indices.get_alias(name=alias)) if self._client.indices.exists_alias(name=alias) else []
        actions: list[dict] = [{"remove": {"index": name, "alias": alias}} for name in old]
        actions.append({"add": {"index": index, "alias": alias}})
        self._client.indices.update_aliases(actions=actions)
        for name in old:
            self._client.indices.delete(index=name, ignore_unavailable=True)

    @_translating
    def delete(self, collection: str, ids: Iterable[str]) -> int:
        from elasticsearch import helpers

        self._require(collection)
        alias = self.alias(collection)
        actions = ({"_op_type": "delete", "_index": alias, "_id": i} for i in ids)
        deleted = 0
        for ok, _item in helpers.streaming_bulk(
            self._client, actions, raise_on_error=False, raise_on_exception=False
        ):
            deleted += int(ok)
        self._client.indices.refresh(index=alias)
        return deleted

    @property
    def _meta_index(self) -> str:
        return f"{self._prefix}-meta"

    @_translating
    def put_meta(self, key: str, value: dict[str, Any]) -> None:
        if not self._client.indices.exists(index=self._meta_index):
            self._client.indices.create(
                index=self._meta_index,
                mappings={"dynamic": False, "properties": {"value": {"type": "object", "enabled": False}}},
                settings={"number_of_shards": 1, "auto_expand_replicas": "0-1"},
            )
        self._client.index(index=self._meta_index, id=key, document={"value": value}, refresh=True)

    @_translating
    def get_meta(self, key: str) -> dict[str, Any] | None:
        import elasticsearch

        try:
            return self._client.get(index=self._meta_index, id=key)["_source"]["value"]
        except elasticsearch.NotFoundError:
            return None

    # -- reading -------------------------------------------------------------------
    @_translating
    def get(self, collection: str, doc_id: str) -> dict[str, Any]:
        found = self.get_many(collection, [doc_id])
        if doc_id not in found:
            raise NotFoundError(f"未找到编号为 {doc_id} 的记录")
        return found[doc_id]

    @_translating
    def get_many(self, collection: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        self._require(collection)
        if not ids:
            return {}
        response = self._client.mget(index=self.alias(collection), ids=list(ids), source_excludes=_HIDDEN)
        return {d["_id"]: _clean(d["_source"]) for d in response["docs"] if d.get("found")}

    @_translating
    def get_vector(self, collection: str, doc_id: str) -> list[float] | None:
        self._require(collection)
        response = self._client.mget(
            index=self.alias(collection), ids=[doc_id], source_includes=["embedding"]
        )
        doc = response["docs"][0]
        if not doc.get("found"):
            raise NotFoundError(f"未找到编号为 {doc_id} 的记录")
        return doc["_source"].get("embedding")

    @_translating
    def get_vectors(self, collection: str, ids: Sequence[str]) -> dict[str, list[float]]:
        found = self._fields(collection, ids, "embedding")
        return {doc_id: source["embedding"] for doc_id, source in found.items() if source.get("embedding")}

    @_translating
    def get_texts(self, collection: str, ids: Sequence[str]) -> dict[str, dict[str, str]]:
        return {doc_id: source.get("search_text", {}) for doc_id, source in self._fields(collection, ids, "search_text").items()}

    def _fields(self, collection: str, ids: Sequence[str], field: str) -> dict[str, dict[str, Any]]:
        self._require(collection)
        if not ids:
            return {}
        response = self._client.mget(index=self.alias(collection), ids=list(ids), source_includes=[field])
        return {d["_id"]: d["_source"] for d in response["docs"] if d.get("found")}

    @_translating
    def count(self, collection: str, filter: Filter | None = None) -> int:
        self._require(collection)
        query = {"bool": {"filter": [compile_filter(filter)]}} if filter else {"match_all": {}}
        return int(self._client.count(index=self.alias(collection), query=query)["count"])

    @_translating
    def content_hashes(self, collection: str) -> dict[str, str]:
        from elasticsearch import helpers

        if not self.has_collection(collection):
            return {}
        return {
            hit["_id"]: hit["_source"].get("content_hash", "")
            for hit in helpers.scan(
                self._client, index=self.alias(collection), _source=["content_hash"], size=1000
            )
        }

    def iter_sources(self, collection: str) -> Iterator[dict[str, Any]]:
        from elasticsearch import helpers

        self._require(collection)
        with _native_errors(self._url, self._prefix):
            hits = helpers.scan(
                self._client,
                index=self.alias(collection),
                _source_excludes=_HIDDEN,
                size=1000,
                preserve_order=True,
                query={"query": {"match_all": {}}, "sort": [{"id": "asc"}]},
            )
            for hit in hits:
                yield _clean(hit["_source"])

    @_translating
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
        self._require(schema.name)
        if not query.terms or not query.fields:
            return SearchPage(total=0, hits=[])
        response = self._client.search(
            index=self.alias(schema.name),
            query=compile_keyword_query(query, filter),
            sort=[{"_score": "desc"}, {"id": "asc"}],
            track_scores=True,
            track_total_hits=True,
            from_=offset,
            size=size,
            source_excludes=_HIDDEN,
        )
        hits = []
        for raw in response["hits"]["hits"]:
            found = matched_terms(raw.get("matched_queries", []))
            matched = [t for t in query.terms if t in found]
            source = _clean(raw["_source"])
            hits.append(
                Hit(
                    id=raw["_id"],
                    score=float(raw["_score"]),
                    source=source,
                    matched_terms=matched,
                    highlights=highlight_source(schema, source, matched) if highlight else {},
                )
            )
        return SearchPage(total=int(response["hits"]["total"]["value"]), hits=hits)

    @_translating
    def vector_search(
        self,
        schema: CollectionSchema,
        vector: Sequence[float],
        *,
        filter: Filter | None = None,
        size: int = 10,
    ) -> SearchPage:
        self._require(schema.name)
        knn: dict[str, Any] = {
            "field": "embedding",
            "query_vector": [float(x) for x in vector],
            "k": size,
            # Chosen with benchmarks/es_knn.py (README, "Performance at scale"): with the
            # int8 graph and float rescoring, 4 × k candidates gave recall@10 of 1.0.
            "num_candidates": min(10_000, max(100, size * 4)),
            "rescore_vector": {"oversample": 2.0},
        }
        if filter is not None:
            knn["filter"] = [compile_filter(filter)]
        response = self._client.search(
            index=self.alias(schema.name), knn=knn, size=size, source_excludes=_HIDDEN
        )
        hits = [
            Hit(id=raw["_id"], score=float(raw["_score"]), source=_clean(raw["_source"]))
            for raw in response["hits"]["hits"]
        ]
        hits.sort(key=lambda h: (-round(h.score, 6), h.id))
        return SearchPage(total=len(hits), hits=hits)

    @_translating
    def browse(
        self, schema: CollectionSchema, *, filter: Filter | None = None, size: int = 10, offset: int = 0
    ) -> SearchPage:
        self._require(schema.name)
        query = {"bool": {"filter": [compile_filter(filter)]}} if filter else {"match_all": {}}
        sort: list[dict] = [{"id": "asc"}]
        if schema.browse_order:
            sort.insert(0, {schema.browse_order: {"order": "desc", "missing": "_last"}})
        response = self._client.search(
            index=self.alias(schema.name),
            query=query,
            sort=sort,
            from_=offset,
            size=size,
            track_total_hits=True,
            source_excludes=_HIDDEN,
        )
        hits = [Hit(id=r["_id"], score=0.0, source=_clean(r["_source"])) for r in response["hits"]["hits"]]
        return SearchPage(total=int(response["hits"]["total"]["value"]), hits=hits)

    @_translating
    def aggregate(
        self, collection: str, facets: Mapping[str, Facet], filter: Filter | None = None
    ) -> dict[str, list[dict]]:
        self._require(collection)
        query = {"bool": {"filter": [compile_filter(filter)]}} if filter else {"match_all": {}}
        response = self._client.search(
            index=self.alias(collection), query=query, size=0, aggs=compile_facets(facets)
        )
        return read_facets(facets, response.get("aggregations", {}))


def _clean(source: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in source.items() if k not in _HIDDEN}

