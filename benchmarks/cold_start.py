"""Cold start of ``kb search cases`` (prints figures; not a test).

    python benchmarks/cold_start.py [--data-dir DIR] [--repeat 3] [--json FILE]

Indexes the sample library's cases into ``DIR/torch`` and ``DIR/onnx`` (once
each; kept for later runs), then times fresh ``kb search cases "邻居 漏水"``
processes, wall clock from start to exit:

- hybrid with the PyTorch encoder (``KB_EMBEDDING_BACKEND=torch``);
- hybrid with the ONNX int8 encoder (``KB_EMBEDDING_BACKEND=onnx``);
- ``--mode keyword`` (no encoder at all).

Beside each: the load average, since on a shared 2-core machine the figure
says as much about the neighbours as about the program.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

ROOT = Path(__file__).resolve().parent.parent
QUERY = "邻居 漏水"


def prepare(data_dir: Path, backend: str) -> None:
    if (data_dir / "store.sqlite3").is_file():
        return
    code = (
        "from cases.indexing import SPEC; from indexer.pipeline import Indexer; "
        "from kb_service.service import Services; from kb_service.settings import load_settings; "
        "from kb_service.library import sample_library; s = Services.from_settings(load_settings()); "
        "Indexer(s.store, s.analyzer, s.embedder).index(SPEC, [sample_library()], rebuild=True, progress=False)"
    )
    subprocess.run([sys.executable, "-c", code], env=env(data_dir, backend), check=True, cwd=ROOT)


def env(data_dir: Path, backend: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HF_HUB_OFFLINE": "1",
        "KB_DATA_DIR": str(data_dir),
        "KB_EMBEDDING_BACKEND": backend,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = args.data_dir or Path(tempfile.mkdtemp(prefix="kb-cold-"))
    runs = {
        "hybrid, torch": ("torch", []),
        "hybrid, onnx int8": ("onnx", []),
        "keyword only": ("torch", ["--mode", "keyword"]),
    }
    for backend in ("torch", "onnx"):
        prepare(work / backend, backend)
    results = {}
    for name, (backend, extra) in runs.items():
        times, loads = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "cli.main", "search", "cases", QUERY, "--json", *extra],
                env=env(work / backend, backend), cwd=ROOT, capture_output=True, text=True,
            )  # fmt: skip
            times.append(round(time.perf_counter() - start, 2))
            loads.append(round(os.getloadavg()[0], 1))
            if done.returncode != 0:
                raise SystemExit(f"{name}: {done.stderr[-500:]}")
            hits = len(json.loads(done.stdout)["hits"])
        results[name] = {"seconds": times, "best": min(times), "load_average": loads, "hits": hits}
        print(f"{name:<20} best {min(times):6.2f} s   all {times}   load {loads}", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"query": QUERY, "cpus": os.cpu_count(), "runs": results}, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
