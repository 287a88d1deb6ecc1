"""Performance at province scale (prints a table and writes JSON; not a test).

    python benchmarks/scale.py [-n 10000] [--vectors real|random]
                               [--backend embedded|elasticsearch|both] [--json FILE]

Generates ``n`` cases (the sample library's cases re-dated, re-placed and with
sentences exchanged between cases of the same dispute type, so lengths and
vocabulary stay those of the sample library) as a JSON Lines library, and
``n`` disputes from the register's generator (``disputes/generator.py``).
Then, per backend, in one run:

- write throughput: ``kb index --rebuild`` of the cases (the full pipeline:
  load, validate, mask, analyse, check citations, embed, write) and the
  disputes' upsert, in documents per second; the encoder alone beside it
  (``--vectors real``);
- an unchanged re-index of the same library, against the first index;
- keyword, vector and hybrid search of the cases, p50/p95/p99 in ms, measured
  around the store call (the hybrid: both sides plus fusion, as the service
  asks), with Elasticsearch's own ``took`` for the same requests beside it;
- the same queries through the API (FastAPI's TestClient) beside the
  ``Server-Timing`` it returns (``embed``, ``store``, ``total``);
- facets: the case search facets and the disputes' trend counts (status,
  type, month) over the whole collection;
- the embedded store's resident memory (a fresh process that opens the store
  and answers one search of every kind on both collections) and its size on
  disk.

``--vectors random`` skips the encoder: every text gets a random unit vector
of the model's dimension (seeded by the text), written through the same
indexer and store API. Store-side figures are then those of 100,000 real
documents; only the encoder's share is missing (measure it with
``--vectors real`` on fewer documents, or ``benchmarks/encoder.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Run as a script, this folder comes first on sys.path, and benchmarks/laws.py would shadow the laws package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402

QUERIES = [
    "邻居 漏水", "楼上噪音扰民", "拖欠农民工工资", "交通事故 误工费 赔偿", "离婚 财产分割",
    "子女不赡养老人", "业主拒交物业费", "手术后患者死亡 医疗过错", "宅基地 边界 围墙", "征地拆迁补偿款分配",
    "网购商品 退货 退款", "工伤 赔偿 用人单位", "彩礼 返还", "遗产继承 房产", "土地承包合同 到期",
    "装修噪声 影响休息", "狗咬伤 赔偿", "快递丢失 赔偿", "学生在学校受伤", "旅游团 擅自更改行程",
    "养殖场 污染 河水", "解除劳动合同 经济补偿", "租房押金不退", "借款到期不还", "停车位 占用",
    "包工头跑了，工地欠我们工资", "楼上卫生间漏水把我家天花板泡坏了", "婆媳矛盾 分家",
    "电动车撞人 保险", "山林 林地 权属",
]  # fmt: skip


# -- data ------------------------------------------------------------------------------
def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！？；])", text or "") if s]


def generate_cases(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` cases like the sample library's: each a sample case of the same type with
    about a third of its facts and process sentences taken from another case of that type,
    a new place, date and amount."""
    from cases.loading import load_cases
    from kb_service.library import Loaded, sample_library

    sample = [x.record for x in load_cases([sample_library()]) if isinstance(x, Loaded)]
    by_type: dict[str, list] = {}
    for case in sample:
        by_type.setdefault(case.dispute_type, []).append(case)
    regions = sorted({c.region for c in sample if c.region})
    rng = random.Random(seed)

    def mix(own: str, other: str) -> str:
        donor = _sentences(other)
        return "".join(rng.choice(donor) if donor and rng.random() < 0.33 else s for s in _sentences(own))

    cases = []
    for i in range(n):
        base = rng.choice(sample)
        donor = rng.choice(by_type[base.dispute_type])
        record = base.model_dump(mode="json", exclude_none=True)
        region = rng.choice(regions)
        record.update(
            id=f"scale-{base.dispute_type}-{i:06d}",
            title=f"{region.rsplit('/', 1)[-1]}{base.title}",
            facts=mix(base.facts, donor.facts),
            process=mix(base.process, donor.process),
            region=region,
            date=(dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(11 * 365))).isoformat(),
        )
        if base.amount:
            record["amount"] = round(base.amount * rng.uniform(0.5, 2.0), -2)
        record.pop("source", None)
        cases.append(record)
    return cases


def generate_disputes(n: int, seed: int) -> list:
    """``n`` registered disputes from the register's generator, numbered as the register would."""
    from disputes.generator import generate
    from disputes.schema import DisputeIn, DisputeRecord

    now = dt.datetime(2026, 7, 1, 9, 0)
    records = []
    scale = 1.0
    while len(records) < n:
        records = []
        for i, raw in enumerate(itertools.islice(generate(seed, dt.date(2021, 1, 1), dt.date(2026, 6, 30), scale=scale), n)):
            dispute = DisputeIn.model_validate(raw)
            records.append(
                DisputeRecord(
                    **{**dispute.model_dump(), "number": f"（{dispute.received.year}）压测调字第{i + 1}号"}, id=i + 1,
                    created_at=now, updated_at=now,
                )  # fmt: skip
            )
        scale *= 2
    return records


class RandomEmbedder:
    """Random unit vectors of the model's dimension, seeded by the text (``--vectors random``)."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self.model_id = f"random-unit-{dimension}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = [np.random.default_rng(zlib.crc32(t.encode("utf-8"))).standard_normal(self.dimension) for t in texts]
        vectors = np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dimension)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def load(self) -> None:
        pass


class SentenceMemoAnalyzer:
    """The analyzer, its index-time tokens memoised per sentence (``--vectors random``).

    Generated cases reuse the sample library's sentences, so at 100,000 cases jieba
    would spend an hour re-cutting the same few thousand sentences; cut at sentence
    ends, the tokens are those of the whole text but for a word spanning a full stop.
    """

    def __init__(self, inner) -> None:
        self._inner = inner
        self._memo: dict[str, list[str]] = {}

    def __getattr__(self, name: str):
        return getattr(self._inner, name)

    def tokens(self, text: str) -> list[str]:
        out: list[str] = []
        for sentence in _sentences(text):
            cut = self._memo.get(sentence)
            if cut is None:
                cut = self._memo[sentence] = self._inner.tokens(sentence)
            out.extend(cut)
        return out

    def index_text(self, text) -> str:
        if not isinstance(text, str):
            text = "\n".join(text)
        return " ".join(self.tokens(text))


def model_dimension(settings) -> int:
    from kb_service.embeddings import resolve_model

    config = json.loads((Path(resolve_model(settings.embedding_model)) / "config.json").read_text("utf-8"))
    return int(config["hidden_size"])


# -- measuring -------------------------------------------------------------------------
def percentiles(samples_ms: Sequence[float]) -> dict[str, float | None]:
    if not samples_ms:
        return {"p50": None, "p95": None, "p99": None, "n": 0}
    values = np.asarray(samples_ms, dtype=np.float64)
    return {
        "p50": round(float(np.percentile(values, 50)), 2),
        "p95": round(float(np.percentile(values, 95)), 2),
        "p99": round(float(np.percentile(values, 99)), 2),
        "n": len(values),
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000.0, result


class TookRecorder:
    """Elasticsearch's own ``took`` of every search the store sends (benchmark instrumentation)."""

    def __init__(self, store) -> None:
        self.took: list[float] = []
        client = getattr(store, "_client", None)
        if client is None or not hasattr(client, "search"):
            return
        for name in ("search", "msearch"):  # a hybrid search's two are one _msearch: its took
            setattr(client, name, self._recording(getattr(client, name)))

    def _recording(self, original):
        def call(*args, **kwargs):
            response = original(*args, **kwargs)
            self.took.append(float(response["took"]))
            return response

        return call

    def take(self) -> list[float]:
        taken, self.took = self.took, []
        return taken


def server_timing(header: str) -> dict[str, float]:
    phases = {}
    for part in header.split(","):
        name, _, rest = part.strip().partition(";")
        match = re.search(r"dur=([0-9.]+)", rest)
        if match:
            phases[name] = float(match.group(1))
    return phases


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def rss_probe(data_dir: str, dimension: int) -> dict[str, float]:
    """Run in a fresh process: open the embedded store, answer one search of each kind."""
    from cases.indexing import case_schema
    from cases.queries import FACETS as CASE_FACETS
    from disputes.indexing import dispute_schema
    from disputes.search_copy import FACETS as DISPUTE_FACETS
    from kb_service.analysis import ChineseAnalyzer
    from kb_service.store import KeywordQuery
    from kb_service.store.embedded import EmbeddedStore

    store = EmbeddedStore(Path(data_dir))
    analyzer = ChineseAnalyzer()
    vector = RandomEmbedder(dimension).encode(["探针"])[0]
    start = time.perf_counter()
    for schema in (case_schema(dimension), dispute_schema(dimension)):
        field = next(iter(schema.text_fields))
        terms = {t: 1.0 for t in analyzer.index_text("邻居 漏水 工资").split()}
        store.keyword_search(schema, KeywordQuery(terms=terms, fields={field: 1.0}), size=10)
        store.vector_search(schema, vector, size=10)
    store.aggregate("cases", CASE_FACETS)
    store.aggregate("disputes", DISPUTE_FACETS)
    seconds = time.perf_counter() - start
    status = Path("/proc/self/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rss_mb": round(rss, 1), "peak_rss_mb": round(peak, 1), "first_searches_s": round(seconds, 2)}


def search_figures(services, store, backend: str, rounds: int) -> dict[str, Any]:
    """Store-side and API figures over a filled store: keyword, vector and hybrid search of the
    cases (with Elasticsearch's ``took``), the case facets and, where the disputes collection
    exists, their trend counts; the API's wall time beside its ``Server-Timing``.

    ``services`` wraps ``store`` (in ``TimedStore``, which the API's timing reads); ``store`` is
    called directly for the store-side figures."""
    from fastapi.testclient import TestClient

    from api.main import create_app
    from cases.indexing import TEXT_FIELDS, case_schema
    from cases.queries import FACETS as CASE_FACETS
    from disputes.search_copy import FACETS as DISPUTE_FACETS

    out: dict[str, Any] = {}
    schema = services.stored_schema("cases", case_schema)
    queries = QUERIES * max(1, rounds)
    keyword_queries = [services.keyword_query("cases", q, TEXT_FIELDS) for q in QUERIES]
    vectors = [services.embed_query(q, "cases") for q in QUERIES]
    took = TookRecorder(store)

    first_ms, _ = timed(lambda: store.keyword_search(schema, keyword_queries[0], size=50, highlight=True))
    store.vector_search(schema, vectors[0], size=50)
    out["first_query_ms"] = round(first_ms, 1)
    took.take()
    searches = {
        "keyword": lambda i: store.keyword_search(schema, keyword_queries[i], size=50, highlight=True),
        "vector": lambda i: store.vector_search(schema, vectors[i], size=50),
        "hybrid": lambda i: services.searcher.search(
            schema, keyword=keyword_queries[i], vector=vectors[i], size=10
        ),
        "hybrid+facets": lambda i: services.searcher.search(
            schema, keyword=keyword_queries[i], vector=vectors[i], size=10, facets=CASE_FACETS
        ),
    }
    out["search_ms"] = {}
    for name, search in searches.items():
        samples = [timed(lambda i=i, search=search: search(i % len(QUERIES)))[0] for i in range(len(queries))]
        out["search_ms"][name] = percentiles(samples)
        out["search_ms"][name]["es_took"] = percentiles(took.take()) if backend == "elasticsearch" else None

    facets = {"cases facets": lambda: store.aggregate("cases", CASE_FACETS)}
    if store.count("disputes"):
        facets["disputes trends"] = lambda: store.aggregate("disputes", DISPUTE_FACETS)
    out["facet_ms"] = {}
    for name, run in facets.items():
        run()
        took.take()
        samples = [timed(run)[0] for _ in range(max(10, rounds * 5))]
        out["facet_ms"][name] = percentiles(samples)
        out["facet_ms"][name]["es_took"] = percentiles(took.take()) if backend == "elasticsearch" else None

    app = create_app(services, load_model=False)
    api: dict[str, list[float]] = {"wall": [], "embed": [], "store": [], "total": []}
    with TestClient(app) as client:
        client.post("/v1/cases/search", json={"query": QUERIES[0], "size": 10})
        for i in range(len(queries)):
            ms, response = timed(
                lambda i=i: client.post("/v1/cases/search", json={"query": QUERIES[i % len(QUERIES)], "size": 10})
            )
            response.raise_for_status()
            api["wall"].append(ms)
            phases = server_timing(response.headers.get("Server-Timing", ""))
            for phase in ("embed", "store", "total"):
                api[phase].append(phases.get(phase, 0.0))
    out["api_ms"] = {name: percentiles(samples) for name, samples in api.items()}
    p50 = out["api_ms"]
    out["api_total_over_embed_store"] = (
        round(p50["total"]["p50"] / (p50["embed"]["p50"] + p50["store"]["p50"]), 2)
        if (p50["embed"]["p50"] or 0) + (p50["store"]["p50"] or 0) > 0
        else None
    )
    return out


def measure_backend(backend: str, args, work: Path, library: Path, disputes: list) -> dict[str, Any]:
    from cases.indexing import SPEC, embed_text
    from disputes.indexing import SPEC as DISPUTE_SPEC
    from indexer.pipeline import Indexer
    from kb_service.analysis import ChineseAnalyzer
    from kb_service.embeddings import CachedEmbedder, build_embedder
    from kb_service.library import Loaded
    from kb_service.service import Services
    from kb_service.settings import load_settings
    from kb_service.store import build_store
    from kb_service.telemetry import TimedStore

    out: dict[str, Any] = {"backend": backend}
    prefix = f"scale{os.getpid()}"
    settings = load_settings(backend=backend, data_dir=work / backend / "data", index_prefix=prefix)
    if args.vectors == "random":
        embedder = CachedEmbedder(RandomEmbedder(model_dimension(settings)), work / backend / "cache.sqlite3")
        index_embedder = embedder.inner  # the cache would only add writes no one reads
    else:
        embedder = build_embedder(settings)
        embedder.load()
        index_embedder = embedder
    store = build_store(settings)
    analyzer = ChineseAnalyzer()
    analyzer.tokens("预热")
    memo = SentenceMemoAnalyzer(analyzer) if args.vectors == "random" else analyzer
    indexer = Indexer(store, memo, index_embedder)

    if args.vectors == "real":
        texts = [embed_text(loaded.record) for loaded in itertools.islice(_cases(library), 500)]
        embedder.inner.encode(texts[:8])
        seconds, _ = timed(lambda: embedder.inner.encode(texts))
        out["encode_only_docs_per_s"] = round(len(texts) / (seconds / 1000), 1)

    seconds, first = timed(lambda: indexer.index(SPEC, [library], rebuild=True, progress=False))
    out["cases_indexed"] = first.indexed
    out["index_docs_per_s"] = round(first.indexed / (seconds / 1000), 1)
    out["index_s"] = round(seconds / 1000, 2)
    again_ms, again = timed(lambda: indexer.index(SPEC, [library], progress=False))
    out["unchanged_reindex_s"] = round(again_ms / 1000, 3)
    out["unchanged_speedup"] = round(seconds / again_ms, 1)

    def upsert_all() -> int:
        written = 0
        for start in range(0, len(disputes), 2000):
            chunk = disputes[start : start + 2000]
            report = indexer.upsert(DISPUTE_SPEC, (Loaded(r, Path("纠纷登记"), r.id) for r in chunk))
            written += report.indexed
        return written

    seconds, written = timed(upsert_all)
    out["disputes_indexed"] = written
    out["disputes_docs_per_s"] = round(written / (seconds / 1000), 1)

    services = Services(settings=settings, store=TimedStore(store), analyzer=analyzer, embedder=embedder)
    out.update(search_figures(services, store, backend, args.rounds))

    if backend == "embedded":
        store.close()
        probe = subprocess.run(
            [sys.executable, __file__, "--rss-probe", str(settings.data_dir), str(model_dimension(settings))],
            capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": os.getcwd()},
        )  # fmt: skip
        out["memory"] = json.loads(probe.stdout.strip().splitlines()[-1])
        out["disk_mb"] = round(folder_size(settings.data_dir) / 2**20, 1)
    else:
        for name in ("cases", "disputes"):
            store._client.indices.delete(index=f"{prefix}-{name}*", ignore_unavailable=True)
    return out


def _cases(library: Path):
    from cases.loading import load_cases
    from kb_service.library import Loaded

    return (x for x in load_cases([library]) if isinstance(x, Loaded))


def machine() -> dict[str, Any]:
    model = ""
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        found = re.search(r"Model name:\s+(.+)", lscpu)
        model = found.group(1).strip() if found else ""
    except OSError:
        pass
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def search_rows(r: dict[str, Any]) -> list[str]:
    """The lines of ``search_figures``' figures: searches, facets, the API."""
    lines = ["  ms                              p50      p95      p99   (ES took p50/p95)"]
    for name, p in {**r["search_ms"], **r["facet_ms"]}.items():
        took = p.get("es_took")
        extra = f"   {took['p50']}/{took['p95']}" if took and took["n"] else ""
        lines.append(f"  {name:<28}{p['p50']:>8}{p['p95']:>9}{p['p99']:>9}{extra}")
    for name, p in r["api_ms"].items():
        lines.append(f"  API {name:<24}{p['p50']:>8}{p['p95']:>9}{p['p99']:>9}")
    lines.append(f"  API total p50 / (embed + store) p50 = {r['api_total_over_embed_store']}")
    return lines


def table(results: dict[str, Any]) -> str:
    lines = [f"n = {results['n']} cases + {results['n']} disputes; vectors: {results['vectors']}; {results['machine']['cpu']}"]
    for r in results["backends"]:
        lines.append(f"\n[{r['backend']}]")
        if "encode_only_docs_per_s" in r:
            lines.append(f"  encode only                 {r['encode_only_docs_per_s']:>10} docs/s")
        lines.append(f"  index cases (full pipeline) {r['index_docs_per_s']:>10} docs/s ({r['index_s']} s)"
                     + ("; analysis memoised per sentence" if results["vectors"] == "random" else ""))
        lines.append(f"  unchanged re-index          {r['unchanged_reindex_s']:>10} s  ({r['unchanged_speedup']}x faster)")
        lines.append(f"  upsert disputes             {r['disputes_docs_per_s']:>10} docs/s")
        lines.append(f"  first query (cold)          {r['first_query_ms']:>10} ms")
        lines.extend(search_rows(r))
        if "memory" in r:
            m = r["memory"]
            lines.append(f"  store RSS {m['rss_mb']} MB (peak {m['peak_rss_mb']} MB), disk {r['disk_mb']} MB")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=10_000, help="cases, and as many disputes")
    parser.add_argument("--vectors", choices=["real", "random"], default="real")
    parser.add_argument("--backend", choices=["embedded", "elasticsearch", "both"], default="embedded")
    parser.add_argument("--rounds", type=int, default=3, help="times each of the 30 queries is asked")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--work-dir", type=Path, help="keep the generated library and the stores here")
    parser.add_argument("--rss-probe", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_probe:
        print(json.dumps(rss_probe(args.rss_probe[0], int(args.rss_probe[1]))))
        return
    if args.vectors == "real" and args.n > 20_000:
        parser.error("--vectors real 超过 20000 条需要数小时编码；请用 --vectors random 测量存储")

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="kb-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    library = work / "library" / "cases"
    library.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with (library / "cases.jsonl").open("w", encoding="utf-8") as f:
        for case in generate_cases(args.n, args.seed):
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    disputes = generate_disputes(args.n, args.seed)
    print(f"generated {args.n} cases and {len(disputes)} disputes in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    backends = ["embedded", "elasticsearch"] if args.backend == "both" else [args.backend]
    results = {
        "n": args.n,
        "vectors": args.vectors,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "backends": [],
    }
    for backend in backends:
        results["backends"].append(measure_backend(backend, args, work, library.parent, disputes))
        print(f"{backend} done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    results["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
