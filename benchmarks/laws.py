"""Statutes: indexing time, search latency and quality, suggestion hit rate (prints; not a test).

    python benchmarks/laws.py [--backend embedded|elasticsearch] [--data-dir DIR]

1. ``kb index`` of the ``laws`` collection into a fresh store: the first run
   (analysis of every article, embedding of the embedded set — with an empty
   embedding cache unless ``--data-dir`` names a folder whose cache is warm),
   then an unchanged rerun (the fingerprint matches: nothing is read);
2. the other collections of the sample library (for suggestions);
3. ``kb laws search`` latency, p50 and p90 over 50 queries (the 38 judged
   questions and 12 case titles), after one warm-up query;
4. search quality on ``tests/laws/judged_queries.yaml`` (hit@5, MRR) for
   hybrid, keyword-only and vector-only ranking, and for smaller embedded sets
   (the vector side limited to those laws), with what each costs to embed;
5. suggestions, leave-one-out over the sample cases: the share whose top 5
   holds an article the case cites, for several weightings.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

# run as a script, this file's folder comes first on sys.path and "laws" would be this file
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from cases.indexing import COLLECTION as CASES  # noqa: E402
from indexer.pipeline import Indexer  # noqa: E402
from kb_service.library import sample_library  # noqa: E402
from kb_service.ranking import FusionConfig, fuse  # noqa: E402
from kb_service.registry import collection_specs  # noqa: E402
from kb_service.service import Services  # noqa: E402
from kb_service.settings import load_settings  # noqa: E402
from kb_service.store import Term, Terms, all_of  # noqa: E402
from laws.evaluation import (  # noqa: E402
    evaluate_search,
    evaluate_suggestions,
    load_article_judgements,
)
from laws.indexing import COLLECTION, EMBEDDED_LAWS, SPEC, TEXT_FIELDS, law_schema  # noqa: E402
from laws.queries import LAW_FUSION, LawLibrary  # noqa: E402

JUDGED = Path(__file__).resolve().parents[1] / "tests" / "laws" / "judged_queries.yaml"

SMALLER_SETS = {
    "民法典 only": {"民法典"},
    "10 core laws": {"民法典", "人民调解法", "劳动合同法", "劳动法", "劳动争议调解仲裁法", "道路交通安全法",
                     "消费者权益保护法", "老年人权益保障法", "反家庭暴力法", "土地管理法"},
    "default set (18 laws)": set(EMBEDDED_LAWS),
}  # fmt: skip
WEIGHTS = [(1.0, 0.0), (0.0, 1.0), (1.0, 0.25), (1.0, 0.5), (1.0, 1.0)]
FUSIONS = {
    "hybrid, weighted 0.5:1 (laws default)": ("hybrid", None),
    "hybrid, weighted 1:1": ("hybrid", FusionConfig(method="weighted")),
    "hybrid, weighted 0.25:1": ("hybrid", FusionConfig(method="weighted", keyword_weight=0.25)),
    "hybrid, RRF 1:1": ("hybrid", FusionConfig(method="rrf")),
    "keyword only": ("keyword", None),
    "vector only": ("vector", None),
}


def _timed(call):
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def _load() -> str:
    """The machine's load while measuring: shared CI and development machines vary a lot."""
    try:
        return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    except OSError:
        return "load average unknown"


def _hit_at_5_with_embedded(services: Services, judgements, laws: set[str]) -> float:
    """hit@5 as if only ``laws`` had vectors: the vector side is limited to them."""
    schema = services.stored_schema(COLLECTION, law_schema)
    current = Term(field="current", value=True)
    hits = 0
    for judgement in judgements:
        keyword = services.keyword_query(COLLECTION, judgement.query, TEXT_FIELDS)
        keyword_hits = services.store.keyword_search(schema, keyword, filter=current, size=50).hits
        vector_hits = []
        if laws:
            vector = services.embed_query(judgement.query, COLLECTION)
            limited = all_of(current, Terms(field="short_name", values=tuple(sorted(laws))))
            vector_hits = services.store.vector_search(schema, vector, filter=limited, size=50).hits
        fused = fuse(keyword_hits, vector_hits, LAW_FUSION)[:5]
        hits += any(judgement.is_relevant(hit.source) for *_, hit in fused)
    return hits / len(judgements)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="embedded", choices=["embedded", "elasticsearch"])
    parser.add_argument("--data-dir", type=Path, help="KB_DATA_DIR (its embedding cache is reused)")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="kb-laws-bench-"))
    settings = load_settings(backend=args.backend, data_dir=data_dir, index_prefix="bench-laws")
    services = Services.from_settings(settings)
    indexer = Indexer(services.store, services.analyzer, services.embedder)
    libraries = [sample_library()]

    services.embedder.load()
    cpu = time.process_time()
    first, first_s = _timed(lambda: indexer.index(SPEC, libraries, rebuild=True, progress=False))
    cpu = time.process_time() - cpu
    again, again_s = _timed(lambda: indexer.index(SPEC, libraries, progress=False))
    embedded = services.store.count(COLLECTION, Term(field="embedded", value=True))
    print(f"backend: {args.backend}; model: {services.embedder.model_id}; data: {data_dir}")
    print(f"laws first index:   {first_s:8.1f} s, CPU {cpu:.1f} s ({first.indexed} laws, "
          f"{services.store.count(COLLECTION)} articles, {embedded} embedded; embedding cache misses "
          f"{services.embedder.misses}; {_load()})")  # fmt: skip
    print(
        f"laws unchanged:     {again_s:8.2f} s ({again.unchanged} unchanged, {again.indexed} indexed)"
    )

    for spec in collection_specs():
        if spec.name != COLLECTION:
            indexer.index(spec, libraries, rebuild=True, progress=False)
    library = LawLibrary(services)
    judgements = load_article_judgements(JUDGED)
    titles = [s["title"] for s in list(services.store.iter_sources(CASES))[:12]]
    queries = [j.query for j in judgements] + titles
    library.search("预热", size=10)
    latencies = []
    for query in queries:
        _, seconds = _timed(lambda q=query: library.search(q, size=10))
        latencies.append(seconds * 1000)
    deciles = statistics.quantiles(latencies, n=10)
    encoding = []
    for query in queries:
        _, seconds = _timed(lambda q=query: services.embed_query(q, COLLECTION))
        encoding.append(seconds * 1000)
    print(f"search latency:     p50 {statistics.median(latencies):.0f} ms, p90 {deciles[-1]:.0f} ms "
          f"over {len(latencies)} queries, of which encoding the query p50 "
          f"{statistics.median(encoding):.0f} ms ({_load()})")  # fmt: skip

    print(f"search quality on {len(judgements)} judged questions:")
    for name, (mode, fusion) in FUSIONS.items():
        scores = evaluate_search(library, judgements, mode, fusion)
        print(f"  {name:26} hit@5 {scores.hit_at_5:.3f}  MRR {scores.mrr:.3f}")
        if fusion is None and mode == "hybrid" and scores.misses:
            print("    missed: " + " | ".join(scores.misses))
    print("embedded set (vector side limited to it) → hybrid hit@5, articles to embed:")
    print(
        f"  {'none (keyword only)':22} {_hit_at_5_with_embedded(services, judgements, set()):.3f}  0"
    )
    for name, laws in SMALLER_SETS.items():
        count = services.store.count(
            COLLECTION,
            all_of(
                Term(field="embedded", value=True), Terms(field="short_name", values=tuple(laws))
            ),
        )
        print(f"  {name:22} {_hit_at_5_with_embedded(services, judgements, laws):.3f}  {count}")

    cases = list(services.store.iter_sources(CASES))
    print("suggestions, leave-one-out (top 5 holds an article the case cites):")
    for with_type in (True, False):
        scores, seconds = _timed(
            lambda t=with_type: evaluate_suggestions(library, services, cases, WEIGHTS, with_type=t)
        )
        typed = "with its dispute type" if with_type else "without a type"
        print(f"  {typed} ({scores.cases} cases, {seconds / scores.cases * 1000:.0f} ms each):")
        for (case_weight, direct_weight), share in scores.hit_at_5.items():
            print(f"    case {case_weight:4.2f} + direct {direct_weight:4.2f}: {share:.3f}")
    services.close()


if __name__ == "__main__":
    main()
