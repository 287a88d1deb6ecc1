"""Dispute numbers (编号): ``（2026）南关调字第15号``, per committee per year.

The number is ``（YEAR）SHORT调字第N号``: YEAR is the year the dispute was
received, SHORT the committee's short name, N counts from 1 each year for
each committee.

**Short names.** A committee's short name is stored on its row in
``committees`` and can be set by an administrator
(:meth:`disputes.register.Register.set_committee`). When a committee is first
seen it is derived from the full name by :func:`derive_short_name`: drop the
organisation word at the end (人民调解委员会, 调解工作室 …), take the last
place or body named (南关区 in 长春市南关区…, 红星村 in …兴隆镇红星村…), drop
its administrative suffix (区, 镇, 村, 街道, 社区 …) and keep at most four
characters: 长春市南关区人民调解委员会 → 南关, 农安县兴隆镇红星村人民调解委员会 →
红星, 一汽集团人民调解委员会 → 一汽集团. Two committees may derive the same
short name; numbers are unique per committee, not across committees.

**No duplicates under concurrency.** Serials come from ``dispute_counters``
with one atomic statement, ``INSERT … ON CONFLICT DO UPDATE SET last = last +
n RETURNING last`` (one row per committee and year of a batch), inside the
registering transaction: PostgreSQL row-locks
the counter until commit, SQLite's ``BEGIN IMMEDIATE`` serialises writers;
a rolled-back registration gives its serial back. A unique constraint on
(committee, year, serial) stands behind it.
"""

from __future__ import annotations

import re

from sqlalchemy import case
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from disputes.models import DisputeCounter

_ORG_SUFFIXES = (
    "人民调解委员会", "调解委员会", "人民调解中心", "调解中心", "人民调解工作室", "调解工作室",
    "人民调解室", "调解室", "调委会",
)  # fmt: skip
_UNIT_SUFFIX = re.compile(
    r"(特别行政区|自治州|自治县|自治旗|街道办事处|街道|社区|居委会|村委会|开发区|新区|"
    r"省|市|州|盟|地区|县|旗|区|镇|乡|村|屯|嘎查)"
)
MAX_SHORT_NAME = 4
NUMBER = re.compile(
    r"^[（(]\s*(?P<year>\d{4})\s*[）)]\s*(?P<short>.+?)调字第\s*(?P<serial>\d+)\s*号$"
)


def derive_short_name(committee: str) -> str:
    """The short name used in numbers when none is configured (see the module docstring)."""
    name = committee.strip()
    for suffix in _ORG_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    units: list[str] = []
    position = 0
    for match in _UNIT_SUFFIX.finditer(name):
        core = name[position : match.start()]
        if core:  # "市" right after another suffix is not a unit of its own
            units.append(core)
        position = match.end()
    rest = name[position:]
    last = rest if rest else (units[-1] if units else name)
    return last[:MAX_SHORT_NAME] or name[:MAX_SHORT_NAME]


def format_number(year: int, short_name: str, serial: int) -> str:
    return f"（{year}）{short_name}调字第{serial}号"


def parse_number(number: str) -> tuple[int, str, int]:
    """(year, short name, serial) of an existing number; ValueError naming the expected form."""
    match = NUMBER.match(number.strip())
    if not match:
        raise ValueError(f"编号“{number}”格式不正确：应如（2026）南关调字第15号")
    return int(match["year"]), match["short"], int(match["serial"])


def _insert(session: Session):
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def reserve(session: Session, committee: str, year: int, count: int = 1) -> int:
    """Reserve ``count`` consecutive serials; returns the first. Part of the caller's transaction."""
    return reserve_many(session, {(committee, year): count})[committee, year]


def reserve_many(
    session: Session, wanted: dict[tuple[str, int], int]
) -> dict[tuple[str, int], int]:
    """Reserve serials for several (committee, year) at once, in one statement; returns the firsts."""
    if not wanted:
        return {}
    rows = [{"committee": c, "year": y, "last": n} for (c, y), n in sorted(wanted.items())]
    statement = _insert(session)(DisputeCounter).values(rows)
    # Rows are locked in sorted order, so two batches never wait on each other in a circle.
    statement = statement.on_conflict_do_update(
        index_elements=[DisputeCounter.committee, DisputeCounter.year],
        set_={"last": DisputeCounter.last + statement.excluded.last},
    ).returning(DisputeCounter.committee, DisputeCounter.year, DisputeCounter.last)
    lasts = {(c, y): last for c, y, last in session.execute(statement)}
    return {key: lasts[key] - count + 1 for key, count in wanted.items()}


def claim(session: Session, committee: str, year: int, serial: int) -> None:
    """Move the counter past a serial an imported number already uses."""
    statement = _insert(session)(DisputeCounter).values(committee=committee, year=year, last=serial)
    statement = statement.on_conflict_do_update(
        index_elements=[DisputeCounter.committee, DisputeCounter.year],
        set_={"last": case((DisputeCounter.last < serial, serial), else_=DisputeCounter.last)},
    )
    session.execute(statement)
