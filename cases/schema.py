"""The model case (精品调解案例) as CONTRACT §2 defines it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kb_service.parties import Party
from kb_service.text import RecordId, split_list
from kb_service.vocabularies import CASE_LEVELS, CHANNELS, DISPUTE_TYPES, ORG_LEVELS, OUTCOMES

SECTION_FIELDS = {
    "纠纷事实": "facts",
    "调解过程": "process",
    "调解结果": "result",
    "协议内容": "agreement",
    "案例评析": "commentary",
}
"""Markdown level-2 headings → fields."""


def _vocabulary_validator(vocabulary):
    def check(value: Any) -> Any:
        return None if value in (None, "") else vocabulary.code(value)

    return check


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: RecordId
    title: str = Field(min_length=1)
    dispute_type: str
    facts: str = Field(min_length=1)
    process: str = Field(min_length=1)
    outcome: str

    region: str | None = None
    org_level: str | None = None
    date: dt.date | None = None
    result: str | None = None
    agreement: str | None = None
    legal_basis: list[str] = Field(default_factory=list)
    commentary: str | None = None
    tags: list[str] = Field(default_factory=list)
    mediator: str | None = None
    amount: float | None = Field(default=None, ge=0)
    channel: str | None = None
    confirmed: bool | None = None
    honoured: bool | None = None
    parties: list[Party] = Field(default_factory=list)
    level: str | None = None
    source: str | None = None

    _dispute_type = field_validator("dispute_type", mode="before")(_vocabulary_validator(DISPUTE_TYPES))
    _outcome = field_validator("outcome", mode="before")(_vocabulary_validator(OUTCOMES))
    _org_level = field_validator("org_level", mode="before")(_vocabulary_validator(ORG_LEVELS))
    _channel = field_validator("channel", mode="before")(_vocabulary_validator(CHANNELS))
    _level = field_validator("level", mode="before")(_vocabulary_validator(CASE_LEVELS))

    @field_validator("id", "title", "mediator", "source", "region", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value

    _lists = field_validator("legal_basis", "tags", mode="before")(split_list)

    def labelled(self) -> dict[str, Any]:
        """The record as users get it: every vocabulary field with its Chinese label."""
        data = self.model_dump(mode="json", exclude_none=True)
        for field, vocabulary in (
            ("dispute_type", DISPUTE_TYPES),
            ("outcome", OUTCOMES),
            ("org_level", ORG_LEVELS),
            ("channel", CHANNELS),
            ("level", CASE_LEVELS),
        ):
            if data.get(field):
                data[f"{field}_label"] = vocabulary.label(data[field])
        return data
