"""The embedded store before and after a change, on the same data, in one run (not a test).

    python benchmarks/embedded_before_after.py DATA_DIR [--before main] [--json FILE]

``DATA_DIR`` is an embedded store with ``cases`` and ``disputes`` (e.g. the
``embedded/data`` folder that ``benchmarks/scale.py --work-dir`` keeps).
``--before`` names a git revision whose ``kb_service/store/embedded.py`` is
the "before"; the working tree's is the "after". Each runs in its own process
(so resident memory is its own) and answers the same queries: keyword,
vector, hybrid, hybrid with facets, and the facet counts alone. Reported:
p50/p95 per kind, the first query (the snapshot load), RSS, and whether the
two returned the same ids in the same order for every query.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402

QUERIES = [
    "邻居 漏水", "楼上噪音扰民", "拖欠农民工工资", "交通事故 误工费 赔偿", "离婚 财产分割",
    "子女不赡养老人", "业主拒交物业费", "手术后患者死亡 医疗过错", "宅基地 边界 围墙", "征地拆迁补偿款分配",
    "网购商品 退货 退款", "工伤 赔偿 用人单位", "彩礼 返还", "遗产继承 房产", "土地承包合同 到期",
]  # fmt: skip


def load_store_class(source_file: Path):
    spec = importlib.util.spec_from_file_location("embedded_under_test", source_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EmbeddedStore


def case_queries(store, queries: list[str], dimension: int) -> tuple[list, np.ndarray]:
    """Each query text's keyword query (the store's ``idf-cases``) and a random vector (seed 7):
    what both revisions are asked, the same in every child process."""
    from cases.indexing import TEXT_FIELDS
    from kb_service.analysis import ChineseAnalyzer
    from kb_service.store import KeywordQuery

    analyzer = ChineseAnalyzer()
    idf = store.get_meta("idf-cases") or {}
    keyword = [KeywordQuery(terms=analyzer.query_terms(q, idf=idf).weights, fields=TEXT_FIELDS) for q in queries]
    rng = np.random.default_rng(7)
    return keyword, rng.standard_normal((len(queries), dimension)).astype(np.float32)


def child(impl_file: Path, data_dir: Path, rounds: int) -> dict:
    from cases.indexing import case_schema
    from cases.queries import FACETS as CASE_FACETS
    from disputes.search_copy import FACETS as DISPUTE_FACETS
    from kb_service.ranking import FusionConfig, HybridSearcher
    from kb_service.store import Term

    store = load_store_class(impl_file)(data_dir)
    dimension = int(store.get_meta("collection-cases")["vector_dimension"]) if store.get_meta("collection-cases") else 512
    schema = case_schema(dimension)
    keyword, vectors = case_queries(store, QUERIES, dimension)
    searcher = HybridSearcher(store, FusionConfig())
    labor = Term(field="dispute_type", value="labor")

    start = time.perf_counter()
    store.keyword_search(schema, keyword[0], size=10)
    store.vector_search(schema, vectors[0], size=10)
    first = (time.perf_counter() - start) * 1000
    kinds = {
        "keyword": lambda i: store.keyword_search(schema, keyword[i], size=50, highlight=True),
        "vector": lambda i: store.vector_search(schema, vectors[i], size=50),
        "vector, filtered": lambda i: store.vector_search(schema, vectors[i], size=50, filter=labor),
        "hybrid": lambda i: searcher.search(schema, keyword=keyword[i], vector=vectors[i], size=10),
        "hybrid+facets": lambda i: searcher.search(
            schema, keyword=keyword[i], vector=vectors[i], size=10, facets=CASE_FACETS
        ),
        "cases facets": lambda i: store.aggregate("cases", CASE_FACETS),
    }
    if store.has_collection("disputes") and store.count("disputes"):
        kinds["disputes trends"] = lambda i: store.aggregate("disputes", DISPUTE_FACETS)
    out: dict = {"first_query_ms": round(first, 1), "ms": {}, "ids": {}}
    for name, run in kinds.items():
        run(0)  # a filter's or facet's first use builds what it keeps
        samples = []
        for _ in range(rounds):
            for i in range(len(QUERIES)):
                start = time.perf_counter()
                result = run(i)
                samples.append((time.perf_counter() - start) * 1000)
                if _ == 0:
                    hits = getattr(result, "hits", None)
                    out["ids"].setdefault(name, []).append(
                        [h.id for h in hits] if hits is not None else json.dumps(result, sort_keys=True, default=str)
                    )
        values = np.asarray(samples)
        out["ms"][name] = {p: round(float(np.percentile(values, q)), 2) for p, q in (("p50", 50), ("p95", 95), ("p99", 99))}
    status = Path("/proc/self/status").read_text()
    out["rss_mb"] = round(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024, 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["documents"] = {c: store.count(c) for c in ("cases", "disputes") if store.has_collection(c)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--before", default="main", help="git revision of the 'before' embedded.py")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.data_dir, args.rounds), ensure_ascii=False))
        return

    root = Path(__file__).resolve().parent.parent
    before = Path(tempfile.mkdtemp(prefix="kb-before-")) / "embedded.py"
    before.write_text(
        subprocess.run(
            ["git", "show", f"{args.before}:kb_service/store/embedded.py"], cwd=root, capture_output=True, text=True, check=True
        ).stdout,
        encoding="utf-8",
    )
    results = {}
    for name, impl in (("before", before), ("after", root / "kb_service" / "store" / "embedded.py")):
        run = subprocess.run(
            [sys.executable, __file__, str(args.data_dir), "--child", str(impl), "--rounds", str(args.rounds)],
            capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(root)},
        )  # fmt: skip
        results[name] = json.loads(run.stdout.strip().splitlines()[-1])
    same = {
        kind: sum(a == b for a, b in zip(results["before"]["ids"][kind], results["after"]["ids"][kind], strict=True))
        for kind in results["after"]["ids"]
    }
    summary = {
        "data_dir": str(args.data_dir),
        "documents": results["after"]["documents"],
        "before_revision": args.before,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "same_results": {kind: f"{n}/{len(QUERIES)}" for kind, n in same.items()},
        **{name: {k: v for k, v in r.items() if k != "ids"} for name, r in results.items()},
    }
    print(f"{'ms':<20}{'before p50':>12}{'p95':>9}{'after p50':>12}{'p95':>9}   same results")
    for kind in results["after"]["ms"]:
        b, a = results["before"]["ms"][kind], results["after"]["ms"][kind]
        print(f"{kind:<20}{b['p50']:>12}{b['p95']:>9}{a['p50']:>12}{a['p95']:>9}   {summary['same_results'][kind]}")
    for key in ("first_query_ms", "rss_mb", "peak_rss_mb"):
        print(f"{key:<20}{results['before'][key]:>12}{'':>9}{results['after'][key]:>12}")
    if args.json:
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
