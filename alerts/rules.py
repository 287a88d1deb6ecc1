"""Rule alerts over dispute records: group, repeat, escalation, overdue (CONTRACT §7).

Records are plain dicts with the register's field names (CONTRACT §6: ``id``,
``received``, ``status``, ``dispute_type``, ``region``, ``committee``,
``description``, ``claims``, ``parties`` [{name, kind, id_number, …}],
``people_involved``, ``amount``). Every check is as of a date: records
received after it do not exist yet, so an earlier ``as_of`` replays the past.

Decisions (each has a test):

- **Withdrawn** (``withdrawn`` 撤回) disputes raise no alert and count toward
  none. They are not open, so never overdue; and the usual way a party
  appears twice within days is a withdrawn registration filed again, which
  is one dispute, not a repeat. An alert raised while the dispute was open
  stays where the caller stored it.
- **Which disputes**: group and escalation look at disputes received within
  ``lookback_days`` (30) before ``as_of`` or still open, so a first run over
  years of imported records does not bury the coordinator in stale alerts;
  repeat looks at parties of those disputes, back ``window_days`` (90).
- **Group** (群体性): ``people_involved`` ≥ 10, or wage arrears (a labor
  dispute whose description or claims speak of wages: 工资, 欠薪 …) with ≥ 5,
  or ``amount`` ≥ 100,000 yuan; each "at least", so exactly 10 people
  alerts. Without ``people_involved`` the parties who are persons are
  counted. Level by how far over: yellow at the threshold, orange at 3×, red
  at 10× (30 / 100 people, 300,000 / 1,000,000 yuan, 15 / 50 unpaid workers).
- **Repeat** (重复纠纷): the same party in ≥ 2 disputes whose received dates
  lie at most 90 days apart (exactly 90 counts). The same party is: the same
  ID number (whatever the names); else, for a mention without an ID number,
  the same name in the same county (the dispute's region cut to
  ``region_depth`` levels) — so a party registered once with and once
  without the ID number is matched. A mention without an ID whose name and
  county belong to two or more different ID numbers is ambiguous and matched
  to no one (we would rather miss a repeat than pin it on a namesake); masked
  names (…某) and empty names are never matched by name. Organisations are
  parties too: the same employer in two wage disputes is a repeat. Level by
  the number of disputes: 2 yellow, 3 orange, 4+ red. The alert names the
  party by name only; ID numbers never leave the records, and the dedupe key
  holds a hash of who the party is.
- **Escalation** (激化苗头): words in the description or claims (a setting;
  defaults below, each with its level). An occurrence does not count when a
  negation stands right before it (不会上访, 没有上访, 未上访, 不再上访, 放弃上访 …),
  but "不要上访" does (a mediator writing 劝其不要上访 is recording the intent),
  nor inside a phrase that means something else (跳楼价, 进京务工 …).
- **Overdue** (超期未结): open (``registered`` or ``mediating``) for more
  than the committee's limit (30 days unless ``per_committee`` says
  otherwise): exactly 30 days is not yet overdue, 31 is. Yellow past the
  limit, orange past 2×, red past 3×; a rise in level is a new alert.

Dedupe keys: ``group:<id>``, ``escalation:<id>``, ``overdue:<id>:<level>``,
``repeat:<party hash>:<period>`` (period of the latest dispute).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from alerts.model import Alert, Level, highest, level_rank, stable_hash
from alerts.periods import Period, as_date, period_label, period_start
from kb_service.errors import InvalidInputError
from kb_service.vocabularies import DISPUTE_TYPES

OPEN_STATUSES = frozenset({"registered", "mediating"})
STATUS_CODES = {"已受理": "registered", "调解中": "mediating", "撤回": "withdrawn", "已撤回": "withdrawn"}

DEFAULT_WAGE_WORDS = ("工资", "欠薪", "讨薪", "薪酬", "薪水", "工钱", "劳务费", "血汗钱")

DEFAULT_ESCALATION_WORDS: dict[str, Level] = {
    # violence and self-harm
    "跳楼": "red", "跳河": "red", "自杀": "red", "轻生": "red", "不想活": "red",
    "同归于尽": "red", "喝农药": "red", "服毒": "red", "割腕": "red", "自焚": "red",
    "纵火": "red", "放火": "red", "持刀": "red", "拿刀": "red", "砍人": "red", "炸药": "red",
    # petitioning upward, gathering, blocking
    "上访": "orange", "进京": "orange", "越级": "orange", "拉横幅": "orange", "打横幅": "orange",
    "堵路": "orange", "堵门": "orange", "围堵": "orange", "静坐": "orange", "聚集": "orange",
    "打砸": "orange", "持械": "orange",
    # threats and heat
    "扬言": "yellow", "威胁": "yellow", "报复": "yellow", "闹事": "yellow", "打人": "yellow",
    "动手": "yellow", "曝光": "yellow", "过激": "yellow",
}  # fmt: skip
"""Word → level. Any list given as a setting replaces this one."""

DEFAULT_EXCLUSIONS = (
    "跳楼价", "跳楼甩卖", "跳楼大甩卖", "进京务工", "进京打工", "进京办事", "聚集区", "动手术",
)
"""Phrases holding an escalation word that mean something else."""

NEGATION = re.compile(r"(?:不|没有?|未|无|放弃|停止|打消了?)(?:会|再|想|打算|准备|去|曾)?$")
"""Right before an escalation word: it is denied (不会上访, 没有上访, 未曾上访, 放弃上访)."""


@dataclass(frozen=True)
class GroupRule:
    people: int = 10
    wage_people: int = 5
    amount: float = 100_000
    wage_words: tuple[str, ...] = DEFAULT_WAGE_WORDS
    orange_times: float = 3
    red_times: float = 10


@dataclass(frozen=True)
class RepeatRule:
    window_days: int = 90
    min_disputes: int = 2
    region_depth: int = 3
    """Name matching compares regions cut to this many levels (3: province/city/county)."""


@dataclass(frozen=True)
class EscalationRule:
    words: Mapping[str, Level] = field(default_factory=lambda: dict(DEFAULT_ESCALATION_WORDS))
    exclusions: tuple[str, ...] = DEFAULT_EXCLUSIONS


@dataclass(frozen=True)
class OverdueRule:
    days: int = 30
    per_committee: Mapping[str, int] = field(default_factory=dict)
    """Committee name → its own limit in days."""


@dataclass(frozen=True)
class RuleConfig:
    group: GroupRule = field(default_factory=GroupRule)
    repeat: RepeatRule = field(default_factory=RepeatRule)
    escalation: EscalationRule = field(default_factory=EscalationRule)
    overdue: OverdueRule = field(default_factory=OverdueRule)
    lookback_days: int = 30
    period: Period = "week"
    """How alert periods are named: ISO week (``2026-W07``) or month."""


@dataclass(frozen=True, eq=False)
class _Dispute:
    """The fields the rules read, normalised once."""

    id: str
    received: dt.date
    status: str
    dispute_type: str | None
    region: str | None
    committee: str | None
    text: str
    parties: tuple[Mapping[str, Any], ...]
    people_involved: int | None
    amount: float | None
    raw: Mapping[str, Any]


def _normalise(record: Mapping[str, Any]) -> _Dispute:
    try:
        identifier = str(record["id"])
        received = as_date(record["received"])
    except (KeyError, ValueError) as exc:
        raise InvalidInputError(
            f"纠纷记录缺少有效的 id 或受理日期（received）：{record.get('id', '？')}", field="received"
        ) from exc
    status = str(record.get("status") or "registered").strip()
    kind = record.get("dispute_type")
    with contextlib.suppress(ValueError):  # an unknown type still gets alerts, under its own name
        kind = DISPUTE_TYPES.code(kind) if kind else None
    text = "\n".join(str(record.get(key) or "") for key in ("description", "claims"))
    people = record.get("people_involved")
    amount = record.get("amount")
    return _Dispute(
        id=identifier,
        received=received,
        status=STATUS_CODES.get(status, status),
        dispute_type=kind,
        region=(str(record["region"]).strip().strip("/") or None) if record.get("region") else None,
        committee=record.get("committee"),
        text=text,
        parties=tuple(p for p in record.get("parties") or () if isinstance(p, Mapping)),
        people_involved=int(people) if people not in (None, "") else None,
        amount=float(amount) if amount not in (None, "") else None,
        raw=record,
    )


def _period(day: dt.date, config: RuleConfig) -> str:
    return period_label(period_start(day, config.period), config.period)


def _type_label(code: str | None) -> str:
    return DISPUTE_TYPES.label(code) if code in DISPUTE_TYPES.terms else (code or "纠纷")


def _recent_or_open(dispute: _Dispute, as_of: dt.date, config: RuleConfig) -> bool:
    recent = (as_of - dispute.received).days < config.lookback_days
    return recent or dispute.status in OPEN_STATUSES


# --- group -------------------------------------------------------------------------------------


def _people(dispute: _Dispute) -> int:
    if dispute.people_involved is not None:
        return dispute.people_involved
    return sum(1 for p in dispute.parties if (p.get("kind") or "person") == "person")


def _group_alert(dispute: _Dispute, config: RuleConfig) -> Alert | None:
    rule = config.group
    people = _people(dispute)
    wages = dispute.dispute_type == "labor" and any(w in dispute.text for w in rule.wage_words)
    met: list[tuple[float, str, float, float]] = []  # (times over, reason, observed, threshold)
    if people >= rule.people:
        met.append((people / rule.people, f"涉及{people}人（达到{rule.people}人）", people, rule.people))
    if wages and people >= rule.wage_people:
        met.append((people / rule.wage_people, f"欠薪纠纷涉及{people}人（达到{rule.wage_people}人）",
                    people, rule.wage_people))
    if dispute.amount is not None and dispute.amount >= rule.amount:
        met.append((dispute.amount / rule.amount,
                    f"涉案金额{dispute.amount / 10_000:g}万元（达到{rule.amount / 10_000:g}万元）",
                    dispute.amount, rule.amount))
    if not met:
        return None
    times, _, observed, threshold = max(met)
    level: Level = "red" if times >= rule.red_times else "orange" if times >= rule.orange_times else "yellow"
    return Alert(
        kind="group",
        level=level,
        key=f"group:{dispute.id}",
        region=dispute.region,
        dispute_type=dispute.dispute_type,
        period=_period(dispute.received, config),
        reason=f"{_type_label(dispute.dispute_type)}（{dispute.id}）{'；'.join(m[1] for m in met)}，属群体性纠纷",
        disputes=(dispute.id,),
        observed=observed,
        expected=threshold,
        method="rule_group",
    )


# --- escalation --------------------------------------------------------------------------------


def escalation_words(text: str, rule: EscalationRule = EscalationRule()) -> dict[str, Level]:
    """The escalation words that count in ``text`` (not denied, not part of another phrase)."""
    found: dict[str, Level] = {}
    for word, level in rule.words.items():
        for match in re.finditer(re.escape(word), text):
            start = match.start()
            if NEGATION.search(text[max(0, start - 4) : start]):
                continue
            if any(_inside(text, start, word, phrase) for phrase in rule.exclusions if word in phrase):
                continue
            found[word] = level
            break
    return found


def _inside(text: str, start: int, word: str, phrase: str) -> bool:
    offset = phrase.find(word)
    while offset >= 0:
        if start >= offset and text[start - offset : start - offset + len(phrase)] == phrase:
            return True
        offset = phrase.find(word, offset + 1)
    return False


def _escalation_alert(dispute: _Dispute, config: RuleConfig) -> Alert | None:
    found = escalation_words(dispute.text, config.escalation)
    if not found:
        return None
    level = highest(found.values())
    assert level is not None
    words = sorted(found, key=lambda w: (-level_rank(found[w]), dispute.text.find(w)))
    quoted = "".join(f"“{w}”" for w in words)
    return Alert(
        kind="escalation",
        level=level,
        key=f"escalation:{dispute.id}",
        region=dispute.region,
        dispute_type=dispute.dispute_type,
        period=_period(dispute.received, config),
        reason=f"{_type_label(dispute.dispute_type)}（{dispute.id}）的纠纷情况中出现{quoted}，有激化苗头，请及时稳控",
        disputes=(dispute.id,),
        observed=float(len(found)),
        method="rule_escalation",
    )


# --- overdue -----------------------------------------------------------------------------------


def _overdue_alert(dispute: _Dispute, as_of: dt.date, config: RuleConfig) -> Alert | None:
    if dispute.status not in OPEN_STATUSES:
        return None
    rule = config.overdue
    limit = rule.per_committee.get(dispute.committee or "", rule.days)
    days = (as_of - dispute.received).days
    if days <= limit:
        return None
    level: Level = "red" if days > 3 * limit else "orange" if days > 2 * limit else "yellow"
    state = "调解中" if dispute.status == "mediating" else "已受理未调解"
    committee = dispute.committee or "调解委员会"
    return Alert(
        kind="overdue",
        level=level,
        key=f"overdue:{dispute.id}:{level}",
        region=dispute.region,
        dispute_type=dispute.dispute_type,
        period=_period(as_of, config),
        reason=(
            f"{_type_label(dispute.dispute_type)}（{dispute.id}）自{dispute.received.isoformat()}受理已{days}天，"
            f"仍{state}，超过{committee}的{limit}天期限"
        ),
        disputes=(dispute.id,),
        observed=float(days),
        expected=float(limit),
        method="rule_overdue",
    )


# --- repeat ------------------------------------------------------------------------------------


def _clean(text: Any) -> str:
    return re.sub(r"\s+", "", str(text or ""))


def _county(region: str | None, depth: int) -> str:
    return "/".join((region or "").split("/")[:depth])


def _identities(disputes: Sequence[_Dispute], rule: RepeatRule) -> dict[str, list[tuple[_Dispute, str]]]:
    """Party identity → [(dispute, the name it was given there)], by the rule in the module docstring."""
    ids_by_name: dict[tuple[str, str], set[str]] = defaultdict(set)
    mentions: list[tuple[_Dispute, str, str, str]] = []  # dispute, name, county, id number
    for dispute in disputes:
        county = _county(dispute.region, rule.region_depth)
        for party in dispute.parties:
            name = _clean(party.get("name"))
            number = _clean(party.get("id_number")).upper()
            mentions.append((dispute, name, county, number))
            if number and name:
                ids_by_name[(name, county)].add(number)
    people: dict[str, list[tuple[_Dispute, str]]] = defaultdict(list)
    for dispute, name, county, number in mentions:
        if number:
            identity = f"id:{number}"
        elif not name or "某" in name:
            continue
        else:
            numbers = ids_by_name.get((name, county), set())
            if len(numbers) > 1:
                continue  # ambiguous between namesakes
            identity = f"id:{next(iter(numbers))}" if numbers else f"name:{name}|{county}"
        people[identity].append((dispute, name))
    return people


def _repeat_alerts(disputes: Sequence[_Dispute], as_of: dt.date, config: RuleConfig) -> list[Alert]:
    rule = config.repeat
    # (period, disputes) → {identity: name}: parties who come back together make one alert.
    found: dict[tuple[str, tuple[_Dispute, ...]], dict[str, str]] = defaultdict(dict)
    for identity, seen in _identities(disputes, rule).items():
        by_id = {dispute.id: (dispute, name) for dispute, name in seen}  # one per dispute
        ordered = sorted(by_id.values(), key=lambda item: (item[0].received, item[0].id))
        latest_per_period: dict[str, tuple[_Dispute, str]] = {}
        for dispute, name in ordered:
            if (as_of - dispute.received).days < config.lookback_days:
                latest_per_period[_period(dispute.received, config)] = (dispute, name)
        for period, (latest, name) in latest_per_period.items():
            window = tuple(
                d for d, _ in ordered if 0 <= (latest.received - d.received).days <= rule.window_days
            )
            if len(window) >= rule.min_disputes:
                found[(period, window)][identity] = name
    alerts = []
    for (period, window), people in found.items():
        count, latest = len(window), window[-1]
        level: Level = "red" if count >= 4 else "orange" if count == 3 else "yellow"
        days = (latest.received - window[0].received).days
        span = "同一天" if days == 0 else f"{days}天内"
        ids = tuple(d.id for d in window)
        alerts.append(Alert(
            kind="repeat",
            level=level,
            key=f"repeat:{stable_hash('|'.join(sorted(people)))}:{period}",
            region=latest.region,
            dispute_type=latest.dispute_type,
            period=period,
            reason=f"当事人{'、'.join(people.values())}{span}涉及{count}起纠纷（{'、'.join(ids)}），"
                   f"属重复纠纷，请核实是否化解到位",
            disputes=ids,
            observed=float(count),
            expected=float(rule.min_disputes),
            method="rule_repeat",
        ))  # fmt: skip
    return alerts


# --- all rules ---------------------------------------------------------------------------------


RULE_KINDS = ("group", "repeat", "escalation", "overdue")


def rule_alerts(
    records: Iterable[Mapping[str, Any]],
    as_of: dt.date,
    config: RuleConfig = RuleConfig(),
    kinds: Iterable[str] = RULE_KINDS,
) -> list[Alert]:
    """The rule alerts of the given kinds as of ``as_of``, most urgent first.

    Dedupe against the keys already stored with :func:`alerts.model.new_alerts`.
    """
    kinds = set(kinds)
    unknown = kinds - set(RULE_KINDS)
    if unknown:
        raise InvalidInputError(
            f"未知的预警类型：{'、'.join(sorted(unknown))}，可选：{'、'.join(RULE_KINDS)}", field="kind"
        )
    disputes = [
        d for d in map(_normalise, records) if d.received <= as_of and d.status != "withdrawn"
    ]
    alerts: list[Alert | None] = []
    for dispute in disputes:
        if _recent_or_open(dispute, as_of, config):
            if "group" in kinds:
                alerts.append(_group_alert(dispute, config))
            if "escalation" in kinds:
                alerts.append(_escalation_alert(dispute, config))
        if "overdue" in kinds:
            alerts.append(_overdue_alert(dispute, as_of, config))
    if "repeat" in kinds:
        alerts += _repeat_alerts(disputes, as_of, config)
    found = [a for a in alerts if a is not None]
    return sorted(found, key=lambda a: (-level_rank(a.level), a.kind, a.key))
