"""A dispute as CONTRACT §6 defines it: what is registered, what is read back, statuses.

:class:`DisputeIn` is what a registration carries (API body, ``kb disputes
add``, one imported row); :class:`DisputeRecord` is a registered dispute read
back, with its server-assigned ``id`` and ``number``, labels for every
vocabulary field and its ``history``.

Statuses move forward only (:data:`TRANSITIONS`)::

    registered 已受理 ──→ mediating 调解中 ──→ success | partial | failed | referred
         │                    │
         └──→ withdrawn 撤回 ←─┘

Personal particulars (``id_number``, ``phone``, ``address``) are only in
what :meth:`DisputeRecord.as_dict` returns with ``contact=True``; callers
decide by role (the dispute's committee, coordinators, admins).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from disputes import values
from disputes.numbering import parse_number
from kb_service.masking import is_valid_id_card
from kb_service.parties import Party
from kb_service.text import PlainText
from kb_service.vocabularies import CHANNELS, DISPUTE_TYPES, ORG_LEVELS, Vocabulary

STATUSES = Vocabulary(
    "纠纷状态",
    {
        "registered": "已受理",
        "mediating": "调解中",
        "success": "调解成功",
        "partial": "部分达成",
        "failed": "调解不成",
        "referred": "导入其他法治途径",
        "withdrawn": "撤回",
    },
)

TRANSITIONS: dict[str, frozenset[str]] = {
    "registered": frozenset({"mediating", "withdrawn"}),
    "mediating": frozenset({"success", "partial", "failed", "referred", "withdrawn"}),
    "success": frozenset(),
    "partial": frozenset(),
    "failed": frozenset(),
    "referred": frozenset(),
    "withdrawn": frozenset(),
}
"""Legal status changes: from → the statuses it may become."""

OPEN_STATUSES = frozenset({"registered", "mediating"})
CLOSED_STATUSES = frozenset(STATUSES.terms) - OPEN_STATUSES

MAX_DESCRIPTION = 20_000
"""Characters of a description or of the claims (a 纠纷简要情况 is a paragraph or two)."""

CONTACT_FIELDS = ("id_number", "phone", "address")
"""A party's particulars shown only to the dispute's committee, coordinators and admins."""

_ORG_WORDS = (
    "公司", "集团", "厂", "委员会", "村委会", "居委会", "局", "医院", "卫生院", "学校", "中学",
    "小学", "幼儿园", "合作社", "中心", "店", "超市", "银行", "物业", "协会", "事务所", "站", "所",
)  # fmt: skip
_MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(?:\(?0\d{2,3}\)?-?)?\d{7,8}(?:-\d{1,5})?$")
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def _vocabulary(vocabulary: Vocabulary):
    def check(value: Any) -> Any:
        return None if value in (None, "") else vocabulary.code(value)

    return check


def looks_like_org(name: str) -> bool:
    """A party named like an organisation (…公司, …村委会): registered as ``kind: org``."""
    return name.endswith(_ORG_WORDS)


class RegisteredParty(Party):
    """A party as the register keeps it: the shared Party plus contact particulars."""

    role: PlainText = Field(default="", max_length=50)
    name: PlainText = Field(min_length=1, max_length=200)
    unit: PlainText | None = Field(default=None, max_length=200)
    id_number: str | None = Field(default=None, max_length=30)
    """Resident ID number (person) or 统一社会信用代码 (organisation)."""
    phone: str | None = Field(default=None, max_length=30)
    address: PlainText | None = Field(default=None, max_length=300)

    @model_validator(mode="before")
    @classmethod
    def _kind_from_name(cls, data: Any) -> Any:
        if (
            isinstance(data, dict)
            and not data.get("kind")
            and looks_like_org(str(data.get("name", "")))
        ):
            return {**data, "kind": "org"}
        return data

    @field_validator("id_number", "phone", "address", "unit", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, int):
            return str(value)
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("role", mode="before")
    @classmethod
    def _blank_role(cls, value: Any) -> Any:
        # an empty 角色 cell or form field is "no role given", not an error
        return "" if value is None else str(value) if isinstance(value, int) else value

    @field_validator("id_number", "phone", mode="before")
    @classmethod
    def _half_width(cls, value: Any) -> Any:
        # Numbers typed with a Chinese input method come in full width (１３９…).
        return unicodedata.normalize("NFKC", value) if isinstance(value, str) else value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        compact = re.sub(r"[\s\-－()（）]", "", value)
        if _MOBILE.match(compact):
            return compact[-11:]
        if _LANDLINE.match(value.replace(" ", "")):
            return value.replace(" ", "")
        raise ValueError(
            f"电话号码“{value}”格式不正确：应为 11 位手机号或带区号的固定电话（如 0431-88886666）"
        )

    @model_validator(mode="after")
    def _id_number(self) -> RegisteredParty:
        if self.id_number is None:
            return self
        number = self.id_number.upper().replace(" ", "")
        if self.kind == "person" and not is_valid_id_card(number):
            raise ValueError(
                f"当事人 {self.name} 的身份证号码无效：应为 18 位，出生日期有效，最后一位校验码正确"
            )
        if self.kind == "org" and not (_CREDIT_CODE.match(number) or is_valid_id_card(number)):
            raise ValueError(f"单位 {self.name} 的统一社会信用代码无效：应为 18 位代码")
        self.id_number = number
        return self


class AgreementTerm(BaseModel):
    """One term of a mediation agreement, with when it must be performed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: PlainText = Field(min_length=1, max_length=5_000)
    deadline: dt.date | None = None

    _deadline = field_validator("deadline", mode="before")(values.parse_date)


class FollowUp(BaseModel):
    """回访: whether the agreement was honoured when the committee checked."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    date: dt.date | None = None
    honoured: bool | None = None
    note: PlainText | None = Field(default=None, max_length=2_000)

    _date = field_validator("date", mode="before")(values.parse_date)
    _honoured = field_validator("honoured", mode="before")(values.parse_bool)


class Confirmation(BaseModel):
    """司法确认: the court asked to confirm the agreement, when, and what it decided."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    court: PlainText = Field(min_length=1, max_length=200)
    applied_on: dt.date | None = None
    result: PlainText | None = Field(default=None, max_length=2_000)

    _applied_on = field_validator("applied_on", mode="before")(values.parse_date)


class DisputeIn(BaseModel):
    """What registering a dispute takes; vocabulary fields accept codes or labels."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    received: dt.date
    dispute_type: str
    # Lengths: the register's columns (disputes/models.py), and for free text what a
    # 纠纷登记表 holds many times over; longer is a paste gone wrong, refused rather than stored.
    region: PlainText = Field(min_length=1, max_length=200)
    committee: PlainText = Field(min_length=1, max_length=200)
    description: PlainText = Field(min_length=1, max_length=MAX_DESCRIPTION)
    parties: list[RegisteredParty] = Field(min_length=1, max_length=1_000)

    channel: str | None = None
    org_level: str | None = None
    mediator: PlainText | None = Field(default=None, max_length=100)
    claims: PlainText | None = Field(default=None, max_length=MAX_DESCRIPTION)
    people_involved: int | None = Field(default=None, ge=1, le=1_000_000)
    """Defaults to the number of parties."""
    amount: float | None = Field(default=None, ge=0, le=1e13, allow_inf_nan=False)
    status: str = "registered"
    """Registering a dispute after the fact (an old register imported) may give a later status."""
    closed_on: dt.date | None = None
    agreement: list[AgreementTerm] = Field(default_factory=list, max_length=200)
    follow_up: FollowUp | None = None
    confirmation: Confirmation | None = None
    number: str | None = None
    """Only when importing an existing register: the number it already carries is kept."""

    _dispute_type = field_validator("dispute_type", mode="before")(_vocabulary(DISPUTE_TYPES))
    _channel = field_validator("channel", mode="before")(_vocabulary(CHANNELS))
    _org_level = field_validator("org_level", mode="before")(_vocabulary(ORG_LEVELS))
    _status = field_validator("status", mode="before")(_vocabulary(STATUSES))
    _dates = field_validator("received", "closed_on", mode="before")(values.parse_date)
    _amount = field_validator("amount", mode="before")(values.parse_amount)
    _people = field_validator("people_involved", mode="before")(values.parse_count)

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace("／", "/").strip().strip("/").split("/")]
            return "/".join(p for p in parts if p)
        return value

    @field_validator("mediator", "claims", "number", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("number")
    @classmethod
    def _number(cls, value: str | None) -> str | None:
        if value is not None:
            parse_number(value)
        return value

    @field_validator("parties", mode="before")
    @classmethod
    def _parties(cls, value: Any) -> Any:
        # Text as in the 当事人 column (a form field, ``kb disputes update --set parties=…``).
        if isinstance(value, str):
            from disputes.tabular import parse_parties

            return parse_parties(value)
        return value

    @field_validator("agreement", mode="before")
    @classmethod
    def _agreement(cls, value: Any) -> Any:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            from disputes.tabular import parse_agreement

            return parse_agreement(value)
        return [{"text": item} if isinstance(item, str) else item for item in value]

    @model_validator(mode="after")
    def _defaults(self) -> DisputeIn:
        if self.people_involved is None:
            self.people_involved = len(self.parties)
        if self.status in OPEN_STATUSES and self.closed_on is not None:
            raise ValueError("未结案的纠纷不应有结案日期（closed_on）")
        if self.closed_on is not None and self.closed_on < self.received:
            raise ValueError("结案日期不能早于受理日期")
        return self


class HistoryItem(BaseModel):
    """One change: who, when, what (field, old → new) and why."""

    at: dt.datetime
    actor: str
    action: Literal["created", "status", "updated"]
    field: str | None = None
    old: Any = None
    new: Any = None
    note: str | None = None


class DisputeRecord(DisputeIn):
    """A registered dispute, read back."""

    model_config = ConfigDict(extra="forbid")

    id: int
    number: str
    created_at: dt.datetime
    updated_at: dt.datetime
    history: list[HistoryItem] | None = None
    """Every change, oldest first; None in listings (read one dispute for its history)."""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def as_dict(self, *, contact: bool = True, history: bool = True) -> dict[str, Any]:
        """JSON-ready, with ``*_label`` for each vocabulary field.

        ``contact=False`` leaves out ID numbers, phones and addresses, also from
        the history of party changes.
        """
        dumped = self.model_dump(mode="json")
        data = {"id": dumped.pop("id"), "number": dumped.pop("number"), **dumped}
        if not history or data["history"] is None:
            data.pop("history")
        for field, vocabulary in (
            ("dispute_type", DISPUTE_TYPES),
            ("channel", CHANNELS),
            ("org_level", ORG_LEVELS),
            ("status", STATUSES),
        ):
            if data.get(field):
                data[f"{field}_label"] = vocabulary.label(data[field])
        if not contact:
            data["parties"] = [without_contact(p) for p in data["parties"]]
            for entry in data.get("history") or []:
                if entry["field"] == "parties":
                    entry["old"] = [without_contact(p) for p in entry["old"] or []]
                    entry["new"] = [without_contact(p) for p in entry["new"] or []]
        return data


def without_contact(party: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in party.items() if k not in CONTACT_FIELDS}


class DisputeFilter(BaseModel):
    """What ``list`` narrows by; every list means "any of", the fields together mean "all of"."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: list[str] = Field(default_factory=list)
    dispute_type: list[str] = Field(default_factory=list)
    org_level: list[str] = Field(default_factory=list)
    channel: list[str] = Field(default_factory=list)
    region: str | None = None
    """A region prefix: ``吉林省/长春市`` matches itself and everything under it."""
    committee: str | None = None
    received_from: dt.date | None = Field(
        default=None, validation_alias=AliasChoices("received_from", "date_from", "from")
    )
    received_to: dt.date | None = Field(
        default=None, validation_alias=AliasChoices("received_to", "date_to", "to")
    )
    """Inclusive. Both also read as ``date_from``/``date_to`` (the case filters' names) or ``from``/``to``."""
    party: str | None = None
    """A party's name or ID number."""

    @field_validator("status", "dispute_type", "org_level", "channel", mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> Any:
        if value is None or value == "":
            return []
        return [value] if isinstance(value, str) else value

    @field_validator("status", mode="after")
    @classmethod
    def _statuses(cls, value: list[str]) -> list[str]:
        return [STATUSES.code(v) for v in value]

    @field_validator("dispute_type", mode="after")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        return [DISPUTE_TYPES.code(v) for v in value]

    @field_validator("org_level", mode="after")
    @classmethod
    def _levels(cls, value: list[str]) -> list[str]:
        return [ORG_LEVELS.code(v) for v in value]

    @field_validator("channel", mode="after")
    @classmethod
    def _channels(cls, value: list[str]) -> list[str]:
        return [CHANNELS.code(v) for v in value]

    _dates = field_validator("received_from", "received_to", mode="before")(values.parse_date)


class DisputePage(BaseModel):
    total: int
    offset: int
    size: int
    items: list[DisputeRecord]
