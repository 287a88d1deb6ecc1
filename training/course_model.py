"""What a built course is: its outline (what the API returns) and the content its export prints."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class OutlineItem(BaseModel):
    kind: Literal["material", "case", "discussion"]
    ref: str
    """Section id (``tr-…#3``), case id, or ``{case id}#discussion``."""
    title: str
    minutes: int


class MaterialPart(BaseModel):
    ref: str
    material_id: str
    material_title: str
    section: str
    kind_label: str = ""
    text: str


class CasePart(BaseModel):
    ref: str
    title: str
    dispute_type: str
    dispute_type_label: str
    level_label: str | None = None
    outcome_label: str | None = None
    region: str | None = None
    key_facts: str
    key_issue: str
    laws: list[dict[str, Any]] = Field(default_factory=list)
    """The case's citations judged on its date: ``{citation, verdict, verdict_label, note, text,
    link}`` (``laws.articles.CitationReader``); courses saved before they existed have none."""


class DiscussionPart(BaseModel):
    ref: str
    case_id: str
    questions: list[str]


class Course(BaseModel):
    id: str
    title: str
    topic: str
    topic_label: str
    dispute_types: list[str]
    inferred_types: list[str] = Field(default_factory=list)
    """Types read from a plain topic's words (training/topics.py), when none were given."""
    audience: str | None = None
    minutes_budget: int
    created_at: str
    outline: list[OutlineItem]
    materials: list[MaterialPart] = Field(default_factory=list)
    cases: list[CasePart] = Field(default_factory=list)
    discussions: list[DiscussionPart] = Field(default_factory=list)

    @property
    def total_minutes(self) -> int:
        return sum(item.minutes for item in self.outline)

    def summary(self) -> dict[str, Any]:
        """What the API answers when a course is built: id, title and outline."""
        return {
            "id": self.id,
            "title": self.title,
            "topic": self.topic,
            "dispute_types": self.dispute_types,
            "inferred_types": self.inferred_types,
            "audience": self.audience,
            "minutes_budget": self.minutes_budget,
            "total_minutes": self.total_minutes,
            "outline": [item.model_dump() for item in self.outline],
        }
