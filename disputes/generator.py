"""A seeded, realistic sample register for 吉林省, written by us about invented people.

    for record in generate(seed=7, start=date(2023, 1, 1), end=date(2025, 12, 31)):
        ...                                   # import-format dicts, JSON-ready
    write(generate(...), Path("register.xlsx"))   # .jsonl, .csv or .xlsx

**Places** (:mod:`disputes.sample_places`): every county of 吉林省's nine
cities with invented townships, villages and committees; seed-independent.

**How many** (:mod:`disputes.intensity`): :class:`IntensityModel` gives the
expected count per county × dispute type × ISO week, with seasons (腊月 wage
arrears, spring land disputes, summer noise, heating-season property disputes
…) and a yearly rise; counts are Poisson draws around it. At ``scale=1`` about
12,000 disputes a year. The trends benchmark plants outbreaks on top:
``generate(…, model=M)`` with ``M`` an IntensityModel whose ``week_matrix`` is
raised in some cells, or extra disputes from :func:`disputes_for`.

**Texture.** Group disputes (wage arrears of 5–40 workers, land acquisition
and pollution affecting 10–60 households, large amounts), repeat parties (the
same person, same ID number, in another dispute within 90 days; sometimes
registered without the ID number), a few disputes left open past the 30-day
limit, withdrawals, agreements with deadlines, follow-ups and judicial
confirmations. ID numbers have valid check digits and birth dates but are
random; phone numbers are random 1[3-9]… numbers.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from disputes import sample_text as words
from disputes.intensity import (  # noqa: F401  (re-exported: the generator's public model)
    TYPE_SHARES,
    IntensityModel,
    intensity,
    monday,
    season,
    spring_festival,
)
from disputes.records import key_of
from disputes.sample_places import (
    DEFAULT_ROUTE,
    ROUTES,
    CommitteeSpec,
    County,
    build_committees,
    counties,
    person_name,
)
from kb_service.masking import surname_of

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(rng: random.Random, area: str, born: dt.date) -> str:
    """A structurally valid resident ID number (GB 11643 check digit) for an invented person."""
    body = f"{area}{born:%Y%m%d}{rng.randrange(1000):03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    return body + check


def phone_number(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


@dataclass
class _Person:
    name: str
    id_number: str
    phone: str
    address: str
    last_seen: dt.date


@dataclass
class _Draw:
    """Everything one generation run remembers: its random streams and the repeat-party pool."""

    rng: random.Random
    committees: dict[str, list[CommitteeSpec]]
    pool: dict[str, list[_Person]] = field(default_factory=dict)
    keys: set[str] = field(default_factory=set)


def generate(
    seed: int,
    start: dt.date,
    end: dt.date,
    scale: float = 1.0,
    *,
    model: IntensityModel | None = None,
) -> Iterator[dict[str, Any]]:
    """Sample disputes received from ``start`` to ``end`` (inclusive), oldest first, as of ``end``.

    ``model`` replaces the intensity model (``scale`` is then the model's own): a
    subclass whose ``week_matrix`` raises some cells is how a benchmark plants outbreaks.
    """
    model = model or intensity(scale)
    counts_rng = np.random.default_rng(seed)
    draw = _Draw(random.Random(seed), build_committees())
    for week in model.weeks(start, end):
        counts = counts_rng.poisson(model.week_matrix(week))
        batch = []
        for i, j in zip(*np.nonzero(counts), strict=True):
            county, kind = model.counties[i], model.types[j]
            for _ in range(int(counts[i, j])):
                day = _day_in_week(draw.rng, week, start, end)
                if day is not None:
                    batch.append((day, county, kind))
        batch.sort(key=lambda item: (item[0], item[1].region, item[2]))
        for day, county, kind in batch:
            yield _unique(draw, day, county, kind, end)


def disputes_for(
    seed: int,
    region: str,
    dispute_type: str,
    days: list[dt.date],
    *,
    as_of: dt.date | None = None,
) -> Iterator[dict[str, Any]]:
    """One sample dispute of ``dispute_type`` in the county ``region`` for each of ``days``.

    For planting a cluster by hand (an outbreak of wage arrears in one county in
    one week). Names are drawn from ``seed``'s own stream: use a seed different
    from the register's.
    """
    by_region = {c.region: c for c in counties()}
    if region not in by_region:
        raise ValueError(f"unknown county {region!r}; choose one of intensity().regions")
    if dispute_type not in TYPE_SHARES:
        raise ValueError(f"unknown dispute type {dispute_type!r}")
    draw = _Draw(random.Random(seed), build_committees())
    as_of = as_of or max(days)
    for day in sorted(days):
        yield _unique(draw, day, by_region[region], dispute_type, as_of)


def _unique(draw: _Draw, day: dt.date, county: County, kind: str, as_of: dt.date) -> dict[str, Any]:
    """A dispute whose natural key no earlier one has (the same parties, same day: draw again)."""
    while True:
        record = _dispute(draw, day, county, kind, as_of)
        names = [p["name"] for p in record["parties"]]
        key = key_of(record["committee"], day, kind, names)
        if key not in draw.keys:
            draw.keys.add(key)
            return record


def _day_in_week(rng: random.Random, week: dt.date, start: dt.date, end: dt.date) -> dt.date | None:
    offset = rng.choices(range(7), weights=(1, 1, 1, 1, 1, 0.4, 0.25))[0]
    day = week + dt.timedelta(days=offset)
    return day if start <= day <= end else None


def _route(draw: _Draw, county: County, kind: str) -> CommitteeSpec:
    committees = draw.committees[county.region]
    weights = ROUTES.get(kind, DEFAULT_ROUTE)
    available = [c for c in committees if weights.get(c.kind)]
    return draw.rng.choices(available, weights=[weights[c.kind] for c in available])[0]


def _address(rng: random.Random, committee: CommitteeSpec) -> str:
    county = committee.county
    if county.urban:
        stem = rng.choice(words.COMMUNITY_STEMS)
        return f"{county.city}{county.name}{stem}小区{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}室"
    town = committee.places[0] if committee.places else rng.choice(words.TOWN_STEMS) + "镇"
    village = (
        committee.places[1] if len(committee.places) > 1 else rng.choice(words.VILLAGE_STEMS) + "村"
    )
    return f"{county.name}{town}{village}{rng.randint(1, 9)}组{rng.randint(1, 80)}号"


def _new_person(draw: _Draw, committee: CommitteeSpec, day: dt.date) -> _Person:
    rng = draw.rng
    born = day - dt.timedelta(days=rng.randint(20 * 365, 78 * 365))
    return _Person(
        person_name(rng),
        id_number(rng, committee.county.code, born),
        phone_number(rng),
        _address(rng, committee),
        day,
    )


def _applicant(draw: _Draw, committee: CommitteeSpec, day: dt.date) -> tuple[_Person, bool]:
    """(person, is a repeat): now and then someone seen in the county within the last 90 days."""
    pool = draw.pool.setdefault(committee.county.region, [])
    recent = [p for p in pool if (day - p.last_seen).days <= 90]
    if recent and draw.rng.random() < 0.04:
        person = draw.rng.choice(recent)
        person.last_seen = day
        return person, True
    person = _new_person(draw, committee, day)
    if draw.rng.random() < 0.3:
        pool.append(person)
        if len(pool) > 200:
            del pool[:100]
    return person, False


def _org_name(draw: _Draw, org: str, committee: CommitteeSpec) -> str:
    county = committee.county
    return words.ORG_KINDS[org].format(
        city=county.city.removesuffix("市").removesuffix("朝鲜族自治州"),
        county=county.name,
        stem=draw.rng.choice(words.COMPANY_STEMS),
        trade=draw.rng.choice(words.COMPANY_TRADES),
        village=committee.places[1]
        if len(committee.places) > 1
        else draw.rng.choice(words.VILLAGE_STEMS),
    )


RESPONDENT_ORGS = {
    "labor": ("company", 0.8), "property_mgmt": ("property", 0.9), "medical": ("hospital", 1.0),
    "consumer": ("shop", 0.9), "ecommerce": ("online", 1.0), "logistics": ("courier", 1.0),
    "tourism": ("agency", 1.0), "campus": ("school", 1.0), "land_acquisition": ("village", 0.7),
    "environment": ("company", 0.8),
}  # fmt: skip
GROUP_CHANCE = {
    "labor": (0.05, 5, 40), "land_acquisition": (0.2, 10, 60), "environment": (0.2, 10, 30),
    "property_mgmt": (0.06, 10, 80),
}  # fmt: skip
"""(chance, fewest, most people) of a group dispute."""
MEDIAN_AMOUNT = {
    "neighbor": 2_000, "family": 20_000, "marriage": 30_000, "housing_land": 10_000, "forest_land": 8_000,
    "land_acquisition": 80_000, "environment": 20_000, "labor": 12_000, "medical": 50_000,
    "traffic": 30_000, "property_mgmt": 5_000, "contract": 30_000, "damages": 8_000,
    "consumer": 3_000, "tourism": 3_000, "campus": 8_000, "ecommerce": 1_500, "logistics": 2_000,
}  # fmt: skip
AMOUNT_CHANCE = {
    "neighbor": 0.35,
    "family": 0.5,
    "marriage": 0.6,
    "housing_land": 0.4,
    "forest_land": 0.5,
    "petition": 0.0,
    "other": 0.2,
}
CHANNELS_BY_KIND = {
    "court": {"court": 1.0}, "police": {"police": 1.0},
    "traffic": {"applied": 0.6, "police": 0.3, "government": 0.1},
    "medical": {"applied": 0.75, "government": 0.2, "police": 0.05},
}  # fmt: skip
DEFAULT_CHANNELS = {"applied": 0.6, "initiative": 0.28, "government": 0.07, "police": 0.05}
OUTCOMES = {"success": 0.86, "partial": 0.04, "failed": 0.05, "referred": 0.02, "withdrawn": 0.03}


def _dispute(
    draw: _Draw, day: dt.date, county: County, kind: str, as_of: dt.date
) -> dict[str, Any]:
    rng = draw.rng
    committee = _route(draw, county, kind)
    applicant, repeat = _applicant(draw, committee, day)
    group = GROUP_CHANCE.get(kind)
    people = rng.randint(group[1], group[2]) if group and rng.random() < group[0] else 0
    amount = _amount(rng, kind, people)
    parties = [_party("申请人", applicant, rng, with_id=not (repeat and rng.random() < 0.35))]
    if people >= 5:
        for _ in range(rng.randint(1, 2)):  # a group chooses a few representatives
            parties.append(
                _party("申请人", _new_person(draw, committee, day), rng, with_id=rng.random() < 0.6)
            )
    org = RESPONDENT_ORGS.get(kind)
    if org and rng.random() < org[1]:
        respondent = {"role": "被申请人", "name": _org_name(draw, org[0], committee), "kind": "org"}
    else:
        other = _new_person(draw, committee, day)
        if kind == "family":  # brothers and sisters, a parent and a child: one family name
            other.name = surname_of(applicant.name) + other.name[len(surname_of(other.name)) :]
        respondent = _party("被申请人", other, rng, with_id=rng.random() < 0.45)
    parties.append(respondent)
    record = _story(rng, kind, parties, committee, amount, people)
    record.update(
        received=day.isoformat(),
        dispute_type=kind,
        region=committee.region,
        committee=committee.name,
        org_level=committee.org_level,
        channel=_weighted(rng, CHANNELS_BY_KIND.get(committee.kind, DEFAULT_CHANNELS)),
        mediator=rng.choice(committee.mediators),
        parties=parties,
        people_involved=max(people, len(parties)),
    )
    if amount is not None:
        record["amount"] = amount
    _progress(rng, record, day, as_of, amount, court=f"{county.name}人民法院")
    return record


def _party(role: str, person: _Person, rng: random.Random, *, with_id: bool) -> dict[str, Any]:
    party: dict[str, Any] = {"role": role, "name": person.name, "kind": "person"}
    if with_id:
        party["id_number"] = person.id_number
    if rng.random() < (0.85 if role == "申请人" else 0.5):
        party["phone"] = person.phone
    if rng.random() < (0.6 if role == "申请人" else 0.35):
        party["address"] = person.address
    return party


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _amount(rng: random.Random, kind: str, people: int) -> float | None:
    if kind not in MEDIAN_AMOUNT or rng.random() > AMOUNT_CHANCE.get(kind, 0.85):
        return None
    median = MEDIAN_AMOUNT[kind] * (max(people, 1) ** 0.8 if people else 1)
    value = math.exp(rng.gauss(math.log(median), 0.7))
    return float(max(100, round(value, -2)))


def _story(
    rng: random.Random,
    kind: str,
    parties: list[dict],
    committee: CommitteeSpec,
    amount: float | None,
    people: int,
) -> dict[str, Any]:
    stories = words.STORIES[kind]
    fitting = [s for s in stories if ("{n}" in str(s["description"])) == (people > 0)]
    story = rng.choice(fitting or stories)
    place = committee.places[-1] if committee.places else committee.county.name
    values = {
        "a": parties[0]["name"],
        "b": parties[-1]["name"],
        "place": place,
        "amount": f"{amount:.0f}" if amount else "若干",
        "small": str(rng.choice((300, 500, 800, 1000))),
        "n": str(max(people, 2)),
    }
    description = str(story["description"]).format(**values)
    if rng.random() < 0.012:
        description = (
            description.rstrip("。") + rng.choice(words.ESCALATION_PHRASES).format(**values) + "。"
        )
    return {
        "description": description,
        "claims": str(story["claims"]).format(**values),
        "_terms": [t.format(**values) for t in story["terms"]],  # type: ignore[attr-defined]
    }


def _progress(
    rng: random.Random,
    record: dict[str, Any],
    day: dt.date,
    as_of: dt.date,
    amount: float | None,
    *,
    court: str,
) -> None:
    """Status as of ``as_of``: most old disputes closed, a few stuck open past the limit."""
    terms = record.pop("_terms")
    stuck = rng.random() < 0.015
    duration = rng.randint(1, 10) if rng.random() < 0.6 else rng.randint(11, 28)
    closed_on = day + dt.timedelta(days=duration)
    if stuck or closed_on > as_of:
        age = (as_of - day).days
        record["status"] = (
            "registered" if age < 2 or (stuck and rng.random() < 0.25) else "mediating"
        )
        return
    outcome = _weighted(rng, OUTCOMES)
    record["status"] = outcome
    record["closed_on"] = closed_on.isoformat()
    if outcome in ("success", "partial"):
        kept = terms if outcome == "success" else terms[:1]
        record["agreement"] = [
            {"text": t, "deadline": (closed_on + dt.timedelta(days=rng.randint(7, 60))).isoformat()}
            for t in kept
        ]
        follow_day = closed_on + dt.timedelta(days=rng.randint(15, 45))
        if follow_day <= as_of and rng.random() < 0.6:
            honoured = rng.random() < 0.93
            record["follow_up"] = {
                "date": follow_day.isoformat(),
                "honoured": honoured,
                "note": "协议已按期履行" if honoured else "被申请人尚未按期履行，已督促",
            }
        if outcome == "success" and amount and amount >= 20_000 and rng.random() < 0.12:
            record["confirmation"] = {
                "court": court,
                "applied_on": (closed_on + dt.timedelta(days=rng.randint(1, 20))).isoformat(),
                "result": "确认调解协议有效",
            }


# -- writing --------------------------------------------------------------------


def write(records: Iterable[dict[str, Any]], path: Path) -> int:
    """Write sample records as JSON Lines, CSV or XLSX (by the file's suffix); returns the count."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        count = 0
        with path.open("w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
        return count
    if suffix in (".csv", ".xlsx"):
        from disputes.exporting import write_table

        return write_table(records, path, format=suffix[1:])  # type: ignore[arg-type]
    raise ValueError(f"unsupported sample format {path.suffix!r}: use .jsonl, .csv or .xlsx")
