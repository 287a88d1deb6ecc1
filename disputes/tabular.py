"""Disputes as spreadsheet rows: column headers, the parties and agreement cells, formula safety.

One table layout serves import, export and the sample generator, so an
exported file imports again unchanged.

**Headers.** Each field has its export header (Chinese) and the other headers
registers use for it; the English field name is always accepted too
(:data:`COLUMNS`). Follow-up and judicial-confirmation details have a column
each (回访日期, 是否履行, …).

**The 当事人 cell.** One party after another, separated by ``；`` or a new
line; each ``角色：姓名`` with its particulars in brackets::

    申请人：王建国（身份证号：220102199001011239，电话：13904315678，住址：南关区幸福街8号）；被申请人：李华
    申请人：赵刚、钱丽；被申请人：长春某物业服务有限公司（类型：单位）

Several names after one role (``、``) are several parties with that role.
A cell that starts with ``[`` is read as the JSON list of party objects.

**The 协议内容 cell.** One term per line (or ``；``), numbering optional,
a deadline in brackets: ``1. 被申请人赔偿5000元（履行期限：2026-04-01）``.

**Formula injection.** A text cell that starts with ``= + - @``, a tab or a
carriage return would be run as a formula by Excel or WPS. Exports prefix such
text with ``'`` (shown as text, the usual OWASP advice); imports drop that
prefix again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from disputes.schema import STATUSES, looks_like_org
from kb_service.vocabularies import CHANNELS, DISPUTE_TYPES, ORG_LEVELS

COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    # (field, export header, other accepted headers)
    ("id", "ID", ()),
    ("number", "编号", ("案号", "登记编号", "纠纷编号")),
    ("received", "受理日期", ("登记日期", "受理时间", "收案日期", "日期")),
    (
        "committee",
        "调解委员会",
        ("调解组织", "人民调解委员会", "受理单位", "调委会", "调解组织名称"),
    ),
    ("org_level", "组织类型", ("调解组织类型", "组织层级", "调解组织层级")),
    ("region", "地区", ("所在地区", "区域", "行政区划", "所属地区")),
    ("dispute_type", "纠纷类型", ("案件类型", "类型", "纠纷类别")),
    ("channel", "案件来源", ("来源", "受理方式", "纠纷来源")),
    ("mediator", "调解员", ("承办调解员", "主持调解员", "承办人")),
    ("parties", "当事人", ("当事人信息", "当事人情况")),
    (
        "description",
        "纠纷简要情况",
        ("简要案情", "纠纷概况", "纠纷情况", "基本情况", "纠纷简要情况及争议焦点"),
    ),
    ("claims", "当事人请求", ("申请事项", "请求事项", "诉求", "当事人诉求")),
    ("people_involved", "涉及人数", ("涉案人数", "人数", "涉及当事人数")),
    ("amount", "涉案金额", ("涉及金额", "金额", "标的额", "涉案金额（元）")),
    ("status", "状态", ("办理状态", "调解状态", "纠纷状态")),
    ("closed_on", "结案日期", ("办结日期", "结案时间")),
    ("agreement", "协议内容", ("调解协议", "协议")),
    ("follow_up.date", "回访日期", ("回访时间",)),
    ("follow_up.honoured", "是否履行", ("履行情况", "协议履行")),
    ("follow_up.note", "回访情况", ("回访记录", "回访备注")),
    ("confirmation.court", "司法确认法院", ("确认法院",)),
    ("confirmation.applied_on", "司法确认申请日期", ("确认申请日期",)),
    ("confirmation.result", "司法确认结果", ("确认结果",)),
]

HEADER_TO_FIELD: dict[str, str] = {}
for _field, _header, _others in COLUMNS:
    for _name in (_field, _header, *_others):
        HEADER_TO_FIELD[_name.strip().lower()] = _field

NESTED_FIELDS = {
    "follow_up": "follow_up",
    "回访": "follow_up",
    "confirmation": "confirmation",
    "司法确认": "confirmation",
}
"""Objects a JSON line may give whole (``"follow_up": {"date": …}``) instead of one column each."""

REQUIRED_FIELDS = ("received", "dispute_type", "region", "committee", "description", "parties")
SERVER_FIELDS = frozenset({"id"})
"""Read from exports but assigned by the server: ignored on import."""

PARTY_KEYS = {
    "身份证号": "id_number", "身份证": "id_number", "身份证号码": "id_number", "证件号": "id_number",
    "证件号码": "id_number", "统一社会信用代码": "id_number", "电话": "phone", "手机": "phone",
    "手机号": "phone", "联系电话": "phone", "住址": "address", "地址": "address", "住所": "address",
    "单位": "unit", "工作单位": "unit", "类型": "kind",
}  # fmt: skip
_PARTY_LABELS = {"id_number": "身份证号", "phone": "电话", "address": "住址", "unit": "单位"}
_UNSAFE_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBERING = re.compile(
    r"^\s*(?:\d+\s*[.、．)）]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)\s*"
)
_DEADLINE = re.compile(r"[（(]\s*(?:履行期限|期限|履行时间)\s*[:：]\s*(?P<date>[^）)]+)[）)]\s*$")


def field_for(header: Any) -> str | None:
    """The field a column header stands for, or None for a column we do not know."""
    if header is None:
        return None
    text = re.sub(r"\s+", "", str(header)).lower()
    text = re.sub(r"[*＊]$", "", text)  # "受理日期*": required-field marks in templates
    return HEADER_TO_FIELD.get(text)


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, made plain text with a leading ``'``."""
    if isinstance(value, str) and value.startswith(_UNSAFE_START):
        return "'" + value
    return value


def unneutralise(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


# -- parties --------------------------------------------------------------------


def _split_top(text: str, separators: str) -> list[str]:
    """Split at separators that are not inside brackets."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        if ch in separators and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def parse_parties(cell: Any) -> Any:
    """The parties written in one cell (see the module docstring); a list is returned as is."""
    if cell is None or isinstance(cell, list):
        return cell
    text = str(cell).strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"当事人 JSON 格式错误（第 {exc.colno} 列）：{exc.msg}") from None
    parties: list[dict[str, Any]] = []
    for entry in _split_top(text, "；;\n"):
        head = re.split(r"[（(]", entry, maxsplit=1)[0]
        labelled = re.match(r"^\s*([^：:]+?)\s*[：:]", head)
        role, rest = (labelled[1], entry[labelled.end() :]) if labelled else ("", entry)
        details: dict[str, Any] = {}
        match = re.match(r"^(?P<names>[^（(]+)(?:[（(](?P<inner>.*)[）)])?\s*$", rest.strip(), re.S)
        if not match:
            raise ValueError(f"无法读懂当事人“{entry}”：应如 申请人：王建国（电话：13904315678）")
        last_key = None
        for piece in _split_top(match["inner"] or "", "，,；;"):
            key, sep, value = piece.partition("：") if "：" in piece else piece.partition(":")
            field = PARTY_KEYS.get(key.strip()) if sep else None
            if field is not None:
                details[field] = value.strip()
                last_key = field
            elif piece.strip() in ("单位", "组织", "法人"):
                details["kind"] = "org"
            elif piece.strip() in ("个人", "自然人"):
                details["kind"] = "person"
            elif last_key is not None:
                details[last_key] += "，" + piece.strip()  # an address with a comma in it
            else:
                raise ValueError(
                    f"当事人“{entry}”括号中的“{piece}”无法识别：应如 电话：13904315678"
                )
        if "kind" in details:
            details["kind"] = (
                "org" if details["kind"] in ("单位", "组织", "法人", "org") else "person"
            )
        for name in re.split(r"[、,，]", match["names"]):
            if name.strip():
                parties.append({"role": role.strip(), "name": name.strip(), **details})
    return parties


def format_parties(parties: list[Mapping[str, Any]], *, contact: bool = True) -> str:
    """The 当事人 cell: ``申请人：王建国（电话：139…）；被申请人：李华``."""
    entries = []
    for party in parties:
        details = [
            f"{label}：{party[field]}"
            for field, label in _PARTY_LABELS.items()
            if party.get(field) and (contact or field == "unit")
        ]
        if party.get("kind") == "org" and not looks_like_org(party["name"]):
            details.insert(0, "类型：单位")
        if party.get("kind", "person") == "person" and looks_like_org(party["name"]):
            details.insert(0, "类型：个人")
        role = f"{party['role']}：" if party.get("role") else ""
        entries.append(role + party["name"] + (f"（{'，'.join(details)}）" if details else ""))
    return "；".join(entries)


# -- agreement ------------------------------------------------------------------


def parse_agreement(cell: Any) -> Any:
    if cell is None or isinstance(cell, list):
        return cell
    text = str(cell).strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"协议内容 JSON 格式错误（第 {exc.colno} 列）：{exc.msg}") from None
    terms = []
    # Exports write one term per line; a term may then hold a ；. Typed cells often use ； instead.
    for line in _split_top(text, "\n" if "\n" in text else "；;"):
        line = _NUMBERING.sub("", line)
        term: dict[str, Any] = {}
        found = _DEADLINE.search(line)
        if found:
            term["deadline"] = found["date"].strip()
            line = line[: found.start()].strip()
        if line:
            terms.append({"text": line, **term})
    return terms


def format_agreement(terms: list[Mapping[str, Any]]) -> str:
    lines = []
    for number, term in enumerate(terms, start=1):
        deadline = f"（履行期限：{term['deadline']}）" if term.get("deadline") else ""
        lines.append(f"{number}. {term['text']}{deadline}")
    return "\n".join(lines)


# -- rows -----------------------------------------------------------------------


def record_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row keyed by field (``follow_up.date`` …) → the nested record a DisputeIn reads."""
    record: dict[str, Any] = {}
    for field, value in row.items():
        value = unneutralise(value.strip() if isinstance(value, str) else value)
        if value is None or value == "":
            continue
        if field == "parties":
            value = parse_parties(value)
        elif field == "agreement":
            value = parse_agreement(value)
        head, _, tail = field.partition(".")
        if tail:
            record.setdefault(head, {})[tail] = value
        else:
            record[field] = value
    return record


def _label(vocabulary, code: Any) -> Any:
    return vocabulary.label(code) if code else None


def row_of(data: Mapping[str, Any], *, contact: bool = True) -> list[Any]:
    """A dispute (a record's ``as_dict()`` or an import-format dict) as a row under :func:`headers`.

    Vocabulary codes become labels; text a spreadsheet would run as a formula is neutralised.
    """
    follow_up = data.get("follow_up") or {}
    confirmation = data.get("confirmation") or {}
    honoured = follow_up.get("honoured")
    values: dict[str, Any] = {
        "id": data.get("id"),
        "number": data.get("number"),
        "received": data.get("received"),
        "committee": data.get("committee"),
        "org_level": _label(ORG_LEVELS, data.get("org_level")),
        "region": data.get("region"),
        "dispute_type": _label(DISPUTE_TYPES, data.get("dispute_type")),
        "channel": _label(CHANNELS, data.get("channel")),
        "mediator": data.get("mediator"),
        "parties": format_parties(data.get("parties") or [], contact=contact),
        "description": data.get("description"),
        "claims": data.get("claims"),
        "people_involved": data.get("people_involved"),
        "amount": data.get("amount"),
        "status": _label(STATUSES, data.get("status")),
        "closed_on": data.get("closed_on"),
        "agreement": format_agreement(data.get("agreement") or []),
        "follow_up.date": follow_up.get("date"),
        "follow_up.honoured": None if honoured is None else ("是" if honoured else "否"),
        "follow_up.note": follow_up.get("note"),
        "confirmation.court": confirmation.get("court"),
        "confirmation.applied_on": confirmation.get("applied_on"),
        "confirmation.result": confirmation.get("result"),
    }
    return [neutralise(values[field]) for field, _, _ in COLUMNS]


def headers() -> list[str]:
    return [header for _, header, _ in COLUMNS]
