"""Register figures on SQLite (prints figures; not a test).

    python benchmarks/register.py [--rows 10000] [--bad 20] [--disputes 100000] [--database-url URL]

1. Import: a 10,000-row XLSX of the generated sample with 20 bad rows (bad
   dates, unknown types, missing parties, bad phone numbers, negative amounts)
   is imported into an empty register; the figures are the rows landed, the
   rows reported and the time, then the time of importing the same file again
   (every row already there).
2. Query latency at 100,000 disputes: the register is filled to 100,000 with
   more of the sample (``Register.add_many`` in batches of 1,000, timed too),
   then each query below runs 15 times; median and 95th percentile are printed.

With ``--database-url`` the same runs against another database (PostgreSQL);
it must be empty.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's packages first

from disputes.database import create_register_engine, upgrade  # noqa: E402
from disputes.generator import generate  # noqa: E402
from disputes.importing import import_file, read_table  # noqa: E402
from disputes.records import Scope  # noqa: E402
from disputes.register import Register  # noqa: E402
from disputes.schema import DisputeIn  # noqa: E402
from disputes.tabular import headers, row_of  # noqa: E402

START, END = dt.date(2023, 1, 1), dt.date(2025, 12, 31)
# (column header, bad value): each bad row breaks one thing a real register gets wrong.
FAULTS = [
    ("受理日期", "2025-02-30"),
    ("受理日期", "去年三月"),
    ("纠纷类型", "吵架纠纷"),
    ("当事人", ""),
    ("当事人", "申请人：王五（电话：12345）"),
    ("涉案金额", "-500"),
    ("地区", ""),
    ("调解委员会", None),
    ("状态", "已归档"),
    ("涉及人数", "很多人"),
]


def write_xlsx(records: list[dict], bad: int, path: Path) -> list[int]:
    """The sample as an XLSX; ``bad`` rows spread evenly are broken. Returns their row numbers."""
    from openpyxl import Workbook

    names = headers()
    every = len(records) // bad
    broken = {i * every + every // 2: FAULTS[i % len(FAULTS)] for i in range(bad)}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("纠纷登记")
    sheet.append(names)
    for index, record in enumerate(records):
        row = row_of(record)
        if index in broken:
            column, value = broken[index]
            row[names.index(column)] = value
        sheet.append(row)
    workbook.save(path)
    return sorted(index + 2 for index in broken)  # header is row 1


def timed(action: Callable[[], object], repeat: int = 15) -> tuple[float, float]:
    """(median, p95) in milliseconds."""
    action()  # warm the page cache and the statement cache
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[
        min(len(samples) - 1, int(round(0.95 * len(samples))) - 1)
    ]


def fresh_register(url: str | None, work: Path, name: str) -> Register:
    url = url or f"sqlite:///{work / name}"
    upgrade(url)
    return Register(create_register_engine(url))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--bad", type=int, default=20)
    parser.add_argument("--disputes", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--import-only", action="store_true", help="skip the 100,000-dispute part")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kb-register-bench-"))

    # -- 1. the XLSX import ------------------------------------------------------
    sample = list(islice(generate(args.seed, START, END, scale=0.35), args.rows))
    path = work / "台账.xlsx"
    bad_rows = write_xlsx(sample, args.bad, path)
    register = fresh_register(args.database_url, work, "import.sqlite3")
    start, cpu = time.perf_counter(), time.process_time()
    report = import_file(register, path, actor="基准测试")
    import_seconds, import_cpu = time.perf_counter() - start, time.process_time() - cpu
    start = time.perf_counter()
    read = sum(1 for _ in read_table(path).rows)
    read_seconds = time.perf_counter() - start
    start = time.perf_counter()
    again = import_file(register, path, actor="基准测试")
    again_seconds = time.perf_counter() - start
    reported = [r.row for r in report.rejected]
    print(f"database: {register.engine.url.get_backend_name()}; work folder: {work}")
    print(
        f"XLSX import: {report.rows} rows → {report.imported} landed, {len(report.rejected)} reported "
        f"in {import_seconds:.1f} s ({report.rows / import_seconds:.0f} rows/s; "
        f"{import_cpu:.1f} s of CPU in this process)"
    )
    print(f"  of which reading the {read} rows with openpyxl: {read_seconds:.1f} s")
    print(f"  reported rows are the broken ones: {reported == bad_rows}")
    for rejection in report.rejected[:3]:
        print(f"  row {rejection.row}: {rejection.reason[:70]}")
    print(
        f"re-import of the same file: {again.imported} landed, {again.existing} already there, "
        f"{again_seconds:.1f} s"
    )
    register.close()
    if args.import_only:
        return

    # -- 2. latency at 100,000 ----------------------------------------------------
    register = fresh_register(
        args.database_url, work, "large.sqlite3"
    )  # a given database keeps its rows
    have = register.count()
    scale = 2.6 * args.disputes / 100_000
    records = (
        DisputeIn.model_validate(r) for r in generate(args.seed + 1, START, END, scale=scale)
    )
    start = time.perf_counter()
    added = 0
    while have + added < args.disputes:
        batch = list(islice(records, min(1_000, args.disputes - have - added)))
        if not batch:
            break
        added += sum(1 for outcome in register.add_many(batch, actor="基准测试") if outcome.created)
    fill_seconds = time.perf_counter() - start
    total = register.count()
    print(
        f"filled to {total} disputes: {added} added with add_many in {fill_seconds:.0f} s "
        f"({added / fill_seconds:.0f} disputes/s, generation included)"
    )

    some = register.list(size=1, offset=total // 2).items[0]
    who = next((p.id_number for p in some.parties if p.id_number), some.parties[0].name)
    queries: list[tuple[str, Callable[[], object]]] = [
        ("first page, no filter (20 + total)", lambda: register.list(size=20)),
        (
            "open disputes (registered, mediating)",
            lambda: register.list({"status": ["registered", "mediating"]}),
        ),
        (
            "labor in 吉林省/长春市",
            lambda: register.list({"dispute_type": "labor", "region": "吉林省/长春市"}),
        ),
        (
            "one committee (a mediator's scope)",
            lambda: register.list(scope=Scope(committee=some.committee)),
        ),
        (
            "a county (a coordinator's scope)",
            lambda: register.list(scope=Scope(region="/".join(some.region.split("/")[:3]))),
        ),
        (
            "one month received",
            lambda: register.list({"received_from": "2025-03-01", "received_to": "2025-03-31"}),
        ),
        ("a party by ID number or name", lambda: register.list({"party": who})),
        ("page 2,500 (offset 50,000)", lambda: register.list(offset=50_000, size=20)),
        ("count by region prefix", lambda: register.count({"region": "吉林省/延边朝鲜族自治州"})),
        ("one dispute with its history", lambda: register.get(some.id)),
    ]
    print(f"{'query':45} {'median ms':>10} {'p95 ms':>8}")
    for name, action in queries:
        median, p95 = timed(action)
        print(f"{name:45} {median:10.1f} {p95:8.1f}")
    register.close()


if __name__ == "__main__":
    main()
