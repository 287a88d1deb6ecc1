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
def fill(data_dir: Path, n: int, seed: int, chunk: int) -> None:
    import math

    from cases.indexing import case_schema, prepare_case
    from cases.schema import Case
    from kb_service.analysis import ChineseAnalyzer
    from kb_service.store import Document
    from kb_service.store.embedded import EmbeddedStore

    scale = _scale()
    analyzer = scale.SentenceMemoAnalyzer(ChineseAnalyzer())
    schema = case_schema(DIMENSION)
    store = EmbeddedStore(data_dir)
    rng = np.random.default_rng(seed)
    frequencies: Counter[str] = Counter()
    start = time.perf_counter()
    written = 0
    with store.rebuilding(schema) as writer:
        for part, begin in enumerate(range(0, n, chunk)):
            records = scale.generate_cases(min(chunk, n - begin), seed + part)
            vectors = rng.standard_normal((len(records), DIMENSION)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            documents = []
            for i, record in enumerate(records):
                record["id"] = f"scale-{record['dispute_type']}-{begin + i:06d}"
                prepared = prepare_case(Case.model_validate(record), analyzer)[0]
                frequencies.update(set(prepared.text.get("facts", "").split()))
                documents.append(
                    Document(id=prepared.id, source=prepared.source, text=prepared.text, vector=vectors[i].tolist(),
                             content_hash=hashlib.sha256(prepared.id.encode()).hexdigest())
                )  # fmt: skip
            result = writer.write(documents)
            written += result.written
            print(f"{begin + len(records)} cases, {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    idf = {term: round(math.log((n + 1) / (count + 1)) + 1.0, 4) for term, count in frequencies.items()}
    store.put_meta("idf-cases", idf)
    store.put_meta("collection-cases", {"vector_dimension": DIMENSION})
    print(json.dumps({"written": written, "seconds": round(time.perf_counter() - start, 1)}))


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
        fill(args.data_dir, args.n, args.seed, args.chunk)
    elif args.command == "child":
        print(json.dumps(child(args.impl, args.data_dir, args.rounds), ensure_ascii=False))
    else:
        measure(args)


if __name__ == "__main__":
    main()
