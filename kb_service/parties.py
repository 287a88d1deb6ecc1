"""The party to a dispute (当事人): one model for cases, expert matching and the register."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Party(BaseModel):
    """A person or an organisation taking part in a dispute.

    ``unit`` is where a person works (or the organisation a party belongs to);
    expert matching compares it with the expert's own unit and declared conflicts.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    role: str = ""
    """申请人, 被申请人, 当事人 … as the record words it."""
    name: str = Field(min_length=1)
    kind: Literal["person", "org"] = "person"
    unit: str | None = None

    @classmethod
    def parse(cls, value: Any) -> Party:
        """``NAME`` or ``NAME@UNIT`` (the CLI form), or an object."""
        if isinstance(value, str):
            name, _, unit = value.partition("@")
            return cls(name=name.strip(), unit=unit.strip() or None)
        return cls.model_validate(value)
