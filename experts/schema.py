"""The consulting expert (CONTRACT §2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kb_service.text import RecordId
from kb_service.vocabularies import DISPUTE_TYPES, PROFESSIONS


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start > self.end:
            raise ValueError("不可用期间的开始日期（from）晚于结束日期（to）")
        return self

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class Expert(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: RecordId
    name: str = Field(min_length=1)
    profession: str
    specialties: list[str] = Field(min_length=1)
    region: str = Field(min_length=1)

    expertise: str = ""
    unit: str | None = None
    languages: list[str] = Field(default_factory=list)
    available: bool = True
    unavailable: list[Period] = Field(default_factory=list)
    capacity: int | None = Field(default=None, ge=0)
    load: int = Field(default=0, ge=0)
    rating: float | None = Field(default=None, ge=0, le=5)
    history: list[str] = Field(default_factory=list)
    conflicts: list[str] = Field(default_factory=list)
    phone: str | None = None

    @field_validator("profession", mode="before")
    @classmethod
    def _profession(cls, value: Any) -> str:
        return PROFESSIONS.code(value)

    @field_validator("specialties", mode="before")
    @classmethod
    def _specialties(cls, value: Any) -> Any:
        values = [value] if isinstance(value, str) else value
        return [DISPUTE_TYPES.code(v) for v in values] if isinstance(values, list) else values

    @field_validator("phone", "id", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _load_within_capacity(self) -> Expert:
        if self.capacity is not None and self.load > self.capacity:
            raise ValueError(f"当前咨询量 load={self.load} 超过容量 capacity={self.capacity}")
        return self

    def labelled(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        data["profession_label"] = PROFESSIONS.label(self.profession)
        data["specialty_labels"] = [DISPUTE_TYPES.label(s) for s in self.specialties]
        return data
