"""Loading cases from a library: Markdown with front matter, or JSON Lines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cases.schema import SECTION_FIELDS, Case
from kb_service.library import (
    Loaded,
    RawRecord,
    Rejection,
    files_under,
    read_jsonl,
    read_markdown,
)
from kb_service.validation import validate_record


def _from_markdown(record: RawRecord) -> dict:
    data = {k: v for k, v in record.data.items() if not k.startswith("_")}
    for heading, text in record.data["_sections"]:
        if heading and heading[-1] in SECTION_FIELDS and text:
            data.setdefault(SECTION_FIELDS[heading[-1]], text)
    return data


def load_cases(libraries: list[Path]) -> Iterator[Loaded | Rejection]:
    """Every case of the libraries' ``cases/`` folders, or the reason one was refused."""
    for path in files_under(libraries, "cases", (".md", ".markdown", ".jsonl")):
        reader = read_jsonl if path.suffix.lower() == ".jsonl" else read_markdown
        for item in reader(path):
            if isinstance(item, Rejection):
                yield item
                continue
            data = _from_markdown(item) if reader is read_markdown else item.data
            case = validate_record(Case, item, data)
            yield case if isinstance(case, Rejection) else Loaded(case, item.path, item.line)

