"""Load: concurrent clients against the running service on loopback (prints figures; not a test).

    python benchmarks/load.py [--backend embedded|elasticsearch] [--elasticsearch-url URL]
                              [--clients 32] [--seconds 60] [--data-dir DIR] [--json FILE]

What a county's mediators do at once, bounded and on loopback only: it
indexes the sample library into ``--data-dir`` (a rerun reuses its store and
embedding cache), starts ``kb serve`` there in a subprocess with one API key
per client (32 mediators and coordinators: the per-key rate limit stays on,
as deployed), and for ``--seconds`` runs ``--clients`` concurrent clients,
each looping over a mix of

- ``search``  POST /v1/cases/search, a colloquial question (mediator);
- ``similar`` GET /v1/cases/{id}/similar (mediator);
- ``match``   POST /v1/experts/match, a dispute description (coordinator);
- ``register`` POST /v1/disputes, a new registration (mediator; the write path,
  the register database and the search copy).

Prints per kind the requests, errors (any answer other than the expected
status, or no answer), p50/p95/p99 latency and throughput, beside the
service's own ``Server-Timing`` total; and the whole run's figures. An error
is anything but 200/201: a 429 or 503 counts, so "0 errors" means every
client was served.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.auth import digest  # noqa: E402

QUESTIONS = [
    "楼上天天半夜吵得睡不着", "老板拖欠了三个月工资不给", "离婚后孩子抚养费对方不给", "邻居家的树挡住了我家采光",
    "装修公司用的材料和合同不一样", "在医院做完手术出了问题", "快递丢了快递公司不赔", "老人几个子女都不愿意赡养",
    "物业费涨价业主不同意", "骑电动车被汽车撞了", "网购买到假货商家不认", "宅基地边界两家吵起来了",
]  # fmt: skip
DESCRIPTIONS = [
    "患者术后第二天死亡，家属认为医院观察不到位，要求赔偿", "工地包工头拖欠二十多名工人工资近四十万元",
    "两户村民因宅基地边界和排水沟走向发生争执", "租客提前退租，房东扣下全部押金",
]  # fmt: skip
COMMITTEE = "长春市南关区南湖街道人民调解委员会"
REGION = "吉林省/长春市/南关区/南湖街道"
KINDS = ("search", "similar", "match", "register")
WEIGHTS = (4, 2, 2, 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_keys(folder: Path, clients: int) -> list[tuple[str, str]]:
    """One key per client: (kind of holder, key). Coordinators match experts, mediators the rest."""
    keys, lines = [], ["keys:"]
    for n in range(clients):
        key = secrets.token_urlsafe(24)
        for role, extra in (
            ("mediator", f"    committee: {COMMITTEE}"),
            ("coordinator", "    region: 吉林省/长春市"),
        ):
            lines += [
                f"  - name: 压测{role}{n}",
                f"    role: {role}",
                f"    sha256: {digest(key + role)}",
                extra,
            ]
        keys.append(key)
    (folder / "keys.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return keys


RUN = secrets.token_hex(3)
"""Names differ from run to run: a rerun on the same data folder is new registrations, not
re-registrations of the same disputes (409 by the register's natural key)."""


def registration(n: int) -> dict:
    return {
        "received": "2026-11-30", "dispute_type": "neighbor", "region": REGION, "committee": COMMITTEE,
        "description": f"压测登记{RUN}-{n}号：楼上住户夜间噪音扰民，多次沟通未果。", "claims": "要求停止噪音干扰",
        "parties": [{"role": "申请人", "name": f"申请人{RUN}{n}"}, {"role": "被申请人", "name": "李某"}],
    }  # fmt: skip


async def client_loop(
    base: str, key: str, deadline: float, record, case_ids: list[str], rng: random.Random
) -> None:
    mediator = {"Authorization": f"Bearer {key}mediator"}
    coordinator = {"Authorization": f"Bearer {key}coordinator"}
    async with httpx.AsyncClient(base_url=base, timeout=60.0) as http:
        n = 0
        while time.monotonic() < deadline:
            kind = rng.choices(KINDS, WEIGHTS)[0]
            n += 1
            if kind == "search":
                call = http.post(
                    "/v1/cases/search",
                    json={"query": rng.choice(QUESTIONS), "size": 10},
                    headers=mediator,
                )
            elif kind == "similar":
                call = http.get(f"/v1/cases/{rng.choice(case_ids)}/similar", headers=mediator)
            elif kind == "match":
                body = {
                    "dispute": {
                        "description": rng.choice(DESCRIPTIONS),
                        "region": "吉林省/长春市/南关区",
                    }
                }
                call = http.post("/v1/experts/match", json=body, headers=coordinator)
            else:
                call = http.post(
                    "/v1/disputes", json=registration(rng.randrange(10**9)), headers=mediator
                )
            start = time.perf_counter()
            try:
                response = await call
                status, timing = response.status_code, response.headers.get("server-timing", "")
            except httpx.HTTPError as exc:
                status, timing = f"{type(exc).__name__}", ""
            record(kind, time.perf_counter() - start, status, timing)


def server_total(timing: str) -> float | None:
    for part in timing.split(","):
        name, _, rest = part.strip().partition(";")
        if name == "total" and "dur=" in rest:
            return float(rest.split("dur=")[1].split(";")[0]) / 1000
    return None


def pct(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else (values or [0])[0]
    )


async def run_load(base: str, keys: list[str], seconds: float, case_ids: list[str]) -> dict:
    latencies: dict[str, list[float]] = defaultdict(list)
    server: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list] = defaultdict(list)

    def record(kind: str, seconds_taken: float, status, timing: str) -> None:
        latencies[kind].append(seconds_taken)
        total = server_total(timing)
        if total is not None:
            server[kind].append(total)
        if status not in (200, 201):
            errors[kind].append(status)

    deadline = time.monotonic() + seconds
    began = time.perf_counter()
    await asyncio.gather(
        *(
            client_loop(base, key, deadline, record, case_ids, random.Random(i))
            for i, key in enumerate(keys)
        )
    )
    elapsed = time.perf_counter() - began
    rows = {}
    for kind in KINDS:
        values = latencies[kind]
        rows[kind] = {
            "requests": len(values),
            "errors": len(errors[kind]),
            "error_statuses": sorted({str(s) for s in errors[kind]}),
            "p50_ms": round(pct(values, 50) * 1000, 1) if values else None,
            "p95_ms": round(pct(values, 95) * 1000, 1) if values else None,
            "p99_ms": round(pct(values, 99) * 1000, 1) if values else None,
            "server_total_p50_ms": round(pct(server[kind], 50) * 1000, 1) if server[kind] else None,
            "per_second": round(len(values) / elapsed, 2),
        }
    everything = [v for kind in KINDS for v in latencies[kind]]
    rows["all"] = {
        "requests": len(everything),
        "errors": sum(len(e) for e in errors.values()),
        "p50_ms": round(pct(everything, 50) * 1000, 1),
        "p95_ms": round(pct(everything, 95) * 1000, 1),
        "p99_ms": round(pct(everything, 99) * 1000, 1),
        "per_second": round(len(everything) / elapsed, 2),
    }
    return {"seconds": round(elapsed, 1), "kinds": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="embedded", choices=["embedded", "elasticsearch"])
    parser.add_argument("--elasticsearch-url")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--data-dir", type=Path, help="kept between runs (store, embedding cache)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="kb-load-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    keys = write_keys(data_dir, args.clients)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "KB_DATA_DIR": str(data_dir), "KB_BACKEND": args.backend,
           "KB_API_KEYS_FILE": str(data_dir / "keys.yaml"), "KB_INDEX_PREFIX": "kbload", "TQDM_DISABLE": "1"}  # fmt: skip
    if args.backend == "elasticsearch":
        if not args.elasticsearch_url:
            parser.error("--backend elasticsearch needs --elasticsearch-url")
        env["KB_ELASTICSEARCH_URL"] = args.elasticsearch_url
    kb = [sys.executable, "-m", "cli.main"]
    began = time.perf_counter()
    subprocess.run(
        [*kb, "index", "--json"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )
    print(f"kb index: {time.perf_counter() - began:.1f} s", file=sys.stderr)

    port = free_port()
    log = (data_dir / "serve.log").open("w", encoding="utf-8")
    server = subprocess.Popen(
        [*kb, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            raise SystemExit("kb serve did not become ready")
        headers = {"Authorization": f"Bearer {keys[0]}mediator"}
        found = httpx.post(
            f"{base}/v1/cases/search",
            json={"query": "纠纷", "size": 50},
            headers=headers,
            timeout=60,
        )
        case_ids = [hit["id"] for hit in found.json()["hits"]]
        report = asyncio.run(run_load(base, keys, args.seconds, case_ids))
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        failures = [
            line
            for line in (data_dir / "serve.log").read_text(encoding="utf-8").splitlines()
            if '"status": 5' in line or "Traceback" in line or "Error" in line
        ]
        if failures:
            print("server errors (serve.log):", *failures[:20], sep="\n  ", file=sys.stderr)
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    report.update(backend=args.backend, clients=args.clients, load_average=round(os.getloadavg()[0], 1),
                  cpus=os.cpu_count())  # fmt: skip
    print(f"backend {args.backend}, {args.clients} clients, {report['seconds']} s, "
          f"load average {report['load_average']} on {report['cpus']} CPUs")  # fmt: skip
    print(
        f"{'kind':10} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'server p50':>10} {'req/s':>7}"
    )
    for kind, row in report["kinds"].items():
        print(f"{kind:10} {row['requests']:>8} {row['errors']:>6} {row['p50_ms']!s:>8} {row['p95_ms']!s:>8} "
              f"{row['p99_ms']!s:>8} {row.get('server_total_p50_ms')!s:>10} {row['per_second']:>7}")  # fmt: skip
    print(json.dumps(report, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
