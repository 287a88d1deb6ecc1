"""The embedded store at 100,000 cases: memory and store-side latency (not a test).

    python benchmarks/embedded_100k.py fill DATA_DIR [-n 100000]
    python benchmarks/embedded_100k.py measure DATA_DIR [--before main] [--rounds 3] [--json FILE]

``fill`` writes ``n`` generated cases into an embedded store straight through the
store API (``EmbeddedStore.write`` with the cases ``CollectionSchema``), without
the indexing pipeline: the cases come from ``benchmarks/scale.py``'s generator,
are shaped by ``cases.indexing.prepare_case`` (masked, analysed with the
sentence-memoised analyzer) and get random unit vectors of dimension 512. The
``idf-cases`` term statistics are written as the indexer writes them.

``measure`` runs, each in a fresh process and one after the other, the
``--before`` revision (the whole tree, ``git archive``d to a temporary folder:
its store, ranking and highlighting) and the working tree on the same data
folder (``--only after`` skips the before). Each reports: the
snapshot load, the first keyword and vector searches, resident memory after one
search of every kind (current ``VmRSS`` and the peak ``ru_maxrss``), p50/p95/p99
of keyword (k=50, highlighted), vector (k=50), hybrid (both plus fusion, as
``HybridSearcher`` asks), hybrid with the case facets, and the facets alone,
over 30 queries × rounds. Every answer's ids, scores (6 decimals), totals,
highlights and facets are compared between the two.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import numpy as np  # noqa: E402

DIMENSION = 512


def _benchmark(name: str):
    """Another script of this folder, as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"{name}_benchmark", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _scale():
    return _benchmark("scale")


# -- fill ------------------------------------------------------------------------------
def _store_settings(data_dir: Path, backend: str, url: str | None, prefix: str):
    from kb_service.settings import load_settings

    values = {"backend": backend, "data_dir": data_dir, "index_prefix": prefix}
    if url:
        values["elasticsearch_url"] = url
    return load_settings(**values)


def _random_units(rng, count: int) -> np.ndarray:
    vectors = rng.standard_normal((count, DIMENSION)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def fill(data_dir: Path, n: int, seed: int, chunk: int, backend: str = "embedded", url: str | None = None,
         prefix: str = "scale", disputes: int = 0) -> None:  # fmt: skip
    """``n`` generated cases (and ``disputes`` generated disputes) written straight through the
    store API of ``backend``, each collection as one rebuild (what ``kb index --rebuild`` does:
    on Elasticsearch a new index with refresh off and no replicas, swapped in at the end)."""
    from cases.indexing import SPEC as CASES
    from cases.schema import Case
    from disputes.indexing import SPEC as DISPUTES
    from indexer.pipeline import idf_table
    from kb_service.analysis import ChineseAnalyzer
    from kb_service.store import Document, build_store

    scale = _scale()
    analyzer = scale.SentenceMemoAnalyzer(ChineseAnalyzer())
    store = build_store(_store_settings(data_dir, backend, url, prefix))
    rng = np.random.default_rng(seed)

    def case_records(begin: int, count: int, part: int) -> list:
        records = scale.generate_cases(count, seed + part)
        for i, record in enumerate(records):
            record["id"] = f"scale-{record['dispute_type']}-{begin + i:06d}"
        return [Case.model_validate(r) for r in records]

    all_disputes = scale.generate_disputes(disputes, seed) if disputes else []
    plan = [(CASES, n, case_records), (DISPUTES, len(all_disputes), lambda begin, count, part: all_disputes[begin : begin + count])]
    figures = {}
    for spec, total, records_of in plan:
        if not total:
            continue
        frequencies: Counter[str] = Counter()
        start = time.perf_counter()
        written = 0
        with store.rebuilding(spec.schema(DIMENSION)) as writer:
            for part, begin in enumerate(range(0, total, chunk)):
                records = records_of(begin, min(chunk, total - begin), part)
                prepared = [doc for record in records for doc in spec.prepare(record, analyzer)]
                vectors = _random_units(rng, len(prepared))
                documents = []
                for doc, vector in zip(prepared, vectors, strict=True):
                    if spec.idf_field:
                        frequencies.update(set(doc.text.get(spec.idf_field, "").split()))
                    documents.append(
                        Document(id=doc.id, source=doc.source, text=doc.text, vector=vector.tolist(),
                                 content_hash=hashlib.sha256(doc.id.encode()).hexdigest())
                    )  # fmt: skip
                written += writer.write(documents).written
                print(f"{spec.name}: {begin + len(records)}, {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
        if frequencies:  # as the indexer writes them
            store.put_meta(f"idf-{spec.name}", idf_table(frequencies, total))
        store.put_meta(f"collection-{spec.name}", {"vector_dimension": DIMENSION})
        seconds = time.perf_counter() - start
        figures[spec.name] = {"written": written, "seconds": round(seconds, 1), "docs_per_s": round(written / seconds, 1)}
    store.close()
    print(json.dumps({"backend": backend, **figures, "load_average": [round(x, 2) for x in os.getloadavg()]}))


# -- searches and the API over a filled store ------------------------------------------
def api(data_dir: Path, backend: str, url: str | None, prefix: str, rounds: int, json_file: Path | None) -> None:
    """``scale.py``'s store-side and API figures (``search_figures``) over a store ``fill`` wrote."""
    from kb_service.analysis import ChineseAnalyzer
    from kb_service.embeddings import CachedEmbedder
    from kb_service.service import Services
    from kb_service.store import build_store
    from kb_service.telemetry import TimedStore

    scale = _scale()
    settings = _store_settings(data_dir, backend, url, prefix)
    store = build_store(settings)
    embedder = CachedEmbedder(scale.RandomEmbedder(DIMENSION), data_dir / "query-cache.sqlite3")
    services = Services(settings=settings, store=TimedStore(store), analyzer=ChineseAnalyzer(), embedder=embedder)
    figures = {"backend": backend, "documents": {c: store.count(c) for c in ("cases", "disputes")},
               "machine": scale.machine(), **scale.search_figures(services, store, backend, rounds)}  # fmt: skip
    if backend == "embedded":
        figures["rss"] = _rss()
    figures["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    store.close()
    print("\n".join(scale.search_rows(figures)))
    if json_file:
        json_file.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# -- measure (child) -------------------------------------------------------------------
def _rss() -> dict[str, float]:
    status = Path("/proc/self/status").read_text()
    return {
        "rss_mb": round(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _signature(result) -> str:
    """What must not change: ids, scores to 6 decimals, totals, highlights, facets."""
    if isinstance(result, dict):
        return json.dumps(result, sort_keys=True, default=str, ensure_ascii=False)
    hits = [
        [h.id, round(float(h.score), 6), getattr(h, "highlights", {}), list(getattr(h, "matched_terms", []) or [])]
        for h in result.hits
    ]
    return json.dumps(
        {"total": result.total, "hits": hits, "facets": getattr(result, "facets", None)},
        sort_keys=True, default=str, ensure_ascii=False,
    )  # fmt: skip


def child(impl_file: Path, data_dir: Path, rounds: int) -> dict:
    from cases.indexing import case_schema
    from cases.queries import FACETS
    from kb_service.ranking import FusionConfig, HybridSearcher
    from kb_service.store import Term

    queries = _scale().QUERIES
    before_after = _benchmark("embedded_before_after")
    store = before_after.load_store_class(impl_file)(data_dir)
    schema = case_schema(DIMENSION)
    keyword, vectors = before_after.case_queries(store, queries, DIMENSION)
    searcher = HybridSearcher(store, FusionConfig())
    labor = Term(field="dispute_type", value="labor")
    out: dict = {"rss_start": _rss()}

    start = time.perf_counter()
    store._snapshot("cases")
    out["snapshot_load_s"] = round(time.perf_counter() - start, 2)
    out["rss_after_load"] = _rss()
    start = time.perf_counter()
    store.keyword_search(schema, keyword[0], size=50, highlight=True)
    out["first_keyword_ms"] = round((time.perf_counter() - start) * 1000, 1)
    start = time.perf_counter()
    store.vector_search(schema, vectors[0], size=50)
    out["first_vector_ms"] = round((time.perf_counter() - start) * 1000, 1)

    kinds = {
        "keyword": lambda i: store.keyword_search(schema, keyword[i], size=50, highlight=True),
        "vector": lambda i: store.vector_search(schema, vectors[i], size=50),
        "hybrid": lambda i: searcher.search(schema, keyword=keyword[i], vector=vectors[i], size=10),
        "vector, filtered": lambda i: store.vector_search(schema, vectors[i], size=50, filter=labor),
        "keyword, filtered": lambda i: store.keyword_search(schema, keyword[i], size=50, highlight=True, filter=labor),
        "hybrid+facets": lambda i: searcher.search(schema, keyword=keyword[i], vector=vectors[i], size=10, facets=FACETS),
        "facets": lambda i: store.aggregate("cases", FACETS),
        "browse": lambda i: store.browse(schema, size=10, offset=10 * i),
    }  # fmt: skip
    first_use = {}
    for name, run in kinds.items():  # one of each: a filter's or facet's first use builds what it keeps
        start = time.perf_counter()
        run(0)
        first_use[name] = round((time.perf_counter() - start) * 1000, 1)
    out["first_use_ms"] = first_use
    out["rss_after_one_of_each"] = _rss()
    out["ms"], out["signatures"] = {}, {}
    for name, run in kinds.items():
        samples = []
        for r in range(rounds):
            for i in range(len(queries)):
                start = time.perf_counter()
                result = run(i)
                samples.append((time.perf_counter() - start) * 1000)
                if r == 0:
                    out["signatures"].setdefault(name, []).append(_signature(result))
        values = np.asarray(samples)
        out["ms"][name] = {p: round(float(np.percentile(values, q)), 2) for p, q in (("p50", 50), ("p95", 95), ("p99", 99))}
        out["ms"][name]["n"] = len(samples)
    out["rss_end"] = _rss()
    out["documents"] = store.count("cases")
    return out


# -- measure (parent) ------------------------------------------------------------------
def measure(args) -> None:
    root = HERE.parent
    trees = {}
    if args.only in (None, "before"):
        before = Path(tempfile.mkdtemp(prefix="kb-before-"))
        archive = subprocess.run(["git", "archive", args.before], cwd=root, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
        trees["before"] = before
    if args.only in (None, "after"):
        trees["after"] = root
    results = {}
    for name, tree in trees.items():
        load = os.getloadavg()
        impl = tree / "kb_service" / "store" / "embedded.py"
        run = subprocess.run(
            [sys.executable, __file__, "child", str(args.data_dir), str(impl), "--rounds", str(args.rounds)],
            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree,
        )  # fmt: skip
        if run.returncode != 0:
            results[name] = {"failed": run.stderr[-2000:], "load_average_before": [round(x, 2) for x in load]}
            print(f"{name}: failed\n{run.stderr[-2000:]}", file=sys.stderr)
            continue
        results[name] = json.loads(run.stdout.strip().splitlines()[-1])
        results[name]["load_average_before"] = [round(x, 2) for x in load]
        results[name]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    same = {}
    if all("signatures" in results.get(k, {}) for k in ("before", "after")):
        for kind, after in results["after"]["signatures"].items():
            before_sigs = results["before"]["signatures"][kind]
            same[kind] = f"{sum(a == b for a, b in zip(before_sigs, after, strict=True))}/{len(after)}"
    summary = {
        "data_dir": str(args.data_dir),
        "before_revision": args.before if "before" in trees else None,
        "after": "working tree",
        "cpu_count": os.cpu_count(),
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "same_results": same,
        **{name: {k: v for k, v in r.items() if k != "signatures"} for name, r in results.items()},
    }
    names = [n for n in ("before", "after") if "ms" in results.get(n, {})]
    print(f"{'ms':<20}" + "".join(f"{n + ' p50':>13}{'p95':>9}{'p99':>9}" for n in names) + "   same results")
    for kind in results[names[-1]]["ms"]:
        row = "".join(f"{results[n]['ms'][kind]['p50']:>13}{results[n]['ms'][kind]['p95']:>9}{results[n]['ms'][kind]['p99']:>9}" for n in names)
        print(f"{kind:<20}{row}   {same.get(kind, '-')}")
    for key in ("snapshot_load_s", "first_keyword_ms", "first_vector_ms"):
        print(f"{key:<20}" + "".join(f"{results[n][key]:>13}{'':>18}" for n in names))
    for key in ("rss_after_load", "rss_after_one_of_each", "rss_end"):
        print(f"{key:<20}" + "".join(f"{results[n][key]['rss_mb']:>13}{'peak ' + str(results[n][key]['peak_rss_mb']):>18}" for n in names))
    print("load average:", {n: (results[n]["load_average_before"], results[n]["load_average_after"]) for n in names})
    if args.json:
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("fill")
    p.add_argument("data_dir", type=Path)
    p.add_argument("-n", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--chunk", type=int, default=5_000)
    p.add_argument("--disputes", type=int, default=0, help="generated disputes to write as well")
    api_parser = sub.add_parser("api")
    for either in (p, api_parser):
        either.add_argument("--backend", choices=("embedded", "elasticsearch"), default="embedded")
        either.add_argument("--url", help="the Elasticsearch node (--backend elasticsearch)")
        either.add_argument("--prefix", default="scale", help="index prefix on Elasticsearch")
    p = api_parser
    p.add_argument("data_dir", type=Path)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json", type=Path)
    p = sub.add_parser("measure")
    p.add_argument("data_dir", type=Path)
    p.add_argument("--before", default="main")
    p.add_argument("--only", choices=("before", "after"))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json", type=Path)
    p = sub.add_parser("child")
    p.add_argument("data_dir", type=Path)
    p.add_argument("impl", type=Path)
    p.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.command == "fill":
        fill(args.data_dir, args.n, args.seed, args.chunk, args.backend, args.url, args.prefix, args.disputes)
    elif args.command == "api":
        api(args.data_dir, args.backend, args.url, args.prefix, args.rounds, args.json)
    elif args.command == "child":
        print(json.dumps(child(args.impl, args.data_dir, args.rounds), ensure_ascii=False))
    else:
        measure(args)


if __name__ == "__main__":
    main()
