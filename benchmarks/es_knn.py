"""Elasticsearch kNN and bulk settings, chosen by measurement (prints figures; not a test).

    python benchmarks/es_knn.py [-n 20000] [--url URL] [--json FILE]

On a real node (``KB_ELASTICSEARCH_URL`` or ``--url``), with ``n`` random unit
vectors of the model's dimension (512; random vectors are the hard case for
HNSW, real sentence vectors cluster and do better):

- bulk: documents per second for several ``chunk_size`` values, into an
  index with ``refresh_interval: -1`` and no replicas, as a rebuild writes;
- kNN: for ``dense_vector`` index options ``hnsw`` (float) and ``int8_hnsw``
  (with and without ``rescore_vector`` oversampling) and several
  ``num_candidates``, recall@10 and recall@50 of ``k = 50`` (the depth the
  hybrid search asks) against exact cosine computed with numpy, and the
  latency (Elasticsearch's ``took`` and the round trip);
- whether this distribution can fuse keyword and kNN in one request with
  the ``rrf`` retriever (the integ-test distribution has no x-pack).
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

DIM = 512
QUERIES = 40
K = 50


def percentile(values, q):
    return round(float(np.percentile(np.asarray(values, dtype=np.float64), q)), 2)


def main() -> None:
    from elasticsearch import Elasticsearch, helpers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20_000)
    parser.add_argument("--url", default=os.environ.get("KB_ELASTICSEARCH_URL", "http://127.0.0.1:9200"))
    parser.add_argument("--json")
    args = parser.parse_args()
    es = Elasticsearch(args.url, request_timeout=300)
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((args.n, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    # queries near documents, as a query is near the cases it should find
    queries = vectors[rng.choice(args.n, QUERIES, replace=False)] + 0.6 * rng.standard_normal((QUERIES, DIM)).astype(np.float32) / np.sqrt(DIM)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :K]
    out: dict = {"n": args.n, "dimension": DIM, "bulk": {}, "knn": []}

    def actions(index: str, start: int = 0, stop: int | None = None):
        for i in range(start, stop or args.n):
            yield {"_index": index, "_id": str(i), "_source": {"embedding": vectors[i].tolist()}}

    def create(index: str, options: dict) -> None:
        es.indices.delete(index=index, ignore_unavailable=True)
        es.indices.create(
            index=index,
            settings={"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1"},
            mappings={"properties": {"embedding": {"type": "dense_vector", "dims": DIM, "index": True,
                                                    "similarity": "cosine", "index_options": options}}},
        )  # fmt: skip

    # -- bulk sizes (a slice of the data per size, int8_hnsw) -----------------------------
    part = min(args.n, 5000)
    for chunk in (250, 500, 1000, 2000):
        create("knnbench-bulk", {"type": "int8_hnsw"})
        start = time.perf_counter()
        for _ok, _ in helpers.streaming_bulk(es, actions("knnbench-bulk", 0, part), chunk_size=chunk, raise_on_error=True):
            pass
        es.indices.refresh(index="knnbench-bulk")
        out["bulk"][chunk] = round(part / (time.perf_counter() - start), 1)
        print(f"bulk chunk_size={chunk}: {out['bulk'][chunk]} docs/s", flush=True)
    es.indices.delete(index="knnbench-bulk", ignore_unavailable=True)

    # -- kNN options -----------------------------------------------------------------------
    for kind in ("hnsw", "int8_hnsw"):
        index = f"knnbench-{kind}"
        create(index, {"type": kind})
        start = time.perf_counter()
        helpers.bulk(es, actions(index), chunk_size=500)
        es.indices.put_settings(index=index, settings={"refresh_interval": None})
        es.indices.refresh(index=index)
        es.indices.forcemerge(index=index, max_num_segments=1)
        built = time.perf_counter() - start
        size = es.indices.stats(index=index, metric="store")["_all"]["total"]["store"]["size_in_bytes"]
        print(f"{kind}: built in {built:.0f} s, {size / 2**20:.0f} MB", flush=True)
        rescores = (None, 2.0) if kind == "int8_hnsw" else (None,)
        for candidates in (50, 100, 200, 500):
            for oversample in rescores:
                took, wall, r10, r50 = [], [], [], []
                for q, truth in zip(queries, exact, strict=True):
                    knn = {"field": "embedding", "query_vector": q.tolist(), "k": K, "num_candidates": candidates}
                    if oversample:
                        knn["rescore_vector"] = {"oversample": oversample}
                    start = time.perf_counter()
                    response = es.search(index=index, knn=knn, size=K, source=False)
                    wall.append((time.perf_counter() - start) * 1000)
                    took.append(response["took"])
                    got = [int(h["_id"]) for h in response["hits"]["hits"]]
                    r10.append(len(set(got[:10]) & set(truth[:10].tolist())) / 10)
                    r50.append(len(set(got) & set(truth.tolist())) / K)
                row = {
                    "index_options": kind, "num_candidates": candidates, "rescore_oversample": oversample,
                    "recall@10": round(float(np.mean(r10)), 3), "recall@50": round(float(np.mean(r50)), 3),
                    "took_p50": percentile(took, 50), "took_p95": percentile(took, 95),
                    "wall_p50": percentile(wall, 50), "wall_p95": percentile(wall, 95),
                    "index_mb": round(size / 2**20, 1), "build_s": round(built, 1),
                }  # fmt: skip
                out["knn"].append(row)
                print(json.dumps(row), flush=True)
        es.indices.delete(index=index, ignore_unavailable=True)

    # -- one round trip for hybrid? ---------------------------------------------------------
    es.indices.create(index="knnbench-rrf", mappings={"properties": {"t": {"type": "text"}, "embedding": {"type": "dense_vector", "dims": 2, "similarity": "cosine"}}})
    try:
        es.search(index="knnbench-rrf", retriever={"rrf": {"retrievers": [
            {"standard": {"query": {"match": {"t": "x"}}}},
            {"knn": {"field": "embedding", "query_vector": [1.0, 0.0], "k": 1, "num_candidates": 1}}]}})  # fmt: skip
        out["rrf_retriever"] = "available"
    except Exception as exc:  # the refusal is the finding
        out["rrf_retriever"] = f"refused: {str(exc)[:300]}"
    es.indices.delete(index="knnbench-rrf", ignore_unavailable=True)
    print("rrf retriever:", out["rrf_retriever"])
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
