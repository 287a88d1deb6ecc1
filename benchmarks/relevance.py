"""Relevance of case search on the judged query set (prints figures; not a test).

    python benchmarks/relevance.py [--backend embedded|elasticsearch]

Indexes the sample library into a fresh store, then prints recall@3,
recall@10 and MRR for keyword-only, vector-only and hybrid ranking (RRF and
weighted fusion, with a few weightings) over ``tests/cases/judged_queries.yaml``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from cases.evaluation import evaluate, load_judgements  # noqa: E402
from cases.queries import CaseLibrary  # noqa: E402
from indexer.run import index_libraries  # noqa: E402
from kb_service.ranking import FusionConfig  # noqa: E402
from kb_service.service import Services  # noqa: E402
from kb_service.settings import load_settings  # noqa: E402

JUDGED = Path(__file__).resolve().parents[1] / "tests" / "cases" / "judged_queries.yaml"

CONFIGS = {
    "hybrid weighted 1:1 (default)": ("hybrid", FusionConfig(method="weighted")),
    "hybrid weighted 1:0.5": ("hybrid", FusionConfig(method="weighted", vector_weight=0.5)),
    "hybrid weighted 0.5:1": ("hybrid", FusionConfig(method="weighted", keyword_weight=0.5)),
    "hybrid rrf 1:1": ("hybrid", FusionConfig(method="rrf")),
    "hybrid rrf 1:0.5": ("hybrid", FusionConfig(method="rrf", vector_weight=0.5)),
    "hybrid rrf 0.5:1": ("hybrid", FusionConfig(method="rrf", keyword_weight=0.5)),
    "keyword only": ("keyword", None),
    "vector only": ("vector", None),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="embedded", choices=["embedded", "elasticsearch"])
    args = parser.parse_args()
    settings = load_settings(
        backend=args.backend, data_dir=Path(tempfile.mkdtemp(prefix="kb-rel-")), index_prefix="relevance"
    )
    services = Services.from_settings(settings)
    index_libraries(services, None, rebuild=True, progress=False, only=["cases"])
    library = CaseLibrary(services)
    judgements = load_judgements(JUDGED)
    print(f"backend: {args.backend}; model: {services.embedder.model_id}; queries: {len(judgements)}")
    print(f"{'ranking':28} {'recall@3':>9} {'recall@10':>10} {'MRR':>7}")
    for name, (mode, config) in CONFIGS.items():
        scores = evaluate(library, judgements, mode, config)
        print(f"{name:28} {scores.recall_at_3:9.3f} {scores.recall_at_10:10.3f} {scores.mrr:7.3f}")


if __name__ == "__main__":
    main()
