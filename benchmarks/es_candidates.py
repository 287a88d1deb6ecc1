"""Elasticsearch hybrid candidates, three request shapes in one run (not a test).

    python benchmarks/es_candidates.py D --url URL [--prefix scale] [--rounds 4] [--json F]

Over the cases index that ``embedded_100k.py fill D --backend elasticsearch`` wrote, runs
``HybridSearcher.search`` (page of 10, 50 candidates a side) with the store's
``hybrid_candidates`` asked three ways, interleaved query by query in one process so that
the machine's drift falls on all three alike:

- ``before``: the keyword side sorted by score then ``id`` (exact, no block-max WAND), and
  each hit's ``_id`` read, a stored field (``_source: false``), as up to 8e1a461;
- ``sorted_bare``: the same sort, no stored field read (ids from the ``id`` doc values);
- ``after``: the store as it is (no stored field; keyword side by score alone with a window,
  ties at the cut put in id order, or asked again exactly when the window cannot tell).

It first checks that all three give the same page (ids and scores) for every query.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import numpy as np  # noqa: E402


def _fill_module():
    spec = importlib.util.spec_from_file_location("embedded_100k_benchmark", HERE / "embedded_100k.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _stores(settings) -> dict:
    from kb_service.store import elastic as E

    class Before(E.ElasticsearchStore):
        @E._translating
        def hybrid_candidates(self, schema, keyword, vector, *, filter=None, size=10):
            bare = {"_source": False, "track_total_hits": False}
            header = {"index": self.alias(schema.name), "allow_partial_search_results": False}
            searches = [header, {**E._keyword_body(keyword, filter, size, 0), **bare},
                        header, {**E._vector_body(vector, filter, size), **bare}]  # fmt: skip
            answers = self._answered(lambda: self._client.msearch(searches=searches)["responses"])
            return E._keyword_page(schema, keyword, answers[0], False), E._vector_page(answers[1])

    class SortedBare(E.ElasticsearchStore):
        @E._translating
        def hybrid_candidates(self, schema, keyword, vector, *, filter=None, size=10):
            header = {"index": self.alias(schema.name), "allow_partial_search_results": False}
            searches = [header, E._bare(E._keyword_body(keyword, filter, size, 0)),
                        header, E._bare(E._vector_body(vector, filter, size))]  # fmt: skip
            answers = self._answered(lambda: self._client.msearch(searches=searches)["responses"])
            return E._keyword_page(schema, keyword, answers[0], False), E._vector_page(answers[1])

    return {"before": Before(settings), "sorted_bare": SortedBare(settings), "after": E.ElasticsearchStore(settings)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--url", required=True)
    parser.add_argument("--prefix", default="scale")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from cases.indexing import TEXT_FIELDS, case_schema
    from kb_service.analysis import ChineseAnalyzer
    from kb_service.embeddings import CachedEmbedder
    from kb_service.ranking import FusionConfig, HybridSearcher
    from kb_service.service import Services

    fill = _fill_module()
    scale = fill._scale()
    settings = fill._store_settings(args.data_dir, "elasticsearch", args.url, args.prefix)
    stores = _stores(settings)
    embedder = CachedEmbedder(scale.RandomEmbedder(fill.DIMENSION), args.data_dir / "query-cache.sqlite3")
    services = Services(settings=settings, store=stores["after"], analyzer=ChineseAnalyzer(), embedder=embedder)
    schema = services.stored_schema("cases", case_schema)
    keywords = [services.keyword_query("cases", q, TEXT_FIELDS) for q in scale.QUERIES]
    vectors = [services.embed_query(q, "cases") for q in scale.QUERIES]
    searchers = {name: HybridSearcher(store, FusionConfig()) for name, store in stores.items()}
    names = list(searchers)

    def search(name: str, i: int):
        return searchers[name].search(schema, keyword=keywords[i], vector=vectors[i], size=10)

    same = 0
    for i in range(len(scale.QUERIES)):  # warms all three too
        pages = [[(h.id, round(h.score, 9)) for h in search(name, i).hits] for name in names]
        same += all(page == pages[0] for page in pages)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(args.rounds):
        for i in range(len(scale.QUERIES)):
            turn = (r + i) % len(names)
            for name in names[turn:] + names[:turn]:
                start = time.perf_counter()
                search(name, i)
                samples[name].append((time.perf_counter() - start) * 1000)
    figures = {"same_pages": f"{same}/{len(scale.QUERIES)}", "load_average": [round(x, 2) for x in os.getloadavg()]}
    for name, values in samples.items():
        figures[name] = {f"p{q}": round(float(np.percentile(values, q)), 1) for q in (50, 95, 99)} | {"n": len(values)}
    print(json.dumps(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
