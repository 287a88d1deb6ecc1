"""Indexing throughput on the sample library (prints figures; not a test).

    python benchmarks/indexing.py [--backend embedded|elasticsearch]

Reports, for the cases in the sample library:
- encode-only docs/s: the model embedding the texts, nothing else;
- full-pipeline docs/s: load, validate, mask, analyse, embed and write into a
  fresh store with an empty embedding cache;
- the time of an unchanged re-index (every record skipped by content hash).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from cases.indexing import SPEC, embed_text  # noqa: E402
from indexer.pipeline import Indexer  # noqa: E402
from kb_service.analysis import ChineseAnalyzer  # noqa: E402
from kb_service.embeddings import CachedEmbedder, SentenceTransformerEmbedder  # noqa: E402
from kb_service.library import Loaded, sample_library  # noqa: E402
from kb_service.settings import load_settings  # noqa: E402
from kb_service.store import build_store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="embedded", choices=["embedded", "elasticsearch"])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    settings = load_settings(backend=args.backend, data_dir=work / "data", index_prefix="bench")
    model = SentenceTransformerEmbedder(settings.embedding_model, batch_size=settings.embedding_batch_size)
    model.load()
    analyzer = ChineseAnalyzer()
    analyzer.tokens("预热")

    cases = [item.record for item in SPEC.load([sample_library()]) if isinstance(item, Loaded)]
    texts = [embed_text(case) for case in cases]
    model.encode(texts[:8])  # warm-up: the first batch pays for kernel selection
    start = time.perf_counter()
    model.encode(texts)
    encode_seconds = time.perf_counter() - start

    store = build_store(settings)
    indexer = Indexer(store, analyzer, CachedEmbedder(model, work / "cache.sqlite3"))
    start = time.perf_counter()
    first = indexer.index(SPEC, [sample_library()], rebuild=True, progress=False)
    full_seconds = time.perf_counter() - start
    start = time.perf_counter()
    again = indexer.index(SPEC, [sample_library()], progress=False)
    unchanged_seconds = time.perf_counter() - start

    print(f"backend: {args.backend}; model: {model.model_id}; cases: {len(cases)}")
    print(f"encode only:            {len(texts) / encode_seconds:8.1f} docs/s ({encode_seconds:.2f} s)")
    print(f"full pipeline:          {first.indexed / full_seconds:8.1f} docs/s ({full_seconds:.2f} s)")
    print(f"unchanged re-index:     {unchanged_seconds:8.2f} s ({again.unchanged} unchanged, {again.indexed} indexed)")


if __name__ == "__main__":
    main()
