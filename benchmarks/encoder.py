"""Encoder speed: PyTorch against ONNX Runtime int8, in one run (prints figures; not a test).

    python benchmarks/encoder.py [--texts 500] [--json FILE]

Encodes the same texts — case texts as the indexer embeds them (title and
facts, from ``benchmarks/scale.py``'s generator over the sample library) —
with the default model through sentence-transformers on PyTorch and through
``kb_service/onnx_encoder.py`` (exported once to int8 ONNX, cached under
``--data-dir``), alternating the two twice so that a busy machine weighs on
both alike. Reports docs/s, the load average, and how close the vectors are
(cosine between the two encodings of each text). Ranking quality is
measured separately with ``benchmarks/dev_eval.py --embedding-backend``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=500)
    parser.add_argument("--data-dir", type=Path, help="where the ONNX export is kept (default: a new temporary folder)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    here = str(Path(__file__).resolve().parent)
    sys.path.insert(0, here)
    from scale import generate_cases  # the same generated texts as the scale benchmark

    sys.path[:] = [p for p in sys.path if p != here]
    from cases.indexing import embed_text
    from cases.schema import Case
    from kb_service.embeddings import SentenceTransformerEmbedder
    from kb_service.onnx_encoder import OnnxEmbedder, available_threads
    from kb_service.settings import load_settings

    texts = [embed_text(Case.model_validate(c)) for c in generate_cases(args.texts, seed=5)]
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="kb-encoder-"))
    settings = load_settings(data_dir=data_dir)
    encoders = {"torch": SentenceTransformerEmbedder.from_settings(settings), "onnx": OnnxEmbedder.from_settings(settings)}
    loads = {}
    for name, encoder in encoders.items():
        start = time.perf_counter()
        encoder.load()
        encoder.encode(texts[:8])  # first batch: kernel selection
        loads[name] = round(time.perf_counter() - start, 1)
    seconds = {name: 0.0 for name in encoders}
    vectors = {}
    half = len(texts) // 2
    for part in (texts[:half], texts[half:]):
        for name, encoder in encoders.items():
            start = time.perf_counter()
            vectors.setdefault(name, []).append(encoder.encode(part))
            seconds[name] += time.perf_counter() - start
    torch_vectors, onnx_vectors = (np.vstack(vectors[n]) for n in ("torch", "onnx"))
    agreement = np.sum(torch_vectors * onnx_vectors, axis=1)
    result = {
        "texts": len(texts),
        "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
        "docs_per_s": {name: round(len(texts) / s, 1) for name, s in seconds.items()},
        "speedup": round(seconds["torch"] / seconds["onnx"], 2),
        "load_s (first use, export included)": loads,
        "cosine_torch_vs_onnx": {"mean": round(float(agreement.mean()), 4), "min": round(float(agreement.min()), 4)},
        "onnx_threads": available_threads(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "model": {name: e.model_id for name, e in encoders.items()},
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
