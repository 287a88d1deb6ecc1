"""The alert (预警) every source produces, its levels and its dedupe key.

An alert's ``key`` names the thing it is about and the period it was raised
for (``surge:<region>:<type>:<period>``, ``group:<dispute id>`` …): the same
key is never raised twice, so running the checks again — every night, or for
an earlier ``--as-of`` — adds nothing new for what was already raised. Keys
never hold personal data: a repeat party is named by a hash of who they are.
``id`` is a short hash of the key, stable across runs, for URLs and acks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from kb_service.vocabularies import DISPUTE_TYPES

Level = Literal["red", "orange", "yellow"]
LEVELS: tuple[Level, ...] = ("red", "orange", "yellow")
"""Most urgent first."""
LEVEL_LABELS: dict[str, str] = {"red": "红色", "orange": "橙色", "yellow": "黄色"}

Kind = Literal["surge", "group", "repeat", "escalation", "overdue"]
KIND_LABELS: dict[str, str] = {
    "surge": "数量异常上升",
    "group": "群体性纠纷",
    "repeat": "重复纠纷",
    "escalation": "激化苗头",
    "overdue": "超期未结",
}


def level_rank(level: Level | None) -> int:
    """3 for red … 1 for yellow, 0 for none: for sorting and taking the highest."""
    return {"red": 3, "orange": 2, "yellow": 1}.get(level or "", 0)


def highest(levels: Iterable[Level | None]) -> Level | None:
    return max(levels, key=level_rank, default=None) or None


def stable_hash(text: str, size: int = 8) -> str:
    """A short hex digest that stays the same across runs and machines."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=size).hexdigest()


@dataclass(frozen=True)
class Alert:
    kind: Kind
    level: Level
    key: str
    """Dedupe key: the same key is never raised twice."""
    region: str | None
    dispute_type: str | None
    period: str
    """``2026-W07`` (ISO week) or ``2026-02`` (month)."""
    reason: str
    """Why, in Chinese, for the coordinator."""
    disputes: tuple[str, ...] = ()
    """Ids of the disputes behind the alert (empty for a surge until the caller fills them)."""
    observed: float | None = None
    expected: float | None = None
    method: str = ""

    @property
    def id(self) -> str:
        return stable_hash(self.key)

    def to_dict(self) -> dict[str, Any]:
        """CONTRACT §7's shape, vocabulary fields with their Chinese labels."""
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "kind_label": KIND_LABELS[self.kind],
            "level": self.level,
            "level_label": LEVEL_LABELS[self.level],
            "region": self.region,
            "dispute_type": self.dispute_type,
            "period": self.period,
            "observed": self.observed,
            "expected": self.expected,
            "method": self.method,
            "reason": self.reason,
            "disputes": list(self.disputes),
            "key": self.key,
        }
        if self.dispute_type in DISPUTE_TYPES.terms:
            data["dispute_type_label"] = DISPUTE_TYPES.label(self.dispute_type)
        return data


def new_alerts(alerts: Iterable[Alert], known_keys: Iterable[str] = ()) -> list[Alert]:
    """The alerts whose key was not raised before, each key once, most urgent first.

    Where one run produces the same key twice the more urgent one is kept.
    """
    seen = set(known_keys)
    best: dict[str, Alert] = {}
    for alert in alerts:
        if alert.key in seen:
            continue
        kept = best.get(alert.key)
        if kept is None or level_rank(alert.level) > level_rank(kept.level):
            best[alert.key] = alert
    return sorted(best.values(), key=lambda a: (-level_rank(a.level), a.kind, a.key))
