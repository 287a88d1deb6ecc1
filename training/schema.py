"""The training material (培训材料) as CONTRACT §2 defines it: front matter plus its sections."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kb_service.text import RecordId, split_list
from kb_service.vocabularies import DISPUTE_TYPES, MATERIAL_KINDS, Vocabulary

LEVELS = Vocabulary("难度", {"basic": "初级", "intermediate": "中级", "advanced": "高级"})
"""Material levels; kept here because only training materials have them."""


def topic_code(value: str) -> str:
    """A dispute type's code when the topic names one (code or label), else the free topic itself."""
    text = str(value).strip()
    try:
        return DISPUTE_TYPES.code(text)
    except ValueError:
        return text


def topic_label(topic: str) -> str:
    """What a person reads for a topic: the dispute type's label, or the free topic."""
    return DISPUTE_TYPES.label(topic) if topic in DISPUTE_TYPES.terms else topic


class Section(BaseModel):
    """One heading's text; ``heading_path`` runs from the top heading down (H1 title dropped)."""

    model_config = ConfigDict(extra="forbid")

    heading_path: list[str]
    text: str = Field(min_length=1)

    @property
    def name(self) -> str:
        return " › ".join(self.heading_path) or "导言"


class Material(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: RecordId
    title: str = Field(min_length=1)
    kind: str
    topics: list[str]
    audience: list[str] = Field(default_factory=list)
    level: str
    minutes: int = Field(ge=1)
    source: str | None = None
    sections: list[Section]

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        return MATERIAL_KINDS.code(value) if isinstance(value, str) else value

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, value: Any) -> Any:
        return LEVELS.code(value) if isinstance(value, str) else value

    @field_validator("topics", mode="before")
    @classmethod
    def _topics(cls, value: Any) -> Any:
        value = split_list(value)
        if not isinstance(value, list):
            return value
        # dict.fromkeys: 劳动争议纠纷 and labor are one topic, listed once
        return list(dict.fromkeys(topic_code(v) for v in value if str(v).strip()))

    @field_validator("topics")
    @classmethod
    def _some_topic(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("至少需要一个主题（纠纷类型或自由主题）")
        return value

    @field_validator("sections")
    @classmethod
    def _some_section(cls, value: list[Section]) -> list[Section]:
        if not value:
            raise ValueError("正文为空：至少需要一段带标题的内容")
        return value

    @field_validator("audience", mode="before")
    @classmethod
    def _audience(cls, value: Any) -> Any:
        return split_list(value)

    @field_validator("id", "title", "source", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value

    @property
    def dispute_types(self) -> list[str]:
        return [t for t in self.topics if t in DISPUTE_TYPES.terms]
