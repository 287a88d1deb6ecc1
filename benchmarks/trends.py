"""Trend counts at 100,000 disputes: one SQL GROUP BY on the register against the search store's facets
(prints figures; not a test).

    python benchmarks/trends.py [--disputes 100000] [--database-url URL] [--elasticsearch-url URL]

The register (SQLite by default, or ``--database-url``, which must be empty)
is filled with the generated sample (``disputes/generator.py``, 2023–2025)
to about ``--disputes``; the same disputes' copies go to the search store
with the fields trend counts need (``dispute_type``, ``region_path``,
``week``, ``month``; no text or vectors: only the aggregation is timed),
on the embedded store and, with ``--elasticsearch-url``, on Elasticsearch.
Each query runs 7 times; the median is printed.

Queries (what ``kb trends`` and the dashboard ask):

1. ``type × week`` for the province, three years (``kb trends --by type --period week``);
2. ``county × type × month`` for the province, three years
   (``kb trends --period month --level county``);
3. ``county × type × week`` for one city, the last 12 weeks and the weeks a year
   before (the dashboard's table).

The register answers each with one ``GROUP BY`` (``trends.counts.cell_counts``).
The store's aggregations count one field at a time (a terms facet), so a
cross of three needs one aggregation per value of the other two fields:
per type for query 1 (a terms facet on ``week``), per type and month for
query 2 (a terms facet on ``region_path``, county values kept), per type
and week for query 3.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's packages first

from alerts.periods import period_start, shift  # noqa: E402
from disputes.database import create_register_engine, upgrade  # noqa: E402
from disputes.generator import generate  # noqa: E402
from disputes.indexing import COLLECTION, dispute_schema, week_of  # noqa: E402
from disputes.register import Register  # noqa: E402
from disputes.schema import DisputeIn  # noqa: E402
from kb_service.store.filters import And, Range, Term, TermsFacet  # noqa: E402
from kb_service.store.protocol import Document  # noqa: E402
from kb_service.vocabularies import DISPUTE_TYPES, region_path  # noqa: E402
from trends.counts import cell_counts  # noqa: E402

START, END = dt.date(2023, 1, 1), dt.date(2025, 12, 31)
CITY = "吉林省/长春市"
TYPES = list(DISPUTE_TYPES.terms)


def timed(action: Callable[[], object], repeat: int = 7) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000, result


def fill(register: Register, wanted: int) -> list[dict]:
    # about 41,900 disputes in 2023–2025 at scale 1 (12,000 a year, 5 % more each year); a little
    # more than wanted, cut to ``wanted``, so the three years are covered
    scale = wanted / 41_900 * 1.02
    records = list(generate(7, START, END, scale=scale))[:wanted]
    began = time.perf_counter()
    for start in range(0, len(records), 2000):
        register.add_many(
            [DisputeIn.model_validate(r) for r in records[start : start + 2000]], actor="基准测试"
        )
    print(f"register: {len(records)} disputes added in {time.perf_counter() - began:.0f} s")
    return records


def store_documents(register: Register) -> list[Document]:
    docs = []
    for record in register.iter():
        docs.append(Document(
            id=str(record.id),
            source={"dispute_type": record.dispute_type, "region": record.region, "region_path": region_path(record.region),
                    "status": record.status, "week": week_of(record.received), "month": record.received.strftime("%Y-%m"),
                    "received": record.received.isoformat()},
            text={},
        ))  # fmt: skip
    return docs


def _counted(found: dict, key: str) -> dict:
    return {b["value"]: b["count"] for b in found[key]}


SAMPLED_TYPES = 2
"""Queries 2 and 3 on the store run for this many of the 20 types, and the time is scaled by 20 / 2
(each type costs the same number of aggregations): the full run would take half an hour at 100,000."""


def store_queries(store) -> dict[str, Callable[[], object]]:
    not_withdrawn = Range(
        field="received", gte=START.isoformat()
    )  # every copy; withdrawn filtered below

    def q1():
        out = {}
        for code in TYPES:
            found = store.aggregate(COLLECTION, {"w": TermsFacet(field="week", size=200)},
                                    And(conditions=(Term(field="dispute_type", value=code), not_withdrawn)))  # fmt: skip
            out[code] = _counted(found, "w")
        return out

    months = [shift(dt.date(2023, 1, 1), i, "month").strftime("%Y-%m") for i in range(36)]

    def q2():
        out = Counter()
        for code in TYPES[:SAMPLED_TYPES]:
            for month in months:
                found = store.aggregate(COLLECTION, {"r": TermsFacet(field="region_path", size=200)},
                                        And(conditions=(Term(field="dispute_type", value=code), Term(field="month", value=month))))  # fmt: skip
                for region, n in _counted(found, "r").items():
                    if region.count("/") == 2:
                        out[(region, code, month)] += n
        return out

    last = period_start(END, "week")
    weeks = [shift(last, -i, "week") for i in range(12)]
    weeks += [shift(w, -52, "week") for w in weeks]

    def q3():
        out = Counter()
        for code in TYPES[:SAMPLED_TYPES]:
            for week in weeks:
                found = store.aggregate(COLLECTION, {"r": TermsFacet(field="region_path", size=200)},
                                        And(conditions=(Term(field="dispute_type", value=code), Term(field="week", value=week.isoformat()),
                                                        Term(field="region_path", value=CITY))))  # fmt: skip
                for region, n in _counted(found, "r").items():
                    if region.count("/") == 2:
                        out[(region, code, week)] += n
        return out

    return {"1 type × week, province, 3 years": q1, "2 county × type × month, province, 3 years": q2,
            "3 county × type × week, one city, 12 + 12 weeks": q3}  # fmt: skip


def sql_queries(engine) -> dict[str, Callable[[], object]]:
    last = period_start(END, "week")
    return {
        "1 type × week, province, 3 years": lambda: cell_counts(engine, period="week", depth=None, first=START, last=END),
        "2 county × type × month, province, 3 years": lambda: cell_counts(engine, period="month", depth=3, first=START, last=END),
        "3 county × type × week, one city, 12 + 12 weeks": lambda: cell_counts(
            engine, period="week", depth=3, first=shift(last, -63, "week"), last=END, region=CITY),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disputes", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--elasticsearch-url")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kb-trends-bench-"))
    url = args.database_url or f"sqlite:///{work / 'register.sqlite3'}"
    upgrade(url)
    register = Register(create_register_engine(url))
    fill(register, args.disputes)
    print(f"database: {register.engine.url.get_backend_name()}")
    results = {name: timed(q)[0] for name, q in sql_queries(register.engine).items()}
    stores = {}
    from kb_service.settings import load_settings
    from kb_service.store import build_store

    stores["embedded"] = build_store(load_settings(data_dir=work / "data"))
    if args.elasticsearch_url:
        stores["elasticsearch"] = build_store(load_settings(backend="elasticsearch", elasticsearch_url=args.elasticsearch_url,
                                                            index_prefix="bench-trends-"))  # fmt: skip
    docs = store_documents(register)
    table = {name: {"register (SQL GROUP BY)": ms} for name, ms in results.items()}
    for backend, store in stores.items():
        schema = dispute_schema(8)
        began = time.perf_counter()
        with store.rebuilding(schema) as writer:
            writer.write(iter(docs))
        print(f"{backend}: {len(docs)} copies written in {time.perf_counter() - began:.0f} s")
        for name, query in store_queries(store).items():
            ms, _ = timed(query, repeat=3)
            sampled = not name.startswith("1 ")
            table[name][f"{backend} store (facets)"] = ms * (
                len(TYPES) / SAMPLED_TYPES if sampled else 1
            )
    columns = list(next(iter(table.values())))
    print(
        f"\nstore figures for queries 2 and 3: measured on {SAMPLED_TYPES} of {len(TYPES)} types, scaled"
    )
    print("\n| query | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for name, row in table.items():
        print(
            f"| {name} | "
            + " | ".join(f"{row.get(c, float('nan')):.0f} ms" for c in columns)
            + " |"
        )


if __name__ == "__main__":
    main()
