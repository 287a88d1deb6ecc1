"""What the knowledge base needs to know about a dispute to help with it.

Expert matching, similar-case search and (later) statute suggestions take a
:class:`DisputeBrief`: a description, its type and region, the parties and the
day it is judged on. The dispute register keeps far more (CONTRACT §6) and
hands its disputes to those services as briefs, so no domain depends on
another's record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kb_service.parties import Party
from kb_service.vocabularies import DISPUTE_TYPES


class DisputeBrief(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str | None = None
    description: str = Field(min_length=1, max_length=20_000)
    dispute_type: str | None = None
    region: str | None = None
    parties: list[Party] = Field(default_factory=list)
    date: dt.date | None = None
    """The day availability and conflicts are judged on; today when not given."""

    @field_validator("dispute_type", mode="before")
    @classmethod
    def _dispute_type(cls, value: Any) -> Any:
        return None if value in (None, "") else DISPUTE_TYPES.code(value)

    @field_validator("parties", mode="before")
    @classmethod
    def _parties(cls, value: Any) -> Any:
        return [Party.parse(v) for v in value] if isinstance(value, list) else value
